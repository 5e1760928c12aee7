package statuspage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/remote"
)

// page is a fake status page: GET /api/v2/incidents.json serves pages[0],
// ?page=n serves pages[n-1] (or an empty listing past the end; or, with
// ignorePage, pages[0] again).
type page struct {
	mu         sync.Mutex
	reqs       []string // request URIs
	pages      [][]byte
	ignorePage bool
	fail       func(n int, w http.ResponseWriter) bool
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	n := len(p.reqs)
	p.reqs = append(p.reqs, r.URL.RequestURI())
	p.mu.Unlock()
	if p.fail != nil && p.fail(n, w) {
		return
	}
	if r.URL.Path != "/api/v2/incidents.json" {
		http.NotFound(w, r)
		return
	}
	i := 1
	if s := r.URL.Query().Get("page"); s != "" && !p.ignorePage {
		fmt.Sscan(s, &i)
	}
	w.Header().Set("Content-Type", "application/json")
	if i < 1 || i > len(p.pages) {
		w.Write([]byte(`{"page": {"id": "p"}, "incidents": []}`))
		return
	}
	w.Write(p.pages[i-1])
}

func (p *page) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.reqs)
}

func serve(t *testing.T, pages ...[]byte) (*page, *httptest.Server) {
	p := &page{pages: pages}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/incidents.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSource(t *testing.T, o Options) *Source {
	t.Helper()
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

const newest = "2024-06-20T07:12:44.1Z" // the maintenance's updated_at, in UTC

func TestFirstPass(t *testing.T) {
	tests := []struct {
		name string
		all  bool
		want []string
	}{
		{"only with a postmortem (the default)", false, []string{"incidents/b8v3n6c1z0lq", "incidents/z9y8x7w6v5uu"}},
		{"all incidents", true, []string{"incidents/b8v3n6c1z0lq", "incidents/k5j4h3g2f1dd", "incidents/z9y8x7w6v5uu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := serve(t, fixture(t))
			s := newSource(t, Options{BaseURL: srv.URL, AllIncidents: tt.all})
			docs, res, err := fetch(t, s, "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(refsOf(docs), tt.want) {
				t.Errorf("refs %v, want %v (never the maintenance)", refsOf(docs), tt.want)
			}
			if !res.Complete || res.Cursor != newest || len(res.Removed) != 0 {
				t.Errorf("%+v, want Complete, cursor %s", res, newest)
			}
			if got := p.requests(); !slices.Equal(got, []string{"/api/v2/incidents.json"}) {
				t.Errorf("requests %v: a short listing is the whole listing", got)
			}
		})
	}
}

func parseDoc(t *testing.T, d ingest.Document) ingest.Debrief {
	t.Helper()
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	ds, err := d.Parse(context.Background())
	if err != nil || len(ds) != 1 {
		t.Fatalf("%s: Parse: %v (%d debriefs)", d.Ref, err, len(ds))
	}
	return ds[0]
}

func kinds(d ingest.Debrief) []ingest.SectionKind {
	var out []ingest.SectionKind
	for _, s := range d.Sections {
		out = append(out, s.Kind)
	}
	return out
}

func TestDebriefs(t *testing.T) {
	_, srv := serve(t, fixture(t))
	s := newSource(t, Options{BaseURL: srv.URL, AllIncidents: true})
	docs, _, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]ingest.Document{}
	for _, d := range docs {
		byRef[d.Ref] = d
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}

	t.Run("postmortem posted as an update, in Markdown", func(t *testing.T) {
		d := parseDoc(t, byRef["incidents/b8v3n6c1z0lq"])
		if d.Title != "Elevated error rates for object storage uploads" || d.URL != "https://status.lumen.example/incidents/b8v3n6c1z0lq" {
			t.Errorf("title %q url %q", d.Title, d.URL)
		}
		for _, k := range []ingest.SectionKind{ingest.KindSummary, ingest.KindRootCause, ingest.KindActionItems, ingest.KindTimeline} {
			if !slices.Contains(kinds(d), k) {
				t.Errorf("no %s section in %v", k, kinds(d))
			}
		}
		if !d.Times.Started.Equal(utc("2024-06-11T13:55:00+02:00")) || !d.Times.Resolved.Equal(utc("2024-06-11T15:40:00.250+02:00")) {
			t.Errorf("times %+v", d.Times)
		}
		if d.Meta.Severity != "major" || d.Meta.Status != "postmortem" || !slices.Equal(d.Meta.Services, []string{"Object Storage", "Upload Gateway"}) {
			t.Errorf("meta %+v", d.Meta)
		}
		var texts []string
		for _, e := range d.Timeline {
			texts = append(texts, e.When+" "+e.Text)
		}
		want := []string{
			"2024-06-11 12:08 UTC Investigating: We are investigating failed uploads to object storage in eu-west and us-east.",
			"2024-06-11 13:02 UTC Monitoring: A fix has been rolled out and upload success rates are recovering.",
			"2024-06-11 13:40 UTC Resolved: This incident has been resolved.",
		}
		if !slices.Equal(texts, want) {
			t.Errorf("timeline\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(d.Summary, "certificate rotation") {
			t.Errorf("summary %q", d.Summary)
		}
	})

	t.Run("postmortem_body in HTML", func(t *testing.T) {
		d := parseDoc(t, byRef["incidents/z9y8x7w6v5uu"])
		for _, k := range []ingest.SectionKind{ingest.KindRootCause, ingest.KindActionItems} {
			if !slices.Contains(kinds(d), k) {
				t.Errorf("no %s section in %v", k, kinds(d))
			}
		}
		// No started_at: the first update is displayed before created_at.
		if !d.Times.Started.Equal(utc("2024-05-02T07:40:00Z")) || !d.Times.Published.Equal(utc("2024-05-09T12:00:00Z")) {
			t.Errorf("times %+v", d.Times)
		}
		if d.Meta.Severity != "critical" || strings.Contains(d.Text, "<p>") {
			t.Errorf("severity %q text %q", d.Meta.Severity, d.Text)
		}
	})

	t.Run("no postmortem: the updates", func(t *testing.T) {
		d := parseDoc(t, byRef["incidents/k5j4h3g2f1dd"])
		if !slices.Equal(kinds(d), []ingest.SectionKind{ingest.KindTimeline}) || len(d.Timeline) != 2 {
			t.Errorf("sections %v timeline %v", kinds(d), d.Timeline)
		}
		if d.Summary != "Invoice emails are delayed by a stuck mail queue; we are draining it." || d.Meta.Severity != "minor" {
			t.Errorf("summary %q severity %q", d.Summary, d.Meta.Severity)
		}
		if !strings.HasPrefix(d.Text, "Delayed invoice emails\n\n") {
			t.Errorf("text %q", d.Text)
		}
	})
}

func TestIncremental(t *testing.T) {
	tests := []struct {
		name        string
		cursor      string
		all         bool
		wantRefs    []string
		wantRemoved []string
		wantCursor  string
	}{
		{"nothing new", newest, false, nil, nil, newest},
		{"a cursor ahead of everything", "2030-01-01T00:00:00Z", false, nil, nil, "2030-01-01T00:00:00Z"},
		{"one postmortem since", "2024-06-01T00:00:00Z", false, []string{"incidents/b8v3n6c1z0lq"}, []string{"incidents/mnt7x2k9p4qa"}, newest},
		{"all incidents since", "2024-05-20T00:00:00Z", true, []string{"incidents/b8v3n6c1z0lq", "incidents/k5j4h3g2f1dd"}, []string{"incidents/mnt7x2k9p4qa"}, newest},
		{"a changed incident that is no debrief is removed", "2024-05-20T00:00:00Z", false,
			[]string{"incidents/b8v3n6c1z0lq"}, []string{"incidents/mnt7x2k9p4qa", "incidents/k5j4h3g2f1dd"}, newest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := serve(t, fixture(t))
			s := newSource(t, Options{BaseURL: srv.URL, AllIncidents: tt.all})
			docs, res, err := fetch(t, s, tt.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(p.requests()); n != 1 {
				t.Errorf("%d requests, want exactly 1", n)
			}
			if !slices.Equal(refsOf(docs), tt.wantRefs) || !slices.Equal(res.Removed, tt.wantRemoved) || res.Cursor != tt.wantCursor || res.Complete {
				t.Errorf("refs %v, %+v; want %v, removed %v, cursor %s", refsOf(docs), res, tt.wantRefs, tt.wantRemoved, tt.wantCursor)
			}
		})
	}
}

// pageOf writes a page of n incidents, the newest first, updated a day
// apart ending at last.
func pageOf(first, n int, last time.Time) []byte {
	var b strings.Builder
	b.WriteString(`{"page": {"id": "p", "url": "https://status.example.org"}, "incidents": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		k := first + i
		at := last.Add(-time.Duration(k) * 24 * time.Hour).Format(time.RFC3339Nano)
		fmt.Fprintf(&b, `{"id": "inc%03d", "name": "Incident %d", "status": "resolved", "impact": "minor", "created_at": %q, "updated_at": %q,
		  "postmortem_body": "## Root cause\n\nA queue filled up.", "incident_updates": [], "components": []}`, k, k, at, at)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func TestPages(t *testing.T) {
	last := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	pages := [][]byte{pageOf(0, 2, last), pageOf(2, 2, last), pageOf(4, 1, last)}
	tests := []struct {
		name         string
		ignorePage   bool
		cursor       string
		wantReqs     []string
		wantDocs     int
		wantComplete bool
	}{
		{"first pass to the end", false, "", []string{"/api/v2/incidents.json", "/api/v2/incidents.json?page=2", "/api/v2/incidents.json?page=3"}, 5, true},
		{"a page parameter that is ignored", true, "", []string{"/api/v2/incidents.json", "/api/v2/incidents.json?page=2"}, 2, false},
		{"incremental stops at the first page with an old incident", false, last.Add(-50 * time.Hour).Format(time.RFC3339),
			[]string{"/api/v2/incidents.json", "/api/v2/incidents.json?page=2"}, 3, false},
		{"incremental, nothing new", false, last.Format(time.RFC3339), []string{"/api/v2/incidents.json"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := serve(t, pages...)
			p.ignorePage = tt.ignorePage
			s := newSource(t, Options{BaseURL: srv.URL})
			s.pageSize = 2
			docs, res, err := fetch(t, s, tt.cursor)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.requests(); !slices.Equal(got, tt.wantReqs) {
				t.Errorf("requests %v, want %v", got, tt.wantReqs)
			}
			if len(docs) != tt.wantDocs || res.Complete != tt.wantComplete {
				t.Errorf("%d documents, complete %v; want %d, %v", len(docs), res.Complete, tt.wantDocs, tt.wantComplete)
			}
		})
	}
}

func TestRetryAfter429(t *testing.T) {
	p, srv := serve(t, fixture(t))
	p.fail = func(n int, w http.ResponseWriter) bool {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		return false
	}
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, _, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.requests()) != 2 || len(docs) != 2 {
		t.Errorf("%d requests, %d documents", len(p.requests()), len(docs))
	}
}

func TestServerErrorFailsThePass(t *testing.T) {
	p, srv := serve(t, fixture(t))
	broken := true
	p.fail = func(n int, w http.ResponseWriter) bool {
		if broken {
			http.Error(w, "<html><body>Internal Server Error</body></html>", http.StatusInternalServerError)
			return true
		}
		return false
	}
	s := newSource(t, Options{BaseURL: srv.URL, HTTP: remote.Options{Retries: -1}})
	const cursor = "2024-06-01T00:00:00Z"
	_, _, err := fetch(t, s, cursor)
	var se *remote.StatusError
	if !errors.As(err, &se) || se.Status != 500 || !strings.Contains(err.Error(), "status 500") || !strings.Contains(err.Error(), "/api/v2/incidents.json") {
		t.Fatalf("Fetch: %v, want a 500 naming the path", err)
	}
	broken = false
	docs, res, err := fetch(t, s, cursor)
	if err != nil || len(docs) != 1 || res.Cursor != newest {
		t.Errorf("the pass after: %v, %v, %+v", err, refsOf(docs), res)
	}
}

func TestBadPayloads(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"html", "<!DOCTYPE html><title>Status</title>", "want a JSON object with an incidents array, got something that is not JSON"},
		{"an array", `[]`, "got an array"},
		{"no incidents", `{"page": {}}`, "no incidents array"},
		{"incidents not an array", `{"incidents": {"id": "x"}}`, "incidents: want an array, got an object"},
		{"an incident without an id", `{"incidents": [{"name": "x"}]}`, "incident 0: no id"},
		{"an id that would leave the path", `{"incidents": [{"id": "../../x"}]}`, "is not an incident id"},
		{"null", `null`, "got null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, []byte(tt.body))
			s := newSource(t, Options{BaseURL: srv.URL})
			_, _, err := fetch(t, s, "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "list incidents of") {
				t.Errorf("Fetch: %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefensiveIncidents(t *testing.T) {
	big := strings.Repeat("x", 2<<20)
	body := fmt.Sprintf(`{"incidents": [
	  {"id": "a1", "name": null, "status": null, "impact": null, "created_at": null, "updated_at": "2024-01-05T00:00:00Z", "postmortem_body": "## Root cause\n\nA full disk.", "incident_updates": null, "components": null},
	  {"id": "a2", "name": 7, "updated_at": "2024-01-04T00:00:00Z", "postmortem_body": "text"},
	  {"id": "a3", "name": "n", "updated_at": "soon", "postmortem_body": "text"},
	  {"id": "a4", "name": "n", "updated_at": "2024-01-03T00:00:00Z", "postmortem_body": %q},
	  {"id": "a5", "name": "n", "updated_at": "2024-01-02T00:00:00Z", "incident_updates": [{"status": "postmortem", "body": 1}]},
	  {"id": "a6", "name": "n", "updated_at": "2024-01-01T00:00:00Z", "postmortem_body": "text", "components": [{"name": ["x"]}]}
	]}`, big)
	_, srv := serve(t, []byte(body))
	s := newSource(t, Options{BaseURL: srv.URL})
	docs, res, err := fetch(t, s, "")
	if err != nil {
		t.Fatal(err)
	}
	wantErr := map[string]string{
		"incidents/a2": "name: want a string, got a number",
		"incidents/a3": `updated_at: "soon" is not an RFC 3339 time`,
		"incidents/a4": fmt.Sprintf("postmortem_body: %d bytes, over the", len(big)),
		"incidents/a5": "incident_updates: 0: body: want a string, got a number",
		"incidents/a6": "components: component name: want a string, got an array",
	}
	if len(docs) != 6 {
		t.Fatalf("refs %v", refsOf(docs))
	}
	for _, d := range docs {
		want, bad := wantErr[d.Ref]
		if bad && (d.Err == nil || !strings.Contains(d.Err.Error(), want)) || !bad && d.Err != nil {
			t.Errorf("%s: error %v, want %q", d.Ref, d.Err, want)
		}
	}
	if d := parseDoc(t, docs[0]); d.Title != "Incident a1" || !slices.Contains(kinds(d), ingest.KindRootCause) {
		t.Errorf("incident with nulls: title %q sections %v", d.Title, kinds(d))
	}
	if res.Cursor != "2024-01-05T00:00:00Z" {
		t.Errorf("cursor %q", res.Cursor)
	}
}

func TestHash(t *testing.T) {
	in := incident{ID: "a", Name: "n", Postmortem: "p", Updated: time.Unix(1, 0), Updates: []update{{Status: "resolved", Body: "b", Updated: time.Unix(1, 0)}}}
	h := hashIncident(&in, "https://s/incidents/a")
	later := in
	later.Updated = time.Unix(50, 0)
	later.Updates = []update{{Status: "resolved", Body: "b", Updated: time.Unix(50, 0)}}
	if hashIncident(&later, "https://s/incidents/a") != h {
		t.Error("updated_at alone changed the hash")
	}
	edited := in
	edited.Postmortem = "p, corrected"
	if hashIncident(&edited, "https://s/incidents/a") == h {
		t.Error("an edited postmortem kept the hash")
	}
	if in.Updates[0].Updated != time.Unix(1, 0) {
		t.Error("hashing changed the incident")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		base, wantBase, wantErr string
	}{
		{"https://status.example.com", "https://status.example.com", ""},
		{"https://status.example.com/", "https://status.example.com", ""},
		{"https://status.example.com/api/v2/incidents.json", "https://status.example.com", ""},
		{"", "", "BaseURL is empty"},
		{"status.example.com", "", "want an http or https URL"},
	}
	for _, tt := range tests {
		s, err := New(Options{BaseURL: tt.base})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%q): %v, want %q", tt.base, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.base != tt.wantBase {
			t.Errorf("New(%q): %v, base %q", tt.base, err, s.base)
		}
	}
}

func TestBadCursor(t *testing.T) {
	p, srv := serve(t, fixture(t))
	s := newSource(t, Options{BaseURL: srv.URL})
	if _, _, err := fetch(t, s, "42"); err == nil || !strings.Contains(err.Error(), `cursor "42"`) || len(p.requests()) != 0 {
		t.Errorf("Fetch: %v after %d requests", err, len(p.requests()))
	}
}
