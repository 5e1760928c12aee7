package jira

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// fakeIssue is one issue of the fake site.
type fakeIssue struct {
	id, key, summary   string
	created, updated   time.Time
	resolved           *time.Time
	labels, components []string
	priority, status   string
	adf                string // raw ADF JSON, "" for null
	rendered           string // rendered HTML, "" for null
}

// site is Jira Cloud on loopback answering the enhanced JQL search with
// payloads in its shape.
type site struct {
	mu     sync.Mutex
	issues []*fakeIssue
	reqs   []request
	fault  func(w http.ResponseWriter, r *http.Request) bool
	srv    *httptest.Server
}

type request struct {
	path, auth string
	q          map[string][]string
}

func newSite(t *testing.T, issues ...*fakeIssue) *site {
	s := &site{issues: issues}
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

var (
	updatedRe = regexp.MustCompile(`updated >= "([^"]+)"`)
	labelsRe  = regexp.MustCompile(`labels = "([^"]+)"`)
	projectRe = regexp.MustCompile(`project = "([^"]+)"`)
)

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, request{path: r.URL.Path, auth: r.Header.Get("Authorization"), q: r.URL.Query()})
	fault := s.fault
	s.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	if r.URL.Path != "/rest/api/3/search/jql" {
		http.Error(w, `{"errorMessages":["The requested API has been removed."]}`, http.StatusGone)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	jql := q.Get("jql")
	var since time.Time
	if m := updatedRe.FindStringSubmatch(jql); m != nil {
		t, err := time.Parse("2006-01-02 15:04", m[1])
		if err != nil {
			http.Error(w, `{"errorMessages":["Date value is invalid."]}`, http.StatusBadRequest)
			return
		}
		since = t
	}
	var match []*fakeIssue
	for _, is := range s.issues {
		if is.updated.Before(since) {
			continue
		}
		if m := labelsRe.FindStringSubmatch(jql); m != nil && !contains(is.labels, m[1]) {
			continue
		}
		if m := projectRe.FindStringSubmatch(jql); m != nil && !strings.HasPrefix(is.key, m[1]+"-") {
			continue
		}
		match = append(match, is)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].updated.Before(match[j].updated) })
	start := 0
	if tok := q.Get("nextPageToken"); tok != "" {
		b, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			http.Error(w, `{"errorMessages":["Invalid nextPageToken."]}`, http.StatusBadRequest)
			return
		}
		start, _ = strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
	}
	limit, _ := strconv.Atoi(q.Get("maxResults"))
	if limit <= 0 {
		limit = 50
	}
	end := min(start+limit, len(match))
	start = min(start, end)
	out := map[string]any{"issues": issuesJSON(s.srv.URL, match[start:end])}
	if end < len(match) {
		out["nextPageToken"] = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
		out["isLast"] = false
	} else {
		out["isLast"] = true // and no nextPageToken, as Jira does
	}
	writeJSON(w, out)
}

func jiraTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000-0700") }

