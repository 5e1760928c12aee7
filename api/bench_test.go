package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/synth"
)

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// analyticsBenchPaths are the requests BenchmarkAnalytics measures: each
// endpoint as a dashboard asks for it, and one with every filter.
var analyticsBenchPaths = []string{
	"/api/v1/analytics/factors",
	"/api/v1/analytics/factors?by=factor",
	"/api/v1/analytics/factors/trend?interval=month",
	"/api/v1/analytics/factors/cooccurrence",
	"/api/v1/analytics/coverage",
	"/api/v1/analytics/coverage?interval=quarter",
	"/api/v1/analytics/coverage/matrix",
	"/api/v1/analytics/depth?interval=month",
	"/api/v1/analytics/depth/review",
	"/api/v1/analytics/incidents?interval=month",
	"/api/v1/analytics/incidents/durations?interval=quarter",
	"/api/v1/analytics/factors?from=2025-01-01&to=2025-12-31&team=payments&severity=SEV1,SEV2&tag=connection-pool",
}

// BenchmarkAnalytics stores generated debriefs of about 3 KB with their
// assessments (no search index: these endpoints read only DuckDB), then
// measures each analytics endpoint through HTTP and reports p50 and p99.
//
//	go test -run '^$' -bench Analytics -benchtime 200x ./api/
//	SECONDSTORY_BENCH_DEBRIEFS=100000 go test -run '^$' -bench Analytics -benchtime 200x -timeout 60m ./api/
func BenchmarkAnalytics(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("SECONDSTORY_BENCH_DEBRIEFS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	// SECONDSTORY_BENCH_STORE keeps the generated store in a file for the
	// next run (delete it after changing the schema or the generator).
	path := os.Getenv("SECONDSTORY_BENCH_STORE")
	_, statErr := os.Stat(path)
	reuse := path != "" && statErr == nil
	if path == "" {
		path = filepath.Join(b.TempDir(), "store.duckdb")
	}
	st, err := analytics.Open(ctx, path, analytics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if !reuse {
		start := time.Now()
		if err := storeGenerated(ctx, st, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d debriefs stored and assessed in %s", n, time.Since(start).Round(time.Second))
	}
	srv := httptest.NewServer(api.New(api.Options{Debriefs: st, Runs: st, Analytics: st}))
	defer srv.Close()
	client := srv.Client()
	for _, path := range analyticsBenchPaths {
		b.Run(fmt.Sprintf("%s/%d", strings.TrimPrefix(path, "/api/v1/analytics/"), n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				resp, err := client.Get(srv.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", path, resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
		})
	}
}

// storeGenerated parses, assesses and stores n generated debriefs as a
// pass would, on every core, in batches of 1,000.
func storeGenerated(ctx context.Context, st *analytics.Store, n int) error {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recs, err := synth.New(5, now).Records(n, 3<<10, now, assess.New(nil).Assess)
	if err != nil {
		return err
	}
	for len(recs) > 0 {
		k := min(len(recs), 1000)
		if _, err := st.Apply(ctx, ingest.Change{Upsert: recs[:k], At: now}); err != nil {
			return err
		}
		recs = recs[k:]
	}
	return nil
}
