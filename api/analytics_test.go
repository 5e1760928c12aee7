package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/sample"
)

// TestAnalyticsEndpoints serves the bundled sample and checks that each
// endpoint answers the store's figures for the same filter, in flat rows.
func TestAnalyticsEndpoints(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.pass(t, "sample", dir.NewFS(sample.FS(), dir.Options{}))
	ctx := context.Background()
	f := analytics.Filter{Severities: []string{"sev2", "SEV1"}}
	const q = "severity=sev2,SEV1"

	same := func(t *testing.T, path string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s:\n api   %s\n store %s", path, g, w)
		}
		if string(g) == "[]" || string(g) == "null" {
			t.Errorf("%s: no rows: the sample does not exercise it", path)
		}
	}
	t.Run("factors by category", func(t *testing.T) {
		var got []analytics.CategoryCount
		e.call(t, "GET", "/api/v1/analytics/factors?"+q, 200, &got)
		want, _ := e.store.FactorCategories(ctx, f, 2)
		same(t, "factors", got, want)
	})
	t.Run("factors by factor", func(t *testing.T) {
		var got []analytics.RecurringFactor
		e.call(t, "GET", "/api/v1/analytics/factors?by=factor&min_debriefs=1&limit=30", 200, &got)
		want, _ := e.store.RecurringFactors(ctx, analytics.Filter{}, 1, 30)
		same(t, "factors?by=factor", got, want)
	})
	t.Run("trend", func(t *testing.T) {
		var got []analytics.TrendRow
		e.call(t, "GET", "/api/v1/analytics/factors/trend?interval=quarter&"+q, 200, &got)
		want, _ := e.store.FactorTrend(ctx, f, analytics.Quarter, 0)
		same(t, "trend", got, want)
	})
	t.Run("cooccurrence", func(t *testing.T) {
		var got []analytics.Pair
		e.call(t, "GET", "/api/v1/analytics/factors/cooccurrence?"+q, 200, &got)
		want, _ := e.store.Cooccurrence(ctx, f, 1)
		same(t, "cooccurrence", got, want)
	})
	t.Run("coverage", func(t *testing.T) {
		var got []analytics.CoverageRow
		e.call(t, "GET", "/api/v1/analytics/coverage?interval=year&"+q, 200, &got)
		want, _ := e.store.Coverage(ctx, f, analytics.Year)
		same(t, "coverage", got, want)
	})
	t.Run("coverage matrix", func(t *testing.T) {
		var got []map[string]any
		h := e.call(t, "GET", "/api/v1/analytics/coverage/matrix?limit=5&"+q, 200, &got)
		rows, total, _ := e.store.CoverageMatrix(ctx, f, 5, 0)
		if h.Get("X-Total-Count") != strconv.Itoa(total) || len(got) != len(rows) || len(rows) == 0 {
			t.Fatalf("matrix: %d rows, X-Total-Count %q; store %d of %d", len(got), h.Get("X-Total-Count"), len(rows), total)
		}
		for i, r := range rows {
			if got[i]["id"] != r.ID || got[i]["covered"] != float64(len(r.Covered)) {
				t.Errorf("matrix row %d = %v, want %s covering %d", i, got[i], r.ID, len(r.Covered))
			}
			for _, c := range assess.QuestionCategories() {
				if _, ok := got[i][c].(bool); !ok {
					t.Errorf("matrix row %d: column %s is %v, want true or false", i, c, got[i][c])
				}
			}
		}
	})
	t.Run("depth", func(t *testing.T) {
		var got []analytics.DepthRow
		e.call(t, "GET", "/api/v1/analytics/depth?"+q, 200, &got)
		want, _ := e.store.Depth(ctx, f, "")
		same(t, "depth", got, want)
	})
	t.Run("depth review", func(t *testing.T) {
		var got []analytics.ReviewRow
		h := e.call(t, "GET", "/api/v1/analytics/depth/review", 200, &got)
		want, total, _ := e.store.DepthReview(ctx, analytics.Filter{}, 20, 0)
		same(t, "depth/review", got, want)
		if h.Get("X-Total-Count") != strconv.Itoa(total) {
			t.Errorf("X-Total-Count %q, want %d", h.Get("X-Total-Count"), total)
		}
	})
	t.Run("incidents", func(t *testing.T) {
		var got []analytics.IncidentCount
		e.call(t, "GET", "/api/v1/analytics/incidents?interval=year&from=2020-01-01", 200, &got)
		want, _ := e.store.Incidents(ctx, analytics.Filter{From: mustDay(t, "2020-01-01")}, analytics.Year)
		same(t, "incidents", got, want)
	})
	t.Run("durations", func(t *testing.T) {
		var got []analytics.Durations
		e.call(t, "GET", "/api/v1/analytics/incidents/durations", 200, &got)
		want, _ := e.store.IncidentDurations(ctx, analytics.Filter{}, "")
		same(t, "durations", got, want)
		if len(got) != 1 || got[0].WithDuration == 0 {
			t.Errorf("durations = %+v, want one row with some durations (sample debriefs record them)", got)
		}
	})
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	var day analytics.Day
	if err := json.Unmarshal([]byte(strconv.Quote(s)), &day); err != nil {
		t.Fatal(err)
	}
	return day.Time()
}