func issuesJSON(base string, list []*fakeIssue) []any {
	out := []any{}
	for _, is := range list {
		var desc, rendered any
		if is.adf != "" {
			desc = json.RawMessage(is.adf)
		}
		if is.rendered != "" {
			rendered = is.rendered
		}
		var res any
		if is.resolved != nil {
			res = jiraTime(*is.resolved)
		}
		var comps []any
		for i, c := range is.components {
			comps = append(comps, map[string]any{"id": strconv.Itoa(10100 + i), "name": c, "self": base + "/rest/api/3/component/" + strconv.Itoa(10100+i)})
		}
		fields := map[string]any{
			"summary": is.summary, "description": desc, "created": jiraTime(is.created), "updated": jiraTime(is.updated),
			"resolutiondate": res, "labels": is.labels, "components": comps,
			"status": map[string]any{"name": is.status, "id": "3", "statusCategory": map[string]any{"key": "done"}},
		}
		if is.priority != "" {
			fields["priority"] = map[string]any{"name": is.priority, "id": "2", "iconUrl": base + "/images/icons/priorities/high.svg"}
		}
		out = append(out, map[string]any{
			"expand": "renderedFields", "id": is.id, "key": is.key, "self": base + "/rest/api/3/issue/" + is.id,
			"fields":         fields,
			"renderedFields": map[string]any{"description": rendered, "created": "02/Mar/24 10:00 AM", "resolutiondate": nil},
		})
	}
	return out
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

var t0 = time.Date(2024, 3, 4, 15, 20, 11, 402_000_000, time.UTC)

func sampleIssues(t *testing.T) []*fakeIssue {
	resolved := time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC)
	return []*fakeIssue{
		{id: "10042", key: "OPS-17", summary: "Webhook deliveries delayed", created: time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC),
			updated: t0, labels: []string{"postmortem", "webhooks"}, components: []string{"webhooks", "delivery"},
			priority: "High", status: "In Review", adf: mustRead(t, "description-adf.json")},
		{id: "10007", key: "SHOP-3", summary: "Postmortem: checkout writes timed out", created: time.Date(2024, 2, 20, 2, 50, 0, 0, time.UTC),
			updated: t0.Add(-48 * time.Hour), resolved: &resolved, labels: []string{"postmortem"}, priority: "Highest",
			status: "Done", rendered: mustRead(t, "description-rendered.html"),
			adf: `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"the ADF, which the rendered HTML wins over"}]}]}`},
		{id: "10011", key: "OPS-9", summary: "Certificate expiry on the edge", created: time.Date(2024, 1, 9, 8, 0, 0, 0, time.UTC),
			updated: t0.Add(-time.Hour), labels: []string{"postmortem"}, status: "Open",
			adf: `{"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Summary"}]},{"type":"paragraph","content":[{"type":"text","text":"The edge certificate lapsed for 9 minutes."}]}]}`},
		{id: "10012", key: "OPS-10", summary: "Retro to write", created: t0.Add(-3 * time.Hour), updated: t0.Add(-2 * time.Hour),
			labels: []string{"postmortem"}, status: "Open"},
		{id: "10013", key: "OPS-11", summary: "Not a postmortem", created: t0, updated: t0, labels: []string{"chore"}, status: "Open",
			adf: `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"x"}]}]}`},
	}
}

