package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// debriefColumns are the columns a write supplies, in the order of the
// staging table and of toRow.
const debriefColumns = `id, source, ref, document, doc_hash, url, title, summary, text, sections,
	severity, status, services, teams, tags, authors, participants, extra,
	started_at, detected_at, resolved_at, published_at, date, timeline, content_hash, fetched_at`

const stageDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_debriefs (
	id VARCHAR, source VARCHAR, ref VARCHAR, document VARCHAR, doc_hash VARCHAR, url VARCHAR,
	title VARCHAR, summary VARCHAR, text VARCHAR, sections VARCHAR, severity VARCHAR, status VARCHAR,
	services VARCHAR[], teams VARCHAR[], tags VARCHAR[], authors VARCHAR[], participants VARCHAR[],
	extra VARCHAR, started_at TIMESTAMPTZ, detected_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ,
	published_at TIMESTAMPTZ, date TIMESTAMPTZ, timeline VARCHAR, content_hash VARCHAR,
	fetched_at TIMESTAMPTZ);
CREATE TEMP TABLE IF NOT EXISTS stage_removed (id VARCHAR);
DELETE FROM stage_debriefs;
DELETE FROM stage_removed;`

// mergeDebriefs upserts the staged debriefs. A changed debrief (new content,
// or back after removal) takes the batch's change number; an unchanged one
// only records its document's current hash. %[1]d is the change number.
const mergeDebriefs = `MERGE INTO debriefs AS d USING stage_debriefs AS s ON d.id = s.id
WHEN MATCHED AND (d.content_hash <> s.content_hash OR d.removed_at IS NOT NULL) THEN UPDATE SET
	source = s.source, ref = s.ref, document = s.document, doc_hash = s.doc_hash, url = s.url,
	title = s.title, summary = s.summary, text = s.text, sections = s.sections,
	severity = s.severity, status = s.status, services = s.services, teams = s.teams, tags = s.tags,
	authors = s.authors, participants = s.participants, extra = s.extra,
	started_at = s.started_at, detected_at = s.detected_at, resolved_at = s.resolved_at,
	published_at = s.published_at, date = s.date, timeline = s.timeline,
	content_hash = s.content_hash, fetched_at = s.fetched_at, updated_at = s.fetched_at,
	removed_at = NULL, seq = %[1]d
