package analytics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/secondstory/secondstory/analytics/assess"
)

// ExportTables are the tables Export writes, in the order a report lists
// them. Each is documented in the README with its columns.
var ExportTables = []string{"debriefs", "factors", "coverage", "depth"}

// ExportFormats are the file formats Export writes.
var ExportFormats = []string{"parquet", "csv"}

// exportQuery is the SELECT of one exported table; in CSV, lists are
// written as text joined with "; " so that a spreadsheet shows them.
func exportQuery(table, format string) (string, error) {
	list := func(col string) string {
		if format == "csv" {
			return "array_to_string(" + col + ", '; ') AS " + col
		}
		return col
	}
	switch table {
	case "debriefs":
		return `SELECT id, source, ref, document, url, title, summary, severity, status, ` +
			list("services") + `, ` + list("teams") + `, ` + list("tags") + `, ` + list("authors") + `, ` + list("participants") + `,
			started_at, detected_at, resolved_at, published_at, date,
			CASE WHEN resolved_at >= started_at THEN epoch(resolved_at - started_at) / 60.0 END AS duration_minutes,
			CASE WHEN detected_at >= started_at THEN epoch(detected_at - started_at) / 60.0 END AS detect_minutes,
			first_seen_at, updated_at, text
			FROM debriefs WHERE removed_at IS NULL ORDER BY date DESC NULLS LAST, id`, nil
	case "factors":
		return `SELECT f.debrief_id, f.position, f.text, f.key, ` + list("categories") + `, f.explicit, f.section
			FROM factors f JOIN debriefs d ON d.id = f.debrief_id AND d.removed_at IS NULL
			ORDER BY f.debrief_id, f.position`, nil
	case "coverage":
		cats := assess.QuestionCategories()
		quoted := make([]string, len(cats))
		for i, c := range cats {
			quoted[i] = "'" + c + "'"
		}
		return `SELECT a.debrief_id, q.category, list_contains(a.covered, q.category) AS covered
			FROM assessments a JOIN debriefs d ON d.id = a.debrief_id AND d.removed_at IS NULL
			CROSS JOIN (SELECT unnest([` + strings.Join(quoted, ", ") + `]) AS category, unnest(range(1, ` +
			fmt.Sprint(len(cats)+1) + `)) AS position) q
			ORDER BY a.debrief_id, q.position`, nil
	case "depth":
		return `SELECT a.debrief_id, a.catalog_version, a.depth_class, a.depth_score, a.root_cause_mentions,
			a.counterfactuals, a.blame, a.perspectives, a.factor_count, ` + list("factor_categories") + `,
			a.technical_categories, a.organisational_categories, ` + list("covered") + `
			FROM assessments a JOIN debriefs d ON d.id = a.debrief_id AND d.removed_at IS NULL
			ORDER BY a.debrief_id`, nil
	}
	return "", badQuery("no table %q to export; the tables are %s", clipText(table, 40), strings.Join(ExportTables, ", "))
}

// Export writes one table of visible debriefs (removed ones left out) to
// the file at path with DuckDB's COPY, in parquet or csv (with a header).
// The file is written whole or not at all: COPY writes beside it and the
// result is renamed into place.
func (s *Store) Export(ctx context.Context, table, format, path string) error {
	if format != "parquet" && format != "csv" {
		return badQuery("format must be parquet or csv, got %q", clipText(format, 40))
	}
	q, err := exportQuery(table, format)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("analytics: export %s: %w", table, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)
	opts := "FORMAT parquet, COMPRESSION zstd"
	if format == "csv" {
		opts = "FORMAT csv, HEADER true"
	}
	// COPY takes no parameter for the file name: quote it as a literal.
	stmt := fmt.Sprintf("COPY (%s) TO '%s' (%s)", q, strings.ReplaceAll(tmpName, "'", "''"), opts)
	if _, err := s.db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("analytics: export %s: %w", table, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("analytics: export %s: %w", table, err)
	}
	return nil
}