func newSource(t *testing.T, s *site, o Options) *Source {
	t.Helper()
	o.BaseURL = s.srv.URL
	if o.Token == "" {
		o.Email, o.Token = "ops@example.com", "tok-8c2e4a6f0b"
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

func TestFetchSearchesAndConverts(t *testing.T) {
	s := newSite(t, sampleIssues(t)...)
	src := newSource(t, s, Options{PageSize: 2, TimeZone: "UTC"})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "issue/10007 issue/10012 issue/10011 issue/10042"; strings.Join(out.refs, " ") != want {
		t.Errorf("refs %v, want %s", out.refs, want)
	}
	if !out.fetched.Complete || out.fetched.Cursor != t0.Format(time.RFC3339Nano) {
		t.Errorf("fetched %+v, want Complete with the newest updated as cursor", out.fetched)
	}
	reqs := s.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 pages", len(reqs))
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops@example.com:tok-8c2e4a6f0b"))
	for i, r := range reqs {
		if r.auth != wantAuth {
			t.Errorf("Authorization %q", r.auth)
		}
		if got := r.q["jql"]; len(got) != 1 || got[0] != `labels = "postmortem" ORDER BY updated ASC` {
			t.Errorf("jql %q", got)
		}
		if r.q["fields"][0] != searchFields || r.q["expand"][0] != "renderedFields" || r.q["maxResults"][0] != "2" {
			t.Errorf("query %v", r.q)
		}
		if (i == 1) != (len(r.q["nextPageToken"]) == 1) {
			t.Errorf("request %d: nextPageToken %v", i, r.q["nextPageToken"])
		}
	}
	if err := out.failed["issue/10012"]; !errors.Is(err, ingest.ErrSkip) {
		t.Errorf("issue without a description: %v, want ErrSkip", err)
	}

	adf := out.debriefs["issue/10042"]
	if adf.Title != "Webhook deliveries delayed" || adf.URL != s.srv.URL+"/browse/OPS-17" {
		t.Errorf("title %q url %q", adf.Title, adf.URL)
	}
	// The text states a severity; the priority only fills in when it does not.
	if adf.Meta.Severity != "SEV-3" || adf.Meta.Status != "In Review" ||
		strings.Join(adf.Meta.Services, ",") != "webhooks,delivery" || strings.Join(adf.Meta.Tags, ",") != "postmortem,webhooks" {
		t.Errorf("metadata %+v", adf.Meta)
	}
	if adf.Meta.Extra["issue_key"] != "OPS-17" {
		t.Errorf("extra %v", adf.Meta.Extra)
	}
	rendered := out.debriefs["issue/10007"]
	if rendered.Title != "checkout writes timed out" || rendered.Meta.Severity != "Highest" || rendered.Meta.Status != "Done" {
		t.Errorf("rendered issue: title %q, meta %+v", rendered.Title, rendered.Meta)
	}
	if strings.Contains(rendered.Text, "the ADF") || !strings.Contains(rendered.Text, "<script>not markup</script>") {
		t.Errorf("rendered text %q", rendered.Text)
	}
	if want := time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC); !rendered.Times.Resolved.Equal(want) {
		t.Errorf("resolved %v, want the resolution date", rendered.Times.Resolved)
	}
	cert := out.debriefs["issue/10011"]
	if want := time.Date(2024, 1, 9, 8, 0, 0, 0, time.UTC); !cert.Times.Started.Equal(want) || cert.Meta.Severity != "" {
		t.Errorf("started %v (want created), severity %q (no priority)", cert.Times.Started, cert.Meta.Severity)
	}
}

func TestPassWithNothingNewCostsOneRequest(t *testing.T) {
	s := newSite(t, sampleIssues(t)...)
	src := newSource(t, s, Options{TimeZone: "UTC"})
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
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if want := `labels = "postmortem" AND updated >= "2024-03-04 15:10" ORDER BY updated ASC`; reqs[0].q["jql"][0] != want {
		t.Errorf("jql %q, want %q", reqs[0].q["jql"][0], want)
	}
	if second.parsed != 0 || second.fetched.Complete || second.fetched.Cursor != first.fetched.Cursor {
		t.Errorf("parsed %d, fetched %+v", second.parsed, second.fetched)
	}

	// A comment bumps updated but changes nothing we read: listed, not parsed.
	s.mu.Lock()
	s.issues[0].updated = t0.Add(time.Minute)
	s.mu.Unlock()
	third, err := runPass(t, src, second.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if third.parsed != 0 || third.fetched.Cursor != t0.Add(time.Minute).Format(time.RFC3339Nano) {
		t.Errorf("comment: parsed %d, cursor %q", third.parsed, third.fetched.Cursor)
	}
	// An edited summary is parsed again.
	s.mu.Lock()
	s.issues[0].summary = "Webhook deliveries delayed by 40 minutes"
	s.mu.Unlock()
	fourth, err := runPass(t, src, third.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if fourth.parsed != 1 || fourth.debriefs["issue/10042"].Title != "Webhook deliveries delayed by 40 minutes" {
		t.Errorf("edit: parsed %d, %+v", fourth.parsed, fourth.debriefs)
	}
}

func TestSelectionAndIncrementalClause(t *testing.T) {
	cursor := "2024-03-04T15:20:11.402Z"
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"project and label", Options{Project: "OPS", TimeZone: "UTC"}, `project = "OPS" AND labels = "postmortem" AND updated >= "2024-03-04 15:10" ORDER BY updated ASC`},
		{"label", Options{Label: "post-incident", TimeZone: "UTC"}, `labels = "post-incident" AND`},
		{"profile zone", Options{TimeZone: "America/New_York", Overlap: 5 * time.Minute}, `updated >= "2024-03-04 10:15"`},
		{"zone unknown", Options{}, `updated >= "2024-03-04 03:10"`},
		{"raw jql", Options{JQL: `issuetype = "Post-incident review" order by created DESC`, TimeZone: "UTC"},
			`(issuetype = "Post-incident review") AND updated >= "2024-03-04 15:10" ORDER BY updated ASC`},
		{"quoting", Options{Project: `A"B`, TimeZone: "UTC"}, `project = "A\"B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			src := newSource(t, s, tt.o)
			if _, err := runPass(t, src, cursor, map[string]string{}); err != nil {
				t.Fatal(err)
			}
			if got := s.requests()[0].q["jql"][0]; !strings.Contains(got, tt.want) {
				t.Errorf("jql %q lacks %q", got, tt.want)
			}
		})
	}
}

func TestBearer(t *testing.T) {
	s := newSite(t, sampleIssues(t)[:1]...)
	src := newSource(t, s, Options{Token: "pat-55aa66bb77", TimeZone: "UTC"})
	if _, err := runPass(t, src, "", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if got := s.requests()[0].auth; got != "Bearer pat-55aa66bb77" {
		t.Errorf("Authorization %q", got)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	s := newSite(t, sampleIssues(t)[:1]...)
	var once sync.Once
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		hit := false
		once.Do(func() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"errorMessages":["Rate limit exceeded."]}`, http.StatusTooManyRequests)
			hit = true
		})
		return hit
	}
	src := newSource(t, s, Options{TimeZone: "UTC"})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 1 || len(s.requests()) != 2 {
		t.Errorf("%d debriefs with %d requests, want 1 with 2", len(out.debriefs), len(s.requests()))
	}
}

