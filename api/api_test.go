package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// notes holds three dated debriefs and two documents that cannot be parsed.
var notes = fstest.MapFS{
	"2025-01-10-checkout.md": {Data: []byte(`---
title: Checkout queue backed up
date: 2025-01-10T14:02:00Z
severity: SEV2
services: [checkout]
---

# Checkout queue backed up

## Summary

The checkout queue backed up and orders waited for twenty minutes.

## Timeline

- 14:02 UTC: The queue depth alert fired.
- 14:20 UTC: Workers were restarted and the queue drained.

## Root cause

A deploy halved the worker pool.
`)},
	"2025-03-04-dns.md":   {Data: []byte("---\ndate: 2025-03-04T09:00:00Z\n---\n\n# DNS lookups failed\n\n## Summary\n\nInternal names did not resolve.\n")},
	"2025-06-20-cache.md": {Data: []byte("---\ndate: 2025-06-20T08:30:00Z\n---\n\n# Cache stampede\n\n## Summary\n\nThe pricing cache expired at once.\n")},
	"broken.json":         {Data: []byte(`{"title": "Half a debrief", `)},
	"latin1.md":           {Data: []byte("# Caf\xe9 outage\n\nThe caf\xe9 was closed.\n")},
}

// wiki holds one debrief dated by its file name and one with no date.
var wiki = fstest.MapFS{
	"2024-11-02-search.md": {Data: []byte("# Search returned nothing\n\n## Summary\n\nSearch answered with no results.\n")},
	"pager-storm.md":       {Data: []byte("# Pager storm\n\n## Summary\n\nThe pager went off all night.\n")},
}

var (
	checkoutID = ingest.DebriefID("notes", "2025-01-10-checkout.md")
	dnsID      = ingest.DebriefID("notes", "2025-03-04-dns.md")
	cacheID    = ingest.DebriefID("notes", "2025-06-20-cache.md")
	searchID   = ingest.DebriefID("wiki", "2024-11-02-search.md")
	pagerID    = ingest.DebriefID("wiki", "pager-storm.md")
)

// gate is a source whose pass blocks until release is closed, so that a
// pass can be held running.
type gate struct {
	once             sync.Once
	started, release chan struct{}
}

func newGate() *gate { return &gate{started: make(chan struct{}), release: make(chan struct{})} }

func (g *gate) Fetch(ctx context.Context, _ string, _ func(ingest.Document) error) (ingest.Fetched, error) {
	g.once.Do(func() { close(g.started) })
	select {
	case <-g.release:
		return ingest.Fetched{Complete: true}, nil
	case <-ctx.Done():
		return ingest.Fetched{}, ctx.Err()
	}
}

type env struct {
	store  *analytics.Store
	srv    *httptest.Server
	runner *ingest.Runner
	sched  *ingest.Scheduler
}

type envOptions struct {
	sources []ingest.ScheduledSource
	// ready, when set, is the readiness check, given the env's store.
	ready  func(context.Context, *analytics.Store) error
	logger *slog.Logger
	limits api.Limits
}

// newEnv serves the API over an in-memory DuckDB store and Bleve index.
func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	st, err := analytics.Open(ctx, "", analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	idx, err := index.Open(ctx, "", st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := idx.Close(); err != nil {
			t.Error(err)
		}
	})
	runner := ingest.NewRunner(ingest.RunnerOptions{Store: st, Index: idx, Assessor: assess.New(nil)})
	sched, err := ingest.NewScheduler(runner, o.sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sched.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	var ready func(context.Context) error
	if o.ready != nil {
		ready = func(ctx context.Context) error { return o.ready(ctx, st) }
	}
	srv := httptest.NewServer(api.New(api.Options{Debriefs: st, Hits: st, Searcher: idx, Runs: st, Scheduler: sched, Analytics: st, Exporter: st, Ready: ready, Logger: o.logger, Limits: o.limits}))
	t.Cleanup(srv.Close)
	return &env{srv: srv, runner: runner, sched: sched, store: st}
}

