package confluence

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// fakePage is one page of the fake site.
type fakePage struct {
	id, title, space string
	version          int
	when, created    time.Time
	labels           []string
	storage          string
	kind             string // "page" unless set
}

// site is a Confluence site on loopback answering the v1 CQL search, the
// v2 page and the v1 content endpoints with payloads in the API's shape.
type site struct {
	t       *testing.T
	mu      sync.Mutex
	pages   []*fakePage
	context string // "/wiki" (Cloud) or a Data Center context path
	reqs    []request
	// fault, when set, may answer a request instead of the site.
	fault func(w http.ResponseWriter, r *http.Request) bool
	srv   *httptest.Server
}

type request struct {
	path, auth string
	cql        string
	query      string
}

func newSite(t *testing.T, context string, pages ...*fakePage) *site {
	s := &site{t: t, pages: pages, context: context}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

func (s *site) reset() {
	s.mu.Lock()
	s.reqs = nil
	s.mu.Unlock()
}

func (s *site) page(id string) *fakePage {
	for _, p := range s.pages {
		if p.id == id {
			return p
		}
	}
	return nil
}

var (
	sinceRe = regexp.MustCompile(`lastmodified >= "([^"]+)"`)
	labelRe = regexp.MustCompile(`label = "([^"]+)"`)
)

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, request{path: r.URL.Path, auth: r.Header.Get("Authorization"),
		cql: r.URL.Query().Get("cql"), query: r.URL.RawQuery})
	fault := s.fault
	s.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base := s.srv.URL + s.context
	switch p := strings.TrimPrefix(r.URL.Path, s.context); {
	case p == "/rest/api/content/search":
		s.search(w, r, base)
	case strings.HasPrefix(p, "/api/v2/pages/") && s.context == "/wiki":
		pg := s.page(strings.TrimPrefix(p, "/api/v2/pages/"))
		if pg == nil || r.URL.Query().Get("body-format") != "storage" {
			http.Error(w, `{"errors":[{"status":404,"title":"Not Found"}]}`, http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]any{
			"id": pg.id, "status": "current", "title": pg.title, "spaceId": "98304",
			"createdAt": pg.created.Format(time.RFC3339Nano),
			"version":   map[string]any{"number": pg.version, "createdAt": pg.when.Format(time.RFC3339Nano), "authorId": "557058:aa11"},
			"body":      map[string]any{"storage": map[string]any{"representation": "storage", "value": pg.storage}},
			"_links":    map[string]any{"webui": webui(pg), "base": base},
		})
	case strings.HasPrefix(p, "/rest/api/content/"):
		pg := s.page(strings.TrimPrefix(p, "/rest/api/content/"))
		if pg == nil {
			http.Error(w, `{"statusCode":404,"message":"No content found"}`, http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]any{
			"id": pg.id, "type": "page", "status": "current", "title": pg.title,
			"version": map[string]any{"number": pg.version, "when": pg.when.Format(time.RFC3339Nano)},
			"history": map[string]any{"createdDate": pg.created.Format(time.RFC3339Nano)},
			"body":    map[string]any{"storage": map[string]any{"representation": "storage", "value": pg.storage}},
			"_links":  map[string]any{"webui": webui(pg), "base": base},
		})
	default:
		http.NotFound(w, r)
	}
}

func webui(p *fakePage) string {
	return "/spaces/" + p.space + "/pages/" + p.id + "/" + strings.ReplaceAll(p.title, " ", "+")
}

