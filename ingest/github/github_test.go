package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/remote"
)

// api is a fake GitHub issues endpoint. Each request is recorded; pages
// are served by the page query parameter, with a Link to the next one.
type api struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	reqs   []*http.Request
	pages  [][]byte
	// fail, when set, answers request n (0-based) instead of the pages.
	fail func(n int, w http.ResponseWriter) bool
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	n := len(a.reqs)
	a.reqs = append(a.reqs, r.Clone(context.Background()))
	a.mu.Unlock()
	if a.fail != nil && a.fail(n, w) {
		return
	}
	if r.URL.Path != a.prefix+"/repos/acme/ops/issues" {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		fmt.Sscan(p, &page)
	}
	if page < 1 || page > len(a.pages) {
		w.Write([]byte("[]"))
		return
	}
	if page < len(a.pages) {
		next := *r.URL
		q := next.Query()
		q.Set("page", fmt.Sprint(page+1))
		next.RawQuery = q.Encode()
		w.Header().Add("Link", fmt.Sprintf(`<http://%s%s>; rel="next", <http://%s%s>; rel="last"`, r.Host, next.RequestURI(), r.Host, next.RequestURI()))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(a.pages[page-1])
}

func (a *api) requests() []*http.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reqs)
}

func newAPI(t *testing.T, prefix string, pages ...[]byte) (*api, *httptest.Server) {
	a := &api{t: t, prefix: prefix, pages: pages}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, srv
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSource(t *testing.T, o Options) *Source {
	t.Helper()
	if o.Owner == "" {
		o.Owner, o.Repo = "acme", "ops"
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fetch(t *testing.T, s *Source, cursor string) ([]ingest.Document, ingest.Fetched, error) {
	t.Helper()
	var docs []ingest.Document
	res, err := s.Fetch(context.Background(), cursor, func(d ingest.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs, res, err
}

func refsOf(docs []ingest.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Ref)
	}
	return out
}

func TestFirstPass(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("base path "+prefix, func(t *testing.T) {
			a, srv := newAPI(t, prefix, readFile(t, "testdata/page1.json"), readFile(t, "testdata/page2.json"))
			s := newSource(t, Options{BaseURL: srv.URL + prefix, Token: "ghp_test0123"})
			docs, res, err := fetch(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := refsOf(docs), []string{"issues/41", "issues/2019", "issues/60"}; !slices.Equal(got, want) {
				t.Errorf("refs %v, want %v (the pull request dropped)", got, want)
			}
			if !res.Complete || res.Cursor != "2024-04-12T08:00:00Z" {
				t.Errorf("Fetched %+v, want Complete with the newest updated_at", res)
			}
			reqs := a.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2 (two pages, then stop)", len(reqs))
			}
			q := reqs[0].URL.Query()
			for k, v := range map[string]string{"labels": "postmortem", "state": "all", "sort": "updated", "direction": "asc", "per_page": "100"} {
				if q.Get(k) != v {
					t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
				}
			}
			if q.Has("since") {
				t.Errorf("a first pass sent since=%s", q.Get("since"))
			}
			if reqs[1].URL.Query().Get("page") != "2" {
				t.Errorf("second request %s is not page 2", reqs[1].URL)
			}
			for _, r := range reqs {
				if r.Header.Get("Authorization") != "Bearer ghp_test0123" || r.Header.Get("Accept") != "application/vnd.github+json" {
					t.Errorf("headers %v", r.Header)
				}
			}
		})
	}
}

func TestNoToken(t *testing.T) {
	a, srv := newAPI(t, "", []byte("[]"))
	s := newSource(t, Options{BaseURL: srv.URL})
	if _, _, err := fetch(t, s, ""); err != nil {
		t.Fatal(err)
	}
	if h := a.requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization %q sent without a token", h)
	}
}

func parseOne(t *testing.T, d ingest.Document) ingest.Debrief {
	t.Helper()
	if d.Err != nil {
		t.Fatalf("%s: %v", d.Ref, d.Err)
	}
	ds, err := d.Parse(context.Background())
	if err != nil {
		t.Fatalf("%s: Parse: %v", d.Ref, err)
	}
	if len(ds) != 1 {
		t.Fatalf("%s: %d debriefs", d.Ref, len(ds))
	}
	return ds[0]
}

func TestDebriefs(t *testing.T) {
	_, srv := newAPI(t, "", readFile(t, "testdata/page1.json"), readFile(t, "testdata/page2.json"))
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, _, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]ingest.Document{}
	for _, d := range docs {
		byRef[d.Ref] = d
	}

	t.Run("issue form", func(t *testing.T) {
		d := parseOne(t, byRef["issues/41"])
		if d.Title != "checkout latency after the cache eviction change" {
			t.Errorf("title %q", d.Title)
		}
		if d.Ref != "issues/41" || d.Document != "issues/41" || d.URL != "https://github.com/acme/ops/issues/41" {
			t.Errorf("ref %q document %q url %q", d.Ref, d.Document, d.URL)
		}
		var kinds []ingest.SectionKind
		for _, sec := range d.Sections {
			kinds = append(kinds, sec.Kind)
			if strings.Contains(sec.Text, "No response") {
				t.Errorf("section %q keeps the empty form field: %q", sec.Heading, sec.Text)
			}
		}
		for _, k := range []ingest.SectionKind{ingest.KindSummary, ingest.KindImpact, ingest.KindTimeline, ingest.KindRootCause, ingest.KindActionItems} {
			if !slices.Contains(kinds, k) {
				t.Errorf("no %s section in %v", k, kinds)
			}
		}
		if want := time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC); !sameDay(d.Times.Started, want) {
			t.Errorf("started %v, want the date the body states (%v), not created_at", d.Times.Started, want)
		}
		if !d.Times.Published.Equal(time.Date(2024, 4, 3, 16, 20, 0, 0, time.UTC)) {
			t.Errorf("published %v, want created_at", d.Times.Published)
		}
		if len(d.Timeline) != 3 {
			t.Errorf("timeline %+v, want 3 entries", d.Timeline)
		}
		if !slices.Equal(d.Meta.Tags, []string{"postmortem", "sev2", "payments"}) || d.Meta.Severity != "2" {
			t.Errorf("tags %v severity %q", d.Meta.Tags, d.Meta.Severity)
		}
		if !slices.Equal(d.Meta.Authors, []string{"rgarcia"}) || d.Meta.Extra["issue_state"] != "closed" {
			t.Errorf("authors %v extra %v", d.Meta.Authors, d.Meta.Extra)
		}
	})

	t.Run("no date in the body, number like a year", func(t *testing.T) {
		d := parseOne(t, byRef["issues/2019"])
		if !d.Times.Started.Equal(time.Date(2024, 4, 10, 8, 30, 0, 0, time.UTC)) {
			t.Errorf("started %v, want created_at", d.Times.Started)
		}
		if d.Title != "Webhook deliveries delayed" || d.Meta.Severity != "high" {
			t.Errorf("title %q severity %q", d.Title, d.Meta.Severity)
		}
		if !slices.Equal(d.Meta.Tags, []string{"postmortem", "severity: high"}) {
			t.Errorf("tags %v (labels given as strings)", d.Meta.Tags)
		}
		if d.Summary == "" || len(d.Sections) < 2 {
			t.Errorf("summary %q sections %+v", d.Summary, d.Sections)
		}
	})

	t.Run("null body is a placeholder", func(t *testing.T) {
		doc := byRef["issues/60"]
		if doc.Err != nil {
			t.Fatal(doc.Err)
		}
		if _, err := doc.Parse(context.Background()); !errors.Is(err, ingest.ErrSkip) {
			t.Errorf("Parse: %v, want ErrSkip", err)
		}
	})
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func TestIncremental(t *testing.T) {
	const cursor = "2024-04-12T08:00:00Z"
	tests := []struct {
		name       string
		page       string
		wantRefs   []string
		wantCursor string
	}{
		{"nothing new", `[]`, nil, cursor},
		{"the watermark issue again, unchanged", `[{"number": 60, "title": "t", "body": "b", "created_at": "2024-04-12T08:00:00Z", "updated_at": "2024-04-12T08:00:00Z"}]`, []string{"issues/60"}, cursor},
		{"one updated", `[{"number": 41, "title": "t", "body": "text", "created_at": "2024-04-03T16:20:00Z", "updated_at": "2024-04-20T10:00:00+02:00"}]`, []string{"issues/41"}, "2024-04-20T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, srv := newAPI(t, "", []byte(tt.page))
			s := newSource(t, Options{BaseURL: srv.URL, Token: "tok"})
			docs, res, err := fetch(t, s, cursor)
			if err != nil {
				t.Fatal(err)
			}
			reqs := a.requests()
			if len(reqs) != 1 {
				t.Errorf("%d requests, want exactly 1", len(reqs))
			}
			if got := reqs[0].URL.Query().Get("since"); got != cursor {
				t.Errorf("since=%q, want the stored cursor %q", got, cursor)
			}
			if !slices.Equal(refsOf(docs), tt.wantRefs) || res.Cursor != tt.wantCursor || res.Complete {
				t.Errorf("refs %v, %+v; want %v, cursor %s, not complete", refsOf(docs), res, tt.wantRefs, tt.wantCursor)
			}
		})
	}
}

