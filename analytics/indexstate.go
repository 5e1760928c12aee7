package analytics

import (
	"context"
	"fmt"

	"github.com/secondstory/secondstory/ingest"
)

// Changes returns, in change order, up to limit debrief changes numbered
// after the position (seq, id): changed or new debriefs to index, removed
// ones to delete (Debrief nil). The search index catches up with it.
func (s *Store) Changes(ctx context.Context, seq int64, id string, limit int) ([]ingest.IndexItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectDebrief+`, seq, removed_at IS NOT NULL
		FROM debriefs LEFT JOIN assessments ON debrief_id = id
		WHERE (seq, id) > (?, ?) ORDER BY seq, id LIMIT ?`, seq, id, limit)
	if err != nil {
		return nil, fmt.Errorf("analytics: changes since %d: %w", seq, err)
	}
	defer rows.Close()
	var items []ingest.IndexItem
	for rows.Next() {
		var it ingest.IndexItem
		var gone bool
		d, err := scanDebrief(scanTail{rows, []any{&it.Seq, &gone}})
		if err != nil {
			return nil, fmt.Errorf("analytics: changes since %d: %w", seq, err)
		}
		it.ID = d.ID
		if !gone {
			it.Debrief = d
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: changes since %d: %w", seq, err)
	}
	return items, nil
}

// scanTail scans the debrief columns followed by extra columns.
type scanTail struct {
	sc   scanner
	tail []any
}

func (t scanTail) Scan(dest ...any) error { return t.sc.Scan(append(dest, t.tail...)...) }

// IndexState tells what the search index should hold: the number of
// visible debriefs, and how many changes are numbered after seq.
func (s *Store) IndexState(ctx context.Context, seq int64) (visible, pending int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE removed_at IS NULL),
		count(*) FILTER (WHERE seq > ?) FROM debriefs`, seq).Scan(&visible, &pending)
	if err != nil {
		return 0, 0, fmt.Errorf("analytics: index state: %w", err)
	}
	return visible, pending, nil
}