// search answers a CQL search the way Confluence does for the clauses the
// source writes: a label, lastmodified >= a minute (read as UTC), oldest
// first, limit and a next link relative to _links.base.
func (s *site) search(w http.ResponseWriter, r *http.Request, base string) {
	q := r.URL.Query()
	cql := q.Get("cql")
	var since time.Time
	if m := sinceRe.FindStringSubmatch(cql); m != nil {
		t, err := time.Parse("2006-01-02 15:04", m[1])
		if err != nil {
			http.Error(w, `{"statusCode":400,"message":"Could not parse cql"}`, http.StatusBadRequest)
			return
		}
		since = t
	}
	label := ""
	if m := labelRe.FindStringSubmatch(cql); m != nil {
		label = m[1]
	}
	var match []*fakePage
	for _, p := range s.pages {
		if p.when.Before(since) || label != "" && !contains(p.labels, label) {
			continue
		}
		match = append(match, p)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].when.Before(match[j].when) })
	start, _ := strconv.Atoi(q.Get("start"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 25
	}
	end := min(start+limit, len(match))
	start = min(start, end)
	results := []any{}
	for _, p := range match[start:end] {
		var labels []any
		for _, l := range p.labels {
			labels = append(labels, map[string]any{"prefix": "global", "name": l, "id": "77" + l})
		}
		kind := p.kind
		if kind == "" {
			kind = "page"
		}
		results = append(results, map[string]any{
			"id": p.id, "type": kind, "status": "current", "title": p.title,
			"version":     map[string]any{"number": p.version, "when": p.when.Format(time.RFC3339Nano), "minorEdit": false},
			"metadata":    map[string]any{"labels": map[string]any{"results": labels, "size": len(labels)}},
			"_links":      map[string]any{"webui": webui(p), "self": base + "/rest/api/content/" + p.id},
			"_expandable": map[string]any{"body": "", "space": "/rest/api/space/" + p.space},
		})
	}
	links := map[string]any{"base": base, "context": s.context}
	if end < len(match) {
		links["next"] = "/rest/api/content/search?cql=" + url.QueryEscape(cql) + "&limit=" + strconv.Itoa(limit) +
			"&start=" + strconv.Itoa(end) // without expand, which the source must set again
	}
	writeJSON(w, map[string]any{"results": results, "start": start, "limit": limit, "size": len(results), "_links": links})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// outcome is what the runner would make of one pass.
type outcome struct {
	fetched  ingest.Fetched
	refs     []string
	debriefs map[string]ingest.Debrief
	failed   map[string]error
	parsed   int
}

// runPass does what the runner does with a source: Parse only documents
// whose hash differs from the one stored by an earlier pass (known, which
// it updates for documents that parsed).
func runPass(t *testing.T, src ingest.Source, cursor string, known map[string]string) (outcome, error) {
	t.Helper()
	out := outcome{debriefs: map[string]ingest.Debrief{}, failed: map[string]error{}}
	var docs []ingest.Document
	f, err := src.Fetch(context.Background(), cursor, func(d ingest.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return out, err
	}
	out.fetched = f
	for _, d := range docs {
		out.refs = append(out.refs, d.Ref)
		if h, ok := known[d.Ref]; ok && d.Hash != "" && h == d.Hash {
			continue
		}
		out.parsed++
		ds, err := d.Parse(context.Background())
		if err != nil {
			out.failed[d.Ref] = err
			continue
		}
		if len(ds) != 1 {
			t.Fatalf("%s: %d debriefs", d.Ref, len(ds))
		}
		out.debriefs[d.Ref] = ds[0]
		known[d.Ref] = d.Hash
	}
	return out, nil
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var t0 = time.Date(2024, 2, 13, 9, 12, 44, 512_000_000, time.UTC)

func samplePages(t *testing.T) []*fakePage {
	return []*fakePage{
		{id: "1001", title: "2024-02-11 Ledger writes refused", space: "PAY", version: 7, when: t0,
			created: t0.Add(-40 * time.Hour), labels: []string{"postmortem", "payments"}, storage: mustRead(t, "page-storage.xhtml")},
		{id: "1002", title: "Postmortem: stale DNS after the resolver swap", space: "NET", version: 3, when: t0.Add(-72 * time.Hour),
			created: t0.Add(-80 * time.Hour), labels: []string{"postmortem"},
			storage: `<h2>Summary</h2><p>Resolvers kept a stale record for 20 minutes.</p><h2>Root cause</h2><p>The TTL was 1800&nbsp;s.</p>`},
		{id: "1003", title: "Search indexing stalled", space: "SRCH", version: 2, when: t0.Add(-time.Hour),
			created: t0.Add(-3 * time.Hour), labels: []string{"postmortem"},
			storage: `<h2>Impact</h2><p>New listings were not searchable for two hours.</p><h2>Resolution</h2><p>We restarted the consumer.</p>`},
		{id: "1004", title: "Weekly ops notes", space: "OPS", version: 1, when: t0.Add(-2 * time.Hour),
			labels: []string{"postmortem"}, kind: "blogpost", storage: "<p>not a page</p>"},
		{id: "1005", title: "Unrelated page", space: "OPS", version: 9, when: t0.Add(-2 * time.Hour),
			labels: []string{"howto"}, storage: "<p>not selected</p>"},
	}
}

func cloudSource(t *testing.T, s *site, o Options) *Source {
	t.Helper()
	o.BaseURL = s.srv.URL
	if o.Email == "" {
		o.Email = "ops@example.com"
	}
	if o.Token == "" {
		o.Token = "tok-3f9a7c1e5d"
	}
	if o.Retries == 0 {
		o.Retries = 1
	}
	src, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestFetchListsPagesAndConvertsThem(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)...)
	src := cloudSource(t, s, Options{PageSize: 2, TimeZone: "UTC"})
	known := map[string]string{}
	out, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"page/1002", "page/1003", "page/1001"}; strings.Join(out.refs, " ") != strings.Join(want, " ") {
		t.Fatalf("refs %v, want %v (oldest first, the blog post and the unlabelled page left out)", out.refs, want)
	}
	if !out.fetched.Complete {
		t.Error("the first pass lists everything: want Complete")
	}
	if want := t0.Format(time.RFC3339Nano); out.fetched.Cursor != want {
		t.Errorf("cursor %q, want the newest last-modified %q", out.fetched.Cursor, want)
	}
	reqs := s.requests()
	lists, bodies := 0, 0
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops@example.com:tok-3f9a7c1e5d"))
	for _, r := range reqs {
		if r.auth != wantAuth {
			t.Errorf("%s: Authorization %q, want %q", r.path, r.auth, wantAuth)
		}
		switch {
		case r.path == "/wiki/rest/api/content/search":
			lists++
			if !strings.Contains(r.query, "expand=version%2Cmetadata.labels") {
				t.Errorf("list request %d without the expand of versions and labels: %s", lists, r.query)
			}
			if strings.Contains(r.cql, "lastmodified >=") {
				t.Errorf("first pass has an incremental clause: %s", r.cql)
			}
		case strings.HasPrefix(r.path, "/wiki/api/v2/pages/"):
			bodies++
		default:
			t.Errorf("unexpected request %s", r.path)
		}
	}
	if lists != 2 || bodies != 3 {
		t.Errorf("%d list and %d body requests, want 2 (two pages of two results, the last without a next link) and 3", lists, bodies)
	}
	if want := `type = page AND label = "postmortem" ORDER BY lastmodified ASC`; reqs[0].cql != want {
		t.Errorf("cql %q, want %q", reqs[0].cql, want)
	}

	d := out.debriefs["page/1001"]
	if d.Title != "Ledger writes refused" {
		t.Errorf("title %q", d.Title)
	}
	if want := s.srv.URL + "/wiki/spaces/PAY/pages/1001/2024-02-11+Ledger+writes+refused"; d.URL != want {
		t.Errorf("url %q, want %q", d.URL, want)
	}
	if d.Meta.Severity != "SEV-2" || strings.Join(d.Meta.Services, ",") != "ledger,card-settlement" {
		t.Errorf("metadata %+v", d.Meta)
	}
	if strings.Join(d.Meta.Tags, ",") != "payments,postmortem" {
		t.Errorf("tags %v, want the page's labels", d.Meta.Tags)
	}
	if got := d.Times.Published; !got.Equal(t0.Add(-40 * time.Hour)) {
		t.Errorf("published %v, want the page's creation", got)
	}
	d2 := out.debriefs["page/1002"]
	if d2.Title != "stale DNS after the resolver swap" || len(d2.Sections) != 2 || d2.Sections[1].Kind != ingest.KindRootCause {
		t.Errorf("page 1002: title %q, sections %+v", d2.Title, d2.Sections)
	}
}

func TestPassWithNothingNewCostsOneRequest(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)...)
	src := cloudSource(t, s, Options{TimeZone: "UTC"})
	known := map[string]string{}
	first, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	s.reset()
	second, err := runPass(t, src, first.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1: %+v", len(reqs), reqs)
	}
	// The newest page is listed again (the overlap), but unchanged.
	if want := `lastmodified >= "2024-02-13 09:02"`; !strings.Contains(reqs[0].cql, want) {
		t.Errorf("cql %q lacks %q (the watermark less the 10 minute overlap, in minutes)", reqs[0].cql, want)
	}
	if second.parsed != 0 || len(second.refs) != 1 {
		t.Errorf("listed %v and parsed %d, want the one page in the overlap, unparsed", second.refs, second.parsed)
	}
	if second.fetched.Complete {
		t.Error("an incremental pass is not Complete")
	}
	if second.fetched.Cursor != first.fetched.Cursor {
		t.Errorf("cursor moved from %q to %q with nothing new", first.fetched.Cursor, second.fetched.Cursor)
	}

	// A page edited since: listed, and only its body fetched.
	s.mu.Lock()
	p := s.page("1003")
	p.version, p.when = 3, t0.Add(5*time.Minute)
	p.storage = `<h2>Impact</h2><p>New listings were not searchable for two hours and ten minutes.</p>`
	s.mu.Unlock()
	s.reset()
	third, err := runPass(t, src, second.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if third.parsed != 1 || len(s.requests()) != 2 {
		t.Errorf("parsed %d with %d requests, want 1 with 2 (list, body)", third.parsed, len(s.requests()))
	}
	if d := third.debriefs["page/1003"]; !strings.Contains(d.Text, "two hours and ten minutes") {
		t.Errorf("edited page text %q", d.Text)
	}
	if want := t0.Add(5 * time.Minute).Format(time.RFC3339Nano); third.fetched.Cursor != want {
		t.Errorf("cursor %q, want %q", third.fetched.Cursor, want)
	}
}

