package analytics

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/secondstory/secondstory/ingest"
)

// stageAssessmentsDDL creates the staging tables of assessment rows.
const stageAssessmentsDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_assessed (id VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS stage_assessments AS SELECT * FROM assessments LIMIT 0;
CREATE TEMP TABLE IF NOT EXISTS stage_factors AS SELECT * EXCLUDE (key_hash, text_hash, text_len) FROM factors LIMIT 0;
DELETE FROM stage_assessed;
DELETE FROM stage_assessments;
DELETE FROM stage_factors;`

// assessmentRows are the rows of one batch's assessments, and the ids of
// the debriefs whose rows they replace.
type assessmentRows struct {
	ids                  [][]driver.Value
	assessments, factors [][]driver.Value
}

// add appends the rows of d's assessment; a debrief without one (no
// assessor) only has its old rows removed.
func (r *assessmentRows) add(d *ingest.Debrief) error {
	r.ids = append(r.ids, []driver.Value{d.ID})
	a := d.Assessment
	if a == nil {
		return nil
	}
	body, err := json.Marshal(compactAssessment(d))
	if err != nil {
		return fmt.Errorf("encode assessment: %w", err)
	}
	for i, f := range a.Factors {
		r.factors = append(r.factors, []driver.Value{d.ID, int32(i), f.Text, f.Key, nonNil(f.Categories), f.Explicit,
			string(f.Evidence.Section)})
	}
	dp := a.Depth
	r.assessments = append(r.assessments, []driver.Value{d.ID, a.CatalogVersion, dp.Class, int32(dp.Score),
		int32(len(dp.RootCause)), int32(len(dp.Counterfactuals)), int32(len(dp.Blame)), int32(len(dp.Perspectives)),
		int32(dp.FactorCount), nonNil(a.FactorCategories()), int32(dp.Technical), int32(dp.Organisational),
		nonNil(a.Covered()), string(body)})
	return nil
}

// stage loads the rows into the staging tables of conn.
func (r *assessmentRows) stage(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, stageAssessmentsDDL); err != nil {
		return fmt.Errorf("prepare staging: %w", err)
	}
	for _, t := range []struct {
		table string
		rows  [][]driver.Value
	}{{"stage_assessed", r.ids}, {"stage_assessments", r.assessments}, {"stage_factors", r.factors}} {
		if err := appendRows(conn, t.table, t.rows); err != nil {
			return fmt.Errorf("stage %s: %w", t.table, err)
		}
	}
	return nil
}

// replaceAssessments swaps the stored rows of the staged debriefs for the
// staged ones.
func replaceAssessments(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"assessments", "factors"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE debrief_id IN (SELECT id FROM stage_assessed)`); err != nil {
			return fmt.Errorf("replace %s: %w", table, err)
		}
		insert := `INSERT INTO assessments SELECT * FROM stage_assessments`
		if table == "factors" {
			insert = `INSERT INTO factors SELECT *, hash(key), hash(text), length(text) FROM stage_factors`
		}
		if _, err := tx.ExecContext(ctx, insert); err != nil {
			return fmt.Errorf("replace %s: %w", table, err)
		}
	}
	return nil
}

// Unassessed returns, in id order after the id given, up to limit visible
// debriefs whose assessment was made with another catalog version than
// version, or that have none.
func (s *Store) Unassessed(ctx context.Context, version, after string, limit int) ([]*ingest.Debrief, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectDebrief+` FROM debriefs LEFT JOIN assessments ON debrief_id = id
		WHERE removed_at IS NULL AND catalog_version IS DISTINCT FROM ? AND id > ? ORDER BY id LIMIT ?`, version, after, limit)
	if err != nil {
		return nil, fmt.Errorf("analytics: unassessed debriefs: %w", err)
	}
	defer rows.Close()
	var out []*ingest.Debrief
	for rows.Next() {
		d, err := scanDebrief(rows)
		if err != nil {
			return nil, fmt.Errorf("analytics: unassessed debriefs: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: unassessed debriefs: %w", err)
	}
	return out, nil
}

