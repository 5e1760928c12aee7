package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest/synth"
)

// loadPaths are what the load test asks for, round robin: searches,
// analytics, lists and pages.
var loadPaths = []string{
	"/api/v1/search?q=connection+pool",
	"/api/v1/search?q=%22replication+lag%22&sort=date",
	"/api/v1/search?q=timeouts&severity=SEV2",
	"/api/v1/analytics/factors",
	"/api/v1/analytics/factors?by=factor",
	"/api/v1/analytics/factors/trend?interval=quarter",
	"/api/v1/analytics/coverage",
	"/api/v1/analytics/depth?interval=month",
	"/api/v1/analytics/incidents/durations",
	"/api/v1/debriefs?limit=20",
	"/api/v1/sources",
}

// TestLoadDuringIngest serves a folder of generated debriefs and, while
// the first pass ingests them, sends a bounded number of concurrent
// requests from several clients on loopback. Every answer must be a 200
// (429 from the search rate limit is counted apart, as it is the limit
// working); it logs throughput and latency percentiles.
func TestLoadDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	dir := t.TempDir()
	docs := filepath.Join(dir, "debriefs")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	g := synth.New(11, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	const n = 3000
	for i := range n {
		d := g.Debrief(i, 4<<10)
		if err := os.WriteFile(filepath.Join(docs, d.Name), d.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, cfg, fmt.Sprintf("data: %s\nlimits:\n  search_rate: 1000\n  search_burst: 1000\nsources:\n  - {name: gen, path: %s, schedule: '@every 24h'}\n",
		filepath.Join(dir, "data"), docs))
	addr, stop := startServe(t, noEnv, "--config", cfg)
	defer stop()
	paths := append(slices.Clone(loadPaths), pagePaths(t, "http://"+addr)...)

	type status struct {
		Sources []struct {
			Running bool `json:"running"`
			LastRun *struct {
				Status string `json:"status"`
				Seen   int    `json:"seen"`
				Added  int    `json:"added"`
			} `json:"last_run"`
		} `json:"sources"`
	}
	// serve starts the first pass once it has checked the index.
	var before status
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		getJSON(t, "http://"+addr+"/api/v1/sources", &before)
		if len(before.Sources) == 1 && before.Sources[0].Running {
			break
		}
		if time.Now().After(deadline) || len(before.Sources) == 1 && before.Sources[0].LastRun != nil {
			t.Fatalf("the pass is not running when the load begins: %+v", before)
		}
	}

	const clients, requests = 4, 1200
	var next, failures, limited atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr atomic.Value
	client := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= requests {
					return
				}
				path := paths[int(i)%len(paths)]
				t0 := time.Now()
				resp, err := client.Get("http://" + addr + path)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				switch {
				case err != nil:
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: %v", path, err))
				case resp.StatusCode == http.StatusTooManyRequests:
					limited.Add(1)
				case resp.StatusCode != http.StatusOK:
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: status %d", path, resp.StatusCode))
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var runs status
	getJSON(t, "http://"+addr+"/api/v1/sources", &runs)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	t.Logf("load during ingest: %d requests from %d clients in %s: %.0f requests/s; p50 %s, p99 %s, max %s; %d failed, %d rate-limited; the pass then: running %v, last run %+v",
		len(lat), clients, took.Round(time.Millisecond), float64(len(lat))/took.Seconds(), pct(0.5), pct(0.99), lat[len(lat)-1], failures.Load(), limited.Load(), runs.Sources[0].Running, runs.Sources[0].LastRun)
	if failures.Load() > 0 {
		t.Errorf("%d requests failed; the first: %v", failures.Load(), firstErr.Load())
	}
}

// pagePaths lists two pages (the overview and a search) when serve has
// the dashboards, so that the load includes page renders.
func pagePaths(t *testing.T, base string) []string {
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return nil // no pages in this build
	}
	return []string{"/", "/search?q=certificate"}
}