WHEN MATCHED AND d.doc_hash <> s.doc_hash THEN UPDATE SET doc_hash = s.doc_hash
WHEN NOT MATCHED THEN INSERT (` + debriefColumns + `, first_seen_at, updated_at, removed_at, seq)
	VALUES (s.id, s.source, s.ref, s.document, s.doc_hash, s.url, s.title, s.summary, s.text, s.sections,
	s.severity, s.status, s.services, s.teams, s.tags, s.authors, s.participants, s.extra,
	s.started_at, s.detected_at, s.resolved_at, s.published_at, s.date, s.timeline, s.content_hash, s.fetched_at,
	s.fetched_at, s.fetched_at, NULL, %[1]d)`

// Apply commits one batch of a pass in a single transaction: the upserts
// are bulk-loaded into a staging table with the Appender and merged; the
// removals are marked (never deleted). Everything the batch changes takes
// the next change number, returned with the counts and the changes the
// search index must now follow.
func (s *Store) Apply(ctx context.Context, c ingest.Change) (ingest.Applied, error) {
	var res ingest.Applied
	if len(c.Upsert) == 0 && len(c.Remove) == 0 {
		return res, nil
	}
	rows := make([][]driver.Value, 0, len(c.Upsert))
	for _, r := range c.Upsert {
		row, err := toRow(r)
		if err != nil {
			return res, fmt.Errorf("analytics: debrief %s: %w", r.Debrief.Ref, err)
		}
		rows = append(rows, row)
	}
	var assessed assessmentRows
	for _, r := range c.Upsert {
		if err := assessed.add(r.Debrief); err != nil {
			return res, fmt.Errorf("analytics: debrief %s: %w", r.Debrief.Ref, err)
		}
	}
	removed := make([][]driver.Value, 0, len(c.Remove))
	for _, id := range c.Remove {
		removed = append(removed, []driver.Value{id})
	}

	err := s.change(ctx, func(conn *sql.Conn, seq int64) (bool, error) {
		if _, err := conn.ExecContext(ctx, stageDDL); err != nil {
			return false, fmt.Errorf("prepare staging: %w", err)
		}
		if err := appendRows(conn, "stage_debriefs", rows); err != nil {
			return false, fmt.Errorf("stage debriefs: %w", err)
		}
		if err := appendRows(conn, "stage_removed", removed); err != nil {
			return false, fmt.Errorf("stage removals: %w", err)
		}
		if err := assessed.stage(ctx, conn); err != nil {
			return false, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return false, fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback()
		same, existing, err := classify(ctx, tx)
		if err != nil {
			return false, err
		}
		res.Unchanged = len(same)
		res.Updated = existing - len(same)
		res.Added = len(rows) - existing
		if len(rows) > 0 {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(mergeDebriefs, seq)); err != nil {
				return false, fmt.Errorf("merge debriefs: %w", err)
			}
			if err := replaceAssessments(ctx, tx); err != nil {
				return false, err
			}
		}
		for _, r := range c.Upsert {
			if !same[r.Debrief.ID] {
				res.Index = append(res.Index, ingest.IndexItem{ID: r.Debrief.ID, Seq: seq, Debrief: r.Debrief})
			}
		}
		if len(removed) > 0 {
			gone, err := markRemoved(ctx, tx, c.At, seq)
			if err != nil {
				return false, err
			}
			res.Removed = len(gone)
			for _, id := range gone {
				res.Index = append(res.Index, ingest.IndexItem{ID: id, Seq: seq})
			}
		}
		if err := refreshFacts(ctx, tx, `SELECT id FROM stage_debriefs UNION ALL SELECT id FROM stage_removed`); err != nil {
			return false, err
		}
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("commit: %w", err)
		}
		if len(res.Index) > 0 {
			res.Seq = seq
		}
		return len(res.Index) > 0, nil
	})
	if err != nil {
		return ingest.Applied{}, err
	}
	return res, nil
}

// change runs one write of the store: under the write lock, on one
// connection, with the next change number. fn reports whether it committed
// a change that takes that number.
func (s *Store) change(ctx context.Context, fn func(conn *sql.Conn, seq int64) (bool, error)) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	seq := s.seq + 1
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analytics: connect: %w", err)
	}
	defer conn.Close()
	used, err := fn(conn, seq)
	if err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	if used {
		s.seq = seq
	}
	return nil
}

// classify finds which staged debriefs are already stored, and which of
// those are unchanged.
func classify(ctx context.Context, tx *sql.Tx) (same map[string]bool, existing int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, d.content_hash = s.content_hash AND d.removed_at IS NULL
		FROM stage_debriefs s JOIN debriefs d ON d.id = s.id`)
	if err != nil {
		return nil, 0, fmt.Errorf("classify debriefs: %w", err)
	}
	defer rows.Close()
	same = map[string]bool{}
	for rows.Next() {
		var id string
		var unchanged bool
		if err := rows.Scan(&id, &unchanged); err != nil {
			return nil, 0, fmt.Errorf("classify debriefs: %w", err)
		}
		existing++
		if unchanged {
			same[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("classify debriefs: %w", err)
	}
	return same, existing, nil
}

// markRemoved marks the staged removals that are still visible, and not
// upserted in the same batch, and returns their ids.
func markRemoved(ctx context.Context, tx *sql.Tx, at time.Time, seq int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE debriefs SET removed_at = ?, seq = ?
		WHERE removed_at IS NULL AND id IN (SELECT id FROM stage_removed)
		AND id NOT IN (SELECT id FROM stage_debriefs) RETURNING id`, at.UTC(), seq)
	if err != nil {
		return nil, fmt.Errorf("mark removed: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("mark removed: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mark removed: %w", err)
	}
	return ids, nil
}

// storedSection is a section as the sections column holds it: where its
// text lies in the debrief's text, so the text is not stored twice, or the
// text itself when it is not a part of the debrief's text.
type storedSection struct {
	Kind    ingest.SectionKind `json:"kind"`
	Heading string             `json:"heading,omitempty"`
	Level   int                `json:"level,omitempty"`
	Start   int                `json:"start,omitempty"`
	End     int                `json:"end,omitempty"`
	Text    string             `json:"text,omitempty"`
}

// encodeSections finds each section's text in the debrief's text, in
// order, and records its place.
func encodeSections(d *ingest.Debrief) ([]byte, error) {
	out := make([]storedSection, len(d.Sections))
	at := 0
	for i, sec := range d.Sections {
		out[i] = storedSection{Kind: sec.Kind, Heading: sec.Heading, Level: sec.Level}
		if sec.Text == "" {
			continue
		}
		if j := strings.Index(d.Text[at:], sec.Text); j >= 0 {
			out[i].Start, out[i].End = at+j, at+j+len(sec.Text)
			at = out[i].End
		} else {
			out[i].Text = sec.Text
		}
	}
	return json.Marshal(out)
}

func decodeSections(b []byte, text string) ([]ingest.Section, error) {
	var stored []storedSection
	if err := json.Unmarshal(b, &stored); err != nil {
		return nil, err
	}
	out := make([]ingest.Section, len(stored))
	for i, s := range stored {
		out[i] = ingest.Section{Kind: s.Kind, Heading: s.Heading, Level: s.Level, Text: s.Text}
		if s.End > 0 {
			if s.Start < 0 || s.End > len(text) || s.Start > s.End {
				return nil, fmt.Errorf("section %d lies outside the text (%d-%d of %d bytes)", i, s.Start, s.End, len(text))
			}
			out[i].Text = text[s.Start:s.End]
		}
	}
	return out, nil
}

func toRow(r ingest.Record) ([]driver.Value, error) {
	d := r.Debrief
	sections, err := encodeSections(d)
	if err != nil {
		return nil, fmt.Errorf("encode sections: %w", err)
	}
	timeline, err := json.Marshal(nonNil(d.Timeline))
	if err != nil {
		return nil, fmt.Errorf("encode timeline: %w", err)
	}
	var extra driver.Value
	if len(d.Meta.Extra) > 0 {
		b, err := json.Marshal(d.Meta.Extra)
		if err != nil {
			return nil, fmt.Errorf("encode metadata: %w", err)
		}
		extra = string(b)
	}
	return []driver.Value{
		d.ID, d.Source, d.Ref, d.Document, r.DocHash, nullString(d.URL), d.Title, nullString(d.Summary), d.Text,
		string(sections), nullString(d.Meta.Severity), nullString(d.Meta.Status),
		nonNil(d.Meta.Services), nonNil(d.Meta.Teams), nonNil(d.Meta.Tags), nonNil(d.Meta.Authors), nonNil(d.Meta.Participants),
		extra, nullTime(d.Times.Started), nullTime(d.Times.Detected), nullTime(d.Times.Resolved),
		nullTime(d.Times.Published), nullTime(d.Times.Date()), string(timeline), d.Hash, d.FetchedAt.UTC(),
	}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// Documents returns, for each document of source that still has visible
// debriefs, its stored hash and those debriefs' ids.
func (s *Store) Documents(ctx context.Context, source string) (map[string]ingest.StoredDocument, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT document, any_value(doc_hash), list(id ORDER BY id)
		FROM debriefs WHERE source = ? AND removed_at IS NULL GROUP BY document`, source)
	if err != nil {
		return nil, fmt.Errorf("analytics: documents of %s: %w", source, err)
	}
	defer rows.Close()
	docs := map[string]ingest.StoredDocument{}
	for rows.Next() {
		var ref, hash string
		var ids stringList
		if err := rows.Scan(&ref, &hash, &ids); err != nil {
			return nil, fmt.Errorf("analytics: documents of %s: %w", source, err)
		}
		docs[ref] = ingest.StoredDocument{Hash: hash, IDs: ids}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: documents of %s: %w", source, err)
	}
	return docs, nil
}

