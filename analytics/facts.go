package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/secondstory/secondstory/analytics/assess"
)

// refreshFacts replaces the facts rows of the debriefs whose ids the query
// ids selects (a SELECT of one id column), from the debriefs, assessments
// and factors tables, within the caller's transaction. Removed debriefs
// lose their row.
func refreshFacts(ctx context.Context, tx execer, ids string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM facts WHERE id IN (`+ids+`)`); err != nil {
		return fmt.Errorf("refresh facts: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO facts
		WITH keys AS (
			SELECT debrief_id, list(DISTINCT key_hash ORDER BY key_hash) AS keys
			FROM factors WHERE key <> 'unspecified' AND debrief_id IN (`+ids+`)
			GROUP BY debrief_id
		)
		SELECT d.id, d.title, d.source,
			coalesce(nullif(upper(trim(d.severity)), ''), 'UNSPECIFIED'),
			make_timestamp(epoch_us(d.date)),
			list_transform(d.teams, x -> lower(trim(x))),
			list_transform(d.services, x -> lower(trim(x))),
			list_transform(d.tags, x -> lower(trim(x))),
			(epoch_us(d.resolved_at) - epoch_us(d.started_at)) / 60e6,
			(epoch_us(d.detected_at) - epoch_us(d.started_at)) / 60e6,
			a.debrief_id IS NOT NULL,
			a.depth_class, a.depth_score, a.blame, a.counterfactuals,
			a.factor_categories, `+factorMask("a.factor_categories")+`, a.covered,
			from_json(json_extract(a.body, '$.depth.reasons'), '["VARCHAR"]'),
			coalesce(k.keys, [])
		FROM debriefs d
		LEFT JOIN assessments a ON a.debrief_id = d.id
		LEFT JOIN keys k ON k.debrief_id = d.id
		WHERE d.removed_at IS NULL AND d.id IN (`+ids+`)`)
	if err != nil {
		return fmt.Errorf("refresh facts: %w", err)
	}
	return nil
}

// factorMask is the SQL expression turning a list of factor categories
// into bits: the n-th category of the taxonomy (assess.TechnicalFactors,
// then assess.OrganisationalFactors) is bit n-1.
func factorMask(col string) string {
	keys := factorCategoryKeys()
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = "'" + k + "'"
	}
	return `coalesce(list_sum(list_transform(` + col + `, c -> coalesce(1::BIGINT << (list_position([` +
		strings.Join(quoted, ", ") + `], c) - 1), 0)))::BIGINT, 0)`
}

// factorCategoryKeys are the factor categories in bit order.
func factorCategoryKeys() []string {
	return append(assess.TechnicalFactors(), assess.OrganisationalFactors()...)
}

// execer is a transaction or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// fillFacts builds the facts of every stored debrief, after the migration
// that creates the table.
func (s *Store) fillFacts(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("analytics: fill facts: %w", err)
	}
	defer tx.Rollback()
	if err := refreshFacts(ctx, tx, `SELECT id FROM debriefs`); err != nil {
		return fmt.Errorf("analytics: fill facts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("analytics: fill facts: %w", err)
	}
	return nil
}
