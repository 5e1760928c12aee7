package analytics

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestExportOpensInDuckDB exports every table as Parquet and CSV and reads
// the files back with DuckDB: the columns are those the README documents,
// and the rows those of the store.
func TestExportOpensInDuckDB(t *testing.T) {
	fx := newCorpusFixture(t, 60)
	ctx := context.Background()
	documented := readmeExportColumns(t)
	dir := t.TempDir()
	wantRows := map[string]int{
		"debriefs": len(fx.debriefs),
		"coverage": len(fx.debriefs) * 13,
		"depth":    len(fx.debriefs),
	}
	for _, d := range fx.debriefs {
		wantRows["factors"] += len(d.Assessment.Factors)
	}
	for _, table := range ExportTables {
		for _, format := range ExportFormats {
			path := filepath.Join(dir, table+"."+format)
			if err := fx.store.Export(ctx, table, format, path); err != nil {
				t.Fatalf("export %s as %s: %v", table, format, err)
			}
			read := "read_parquet"
			if format == "csv" {
				read = "read_csv"
			}
			rows, err := fx.store.db.QueryContext(ctx, "SELECT * FROM "+read+"('"+path+"')")
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if !slices.Equal(cols, documented[table]) {
				t.Errorf("%s.%s columns:\n got %v\nREADME %v", table, format, cols, documented[table])
			}
			if n != wantRows[table] {
				t.Errorf("%s.%s: %d rows, want %d", table, format, n, wantRows[table])
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(ExportTables)*len(ExportFormats) {
		t.Errorf("export left %d files, want %d (no temporary files)", len(entries), len(ExportTables)*len(ExportFormats))
	}
	if err := fx.store.Export(ctx, "secrets", "csv", filepath.Join(dir, "x.csv")); err == nil || !strings.Contains(err.Error(), "debriefs, factors, coverage, depth") {
		t.Errorf("unknown table: %v", err)
	}
	if err := fx.store.Export(ctx, "debriefs", "xlsx", filepath.Join(dir, "x.xlsx")); err == nil || !strings.Contains(err.Error(), "parquet or csv") {
		t.Errorf("unknown format: %v", err)
	}
}

// readmeExportColumns reads the README's list of exported tables: lines
// "- `table`: col, col, ...".
func readmeExportColumns(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "### Exported tables")
	if !ok {
		t.Fatal("README has no \"### Exported tables\" section")
	}
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}
	line := regexp.MustCompile("(?m)^- `(\\w+)`: (.+)$")
	out := map[string][]string{}
	for _, m := range line.FindAllStringSubmatch(section, -1) {
		var cols []string
		for _, c := range strings.Split(m[2], ",") {
			c = strings.TrimSpace(c)
			c, _, _ = strings.Cut(c, " (")
			cols = append(cols, strings.Trim(c, "`. "))
		}
		out[m[1]] = cols
	}
	for _, table := range ExportTables {
		if len(out[table]) == 0 {
			t.Fatalf("README documents no columns for %s", table)
		}
	}
	return out
}