func TestIncrementalClause(t *testing.T) {
	cursor := "2024-02-13T09:12:44.512Z"
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"utc", Options{TimeZone: "UTC"}, `type = page AND label = "postmortem" AND lastmodified >= "2024-02-13 09:02" ORDER BY lastmodified ASC`},
		{"profile zone", Options{TimeZone: "Asia/Tokyo", Overlap: time.Minute}, `lastmodified >= "2024-02-13 18:11"`},
		{"zone unknown: as far behind as any zone", Options{}, `lastmodified >= "2024-02-12 21:02"`},
		{"space", Options{Label: "retro", Space: "PAY", TimeZone: "UTC"}, `type = page AND label = "retro" AND space = "PAY" AND lastmodified >=`},
		{"raw cql", Options{CQL: `space in ("PAY","NET") and title ~ "post-incident" order by created desc`, TimeZone: "UTC"},
			`type = page AND (space in ("PAY","NET") and title ~ "post-incident") AND lastmodified >= "2024-02-13 09:02" ORDER BY lastmodified ASC`},
		{"quotes escaped", Options{Label: `a"b`, TimeZone: "UTC"}, `label = "a\"b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, "/wiki")
			src := cloudSource(t, s, tt.o)
			if _, err := runPass(t, src, cursor, map[string]string{}); err != nil {
				t.Fatal(err)
			}
			if got := s.requests()[0].cql; !strings.Contains(got, tt.want) {
				t.Errorf("cql %q lacks %q", got, tt.want)
			}
		})
	}
}

func TestDataCenterBearerAndV1Bodies(t *testing.T) {
	s := newSite(t, "/confluence", samplePages(t)[:2]...)
	src, err := New(Options{BaseURL: s.srv.URL + "/confluence/", Token: "pat-0a1b2c3d4e", TimeZone: "UTC", Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 2 || len(out.failed) != 0 {
		t.Fatalf("debriefs %d, failures %v", len(out.debriefs), out.failed)
	}
	for _, r := range s.requests() {
		if r.auth != "Bearer pat-0a1b2c3d4e" {
			t.Errorf("%s: Authorization %q", r.path, r.auth)
		}
		if !strings.HasPrefix(r.path, "/confluence/rest/api/content/") {
			t.Errorf("request to %s, want the v1 API under the context path", r.path)
		}
	}
	if d := out.debriefs["page/1001"]; d.URL != s.srv.URL+"/confluence/spaces/PAY/pages/1001/2024-02-11+Ledger+writes+refused" ||
		!d.Times.Published.Equal(t0.Add(-40*time.Hour)) {
		t.Errorf("url %q, published %v", d.URL, d.Times.Published)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)[:1]...)
	var limited sync.Once
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		hit := false
		limited.Do(func() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"Rate limit exceeded"}`, http.StatusTooManyRequests)
			hit = true
		})
		return hit
	}
	src := cloudSource(t, s, Options{TimeZone: "UTC"})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 1 {
		t.Errorf("debriefs %d, want 1", len(out.debriefs))
	}
	if n := len(s.requests()); n != 3 {
		t.Errorf("%d requests, want 3 (429, list, body)", n)
	}
}

