package api_test

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
)

// treeSize is what the metrics are told to measure: the bytes of the
// files under path.
func treeSize(path string) func() (int64, error) {
	return func() (int64, error) {
		var n int64
		err := filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err == nil {
				n += info.Size()
			}
			return err
		})
		return n, err
	}
}

func TestMetrics(t *testing.T) {
	data := t.TempDir()
	m := api.NewMetrics(api.MetricsOptions{StoreBytes: treeSize(filepath.Join(data, "store.duckdb")), IndexBytes: treeSize(filepath.Join(data, "index.bleve"))})
	g := newGuarded(t, guardOptions{
		dir:     data,
		sources: []ingest.ScheduledSource{dirSource("notes", notes)},
		options: func(o *api.Options) { o.Metrics = m },
		runner:  func(o *ingest.RunnerOptions) { o.Observer = m },
	})
	g.pass(t, "notes", dir.NewFS(notes, dir.Options{}))
	g.pass(t, "notes", dir.NewFS(notes, dir.Options{}))
	for _, p := range []string{"/api/v1/debriefs", "/api/v1/debriefs", "/api/v1/debriefs?limit=0", "/api/v1/debriefs/" + checkoutID, "/nowhere/1", "/nowhere/2"} {
		g.do(t, request{method: "GET", path: p})
	}
	g.do(t, request{method: "BREW", path: "/api/v1/debriefs"})

	resp := g.do(t, request{method: "GET", path: "/metrics"})
	if resp.status != 200 || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.status, resp.header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(resp.body))
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v\n%s", err, resp.body)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if families[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	text := string(resp.body)
	tests := []struct {
		series string
		want   float64
	}{
		{`secondstory_http_requests_total{method="GET",route="/api/v1/debriefs",status="200"}`, 2},
		{`secondstory_http_requests_total{method="GET",route="/api/v1/debriefs",status="400"}`, 1},
		{`secondstory_http_requests_total{method="GET",route="/api/v1/debriefs/:id",status="200"}`, 1},
		// Paths that match no route share one series.
		{`secondstory_http_requests_total{method="GET",route="unmatched",status="404"}`, 2},
		{`secondstory_http_requests_total{method="other",route="unmatched",status="405"}`, 1},
		{`secondstory_http_request_duration_seconds_count{route="/api/v1/debriefs"}`, 3},
		{`secondstory_ingest_passes_total{outcome="ok",source="notes"}`, 2},
		{`secondstory_ingest_documents_total{outcome="added",source="notes"}`, 3},
		{`secondstory_ingest_documents_total{outcome="unchanged",source="notes"}`, 3},
		{`secondstory_ingest_documents_total{outcome="failed",source="notes"}`, 4},
		{`secondstory_ingest_documents_total{outcome="removed",source="notes"}`, 0},
		{`secondstory_ingest_pass_duration_seconds_count{source="notes"}`, 2},
	}
	for _, tt := range tests {
		if got, ok := seriesValue(text, tt.series); !ok || got != tt.want {
			t.Errorf("%s = %v (present %v), want %v", tt.series, got, ok, tt.want)
		}
	}
	for _, series := range []string{`secondstory_ingest_last_pass_timestamp_seconds{source="notes"}`, `secondstory_ingest_last_success_timestamp_seconds{source="notes"}`} {
		if got, ok := seriesValue(text, series); !ok || got < 1.7e9 {
			t.Errorf("%s = %v, want a Unix time", series, got)
		}
	}
	// Sizes are measured at scrape time, and agree with the files.
	for series, path := range map[string]string{"secondstory_store_bytes": "store.duckdb", "secondstory_index_bytes": "index.bleve"} {
		got, ok := seriesValue(text, series)
		want, err := treeSize(filepath.Join(data, path))()
		if !ok || err != nil || got <= 0 {
			t.Errorf("%s = %v (present %v), want the size on disk (%d, %v)", series, got, ok, want, err)
		}
	}
	// A failed measurement leaves its metric out and the rest served.
	broken := api.NewMetrics(api.MetricsOptions{StoreBytes: treeSize(filepath.Join(data, "missing"))})
	b := newGuarded(t, guardOptions{options: func(o *api.Options) { o.Metrics = broken }})
	resp = b.do(t, request{method: "GET", path: "/metrics"})
	if resp.status != 200 || strings.Contains(string(resp.body), "secondstory_store_bytes ") || !strings.Contains(string(resp.body), "go_goroutines") {
		t.Errorf("with a failing size: %d\n%s", resp.status, resp.body)
	}
}

// seriesValue finds the value of one series in the text format.
func seriesValue(text, series string) (float64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}
