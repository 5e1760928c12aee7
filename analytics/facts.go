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
// and factors tables, within the caller's transaction, and the
// factor_labels and factor_totals rows of the keys those debriefs had or
// now have, and category_totals. Removed debriefs lose their row.
func refreshFacts(ctx context.Context, tx execer, ids string) error {
	steps := []string{
		`CREATE OR REPLACE TEMP TABLE touched_keys AS
			SELECT DISTINCT unnest(factor_keys) AS key_hash FROM facts WHERE id IN (` + ids + `)`,
		`DELETE FROM facts WHERE id IN (` + ids + `)`,
		`INSERT INTO facts
		WITH keys AS (
			SELECT debrief_id, list(DISTINCT key_hash ORDER BY key_hash) AS keys
			FROM factors WHERE key <> 'unspecified' AND debrief_id IN (` + ids + `)
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
			` + positions("a.factor_categories", factorCategoryKeys()) + `,
			` + bits("a.factor_categories", factorCategoryKeys(), "BIGINT") + `,
			` + bits("a.covered", assess.QuestionCategories(), "INTEGER") + `,
			from_json(json_extract(a.body, '$.depth.reasons'), '["VARCHAR"]'),
			coalesce(k.keys, [])
		FROM debriefs d
		LEFT JOIN assessments a ON a.debrief_id = d.id
		LEFT JOIN keys k ON k.debrief_id = d.id
		WHERE d.removed_at IS NULL AND d.id IN (` + ids + `)`,
		`INSERT INTO touched_keys SELECT DISTINCT unnest(factor_keys) FROM facts WHERE id IN (` + ids + `)`,
		`DELETE FROM factor_labels WHERE key_hash IN (SELECT key_hash FROM touched_keys)`,
		`INSERT INTO factor_labels
		SELECT key_hash, any_value(key),
			arg_min(text, {'len': text_len, 'hash': text_hash}),
			arg_min(categories, {'len': text_len, 'hash': text_hash}),
			count(DISTINCT text_hash), bool_or(explicit)
		FROM factors
		WHERE key_hash IN (SELECT key_hash FROM touched_keys) AND debrief_id IN (SELECT id FROM facts)
		GROUP BY key_hash`,
		`DELETE FROM factor_totals WHERE key_hash IN (SELECT key_hash FROM touched_keys)`,
		`INSERT INTO factor_totals
		SELECT key_hash, count(*), min(day), max(day)
		FROM (SELECT unnest(factor_keys) AS key_hash, day FROM facts WHERE assessed)
		WHERE key_hash IN (SELECT key_hash FROM touched_keys)
		GROUP BY key_hash`,
		// Every write touches most categories: all are counted again.
		`DELETE FROM category_totals`,
		`INSERT INTO category_totals
		SELECT category, count(*), min(day), max(day)
		FROM (SELECT unnest(factor_bits) AS category, day FROM facts WHERE assessed)
		GROUP BY category`,
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("refresh facts: %w", err)
		}
	}
	return nil
}

// bits is the SQL expression turning a list of category keys into bits:
// the n-th key of order is bit n-1.
func bits(col string, order []string, typ string) string {
	return `coalesce(list_sum(list_transform(` + col + `, c -> coalesce((1::` + typ + ` << (list_position(` +
		sqlList(order) + `, c) - 1))::` + typ + `, 0)))::` + typ + `, 0)`
}

// positions is the SQL expression turning a list of category keys into
// their 0-based indexes in order.
func positions(col string, order []string) string {
	return `coalesce(list_transform(list_filter(` + col + `, c -> list_position(` + sqlList(order) +
		`, c) IS NOT NULL), c -> (list_position(` + sqlList(order) + `, c) - 1)::UTINYINT), [])`
}

func sqlList(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = "'" + strings.ReplaceAll(k, "'", "''") + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// factorCategoryKeys are the factor categories in bit order.
func factorCategoryKeys() []string {
	return append(assess.TechnicalFactors(), assess.OrganisationalFactors()...)
}

// execer is a transaction or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// fillFacts builds the facts (and factor labels and totals) of every
// stored debrief, once the migrations that create their tables are applied.
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