func TestServerErrorFailsThePassAndTheNextRecovers(t *testing.T) {
	s := newSite(t, sampleIssues(t)...)
	failing := true
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if failing && r.URL.Query().Get("nextPageToken") != "" {
			http.Error(w, `{"errorMessages":["Internal server error"]}`, http.StatusInternalServerError)
			return true
		}
		return false
	}
	src := newSource(t, s, Options{PageSize: 2, TimeZone: "UTC"})
	cursor := "2024-01-01T00:00:00Z"
	if _, err := runPass(t, src, cursor, map[string]string{}); err == nil || !strings.Contains(err.Error(), "500") ||
		!strings.Contains(err.Error(), "search issues") {
		t.Fatalf("error %v, want the search failing with status 500", err)
	}
	s.mu.Lock()
	failing = false
	s.mu.Unlock()
	out, err := runPass(t, src, cursor, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 3 || out.fetched.Cursor != t0.Format(time.RFC3339Nano) {
		t.Errorf("recovered: %d debriefs, cursor %q", len(out.debriefs), out.fetched.Cursor)
	}
}

func TestGarbageFailsClearly(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"html", `<!DOCTYPE html><html><body>Sign in</body></html>`, "not a JQL search result"},
		{"truncated", `{"issues":[{"id":"1","key":"A-1","fields":{`, "not a JQL search result"},
		{"old endpoint shape", `{"startAt":0,"total":0}`, `no "issues"`},
		{"issue without key", `{"issues":[{"id":"1"}]}`, "no id or key"},
		{"fields of the wrong type", `{"issues":[{"id":"1","key":"A-1","fields":{"labels":"x"}}]}`, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.fault = func(w http.ResponseWriter, r *http.Request) bool {
				fmt.Fprint(w, tt.body)
				return true
			}
			_, err := runPass(t, newSource(t, s, Options{}), "", map[string]string{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "/rest/api/3/search/jql") {
				t.Errorf("error %v, want the path and %q", err, tt.want)
			}
		})
	}
}

func TestBadDescriptionFailsTheIssueOnly(t *testing.T) {
	s := newSite(t, &fakeIssue{id: "1", key: "A-1", summary: "x", created: t0, updated: t0, labels: []string{"postmortem"},
		adf: `{"content":[]}`})
	out, err := runPass(t, newSource(t, s, Options{}), "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.failed["issue/1"]; err == nil || !strings.Contains(err.Error(), "A-1") || !strings.Contains(err.Error(), "Atlassian Document Format") {
		t.Errorf("error %v", err)
	}
}

func TestRepeatedTokenStops(t *testing.T) {
	s := newSite(t)
	s.fault = func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Fprint(w, `{"issues":[{"id":"1","key":"A-1","fields":{"summary":"x"}}],"nextPageToken":"same"}`)
		return true
	}
	if _, err := runPass(t, newSource(t, s, Options{}), "", map[string]string{}); err == nil || !strings.Contains(err.Error(), "same nextPageToken") {
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
		{"base with password", Options{BaseURL: "https://u:secretpw@acme.atlassian.net", Token: "t"}, "BaseURL"},
		{"jql and project", Options{BaseURL: "https://a.b", Token: "t", JQL: "project = X", Project: "X"}, "JQL"},
		{"only order by", Options{BaseURL: "https://a.b", Token: "t", JQL: "ORDER BY created"}, "JQL"},
		{"page size", Options{BaseURL: "https://a.b", Token: "t", PageSize: -1}, "PageSize"},
		{"overlap", Options{BaseURL: "https://a.b", Token: "t", Overlap: -time.Minute}, "Overlap"},
		{"zone", Options{BaseURL: "https://a.b", Token: "t", TimeZone: "Nowhere/Else"}, "TimeZone"},
		{"email", Options{BaseURL: "https://a.b", Token: "t", Email: "x\ny"}, "Email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error %v echoes a password", err)
			}
		})
	}
}
