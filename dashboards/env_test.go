package dashboards_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/dashboards"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/sample"
)

// Tokens of the server with access control.
const (
	readToken  = "read-token-for-the-page-tests"
	adminToken = "admin-token-for-the-page-tests"
)

// env is a real store and index filled from the bundled sample and from
// testdata/hostile (debriefs full of markup, and a document that is not
// UTF-8), served twice on loopback: open, and with tokens.
type env struct {
	store   *analytics.Store
	index   *index.Index
	sched   *ingest.Scheduler
	open    *httptest.Server
	guarded *httptest.Server
}

func newEnv(t testing.TB) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	tmp := t.TempDir()
	st, err := analytics.Open(ctx, filepath.Join(tmp, "store.duckdb"), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	idx, err := index.Open(ctx, filepath.Join(tmp, "index.bleve"), st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	runner := ingest.NewRunner(ingest.RunnerOptions{Store: st, Index: idx, Assessor: assess.New(nil)})
	samples := dir.NewFS(sample.FS(), dir.Options{})
	if run, err := runner.Run(ctx, "sample", samples, nil); err != nil || run.Added < 40 {
		t.Fatalf("ingest the sample: %v, %+v", err, run)
	}
	hostile, err := dir.Open("testdata/hostile", dir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hostile.Close() })
	if run, err := runner.Run(ctx, "hostile", hostile, nil); err != nil || run.Added != 2 || run.Failed != 1 {
		t.Fatalf("ingest testdata/hostile: %v, %+v", err, run)
	}
	sched, err := ingest.NewScheduler(runner, []ingest.ScheduledSource{{Name: "sample", Kind: "sample", Schedule: "@every 24h", Source: samples}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = sched.Stop(stop)
	})
	e := &env{store: st, index: idx, sched: sched}
	e.open = e.serve(t, api.AuthOptions{})
	e.guarded = e.serve(t, api.AuthOptions{Tokens: []api.Token{
		{Name: "analyst", Role: api.RoleRead, Secret: readToken},
		{Name: "lead", Role: api.RoleAdmin, Secret: adminToken},
	}})
	return e
}

// serve serves the API with the pages on a loopback httptest server.
func (e *env) serve(t testing.TB, auth api.AuthOptions) *httptest.Server {
	t.Helper()
	pages, err := dashboards.New(dashboards.Options{Analytics: e.store, Debriefs: e.store, Runs: e.store, Searcher: e.index, Scheduler: e.sched})
	if err != nil {
		t.Fatal(err)
	}
	engine := api.New(api.Options{Debriefs: e.store, Hits: e.store, Searcher: e.index, Runs: e.store, Scheduler: e.sched,
		Analytics: e.store, Auth: auth, Pages: pages.Mount,
		// The browser tests search more often than a person would.
		Limits: api.Limits{SearchRate: 1000, SearchBurst: 1000}})
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	return srv
}

// debriefID finds the id of a stored debrief by its title.
func (e *env) debriefID(t testing.TB, title string) string {
	t.Helper()
	l, err := e.store.Debriefs(context.Background(), analytics.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.Debriefs {
		if d.Title == title {
			return d.ID
		}
	}
	t.Fatalf("no debrief titled %q", title)
	return ""
}

// get fetches a path without following redirects.
func get(t testing.TB, client *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