func dirSource(name string, fsys fstest.MapFS) ingest.ScheduledSource {
	return ingest.ScheduledSource{Name: name, Kind: "dir", Schedule: "@every 1h", Source: dir.NewFS(fsys, dir.Options{})}
}

// pass runs one pass of a source synchronously, bypassing the scheduler.
func (e *env) pass(t *testing.T, name string, src ingest.Source) *ingest.Run {
	t.Helper()
	run, err := e.runner.Run(context.Background(), name, src, nil)
	if err != nil {
		t.Fatalf("pass of %s: %v", name, err)
	}
	return run
}

// call sends a request and decodes the JSON answer into into, failing
// unless the status is want. Unknown fields fail the decode, so the
// shapes here stay those the API sends.
func (e *env) call(t *testing.T, method, path string, want int, into any) http.Header {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, body, err)
	}
	return resp.Header
}

type errorShape struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks that a request is answered with status in the one JSON
// error shape, with message msg.
func (e *env) wantError(t *testing.T, method, path string, status int, msg string) {
	t.Helper()
	var got errorShape
	e.call(t, method, path, status, &got)
	if got.Error.Status != status || got.Error.Message != msg {
		t.Errorf("%s %s: error %+v, want status %d message %q", method, path, got.Error, status, msg)
	}
}

type listing struct {
	Total    int                 `json:"total"`
	Limit    int                 `json:"limit"`
	Offset   int                 `json:"offset"`
	Debriefs []analytics.Summary `json:"debriefs"`
}

type sourceView struct {
	ingest.SourceStatus
	Configured bool        `json:"configured"`
	LastRun    *ingest.Run `json:"last_run"`
}

type runsBody struct {
	Runs []ingest.Run `json:"runs"`
}

