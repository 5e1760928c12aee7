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
// or back after removal) gets a new revision; an unchanged one only records
// its document's current hash.
const mergeDebriefs = `MERGE INTO debriefs AS d USING stage_debriefs AS s ON d.id = s.id
WHEN MATCHED AND (d.content_hash <> s.content_hash OR d.removed_at IS NOT NULL) THEN UPDATE SET
	source = s.source, ref = s.ref, document = s.document, doc_hash = s.doc_hash, url = s.url,
	title = s.title, summary = s.summary, text = s.text, sections = s.sections,
	severity = s.severity, status = s.status, services = s.services, teams = s.teams, tags = s.tags,
	authors = s.authors, participants = s.participants, extra = s.extra,
	started_at = s.started_at, detected_at = s.detected_at, resolved_at = s.resolved_at,
	published_at = s.published_at, date = s.date, timeline = s.timeline,
	content_hash = s.content_hash, fetched_at = s.fetched_at, updated_at = s.fetched_at,
	removed_at = NULL, revision = d.revision + 1
WHEN MATCHED THEN UPDATE SET doc_hash = s.doc_hash
WHEN NOT MATCHED THEN INSERT (` + debriefColumns + `, first_seen_at, updated_at, removed_at, revision, indexed_revision)
	VALUES (s.id, s.source, s.ref, s.document, s.doc_hash, s.url, s.title, s.summary, s.text, s.sections,
	s.severity, s.status, s.services, s.teams, s.tags, s.authors, s.participants, s.extra,
	s.started_at, s.detected_at, s.resolved_at, s.published_at, s.date, s.timeline, s.content_hash, s.fetched_at,
	s.fetched_at, s.fetched_at, NULL, 1, NULL)`

// Apply commits one batch of a pass in a single transaction: the upserts
// are bulk-loaded into a staging table with the Appender and merged; the
// removals are marked (never deleted). It returns the counts and the
// revisions the search index must now follow.
func (s *Store) Apply(ctx context.Context, c ingest.Change) (ingest.Applied, error) {
	var res ingest.Applied
	if len(c.Upsert) == 0 && len(c.Remove) == 0 {
		return res, nil
	}
	rows := make([][]driver.Value, 0, len(c.Upsert))
	byID := make(map[string]*ingest.Debrief, len(c.Upsert))
	for _, r := range c.Upsert {
		row, err := toRow(r)
		if err != nil {
			return res, fmt.Errorf("analytics: debrief %s: %w", r.Debrief.Ref, err)
		}
		rows = append(rows, row)
		byID[r.Debrief.ID] = r.Debrief
	}
	removed := make([][]driver.Value, 0, len(c.Remove))
	for _, id := range c.Remove {
		removed = append(removed, []driver.Value{id})
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("analytics: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, stageDDL); err != nil {
		return res, fmt.Errorf("analytics: prepare staging: %w", err)
	}
	if err := appendRows(conn, "stage_debriefs", rows); err != nil {
		return res, fmt.Errorf("analytics: stage debriefs: %w", err)
	}
	if err := appendRows(conn, "stage_removed", removed); err != nil {
		return res, fmt.Errorf("analytics: stage removals: %w", err)
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("analytics: begin: %w", err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE d.id IS NULL),
		count(*) FILTER (WHERE d.id IS NOT NULL AND (d.content_hash <> s.content_hash OR d.removed_at IS NOT NULL)),
		count(*) FILTER (WHERE d.id IS NOT NULL AND d.content_hash = s.content_hash AND d.removed_at IS NULL)
		FROM stage_debriefs s LEFT JOIN debriefs d ON d.id = s.id`).Scan(&res.Added, &res.Updated, &res.Unchanged)
	if err != nil {
		return res, fmt.Errorf("analytics: classify debriefs: %w", err)
	}
	if len(rows) > 0 {
		if _, err := tx.ExecContext(ctx, mergeDebriefs); err != nil {
			return res, fmt.Errorf("analytics: merge debriefs: %w", err)
		}
	}
	if len(removed) > 0 {
		r, err := tx.ExecContext(ctx, `UPDATE debriefs SET removed_at = ?, revision = revision + 1
			WHERE removed_at IS NULL AND id IN (SELECT id FROM stage_removed)
			AND id NOT IN (SELECT id FROM stage_debriefs)`, c.At)
		if err != nil {
			return res, fmt.Errorf("analytics: mark removed: %w", err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return res, fmt.Errorf("analytics: mark removed: %w", err)
		}
		res.Removed = int(n)
	}
	res.Index, err = s.pendingIn(ctx, tx, byID)
	if err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("analytics: commit: %w", err)
	}
	return res, nil
}

// pendingIn lists the staged debriefs whose revision the index lacks.
func (s *Store) pendingIn(ctx context.Context, tx *sql.Tx, byID map[string]*ingest.Debrief) ([]ingest.IndexItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.revision, d.removed_at IS NOT NULL FROM debriefs d
		WHERE d.id IN (SELECT id FROM stage_debriefs UNION ALL SELECT id FROM stage_removed)
		AND d.indexed_revision IS DISTINCT FROM d.revision`)
	if err != nil {
		return nil, fmt.Errorf("analytics: list changed debriefs: %w", err)
	}
	defer rows.Close()
	var items []ingest.IndexItem
	for rows.Next() {
		var it ingest.IndexItem
		var gone bool
		if err := rows.Scan(&it.ID, &it.Revision, &gone); err != nil {
			return nil, fmt.Errorf("analytics: list changed debriefs: %w", err)
		}
		if !gone {
			it.Debrief = byID[it.ID]
			if it.Debrief == nil {
				// Changed earlier but never indexed, and unchanged now:
				// the catch-up loads it from the store.
				continue
			}
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: list changed debriefs: %w", err)
	}
	return items, nil
}

func toRow(r ingest.Record) ([]driver.Value, error) {
	d := r.Debrief
	sections, err := json.Marshal(nonNil(d.Sections))
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
const selectDebrief = `id, source, ref, document, url, title, summary, text, sections, severity, status,
	services, teams, tags, authors, participants, extra, started_at, detected_at, resolved_at,
	published_at, timeline, content_hash, fetched_at`

type scanner interface{ Scan(dest ...any) error }

func scanDebrief(sc scanner) (*ingest.Debrief, error) {
	var d ingest.Debrief
	var url, summary, severity, status, extra sql.NullString
	var sections, timeline string
	var services, teams, tags, authors, participants stringList
	err := sc.Scan(&d.ID, &d.Source, &d.Ref, &d.Document, &url, &d.Title, &summary, &d.Text, &sections,
		&severity, &status, &services, &teams, &tags, &authors, &participants, &extra,
		nullableTime{&d.Times.Started}, nullableTime{&d.Times.Detected}, nullableTime{&d.Times.Resolved},
		nullableTime{&d.Times.Published}, &timeline, &d.Hash, nullableTime{&d.FetchedAt})
	if err != nil {
		return nil, err
	}
	d.URL, d.Summary = url.String, summary.String
	d.Meta.Severity, d.Meta.Status = severity.String, status.String
	d.Meta.Services, d.Meta.Teams, d.Meta.Tags = emptyNil(services), emptyNil(teams), emptyNil(tags)
	d.Meta.Authors, d.Meta.Participants = emptyNil(authors), emptyNil(participants)
	if err := json.Unmarshal([]byte(sections), &d.Sections); err != nil {
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
		FROM debriefs WHERE id = ?`, id)
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
