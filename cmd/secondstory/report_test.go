package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportAndExport: the report states the same figures as its JSON,
// and export writes one file per table.
func TestReportAndExport(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ingestCounts(t, noEnv, "--data", data, "../../ingest/sample/debriefs")

	code, out, errOut := secondstory(t, noEnv, "report", "--data", data, "--format", "json")
	if code != 0 {
		t.Fatalf("report --format json: exit %d\n%s", code, errOut)
	}
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	if len(r.Depth) != 1 || r.Depth[0].Assessed != 40 || len(r.Coverage) != 13 || len(r.Categories) == 0 || len(r.Review) == 0 {
		t.Fatalf("report of the sample = %+v, want 40 assessed debriefs, 13 coverage rows, categories, a review list", r)
	}
	code, md, errOut := secondstory(t, noEnv, "report", "--data", data)
	if code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"# Learning review report: ",
		"40 debriefs, 40 of them assessed.",
		"## Beyond a single root cause",
		"## Recurring contributing factors",
		"## Questions our debriefs cover",
		"| Anticipating what comes next |", // titles, not keys
		"## Incidents",
		r.Review[0].Date.String(),
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
	// Each table row of the report has as many cells as its header.
	var cols int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d cells under a header of %d: %s", n-1, cols-1, line)
		}
	}

	code, md, _ = secondstory(t, noEnv, "report", "--data", data, "--from", "2025-01-01", "--to", "2025-06-30", "--interval", "month")
	if code != 0 || !strings.Contains(md, "report: 2025-01-01 to 2025-06-30") || !strings.Contains(md, "| month |") {
		t.Errorf("report with a range: exit %d\n%s", code, md)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--format", "pdf"}, "--format must be md or json"},
		{[]string{"--from", "last year"}, "--from must be a date such as 2025-01-31"},
		{[]string{"--from", "2025-06-01", "--to", "2025-01-01"}, "--from (2025-06-01) must be before --to (2025-01-01)"},
		{[]string{"--interval", "week"}, "--interval must be month, quarter or year"},
	} {
		code, _, errOut := secondstory(t, noEnv, append([]string{"report", "--data", data}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.msg) {
			t.Errorf("report %v: exit %d, %s; want 2 and %q", c.args, code, errOut, c.msg)
		}
	}

	out2 := filepath.Join(t.TempDir(), "export")
	code, out, errOut = secondstory(t, noEnv, "export", "--data", data, "--out", out2)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	for _, table := range []string{"debriefs", "factors", "coverage", "depth"} {
		st, err := os.Stat(filepath.Join(out2, table+".parquet"))
		if err != nil || st.Size() == 0 || !strings.Contains(out, table+".parquet") {
			t.Errorf("export of %s: %v\n%s", table, err, out)
		}
	}
	code, _, _ = secondstory(t, noEnv, "export", "--data", data, "--out", out2, "--format", "csv", "--tables", "factors")
	b, err := os.ReadFile(filepath.Join(out2, "factors.csv"))
	if code != 0 || err != nil || !strings.HasPrefix(string(b), "debrief_id,position,text,key,categories,explicit,section\n") {
		t.Errorf("export --format csv: exit %d, %v, %.80q", code, err, b)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{}, "give the folder to write into with --out DIR"},
		{[]string{"--out", out2, "--format", "xlsx"}, "--format must be parquet or csv"},
		{[]string{"--out", out2, "--tables", "people"}, `--tables: no table "people"`},
	} {
		code, _, errOut := secondstory(t, noEnv, append([]string{"export", "--data", data}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.msg) {
			t.Errorf("export %v: exit %d, %s; want 2 and %q", c.args, code, errOut, c.msg)
		}
	}
}