// TestAnalyticsBadParameters: every mistake is a 400 that says what to
// change.
func TestAnalyticsBadParameters(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, c := range []struct{ path, msg string }{
		{"/api/v1/analytics/factors/trend?interval=week", "interval must be month, quarter or year, got \"week\""},
		{"/api/v1/analytics/coverage?intervl=month", "unknown parameter \"intervl\"; this endpoint takes from, to, source, team, service, severity, tag, interval"},
		{"/api/v1/analytics/factors?by=team", "by must be category or factor, got \"team\""},
		{"/api/v1/analytics/factors?min_debriefs=0", "min_debriefs must be between 1 and 1000000, got 0"},
		{"/api/v1/analytics/factors?limit=5", "limit applies to by=factor; by=category lists every category"},
		{"/api/v1/analytics/factors?by=factor&limit=10000", "limit must be between 1 and 1000, got 10000"},
		{"/api/v1/analytics/coverage/matrix?offset=-1", "offset must be between 0 and 100000, got -1"},
		{"/api/v1/analytics/depth?from=last+week", "from must be a date (2025-03-04), an RFC 3339 time or epoch milliseconds, got \"last week\""},
		{"/api/v1/analytics/depth?from=2025-03-01&to=2025-01-01", "from (2025-03-01) must be before to (2025-01-01)"},
		{"/api/v1/analytics/depth?from=1000-01-01&to=2026-01-01&interval=month", "the range spans 12313 periods of a month; at most 1200: narrow from and to, or choose a longer interval"},
		{"/api/v1/analytics/depth/review?limit=101", "limit must be between 1 and 100, got 101"},
		{"/api/v1/analytics/incidents?interval=year&recent=2", "unknown parameter \"recent\"; this endpoint takes from, to, source, team, service, severity, tag, interval"},
	} {
		t.Run(c.path, func(t *testing.T) { e.wantError(t, "GET", c.path, http.StatusBadRequest, c.msg) })
	}
	// An empty store answers empty figures, not errors.
	var depth []analytics.DepthRow
	e.call(t, "GET", "/api/v1/analytics/depth", 200, &depth)
	if !reflect.DeepEqual(depth, []analytics.DepthRow{{}}) {
		t.Errorf("depth of an empty store = %+v, want one row of zeros", depth)
	}
	var cats []analytics.CategoryCount
	e.call(t, "GET", "/api/v1/analytics/factors", 200, &cats)
	if len(cats) != 0 {
		t.Errorf("factors of an empty store = %+v, want []", cats)
	}
}

// TestExportCSV: the tables download as CSV with their header; an unknown
// one is a 404 that lists the exports.
func TestExportCSV(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.pass(t, "sample", dir.NewFS(sample.FS(), dir.Options{}))
	resp, err := e.srv.Client().Get(e.srv.URL + "/api/v1/export/depth.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(lines[0], "debrief_id,catalog_version,depth_class,depth_score") || len(lines) != 41 {
		t.Errorf("depth.csv: %d %s, %d lines, first %q", resp.StatusCode, resp.Header.Get("Content-Type"), len(lines), lines[0])
	}
	e.wantError(t, "GET", "/api/v1/export/secrets.csv", http.StatusNotFound,
		`no export "secrets.csv"; the exports are debriefs.csv, factors.csv, coverage.csv, depth.csv`)
	e.wantError(t, "GET", "/api/v1/export/depth.parquet", http.StatusNotFound,
		`no export "depth.parquet"; the exports are debriefs.csv, factors.csv, coverage.csv, depth.csv`)
}