// stringList scans a DuckDB VARCHAR[] value.
type stringList []string

func (l *stringList) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*l = nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		*l = out
	default:
		return fmt.Errorf("scan list: unexpected %T", v)
	}
	return nil
}

// nullableTime scans a TIMESTAMPTZ that may be NULL.
type nullableTime struct{ t *time.Time }

func (n nullableTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.t = time.Time{}
	case time.Time:
		*n.t = x.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

// selectDebrief is the column list scanDebrief reads.
// Queries join assessments (ON debrief_id = id) for the last column.
const selectDebrief = `id, source, ref, document, url, title, summary, text, sections, severity, status,
	services, teams, tags, authors, participants, extra, started_at, detected_at, resolved_at,
	published_at, timeline, content_hash, fetched_at, body`

type scanner interface{ Scan(dest ...any) error }

func scanDebrief(sc scanner) (*ingest.Debrief, error) {
	var d ingest.Debrief
	var url, summary, severity, status, extra, assessment sql.NullString
	var sections, timeline string
	var services, teams, tags, authors, participants stringList
	err := sc.Scan(&d.ID, &d.Source, &d.Ref, &d.Document, &url, &d.Title, &summary, &d.Text, &sections,
		&severity, &status, &services, &teams, &tags, &authors, &participants, &extra,
		nullableTime{&d.Times.Started}, nullableTime{&d.Times.Detected}, nullableTime{&d.Times.Resolved},
		nullableTime{&d.Times.Published}, &timeline, &d.Hash, nullableTime{&d.FetchedAt}, &assessment)
	if err != nil {
		return nil, err
	}
	d.URL, d.Summary = url.String, summary.String
	d.Meta.Severity, d.Meta.Status = severity.String, status.String
	d.Meta.Services, d.Meta.Teams, d.Meta.Tags = emptyNil(services), emptyNil(teams), emptyNil(tags)
	d.Meta.Authors, d.Meta.Participants = emptyNil(authors), emptyNil(participants)
	if d.Sections, err = decodeSections([]byte(sections), d.Text); err != nil {
		return nil, fmt.Errorf("decode sections of %s: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(timeline), &d.Timeline); err != nil {
		return nil, fmt.Errorf("decode timeline of %s: %w", d.ID, err)
	}
	if extra.Valid {
		if err := json.Unmarshal([]byte(extra.String), &d.Meta.Extra); err != nil {
			return nil, fmt.Errorf("decode metadata of %s: %w", d.ID, err)
		}
	}
	if assessment.Valid {
		d.Assessment = new(ingest.Assessment)
		if err := json.Unmarshal([]byte(assessment.String), d.Assessment); err != nil {
			return nil, fmt.Errorf("decode assessment of %s: %w", d.ID, err)
		}
		restoreEvidence(&d)
	}
	return &d, nil
}

func emptyNil(l stringList) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Entry is a stored debrief with its history in the store.
type Entry struct {
	*ingest.Debrief
	FirstSeenAt time.Time `json:"first_seen_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// RemovedAt is set when the debrief disappeared from its source.
	RemovedAt time.Time `json:"removed_at,omitzero"`
}

// Debrief returns one debrief by id, removed or not.
func (s *Store) Debrief(ctx context.Context, id string) (*Entry, error) {
	var e Entry
	row := s.db.QueryRowContext(ctx, `SELECT `+selectDebrief+`, first_seen_at, updated_at, removed_at
		FROM debriefs LEFT JOIN assessments ON debrief_id = id WHERE id = ?`, id)
	d, err := scanDebrief(scanTail{row, []any{nullableTime{&e.FirstSeenAt}, nullableTime{&e.UpdatedAt}, nullableTime{&e.RemovedAt}}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("analytics: debrief %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: debrief %s: %w", id, err)
	}
	e.Debrief = d
	return &e, nil
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