// SaveAssessments replaces the assessments of stored debriefs (a new
// catalog) in one transaction. The debriefs take the next change number,
// since what the search index holds of them (factor categories, depth
// class) changes.
func (s *Store) SaveAssessments(ctx context.Context, ds []*ingest.Debrief) (ingest.Applied, error) {
	var res ingest.Applied
	if len(ds) == 0 {
		return res, nil
	}
	var rows assessmentRows
	for _, d := range ds {
		if err := rows.add(d); err != nil {
			return res, fmt.Errorf("analytics: debrief %s: %w", d.ID, err)
		}
	}
	err := s.change(ctx, func(conn *sql.Conn, seq int64) (bool, error) {
		if err := rows.stage(ctx, conn); err != nil {
			return false, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return false, fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback()
		if err := replaceAssessments(ctx, tx); err != nil {
			return false, err
		}
		if err := refreshFacts(ctx, tx, `SELECT id FROM stage_assessed`); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE debriefs SET seq = ? WHERE id IN (SELECT id FROM stage_assessed)`, seq); err != nil {
			return false, fmt.Errorf("mark reassessed: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("commit: %w", err)
		}
		res.Seq = seq
		return true, nil
	})
	if err != nil {
		return ingest.Applied{}, err
	}
	res.Updated = len(ds)
	for _, d := range ds {
		res.Index = append(res.Index, ingest.IndexItem{ID: d.ID, Seq: res.Seq, Debrief: d})
	}
	return res, nil
}

// ForgetAssessments marks every stored assessment as made with no known
// catalog, so that Unassessed lists every visible debrief.
func (s *Store) ForgetAssessments(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.db.ExecContext(ctx, `UPDATE assessments SET catalog_version = ''`); err != nil {
		return fmt.Errorf("analytics: forget assessments: %w", err)
	}
	return nil
}

// evidenceText is the text an evidence's place points at in d, or "" when
// the place is not in d.
func evidenceText(d *ingest.Debrief, e *ingest.Evidence) string {
	text := d.Text
	if e.Part >= 0 {
		if e.Part >= len(d.Sections) {
			return ""
		}
		text = d.Sections[e.Part].Text
	}
	if e.Start < 0 || e.End > len(text) || e.Start >= e.End {
		return ""
	}
	return text[e.Start:e.End]
}

// eachEvidence calls fn on every evidence of a.
func eachEvidence(a *ingest.Assessment, fn func(*ingest.Evidence)) {
	for i := range a.Coverage {
		for j := range a.Coverage[i].Evidence {
			fn(&a.Coverage[i].Evidence[j])
		}
	}
	for i := range a.Factors {
		fn(&a.Factors[i].Evidence)
	}
	for _, l := range [][]ingest.Evidence{a.Depth.RootCause, a.Depth.Counterfactuals, a.Depth.Blame} {
		for i := range l {
			fn(&l[i])
		}
	}
}

// compactAssessment returns a copy of d's assessment without the evidence
// sentences that its places find again in d: the stored body says where
// each sentence is instead of repeating it, which makes it about a third
// of the size (evidence sentences are most of an assessment).
func compactAssessment(d *ingest.Debrief) *ingest.Assessment {
	c := *d.Assessment
	c.Coverage = slices.Clone(c.Coverage)
	for i := range c.Coverage {
		c.Coverage[i].Evidence = slices.Clone(c.Coverage[i].Evidence)
	}
	c.Factors = slices.Clone(c.Factors)
	c.Depth.RootCause = slices.Clone(c.Depth.RootCause)
	c.Depth.Counterfactuals = slices.Clone(c.Depth.Counterfactuals)
	c.Depth.Blame = slices.Clone(c.Depth.Blame)
	eachEvidence(&c, func(e *ingest.Evidence) {
		if e.Sentence != "" && evidenceText(d, e) == e.Sentence {
			e.Sentence = ""
		}
	})
	return &c
}

// restoreEvidence puts back the sentences compactAssessment left out; d's
// sections must be decoded first.
func restoreEvidence(d *ingest.Debrief) {
	eachEvidence(d.Assessment, func(e *ingest.Evidence) {
		if e.Sentence == "" {
			e.Sentence = evidenceText(d, e)
		}
	})
}