// pollRuns asks for the runs of source until done holds for them, within
// a deadline and a bounded number of tries.
func (e *env) pollRuns(t *testing.T, source string, done func([]ingest.Run) bool) []ingest.Run {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for try := 0; try < 400 && time.Now().Before(deadline); try++ {
		var got runsBody
		e.call(t, http.MethodGet, "/api/v1/sources/"+source+"/runs", http.StatusOK, &got)
		if done(got.Runs) {
			return got.Runs
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("runs of %s: the awaited run did not appear", source)
	return nil
}

func TestHealth(t *testing.T) {
	closed, err := analytics.Open(context.Background(), "", analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	const catchingUp = "bringing the search index in step with the store"
	tests := []struct {
		name   string
		ready  func(context.Context, *analytics.Store) error
		path   string
		status int
		want   map[string]string
	}{
		{"healthz", nil, "/healthz", http.StatusOK, map[string]string{"status": "ok"}},
		{"readyz without a check", nil, "/readyz", http.StatusOK, map[string]string{"status": "ready"}},
		{"readyz when the store answers", func(ctx context.Context, st *analytics.Store) error { return st.Ping(ctx) },
			"/readyz", http.StatusOK, map[string]string{"status": "ready"}},
		{"readyz while the index catches up", func(context.Context, *analytics.Store) error { return errors.New(catchingUp) },
			"/readyz", http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": catchingUp}},
		{"readyz when the store is closed", func(ctx context.Context, _ *analytics.Store) error { return closed.Ping(ctx) },
			"/readyz", http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": "sql: database is closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{ready: tt.ready})
			var got map[string]string
			e.call(t, http.MethodGet, tt.path, tt.status, &got)
			if !maps.Equal(got, tt.want) {
				t.Errorf("GET %s = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestSources(t *testing.T) {
	g := newGate()
	e := newEnv(t, envOptions{sources: []ingest.ScheduledSource{
		dirSource("notes", notes),
		{Name: "blocker", Kind: "gate", Schedule: "@every 1h", Source: g},
	}})
	// Sources known only from their runs, as "secondstory ingest PATH"
	// leaves; they are listed after the configured ones, by name.
	e.pass(t, "adhoc", dir.NewFS(wiki, dir.Options{}))
	for _, name := range []string{"old-c", "old-a", "old-b"} {
		e.pass(t, name, dir.NewFS(fstest.MapFS{}, dir.Options{}))
	}
	before := time.Now()
	// Start runs notes, then holds blocker running.
	e.sched.Start()
	select {
	case <-g.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the blocker pass did not start")
	}

	t.Run("list", func(t *testing.T) {
		var got struct {
			Sources []sourceView `json:"sources"`
		}
		e.call(t, http.MethodGet, "/api/v1/sources", http.StatusOK, &got)
		var names []string
		for _, s := range got.Sources {
			names = append(names, s.Name)
		}
		if want := []string{"notes", "blocker", "adhoc", "old-a", "old-b", "old-c"}; !slices.Equal(names, want) {
			t.Fatalf("sources %v, want %v", names, want)
		}
		n, b, a := got.Sources[0], got.Sources[1], got.Sources[2]
		if n.Kind != "dir" || n.Schedule != "@every 1h" || !n.Configured || n.Running || !n.Next.After(before) {
			t.Errorf("notes = %+v, want a configured dir source on @every 1h, idle, next run after %v", n.SourceStatus, before)
		}
		if n.LastRun == nil || n.LastRun.Status != ingest.RunOK || n.LastRun.Counts != (ingest.Counts{Seen: 5, Added: 3, Failed: 2}) {
			t.Errorf("notes last run = %+v, want ok with 5 seen, 3 added, 2 failed", n.LastRun)
		}
		if b.Kind != "gate" || !b.Configured || !b.Running || b.LastRun == nil || b.LastRun.Status != ingest.RunRunning {
			t.Errorf("blocker = %+v, last run %+v; want configured, running, with a running last run", b.SourceStatus, b.LastRun)
		}
		if a.Configured || a.Schedule != "" || !a.Next.IsZero() || a.LastRun == nil || a.LastRun.Added != 2 {
			t.Errorf("adhoc = %+v, last run %+v; want unconfigured, unscheduled, with a run that added 2", a.SourceStatus, a.LastRun)
		}
	})

	t.Run("run errors", func(t *testing.T) {
		tests := []struct {
			path   string
			status int
			msg    string
		}{
			{"/api/v1/sources/nope/run", http.StatusNotFound, "source nope: no such source"},
			{"/api/v1/sources/adhoc/run", http.StatusNotFound, "source adhoc: no such source"},
			{"/api/v1/sources/blocker/run", http.StatusConflict, "source blocker: a pass of this source is already running"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				e.wantError(t, http.MethodPost, tt.path, tt.status, tt.msg)
			})
		}
	})

	t.Run("run now", func(t *testing.T) {
		var accepted map[string]string
		e.call(t, http.MethodPost, "/api/v1/sources/notes/run", http.StatusAccepted, &accepted)
		if want := map[string]string{"source": "notes", "status": "started"}; !maps.Equal(accepted, want) {
			t.Errorf("POST run = %v, want %v", accepted, want)
		}
		runs := e.pollRuns(t, "notes", func(r []ingest.Run) bool { return len(r) == 2 && r[0].Status != ingest.RunRunning })
		if runs[0].ID <= runs[1].ID || runs[0].Status != ingest.RunOK ||
			runs[0].Counts != (ingest.Counts{Seen: 5, Unchanged: 3, Failed: 2}) {
			t.Errorf("runs of notes = %+v, want the new pass first, ok with 3 unchanged and 2 failed", runs)
		}
	})

	t.Run("held pass finishes", func(t *testing.T) {
		close(g.release)
		runs := e.pollRuns(t, "blocker", func(r []ingest.Run) bool { return len(r) == 1 && r[0].Status != ingest.RunRunning })
		if runs[0].Status != ingest.RunOK || runs[0].Source != "blocker" || runs[0].EndedAt.IsZero() {
			t.Errorf("blocker run = %+v, want ok and ended", runs[0])
		}
	})

	t.Run("runs of a source", func(t *testing.T) {
		tests := []struct {
			path string
			want int
		}{
			{"/api/v1/sources/notes/runs?limit=1", 1},
			{"/api/v1/sources/adhoc/runs", 1},
			{"/api/v1/sources/nope/runs", 0},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				var got runsBody
				e.call(t, http.MethodGet, tt.path, http.StatusOK, &got)
				if got.Runs == nil || len(got.Runs) != tt.want {
					t.Errorf("runs = %+v, want %d (and a list, not null)", got.Runs, tt.want)
				}
			})
		}
		e.wantError(t, http.MethodGet, "/api/v1/sources/notes/runs?limit=0", http.StatusBadRequest, "limit must be between 1 and 100, got 0")
	})
}

// seeded serves notes and wiki after one pass of each.
func seeded(t *testing.T) (*env, *ingest.Run) {
	e := newEnv(t, envOptions{sources: []ingest.ScheduledSource{dirSource("notes", notes), dirSource("wiki", wiki)}})
	run := e.pass(t, "notes", dir.NewFS(notes, dir.Options{}))
	e.pass(t, "wiki", dir.NewFS(wiki, dir.Options{}))
	return e, run
}

func TestRun(t *testing.T) {
	e, run := seeded(t)
	var got ingest.Run
	e.call(t, http.MethodGet, fmt.Sprintf("/api/v1/runs/%d", run.ID), http.StatusOK, &got)
	if got.ID != run.ID || got.Source != "notes" || got.Status != ingest.RunOK ||
		got.Counts != (ingest.Counts{Seen: 5, Added: 3, Failed: 2}) {
		t.Errorf("run = %+v, want run %d of notes, ok with 5 seen, 3 added, 2 failed", got, run.ID)
	}
	if len(got.Failures) != 2 ||
		got.Failures[0].Ref != "broken.json" || !strings.HasPrefix(got.Failures[0].Reason, "json:") ||
		got.Failures[1].Ref != "latin1.md" || !strings.Contains(got.Failures[1].Reason, "not valid UTF-8") {
		t.Errorf("failures = %+v, want broken.json (json syntax) and latin1.md (not UTF-8)", got.Failures)
	}

	tests := []struct {
		id     string
		status int
		msg    string
	}{
		{"abc", http.StatusBadRequest, `"abc" is not a run id`},
		{"0", http.StatusBadRequest, `"0" is not a run id`},
		{"-3", http.StatusBadRequest, `"-3" is not a run id`},
		{"99999", http.StatusNotFound, "analytics: run 99999: not found"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			e.wantError(t, http.MethodGet, "/api/v1/runs/"+tt.id, tt.status, tt.msg)
		})
	}
}

func TestListDebriefs(t *testing.T) {
	e, _ := seeded(t)
	ms := func(s string) string {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(tm.UnixMilli(), 10)
	}
	all := []string{cacheID, dnsID, checkoutID, searchID, pagerID}
	tests := []struct {
		name          string
		query         string
		total         int
		limit, offset int
		ids           []string
	}{
		{"newest first, undated last", "", 5, 20, 0, all},
		{"first page", "?limit=2", 5, 2, 0, all[:2]},
		{"second page", "?limit=2&offset=2", 5, 2, 2, all[2:4]},
		{"past the end", "?offset=10", 5, 20, 10, []string{}},
		{"from a date", "?from=2025-03-04", 2, 20, 0, []string{cacheID, dnsID}},
		{"to a date includes that day", "?to=2025-03-04", 3, 20, 0, []string{dnsID, checkoutID, searchID}},
		{"one day", "?from=2025-03-04&to=2025-03-04", 1, 20, 0, []string{dnsID}},
		{"from RFC 3339 is inclusive", "?from=2025-03-04T09:00:00Z", 2, 20, 0, []string{cacheID, dnsID}},
		{"from RFC 3339 with an offset", "?from=2025-03-04T10:00:01%2B01:00", 1, 20, 0, []string{cacheID}},
		{"to RFC 3339 is exclusive", "?to=2025-03-04T09:00:00Z", 2, 20, 0, []string{checkoutID, searchID}},
		{"from epoch ms", "?from=" + ms("2025-03-04T09:00:00Z"), 2, 20, 0, []string{cacheID, dnsID}},
		{"to epoch ms", "?to=" + ms("2025-03-04T09:00:00Z"), 2, 20, 0, []string{checkoutID, searchID}},
		{"range with paging", "?from=2024-01-01&to=2025-12-31&limit=1&offset=1", 4, 1, 1, []string{dnsID}},
		{"one source", "?source=wiki", 2, 20, 0, []string{searchID, pagerID}},
		{"sources comma-separated", "?source=wiki,notes", 5, 20, 0, all},
		{"sources repeated", "?source=wiki&source=notes&from=2025-01-01", 3, 20, 0, all[:3]},
		{"unknown source", "?source=nope", 0, 20, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got listing
			e.call(t, http.MethodGet, "/api/v1/debriefs"+tt.query, http.StatusOK, &got)
			var ids []string
			for _, d := range got.Debriefs {
				ids = append(ids, d.ID)
			}
			if got.Debriefs == nil {
				t.Error("debriefs is null, want a list")
			}
			if got.Total != tt.total || got.Limit != tt.limit || got.Offset != tt.offset || !slices.Equal(ids, tt.ids) {
				t.Errorf("total %d limit %d offset %d ids %v, want %d %d %d %v",
					got.Total, got.Limit, got.Offset, ids, tt.total, tt.limit, tt.offset, tt.ids)
			}
		})
	}

	t.Run("summary", func(t *testing.T) {
		var got listing
		e.call(t, http.MethodGet, "/api/v1/debriefs?from=2025-01-10&to=2025-01-10", http.StatusOK, &got)
		if len(got.Debriefs) != 1 {
			t.Fatalf("debriefs %+v, want the checkout one", got.Debriefs)
		}
		d := got.Debriefs[0]
		if d.ID != checkoutID || d.Source != "notes" || d.Ref != "2025-01-10-checkout.md" ||
			d.Title != "Checkout queue backed up" || d.Severity != "SEV2" || !slices.Equal(d.Services, []string{"checkout"}) ||
			!d.Date.Equal(time.Date(2025, 1, 10, 14, 2, 0, 0, time.UTC)) {
			t.Errorf("summary = %+v", d)
		}
	})

	// Go parses any number of fractional digits, so a valid time can be
	// long; what is echoed of it is cut.
	long := "2025-03-04T09:00:00." + strings.Repeat("1", 300) + "Z"
	errs := []struct {
		query, msg string
	}{
		{"limit=0", "limit must be between 1 and 100, got 0"},
		{"limit=10000", "limit must be between 1 and 100, got 10000"},
		{"limit=abc", `limit must be a whole number, got "abc"`},
		{"offset=-1", "offset must be between 0 and 100000, got -1"},
		{"offset=1.5", `offset must be a whole number, got "1.5"`},
		{"from=garbage", `from must be a date (2025-03-04), an RFC 3339 time or epoch milliseconds, got "garbage"`},
		{"to=2025-13-01", `to must be a date (2025-03-04), an RFC 3339 time or epoch milliseconds, got "2025-13-01"`},
		{"from=-5", `from must be a date (2025-03-04), an RFC 3339 time or epoch milliseconds, got "-5"`},
		{"from=2025-06-01&to=2025-03-01", "from (2025-06-01) must be before to (2025-03-01)"},
		{"from=2025-03-04T09:00:00Z&to=2025-03-04T09:00:00Z", "from (2025-03-04T09:00:00Z) must be before to (2025-03-04T09:00:00Z)"},
		{"from=" + long + "&to=2025-03-01", "from (" + long[:80] + "…) must be before to (2025-03-01)"},
		{"include_removed=maybe", `include_removed must be true or false, got "maybe"`},
	}
	for _, tt := range errs {
		t.Run(clipName(tt.query), func(t *testing.T) {
			e.wantError(t, http.MethodGet, "/api/v1/debriefs?"+tt.query, http.StatusBadRequest, tt.msg)
		})
	}
}

func clipName(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}

func TestDebrief(t *testing.T) {
	e, _ := seeded(t)
	t.Run("found", func(t *testing.T) {
		var got analytics.Entry
		e.call(t, http.MethodGet, "/api/v1/debriefs/"+checkoutID, http.StatusOK, &got)
		if got.Debrief == nil {
			t.Fatal("no debrief in the answer")
		}
		if got.ID != checkoutID || got.Source != "notes" || got.Ref != "2025-01-10-checkout.md" ||
			got.Document != got.Ref || got.Title != "Checkout queue backed up" || got.Hash == "" ||
			got.FirstSeenAt.IsZero() || got.UpdatedAt.IsZero() || !got.RemovedAt.IsZero() {
			t.Errorf("debrief = %+v", got)
		}
		if got.Meta.Severity != "SEV2" || !slices.Equal(got.Meta.Services, []string{"checkout"}) ||
			!got.Times.Started.Equal(time.Date(2025, 1, 10, 14, 2, 0, 0, time.UTC)) {
			t.Errorf("metadata %+v, times %+v", got.Meta, got.Times)
		}
		var kinds []ingest.SectionKind
		for _, s := range got.Sections {
			kinds = append(kinds, s.Kind)
		}
		for _, k := range []ingest.SectionKind{ingest.KindSummary, ingest.KindTimeline, ingest.KindRootCause} {
			if !slices.Contains(kinds, k) {
				t.Errorf("section kinds %v lack %s", kinds, k)
			}
		}
		want := []ingest.TimelineItem{
			{At: time.Date(2025, 1, 10, 14, 2, 0, 0, time.UTC), When: "14:02 UTC", Text: "The queue depth alert fired."},
			{At: time.Date(2025, 1, 10, 14, 20, 0, 0, time.UTC), When: "14:20 UTC", Text: "Workers were restarted and the queue drained."},
		}
		if len(got.Timeline) != len(want) {
			t.Fatalf("timeline = %+v, want %+v", got.Timeline, want)
		}
		for i, w := range want {
			if g := got.Timeline[i]; !g.At.Equal(w.At) || g.When != w.When || g.Text != w.Text {
				t.Errorf("timeline[%d] = %+v, want %+v", i, g, w)
			}
		}
	})
	tests := []struct {
		name, id string
		status   int
		msg      string
	}{
		{"unknown", "0123456789abcdef", http.StatusNotFound, "analytics: debrief 0123456789abcdef: not found"},
		{"not hex", "xyz", http.StatusBadRequest, `"xyz" is not a debrief id (16 hexadecimal characters)`},
		{"upper case", strings.ToUpper(checkoutID), http.StatusBadRequest,
			fmt.Sprintf("%q is not a debrief id (16 hexadecimal characters)", strings.ToUpper(checkoutID))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.wantError(t, http.MethodGet, "/api/v1/debriefs/"+tt.id, tt.status, tt.msg)
		})
	}
}

func TestRoutes(t *testing.T) {
	e := newEnv(t, envOptions{})
	tests := []struct {
		method, path string
		status       int
		msg          string
	}{
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound, "no such endpoint: GET /api/v1/nope"},
		{http.MethodGet, "/api/v2/debriefs?limit=3", http.StatusNotFound, "no such endpoint: GET /api/v2/debriefs"},
		{http.MethodDelete, "/api/v1/debriefs", http.StatusMethodNotAllowed, "method DELETE is not allowed on /api/v1/debriefs"},
		{http.MethodGet, "/api/v1/sources/notes/run", http.StatusMethodNotAllowed, "method GET is not allowed on /api/v1/sources/notes/run"},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed, "method POST is not allowed on /healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			e.wantError(t, tt.method, tt.path, tt.status, tt.msg)
		})
	}
}

