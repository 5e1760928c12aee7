package dashboards_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/dashboards"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/synth"
)

// BenchmarkPages stores and indexes generated debriefs of about 4 KB,
// then renders each page on the server (the handler, without a network
// or a browser) and reports p50 and p99 per page. Run it with:
//
//	go test -run '^$' -bench Pages -benchtime 100x ./dashboards/
//	SECONDSTORY_BENCH_DEBRIEFS=100000 go test -run '^$' -bench Pages -benchtime 50x -timeout 60m ./dashboards/
func BenchmarkPages(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("SECONDSTORY_BENCH_DEBRIEFS")); err == nil && v > 0 {
		n = v
	}
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	tmp := b.TempDir()
	st, err := analytics.Open(ctx, filepath.Join(tmp, "store.duckdb"), analytics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	idx, err := index.Open(ctx, filepath.Join(tmp, "index.bleve"), st, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	start := time.Now()
	ids, err := fillGenerated(ctx, st, idx, n)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d debriefs stored, assessed and indexed in %s", n, time.Since(start).Round(time.Second))
	pages, err := dashboards.New(dashboards.Options{Analytics: st, Debriefs: st, Runs: st, Searcher: idx})
	if err != nil {
		b.Fatal(err)
	}
	engine := api.New(api.Options{Debriefs: st, Hits: st, Searcher: idx, Runs: st, Analytics: st, Pages: pages.Mount,
		Limits: api.Limits{SearchRate: 1e6, SearchBurst: 1e6}})
	paths := []struct{ name, path string }{
		{"overview", "/"},
		{"search-browse", "/search"},
		{"search-word", "/search?q=timeouts"},
		{"search-filtered", "/search?q=connection+pool&team=payments&category=capacity"},
		{"debrief", "/debriefs/" + ids[0]},
		{"factors", "/factors"},
		{"coverage", "/coverage"},
		{"depth", "/depth"},
		{"sources", "/sources"},
		{"factors-filtered", "/factors?team=payments&from=2025-06-01&to=2026-05-31&interval=quarter"},
		// Each time another debrief, whose similar debriefs are not kept
		// yet: the page waits for them a little, then leaves the search to
		// finish in the background. Last, as those searches go on after it.
		{"debrief-first-view", "/debriefs/{next}"},
	}
	for _, p := range paths {
		b.Run(fmt.Sprintf("%s/%d", p.name, n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			next := 1
			for b.Loop() {
				path := p.path
				if strings.Contains(path, "{next}") {
					path = strings.ReplaceAll(path, "{next}", ids[next%len(ids)])
					next++
				}
				req := httptest.NewRequest(http.MethodGet, path, nil)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				engine.ServeHTTP(rec, req)
				lat = append(lat, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d\n%.500s", p.path, rec.Code, rec.Body.String())
				}
			}
			slices.Sort(lat)
			pct := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// fillGenerated parses, assesses, stores and indexes n generated
// debriefs as a pass would (parsing on every core, writing in batches of
// 1,000), records a pass, and returns the debriefs' ids.
func fillGenerated(ctx context.Context, st *analytics.Store, idx *index.Index, n int) ([]string, error) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recs, err := synth.New(11, now).Records(n, 4<<10, now, assess.New(nil).Assess)
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i, r := range recs {
		ids[i] = r.Debrief.ID
	}
	runID, err := st.StartRun(ctx, "wiki", now)
	if err != nil {
		return nil, err
	}
	for len(recs) > 0 {
		k := min(len(recs), 1000)
		applied, err := st.Apply(ctx, ingest.Change{Upsert: recs[:k], At: now})
		if err != nil {
			return nil, err
		}
		if err := idx.Apply(ctx, applied.Seq, applied.Index); err != nil {
			return nil, err
		}
		recs = recs[k:]
	}
	run := &ingest.Run{ID: runID, Source: "wiki", StartedAt: now, EndedAt: now.Add(time.Minute), Status: ingest.RunOK,
		Counts: ingest.Counts{Seen: n, Added: n}}
	if err := st.FinishRun(ctx, run, ""); err != nil {
		return nil, err
	}
	return ids, nil
}
