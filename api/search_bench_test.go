package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/synth"
)

// Query kinds of the search benchmark, from the generator's vocabulary.
var benchQueries = map[string][]string{
	"one-word": {"timeouts", "replication", "certificate", "autoscaler", "rollback", "backlog", "failover", "kernel",
		"webhooks", "ledger", "throttling", "runbook", "dashboard", "vendor", "migration"},
	"three-word": {"checkout connection pool", "expired certificate errors", "database replication lag",
		"feature flag rollout", "kafka topic backlog", "dns resolution failures", "retry storm payments",
		"cache cluster eviction", "deploy pipeline rollback", "search cluster timeouts"},
	"phrase": {`"connection pool"`, `"replication lag"`, `"feature flag"`, `"message queue"`, `"load balancer"`,
		`"read replica"`, `"rate limiter"`, `"service mesh"`, `"primary database"`, `"api gateway"`},
}

// firstWords are words of the generator's vocabulary that no query of
// the benchmark has, searched once each before the others.
var firstWords = []string{"gateway", "mesh", "bucket", "cron", "redis", "scheduler", "inventory", "pricing", "logins",
	"orders", "resets", "drift", "spike", "storm", "campaign", "credential", "rotation", "fleet", "upgrade", "maintenance"}

// BenchmarkSearch stores and indexes generated debriefs of about 8 KB
// through a real pass, then measures search latency per query kind in the
// index alone (hits, total and facets) and through HTTP (search, hydration
// from DuckDB, highlights, JSON), and reports p50 and p99; it logs the
// first search of words not searched before (whose frequencies the index
// has not kept yet). Run it with:
//
//	go test -run '^$' -bench Search -benchtime 400x ./api/
//	SECONDSTORY_BENCH_DEBRIEFS=100000 go test -run '^$' -bench Search -benchtime 400x -timeout 60m ./api/
//
// SECONDSTORY_BENCH_DATA=DIR keeps the store and index in DIR for the next
// run (delete it after changing the mapping, the schema or the generator).
func BenchmarkSearch(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("SECONDSTORY_BENCH_DEBRIEFS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	data := os.Getenv("SECONDSTORY_BENCH_DATA")
	_, statErr := os.Stat(filepath.Join(data, "store.duckdb"))
	reuse := data != "" && statErr == nil
	if data == "" {
		data = b.TempDir()
	}
	st, err := analytics.Open(ctx, filepath.Join(data, "store.duckdb"), analytics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	idx, err := index.Open(ctx, filepath.Join(data, "index.bleve"), st, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	if !reuse {
		docs := filepath.Join(data, "debriefs")
		if err := os.MkdirAll(docs, 0o755); err != nil {
			b.Fatal(err)
		}
		gen := synth.New(3, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		for i := range n {
			d := gen.Debrief(i, 8<<10)
			if err := os.WriteFile(filepath.Join(docs, d.Name), d.Body, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		src, err := dir.Open(docs, dir.Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		run, err := ingest.NewRunner(ingest.RunnerOptions{Store: st, Index: idx, Assessor: assess.New(nil)}).Run(ctx, "bench", src, nil)
		src.Close()
		if err != nil || run.Added != n {
			b.Fatalf("ingest: %v, %+v", err, run)
		}
		b.Logf("%d debriefs ingested in %s", n, time.Since(start).Round(time.Second))
	} else if err := idx.Check(ctx); err != nil {
		b.Fatal(err)
	}
	count, err := idx.DocCount()
	if err != nil || count == 0 {
		b.Fatalf("index holds %d debriefs: %v", count, err)
	}
	n = int(count)
	// The first search after a pass reads the segments' facet tables.
	t0 := time.Now()
	if _, err := idx.Search(ctx, index.Search{Query: "database", Limit: 20}); err != nil {
		b.Fatal(err)
	}
	b.Logf("first search (reads the facet tables): %s", time.Since(t0).Round(time.Millisecond))
	// The index keeps the decoded frequencies of frequent words, and the
	// queries below repeat: first, words nothing has searched for yet.
	var first []time.Duration
	var firstHits uint64
	for _, w := range firstWords {
		t0 := time.Now()
		res, err := idx.Search(ctx, index.Search{Query: w, Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		first = append(first, time.Since(t0))
		firstHits += res.Total
	}
	slices.Sort(first)
	b.Logf("first search of each of %d words (%.0f matches on average): p50 %.2f ms, max %.2f ms", len(first),
		float64(firstHits)/float64(len(first)), float64(first[len(first)/2].Microseconds())/1000, float64(first[len(first)-1].Microseconds())/1000)
	// The benchmark searches as fast as it is answered: no rate limit.
	srv := httptest.NewServer(api.New(api.Options{Debriefs: st, Hits: st, Searcher: idx, Runs: st,
		Limits: api.Limits{SearchRate: 1e6, SearchBurst: 1e6}}))
	defer srv.Close()

	b.Run(fmt.Sprintf("index/similar/%d", n), func(b *testing.B) {
		page, err := idx.Search(ctx, index.Search{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		var ds []*ingest.Debrief
		for _, h := range page.Hits {
			e, err := st.Debrief(ctx, h.ID)
			if err != nil {
				b.Fatal(err)
			}
			ds = append(ds, e.Debrief)
		}
		lat := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			t0 := time.Now()
			if _, err := idx.Similar(ctx, ds[i%len(ds)], 5); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			i++
		}
		reportLatency(b, lat)
	})
	for _, kind := range []string{"one-word", "three-word", "phrase"} {
		queries := benchQueries[kind]
		b.Run(fmt.Sprintf("index/%s/%d", kind, n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			rng := rand.New(rand.NewPCG(1, 2))
			var hits uint64
			for b.Loop() {
				q := queries[rng.IntN(len(queries))]
				t0 := time.Now()
				res, err := idx.Search(ctx, index.Search{Query: q, Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				hits += res.Total
			}
			reportLatency(b, lat)
			b.ReportMetric(float64(hits)/float64(len(lat)), "matches/op")
		})
		b.Run(fmt.Sprintf("http/%s/%d", kind, n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			rng := rand.New(rand.NewPCG(1, 2))
			client := srv.Client()
			for b.Loop() {
				q := queries[rng.IntN(len(queries))]
				t0 := time.Now()
				resp, err := client.Get(srv.URL + "/api/v1/search?q=" + url.QueryEscape(q))
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: status %d", q, resp.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
		})
	}
}