func TestServerErrorFailsThePassAndTheNextRecovers(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)...)
	failing := true
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if failing && r.URL.Query().Get("start") != "" {
			http.Error(w, `{"message":"database unavailable"}`, http.StatusInternalServerError)
			return true
		}
		return false
	}
	src := cloudSource(t, s, Options{PageSize: 2, TimeZone: "UTC"})
	cursor := "2024-02-09T00:00:00Z"
	_, err := runPass(t, src, cursor, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "list pages") {
		t.Fatalf("error %v, want the list failing with status 500", err)
	}
	s.mu.Lock()
	failing = false
	s.mu.Unlock()
	out, err := runPass(t, src, cursor, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 3 || out.fetched.Cursor != t0.Format(time.RFC3339Nano) {
		t.Errorf("recovered pass: %d debriefs, cursor %q", len(out.debriefs), out.fetched.Cursor)
	}
}

func TestGarbageFailsClearly(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `<html><body>Log in to continue</body></html>`, "not a content search result"},
		{"truncated", `{"results":[{"id":"1"`, "not a content search result"},
		{"other object", `{"message":"hello"}`, `no "results"`},
		{"results not a list", `{"results":{"id":"1"}}`, "cannot unmarshal"},
		{"result without id", `{"results":[{"title":"x"}]}`, "has no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, "/wiki")
			s.fault = func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body)
				return true
			}
			src := cloudSource(t, s, Options{TimeZone: "UTC"})
			_, err := runPass(t, src, "", map[string]string{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "/wiki/rest/api/content/search") {
				t.Errorf("error %v, want it to name the path and say %q", err, tt.want)
			}
		})
	}
}

