package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// StartRun records the start of a pass and returns its id.
func (s *Store) StartRun(ctx context.Context, source string, at time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO runs (source, started_at, status) VALUES (?, ?, ?) RETURNING id`,
		source, at.UTC(), ingest.RunRunning).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("analytics: start run of %s: %w", source, err)
	}
	return id, nil
}

// FinishRun records the outcome of a pass, its failures and, when it
// succeeded, the source's new watermark, in one transaction: a watermark is
// never stored for a pass that did not commit.
func (s *Store) FinishRun(ctx context.Context, run *ingest.Run, cursor string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("analytics: finish run %d: %w", run.ID, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `UPDATE runs SET ended_at = ?, status = ?, seen = ?, added = ?, updated = ?,
		unchanged = ?, removed = ?, skipped = ?, failed = ?, error = ? WHERE id = ?`,
		run.EndedAt.UTC(), run.Status, run.Seen, run.Added, run.Updated, run.Unchanged, run.Removed,
		run.Skipped, run.Failed, nullString(run.Error), run.ID)
	if err != nil {
		return fmt.Errorf("analytics: finish run %d: %w", run.ID, err)
	}
	if len(run.Failures) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_failures VALUES (?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("analytics: record failures of run %d: %w", run.ID, err)
		}
		defer stmt.Close()
		for _, f := range run.Failures {
			if _, err := stmt.ExecContext(ctx, run.ID, f.Ref, f.Reason); err != nil {
				return fmt.Errorf("analytics: record failures of run %d: %w", run.ID, err)
			}
		}
	}
	if run.Status == ingest.RunOK {
		_, err = tx.ExecContext(ctx, `INSERT INTO source_state VALUES (?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			run.Source, cursor, run.EndedAt.UTC())
		if err != nil {
			return fmt.Errorf("analytics: store watermark of %s: %w", run.Source, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("analytics: finish run %d: %w", run.ID, err)
	}
	return nil
}

// Cursor returns the watermark stored by the last successful pass of
// source, or "" if there was none.
func (s *Store) Cursor(ctx context.Context, source string) (string, error) {
	var c string
	err := s.db.QueryRowContext(ctx, `SELECT cursor FROM source_state WHERE source = ?`, source).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("analytics: watermark of %s: %w", source, err)
	}
	return c, nil
}

const selectRun = `id, source, started_at, ended_at, status, seen, added, updated, unchanged, removed, skipped, failed, error`

func scanRun(sc scanner) (ingest.Run, error) {
	var r ingest.Run
	var errText sql.NullString
	err := sc.Scan(&r.ID, &r.Source, nullableTime{&r.StartedAt}, nullableTime{&r.EndedAt}, &r.Status,
		&r.Seen, &r.Added, &r.Updated, &r.Unchanged, &r.Removed, &r.Skipped, &r.Failed, &errText)
	r.Error = errText.String
	return r, err
}

// Runs returns the latest runs of source ("" for all), newest first.
func (s *Store) Runs(ctx context.Context, source string, limit int) ([]ingest.Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectRun+` FROM runs
		WHERE ? = '' OR source = ? ORDER BY started_at DESC, id DESC LIMIT ?`, source, source, limit)
	if err != nil {
		return nil, fmt.Errorf("analytics: runs: %w", err)
	}
	defer rows.Close()
	var runs []ingest.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("analytics: runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: runs: %w", err)
	}
	return runs, nil
}

// LastRuns returns each source's latest run, keyed by source name.
func (s *Store) LastRuns(ctx context.Context) (map[string]ingest.Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectRun+` FROM runs
		QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, id DESC) = 1`)
	if err != nil {
		return nil, fmt.Errorf("analytics: last runs: %w", err)
	}
	defer rows.Close()
	last := map[string]ingest.Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("analytics: last runs: %w", err)
		}
		last[r.Source] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: last runs: %w", err)
	}
	return last, nil
}

// Run returns one run with its recorded failures.
func (s *Store) Run(ctx context.Context, id int64) (*ingest.Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+selectRun+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("analytics: run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("analytics: run %d: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ref, reason FROM run_failures WHERE run_id = ? ORDER BY ref`, id)
	if err != nil {
		return nil, fmt.Errorf("analytics: failures of run %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f ingest.Failure
		if err := rows.Scan(&f.Ref, &f.Reason); err != nil {
			return nil, fmt.Errorf("analytics: failures of run %d: %w", id, err)
		}
		r.Failures = append(r.Failures, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: failures of run %d: %w", id, err)
	}
	return &r, nil
}