func TestBadCursor(t *testing.T) {
	a, srv := newAPI(t, "", []byte("[]"))
	s := newSource(t, Options{BaseURL: srv.URL})
	if _, _, err := fetch(t, s, "yesterday"); err == nil || !strings.Contains(err.Error(), `cursor "yesterday"`) {
		t.Errorf("Fetch: %v", err)
	}
	if len(a.requests()) != 0 {
		t.Error("a bad cursor still sent a request")
	}
}

func TestRetryAfter429(t *testing.T) {
	a, srv := newAPI(t, "", readFile(t, "testdata/page2.json"))
	a.fail = func(n int, w http.ResponseWriter) bool {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"You have exceeded a secondary rate limit."}`, http.StatusTooManyRequests)
			return true
		}
		return false
	}
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, _, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.requests()) != 2 || len(docs) != 2 {
		t.Errorf("%d requests, %d documents; want the 429 retried once", len(a.requests()), len(docs))
	}
}

func TestServerErrorFailsThePass(t *testing.T) {
	a, srv := newAPI(t, "", readFile(t, "testdata/page1.json"), readFile(t, "testdata/page2.json"))
	broken := true
	a.fail = func(n int, w http.ResponseWriter) bool {
		if broken && n == 1 { // page 2 of the first pass
			http.Error(w, `{"message":"Server Error"}`, http.StatusInternalServerError)
			return true
		}
		return false
	}
	s := newSource(t, Options{BaseURL: srv.URL, HTTP: remote.Options{Retries: -1}})
	const cursor = "2024-04-01T00:00:00Z"
	_, res, err := fetch(t, s, cursor)
	var se *remote.StatusError
	if err == nil || !errors.As(err, &se) || se.Status != 500 || !strings.Contains(err.Error(), "status 500") || !strings.Contains(err.Error(), "page 2") {
		t.Fatalf("Fetch: %v, want a 500 naming page 2", err)
	}
	if res.Cursor != "" {
		t.Errorf("a failed pass returned cursor %q", res.Cursor)
	}
	broken = false
	docs, res, err := fetch(t, s, cursor)
	if err != nil {
		t.Fatalf("the pass after: %v", err)
	}
	if len(docs) != 3 || res.Cursor != "2024-04-12T08:00:00Z" {
		t.Errorf("recovered pass: %v, %+v", refsOf(docs), res)
	}
}

func TestBadPayloads(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"html", "<!DOCTYPE html><p>Sign in", `want a JSON array of issues, got something that is not JSON ("<!DOCTYPE html><p>Sign in")`},
		{"truncated", `[{"number": 1,`, "decode the issues array: unexpected end of JSON input"},
		{"empty", ``, "want a JSON array of issues, got nothing"},
		{"an object", `{"message": "Moved Permanently"}`, "want a JSON array of issues, got an object"},
		{"an element without a number", `[{"title": "x"}]`, "element 0: number: missing"},
		{"a string number", `[{"number": "7"}]`, `element 0: number: want a positive integer, got "7"`},
		{"an element that is not an object", `[42]`, "element 0: want an issue object, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newAPI(t, "", []byte(tt.body))
			s := newSource(t, Options{BaseURL: srv.URL})
			_, _, err := fetch(t, s, "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "acme/ops") {
				t.Errorf("Fetch: %v, want an error naming acme/ops and %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefensiveItems(t *testing.T) {
	big := strings.Repeat("word ", 2<<20/5)
	page := fmt.Sprintf(`[
	 {"number": 1, "title": null, "body": "All fine here, written text.", "labels": null, "user": null, "created_at": null, "updated_at": "2024-01-01T00:00:00Z"},
	 {"number": 2, "title": 5, "body": "x", "updated_at": "2024-01-02T00:00:00Z"},
	 {"number": 3, "title": "t", "body": %q, "updated_at": "2024-01-03T00:00:00Z"},
	 {"number": 4, "title": "t", "body": "x", "updated_at": "last tuesday"},
	 {"number": 5, "title": "t", "body": "x", "labels": "postmortem", "updated_at": "2024-01-05T00:00:00Z"},
	 {"number": 6, "title": "t", "body": "x", "labels": [{"name": 3}], "user": "octo", "updated_at": "2024-01-06T00:00:00Z", "html_url": "javascript:alert(1)"},
	 {"number": 7, "title": "t", "body": "Written.", "pull_request": null, "labels": [{"name": "postmortem"}, null], "updated_at": "2024-01-07T00:00:00Z", "html_url": "javascript:alert(1)"}
	]`, big)
	_, srv := newAPI(t, "", []byte(page))
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, res, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	wantErr := map[string]string{
		"issues/2": "title: want a string, got a number",
		"issues/3": fmt.Sprintf("body: %d bytes, over the 1048576-byte limit", len(big)),
		"issues/4": `updated_at: "last tuesday" is not an RFC 3339 time`,
		"issues/5": "labels: want an array, got a string",
		"issues/6": "labels: label name: want a string, got a number",
	}
	if len(docs) != 7 {
		t.Fatalf("%d documents, want 7", len(docs))
	}
	for _, d := range docs {
		want, bad := wantErr[d.Ref]
		switch {
		case bad && (d.Err == nil || !strings.Contains(d.Err.Error(), want)):
			t.Errorf("%s: error %v, want %q", d.Ref, d.Err, want)
		case !bad && d.Err != nil:
			t.Errorf("%s: %v", d.Ref, d.Err)
		}
	}
	if d := parseOne(t, docs[0]); d.Title != "All fine here, written text" || !d.Times.Started.IsZero() {
		t.Errorf("issue with null title and created_at: title %q, started %v", d.Title, d.Times.Started)
	}
	if d := parseOne(t, docs[6]); d.URL != "" {
		t.Errorf("URL %q kept from a javascript: html_url", d.URL)
	}
	if res.Cursor != "2024-01-07T00:00:00Z" {
		t.Errorf("cursor %q", res.Cursor)
	}
}

func TestShiftedPagesKeepTheCursor(t *testing.T) {
	p1 := `[{"number": 1, "body": "a", "updated_at": "2024-01-01T00:00:00Z"}, {"number": 2, "body": "b", "updated_at": "2024-01-02T00:00:00Z"}]`
	p2 := `[{"number": 3, "body": "c", "updated_at": "2024-01-03T00:00:00Z"}, {"number": 1, "body": "a, edited", "updated_at": "2024-01-09T00:00:00Z"}]`
	_, srv := newAPI(t, "", []byte(p1), []byte(p2))
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, res, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refsOf(docs), []string{"issues/1", "issues/2", "issues/3"}) {
		t.Errorf("refs %v: an issue seen twice is emitted once", refsOf(docs))
	}
	if res.Complete || res.Cursor != "" {
		t.Errorf("%+v: a shifted listing must neither advance nor be complete", res)
	}
}

func TestHash(t *testing.T) {
	base := issue{Number: 1, Title: "t", Body: "b", Labels: []string{"postmortem"}, Updated: time.Unix(1, 0)}
	h := hashIssue(&base)
	bumped := base
	bumped.Updated = time.Unix(99, 0)
	if hashIssue(&bumped) != h {
		t.Error("a new updated_at alone changed the hash")
	}
	for name, change := range map[string]func(*issue){
		"body":   func(i *issue) { i.Body = "c" },
		"title":  func(i *issue) { i.Title = "u" },
		"labels": func(i *issue) { i.Labels = append(i.Labels, "sev1") },
		"state":  func(i *issue) { i.State = "closed" },
	} {
		c := base
		c.Labels = slices.Clone(base.Labels)
		change(&c)
		if hashIssue(&c) == h {
			t.Errorf("changing %s kept the hash", name)
		}
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		o       Options
		wantErr string
	}{
		{Options{Repo: "ops"}, "Owner"},
		{Options{Owner: "acme"}, "Repo"},
		{Options{Owner: "acme/ops", Repo: "x"}, "Owner"},
		{Options{Owner: "acme", Repo: "../x"}, "Repo"},
		{Options{Owner: "acme", Repo: "ops", Label: "a,b"}, "one label"},
		{Options{Owner: "acme", Repo: "ops", BaseURL: "https://github.com"}, "the API is https://api.github.com"},
		{Options{Owner: "acme", Repo: "ops", BaseURL: "ftp://ghe.example.com"}, "BaseURL"},
		{Options{Owner: "acme", Repo: "ops.github.io"}, ""},
	}
	for _, tt := range tests {
		_, err := New(tt.o)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("New(%+v): %v, want %q", tt.o, err, tt.wantErr)
		}
	}
}

func TestLabelOption(t *testing.T) {
	a, srv := newAPI(t, "", []byte("[]"))
	s := newSource(t, Options{BaseURL: srv.URL, Label: "incident review"})
	if _, _, err := fetch(t, s, ""); err != nil {
		t.Fatal(err)
	}
	if got := a.requests()[0].URL.RawQuery; !strings.Contains(got, "labels="+url.QueryEscape("incident review")) {
		t.Errorf("query %s", got)
	}
}