// A page whose body cannot be fetched fails alone; since the watermark
// moves past it, the next pass lists from before it and fetches it again.
func TestFailedBodyIsFetchedAgain(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)...)
	failing := true
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if failing && r.URL.Path == "/wiki/api/v2/pages/1002" {
			http.Error(w, "upstream timeout", http.StatusGatewayTimeout)
			return true
		}
		return false
	}
	src := cloudSource(t, s, Options{TimeZone: "UTC"})
	known := map[string]string{}
	first, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.failed["page/1002"]; err == nil || !strings.Contains(err.Error(), "504") {
		t.Fatalf("page 1002: error %v, want the 504", err)
	}
	s.mu.Lock()
	failing = false
	s.mu.Unlock()
	s.reset()
	second, err := runPass(t, src, first.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := second.debriefs["page/1002"]; !ok {
		t.Fatalf("page 1002 not fetched again: listed %v", second.refs)
	}
	if want := `lastmodified >= "2024-02-10 09:02"`; !strings.Contains(s.requests()[0].cql, want) {
		t.Errorf("cql %q lacks %q (from before the failed page)", s.requests()[0].cql, want)
	}
	// Once fetched, the listing starts from the watermark again.
	s.reset()
	if _, err := runPass(t, src, second.fetched.Cursor, known); err != nil {
		t.Fatal(err)
	}
	if reqs := s.requests(); len(reqs) != 1 || !strings.Contains(reqs[0].cql, `"2024-02-13 09:02"`) {
		t.Errorf("third pass: %+v", reqs)
	}
}

