package analytics

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/secondstory/secondstory/ingest"
)

// Unindexed returns up to limit debrief revisions the search index does not
// hold yet: changed or new debriefs to index, removed ones to delete
// (Debrief nil). Marking them with MarkIndexed moves on to the next ones.
func (s *Store) Unindexed(ctx context.Context, limit int) ([]ingest.IndexItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectDebrief+`, revision, removed_at IS NOT NULL
		FROM debriefs WHERE indexed_revision IS DISTINCT FROM revision ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("analytics: unindexed debriefs: %w", err)
	}
	defer rows.Close()
	var items []ingest.IndexItem
	for rows.Next() {
		var it ingest.IndexItem
		var gone bool
		d, err := scanDebrief(scanTail{rows, []any{&it.Revision, &gone}})
		if err != nil {
			return nil, fmt.Errorf("analytics: unindexed debriefs: %w", err)
		}
		it.ID = d.ID
		if !gone {
			it.Debrief = d
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: unindexed debriefs: %w", err)
	}
	return items, nil
}

// scanTail scans the debrief columns followed by extra columns.
type scanTail struct {
	sc   scanner
	tail []any
}

func (t scanTail) Scan(dest ...any) error { return t.sc.Scan(append(dest, t.tail...)...) }

// MarkIndexed records that the search index now holds the given revisions.
// A debrief rewritten since keeps its newer revision pending.
func (s *Store) MarkIndexed(ctx context.Context, items []ingest.IndexItem) error {
	if len(items) == 0 {
		return nil
	}
	rows := make([][]driver.Value, len(items))
	for i, it := range items {
		rows[i] = []driver.Value{it.ID, it.Revision}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analytics: mark indexed: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS stage_indexed (id VARCHAR, revision BIGINT);
		DELETE FROM stage_indexed;`); err != nil {
		return fmt.Errorf("analytics: mark indexed: %w", err)
	}
	if err := appendRows(conn, "stage_indexed", rows); err != nil {
		return fmt.Errorf("analytics: mark indexed: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE debriefs SET indexed_revision = m.revision
		FROM stage_indexed m WHERE debriefs.id = m.id AND debriefs.revision = m.revision`); err != nil {
		return fmt.Errorf("analytics: mark indexed: %w", err)
	}
	return nil
}

// ResetIndexed forgets what the search index holds, so that the next
// catch-up indexes every debrief again (a rebuild).
func (s *Store) ResetIndexed(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.db.ExecContext(ctx, `UPDATE debriefs SET indexed_revision = NULL WHERE indexed_revision IS NOT NULL`); err != nil {
		return fmt.Errorf("analytics: reset index state: %w", err)
	}
	return nil
}

// IndexState tells how far the search index is from the store: the visible
// debriefs it should hold, and the revisions it lacks.
func (s *Store) IndexState(ctx context.Context) (visible, pending int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE removed_at IS NULL),
		count(*) FILTER (WHERE indexed_revision IS DISTINCT FROM revision) FROM debriefs`).Scan(&visible, &pending)
	if err != nil {
		return 0, 0, fmt.Errorf("analytics: index state: %w", err)
	}
	return visible, pending, nil
}