func TestStoreFailure(t *testing.T) {
	// A closed store fails every query: the client gets a generic 500, the
	// log gets the cause.
	st, err := analytics.Open(context.Background(), "", analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	sched, err := ingest.NewScheduler(ingest.NewRunner(ingest.RunnerOptions{Store: st}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	srv := httptest.NewServer(api.New(api.Options{Debriefs: st, Runs: st, Scheduler: sched, Logger: slog.New(slog.NewTextHandler(&buf, nil))}))
	defer srv.Close()
	e := &env{srv: srv}
	paths := []string{"/api/v1/debriefs", "/api/v1/debriefs/" + checkoutID, "/api/v1/runs/1", "/api/v1/sources", "/api/v1/sources/notes/runs"}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			e.wantError(t, http.MethodGet, p, http.StatusInternalServerError, "internal error; the server log has the details")
		})
	}
	srv.Close()
	if n := strings.Count(buf.String(), `msg="request failed"`); n != len(paths) {
		t.Errorf("%d failures logged, want %d:\n%s", n, len(paths), buf.String())
	}
	if !strings.Contains(buf.String(), "database is closed") {
		t.Errorf("the log does not say why:\n%s", buf.String())
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, envOptions{logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	var l listing
	hdr := e.call(t, http.MethodGet, "/api/v1/debriefs?source=secret-term&from=2025-01-01", http.StatusOK, &l)
	generated := hdr.Get("X-Request-ID")
	var eb errorShape
	e.call(t, http.MethodGet, "/api/v1/debriefs?limit=secret-limit", http.StatusBadRequest, &eb)
	e.call(t, http.MethodGet, "/nowhere?q=secret-search", http.StatusNotFound, &eb)
	// Close waits for the handlers, and so for their log lines.
	e.srv.Close()

	if strings.Contains(buf.String(), "secret-") {
		t.Errorf("the access log holds the query string:\n%s", buf.String())
	}
	type line struct {
		Msg       string `json:"msg"`
		Method    string `json:"method"`
		Route     string `json:"route"`
		Status    int    `json:"status"`
		RequestID string `json:"request_id"`
	}
	var got []line
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var l line
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	want := []line{
		{"request", "GET", "/api/v1/debriefs", http.StatusOK, generated},
		{"request", "GET", "/api/v1/debriefs", http.StatusBadRequest, ""},
		{"request", "GET", "unmatched", http.StatusNotFound, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("log lines %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if len(g.RequestID) != 16 || (w.RequestID != "" && g.RequestID != w.RequestID) {
			t.Errorf("line %d request id %q, want 16 hex characters matching the response header %q", i, g.RequestID, w.RequestID)
		}
		g.RequestID, w.RequestID = "", ""
		if g != w {
			t.Errorf("line %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestRequestID(t *testing.T) {
	e := newEnv(t, envOptions{})
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"plain id kept", "trace-42_A", true},
		{"odd characters replaced", "a b<c>", false},
		{"too long replaced", strings.Repeat("a", 65), false},
		{"none generated", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+"/healthz", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.sent != "" {
				req.Header.Set("X-Request-ID", tt.sent)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("X-Request-ID")
			if tt.kept && got != tt.sent {
				t.Errorf("X-Request-ID %q, want %q kept", got, tt.sent)
			}
			if !tt.kept && (len(got) != 16 || got == tt.sent) {
				t.Errorf("X-Request-ID %q, want a fresh 16-character id", got)
			}
		})
	}
}

// /api/v1 lists the endpoints, each of which answers; the root is left
// to the pages (Options.Pages).
func TestIndex(t *testing.T) {
	e := newEnv(t, envOptions{})
	var idx struct {
		Name      string `json:"name"`
		About     string `json:"about"`
		Endpoints []struct {
			Method string `json:"method"`
			Path   string `json:"path"`
			About  string `json:"about"`
		} `json:"endpoints"`
	}
	for _, path := range []string{"/api/v1"} {
		e.call(t, http.MethodGet, path, http.StatusOK, &idx)
		if idx.Name != "Second Story" || len(idx.Endpoints) < 8 {
			t.Fatalf("GET %s = %+v", path, idx)
		}
	}
	for _, ep := range idx.Endpoints {
		if ep.Method != http.MethodGet || strings.Contains(ep.Path, "{") {
			continue
		}
		e.call(t, ep.Method, ep.Path, http.StatusOK, new(any))
	}
}