func TestDeletedPageIsSkipped(t *testing.T) {
	s := newSite(t, "/wiki", samplePages(t)[:1]...)
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/wiki/api/v2/pages/") {
			http.Error(w, `{"errors":[{"status":404}]}`, http.StatusNotFound)
			return true
		}
		return false
	}
	src := cloudSource(t, s, Options{TimeZone: "UTC"})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.failed["page/1001"]; !errors.Is(err, ingest.ErrSkip) {
		t.Errorf("error %v, want ErrSkip", err)
	}
}

func TestRepeatedNextLinkStops(t *testing.T) {
	s := newSite(t, "/wiki")
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, map[string]any{"results": []any{map[string]any{"id": "1", "type": "page", "title": "x"}},
			"_links": map[string]any{"next": "/rest/api/content/search?cursor=same"}})
		return true
	}
	src := cloudSource(t, s, Options{TimeZone: "UTC"})
	if _, err := runPass(t, src, "", map[string]string{}); err == nil || !strings.Contains(err.Error(), "same next link") {
		t.Errorf("error %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no token", Options{BaseURL: "https://acme.atlassian.net"}, "Token"},
		{"no base", Options{Token: "t"}, "BaseURL"},
		{"relative base", Options{BaseURL: "acme.atlassian.net", Token: "t"}, "BaseURL"},
		{"ftp base", Options{BaseURL: "ftp://acme.atlassian.net", Token: "t"}, "BaseURL"},
		{"cql and label", Options{BaseURL: "https://a.b", Token: "t", CQL: "space = X", Label: "pm"}, "CQL"},
		{"only order by", Options{BaseURL: "https://a.b", Token: "t", CQL: "ORDER BY created"}, "CQL"},
		{"page size", Options{BaseURL: "https://a.b", Token: "t", PageSize: 5000}, "PageSize"},
		{"overlap", Options{BaseURL: "https://a.b", Token: "t", Overlap: -time.Second}, "Overlap"},
		{"zone", Options{BaseURL: "https://a.b", Token: "t", TimeZone: "Mars/Olympus"}, "TimeZone"},
		{"email", Options{BaseURL: "https://a.b", Token: "t", Email: "a:b"}, "Email"},
		{"retries", Options{BaseURL: "https://a.b", Token: "t", Retries: -2}, "Retries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %s", err, tt.want)
			}
			if err != nil && len(tt.o.Token) > 1 && strings.Contains(err.Error(), tt.o.Token) {
				t.Errorf("error %v echoes the token", err)
			}
		})
	}
	if _, err := New(Options{BaseURL: "https://acme.atlassian.net/wiki/", Email: "a@b.c", Token: "t"}); err != nil {
		t.Errorf("a /wiki base: %v", err)
	}
}
