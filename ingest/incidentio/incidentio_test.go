package incidentio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

type fakeDoc struct {
	id, title, status, incidentID string
	created, updated              time.Time
	editors                       []string
	markdown                      string
}

// api is incident.io on loopback: the post-mortem list (newest created
// first, after = the last id of a page, as the API pages) and content.
type api struct {
	mu    sync.Mutex
	docs  []*fakeDoc
	reqs  []request
	fault func(w http.ResponseWriter, r *http.Request) bool
	srv   *httptest.Server
}

type request struct{ path, auth, pageSize, after string }

func newAPI(t *testing.T, docs ...*fakeDoc) *api {
	a := &api{docs: docs}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) requests() []request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]request(nil), a.reqs...)
}

func (a *api) reset() {
	a.mu.Lock()
	a.reqs = nil
	a.mu.Unlock()
}

func (a *api) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.mu.Lock()
	a.reqs = append(a.reqs, request{path: r.URL.Path, auth: r.Header.Get("Authorization"), pageSize: q.Get("page_size"), after: q.Get("after")})
	fault := a.fault
	a.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch p := r.URL.Path; {
	case p == "/v1/postmortem_documents":
		docs := append([]*fakeDoc(nil), a.docs...)
		sort.SliceStable(docs, func(i, j int) bool { return docs[i].created.After(docs[j].created) })
		start := 0
		if after := q.Get("after"); after != "" {
			for i, d := range docs {
				if d.id == after {
					start = i + 1
				}
			}
		}
		size, _ := strconv.Atoi(q.Get("page_size"))
		if size <= 0 {
			size = 25
		}
		end := min(start+size, len(docs))
		list := []any{}
		for _, d := range docs[start:end] {
			var editors []any
			for _, e := range d.editors {
				editors = append(editors, map[string]any{"name": e, "email": strings.ToLower(e) + "@example.com", "id": "01E" + e, "role": "editor"})
			}
			list = append(list, map[string]any{
				"id": d.id, "title": d.title, "status": d.status, "type": "in_app", "incident_id": d.incidentID,
				"document_url":  "https://app.incident.io/acme/incidents/" + d.incidentID + "/post-mortems/" + d.id,
				"exported_urls": []string{}, "editors": editors,
				"created_at": d.created.Format(time.RFC3339Nano), "updated_at": d.updated.Format(time.RFC3339Nano),
			})
		}
		meta := map[string]any{"page_size": size}
		if end > start {
			meta["after"] = docs[end-1].id
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"postmortem_documents": list, "pagination_meta": meta})
	case strings.HasPrefix(p, "/v1/postmortem_documents/") && strings.HasSuffix(p, "/content"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1/postmortem_documents/"), "/content")
		for _, d := range a.docs {
			if d.id == id {
				_ = json.NewEncoder(w).Encode(map[string]any{"markdown": d.markdown})
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"type":"not_found","status":404,"errors":[{"code":"not_found","message":"Not found"}]}`)
	default:
		http.NotFound(w, r)
	}
}

type passOutcome struct {
	fetched  ingest.Fetched
	refs     []string
	debriefs map[string]ingest.Debrief
	failed   map[string]error
	parsed   int
}

// runPass does what the runner does with a source: Parse only documents
// whose hash differs from the one stored by an earlier pass (known, which
// it updates for documents that parsed).
func runPass(t *testing.T, src ingest.Source, cursor string, known map[string]string) (passOutcome, error) {
	t.Helper()
	out := passOutcome{debriefs: map[string]ingest.Debrief{}, failed: map[string]error{}}
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

var t0 = time.Date(2024, 4, 22, 14, 3, 51, 123_000_000, time.UTC)

func sampleDocs(t *testing.T) []*fakeDoc {
	md, err := os.ReadFile("testdata/content.md")
	if err != nil {
		t.Fatal(err)
	}
	return []*fakeDoc{
		{id: "01HVX3K2M9T4R8Q6P5N7B1C0DE", title: "INC-2041: Image thumbnails served blank", status: "in_review", incidentID: "01HVX1B2C3",
			created: time.Date(2024, 4, 19, 9, 0, 0, 0, time.UTC), updated: t0, editors: []string{"Ana Lima", "Ravi Menon"}, markdown: string(md)},
		{id: "01HT0000000000000000000002", title: "INC-1990 — Queue consumer crash loop", status: "completed", incidentID: "01HT1",
			created: time.Date(2024, 3, 30, 9, 0, 0, 0, time.UTC), updated: t0.Add(-200 * time.Hour), editors: []string{"Ravi Menon"},
			markdown: "## Summary\n\nA poison message crashed every consumer.\n\n## Root cause\n\nNo dead-letter queue.\n"},
		{id: "01HS0000000000000000000001", title: "Quarterly DR test findings", status: "completed", incidentID: "01HS1",
			created: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), updated: t0.Add(-900 * time.Hour),
			markdown: "## Summary\n\nFailover took 14 minutes, twice the target.\n"},
	}
}

func newSource(t *testing.T, a *api, o Options) *Source {
	t.Helper()
	o.BaseURL = a.srv.URL
	if o.Token == "" {
		o.Token = "inc_live_5d4c3b2a19"
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

func TestFetchListsAndConverts(t *testing.T) {
	a := newAPI(t, sampleDocs(t)...)
	src := newSource(t, a, Options{PageSize: 2})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.refs) != 3 || len(out.debriefs) != 3 {
		t.Fatalf("refs %v, debriefs %d, failures %v", out.refs, len(out.debriefs), out.failed)
	}
	if !out.fetched.Complete || out.fetched.Cursor != t0.Format(time.RFC3339Nano) {
		t.Errorf("fetched %+v", out.fetched)
	}
	lists, contents := 0, 0
	for _, r := range a.requests() {
		if r.auth != "Bearer inc_live_5d4c3b2a19" {
			t.Errorf("%s: Authorization %q", r.path, r.auth)
		}
		if r.path == "/v1/postmortem_documents" {
			lists++
			if r.pageSize != "2" {
				t.Errorf("page_size %q", r.pageSize)
			}
			if (lists == 2) != (r.after == "01HT0000000000000000000002") {
				t.Errorf("list %d: after %q", lists, r.after)
			}
		} else {
			contents++
		}
	}
	if lists != 2 || contents != 3 {
		t.Errorf("%d list and %d content requests, want 2 (a full page, then a short one, which is the last) and 3", lists, contents)
	}

	d := out.debriefs["postmortem/01HVX3K2M9T4R8Q6P5N7B1C0DE"]
	if d.Title != "Image thumbnails served blank" || d.Meta.Extra["incident_reference"] != "INC-2041" || d.Meta.Extra["incident_id"] != "01HVX1B2C3" {
		t.Errorf("title %q, extra %v", d.Title, d.Meta.Extra)
	}
	if d.URL != "https://app.incident.io/acme/incidents/01HVX1B2C3/post-mortems/01HVX3K2M9T4R8Q6P5N7B1C0DE" || d.Meta.Status != "in_review" {
		t.Errorf("url %q status %q", d.URL, d.Meta.Status)
	}
	if d.Meta.Severity != "SEV-2" || strings.Join(d.Meta.Services, ",") != "media-resizer,cdn-edge" || strings.Join(d.Meta.Authors, ",") != "Ana Lima,Ravi Menon" {
		t.Errorf("metadata %+v", d.Meta)
	}
	if want := time.Date(2024, 4, 18, 7, 55, 0, 0, time.UTC); !d.Times.Started.Equal(want) ||
		!d.Times.Published.Equal(time.Date(2024, 4, 19, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("times %+v", d.Times)
	}
	var kinds []string
	for _, s := range d.Sections {
		kinds = append(kinds, string(s.Kind))
	}
	if want := "other summary timeline contributing_factors action_items"; strings.Join(kinds, " ") != want {
		t.Errorf("kinds %q, want %q", strings.Join(kinds, " "), want)
	}
	if !strings.Contains(d.Text, "mentioned <script>alert(1)</script> as a test string") {
		t.Errorf("text %q", d.Text)
	}
	if d2 := out.debriefs["postmortem/01HT0000000000000000000002"]; d2.Title != "Queue consumer crash loop" || d2.Meta.Extra["incident_reference"] != "INC-1990" {
		t.Errorf("em dash title: %q %v", d2.Title, d2.Meta.Extra)
	}
}

func TestPassWithNothingNewCostsOneRequest(t *testing.T) {
	a := newAPI(t, sampleDocs(t)...)
	src := newSource(t, a, Options{})
	known := map[string]string{}
	first, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	a.reset()
	second, err := runPass(t, src, first.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if reqs := a.requests(); len(reqs) != 1 || reqs[0].pageSize != "250" {
		t.Fatalf("requests %+v, want one list request of page_size 250", reqs)
	}
	if second.parsed != 0 || second.fetched.Cursor != first.fetched.Cursor || !second.fetched.Complete {
		t.Errorf("parsed %d, fetched %+v", second.parsed, second.fetched)
	}
	// An older document edited: its content alone is fetched.
	a.mu.Lock()
	a.docs[2].updated = t0.Add(time.Hour)
	a.docs[2].markdown = "## Summary\n\nFailover took 14 minutes; the target is 7.\n"
	a.mu.Unlock()
	a.reset()
	third, err := runPass(t, src, second.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	reqs := a.requests()
	if third.parsed != 1 || len(reqs) != 2 || reqs[1].path != "/v1/postmortem_documents/01HS0000000000000000000001/content" {
		t.Errorf("parsed %d with %+v", third.parsed, reqs)
	}
	if third.fetched.Cursor != t0.Add(time.Hour).Format(time.RFC3339Nano) {
		t.Errorf("cursor %q", third.fetched.Cursor)
	}
}

func TestFullLastPageCostsOneMoreRequest(t *testing.T) {
	a := newAPI(t, sampleDocs(t)...)
	src := newSource(t, a, Options{PageSize: 3})
	out, err := runPass(t, src, "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	var lists []request
	for _, r := range a.requests() {
		if r.path == "/v1/postmortem_documents" {
			lists = append(lists, r)
		}
	}
	if len(lists) != 2 || lists[1].after != "01HS0000000000000000000001" || len(out.refs) != 3 {
		t.Errorf("lists %+v, refs %v", lists, out.refs)
	}
}

// A document whose content makes no debrief (empty, a template) is not
// stored, so the runner parses it every pass: its passOutcome is remembered
// and costs no request until the document changes.
func TestEmptyDocumentCostsNoRequestAgain(t *testing.T) {
	docs := sampleDocs(t)[:1]
	docs = append(docs, &fakeDoc{id: "01HW0000000000000000000009", title: "INC-2050: Draft", status: "in_progress", incidentID: "01HW1",
		created: t0, updated: t0, markdown: "  \n"})
	a := newAPI(t, docs...)
	src := newSource(t, a, Options{})
	known := map[string]string{}
	first, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.failed["postmortem/01HW0000000000000000000009"]; !errors.Is(err, ingest.ErrSkip) {
		t.Fatalf("draft: %v, want ErrSkip", err)
	}
	a.reset()
	second, err := runPass(t, src, first.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.requests()) != 1 || second.parsed != 1 || !errors.Is(second.failed["postmortem/01HW0000000000000000000009"], ingest.ErrSkip) {
		t.Errorf("%d requests, parsed %d, failed %v", len(a.requests()), second.parsed, second.failed)
	}
	a.mu.Lock()
	a.docs[1].updated, a.docs[1].markdown = t0.Add(time.Minute), "## Summary\n\nNow written.\n"
	a.mu.Unlock()
	third, err := runPass(t, src, second.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := third.debriefs["postmortem/01HW0000000000000000000009"]; !ok || d.Title != "Draft" {
		t.Errorf("written draft: %+v, %v", third.debriefs, third.failed)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	a := newAPI(t, sampleDocs(t)[:1]...)
	var once sync.Once
	a.fault = func(w http.ResponseWriter, r *http.Request) bool {
		hit := false
		once.Do(func() {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"type":"too_many_requests","status":429}`)
			hit = true
		})
		return hit
	}
	out, err := runPass(t, newSource(t, a, Options{}), "", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.debriefs) != 1 || len(a.requests()) != 3 {
		t.Errorf("%d debriefs with %d requests, want 1 with 3 (429, list, content)", len(out.debriefs), len(a.requests()))
	}
}

func TestServerErrors(t *testing.T) {
	a := newAPI(t, sampleDocs(t)...)
	failList, failContent := true, false
	a.fault = func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case failList && r.URL.Path == "/v1/postmortem_documents":
		case failContent && strings.HasSuffix(r.URL.Path, "01HT0000000000000000000002/content"):
		default:
			return false
		}
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"type":"internal_error","status":500}`)
		return true
	}
	src := newSource(t, a, Options{})
	known := map[string]string{}
	if _, err := runPass(t, src, "", known); err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "list post-mortems") {
		t.Fatalf("error %v, want the list failing with 500", err)
	}
	a.mu.Lock()
	failList, failContent = false, true
	a.mu.Unlock()
	out, err := runPass(t, src, "", known)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.failed["postmortem/01HT0000000000000000000002"]; err == nil || !strings.Contains(err.Error(), "500") || len(out.debriefs) != 2 {
		t.Fatalf("content 500: %v, %d debriefs", err, len(out.debriefs))
	}
	// A transient failure is not remembered: the next pass fetches again.
	a.mu.Lock()
	failContent = false
	a.mu.Unlock()
	out, err = runPass(t, src, out.fetched.Cursor, known)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.debriefs["postmortem/01HT0000000000000000000002"]; !ok || out.parsed != 1 {
		t.Errorf("retry: parsed %d, %v", out.parsed, out.failed)
	}
}

func TestGarbageFailsClearly(t *testing.T) {
	tests := []struct{ name, list, content, want string }{
		{"list not json", `<html>Bad gateway</html>`, "", "not a post-mortem list"},
		{"list of another shape", `{"incidents":[]}`, "", `no "postmortem_documents"`},
		{"document without id", `{"postmortem_documents":[{"title":"x"}]}`, "", "has no id"},
		{"content not json", `{"postmortem_documents":[{"id":"1","title":"x"}]}`, `markdown here`, "not post-mortem content"},
		{"content of another shape", `{"postmortem_documents":[{"id":"1","title":"x"}]}`, `{"body":"x"}`, `no "markdown"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAPI(t)
			a.fault = func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/content") {
					fmt.Fprint(w, tt.content)
				} else {
					fmt.Fprint(w, tt.list)
				}
				return true
			}
			out, err := runPass(t, newSource(t, a, Options{}), "", map[string]string{})
			if tt.content == "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "/v1/postmortem_documents") {
					t.Errorf("error %v, want the path and %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e := out.failed["postmortem/1"]; e == nil || !strings.Contains(e.Error(), tt.want) {
				t.Errorf("document error %v, want %q", e, tt.want)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    Options
		want string
	}{
		{"no token", Options{}, "Token"},
		{"page size", Options{Token: "t", PageSize: 251}, "PageSize"},
		{"base", Options{Token: "t", BaseURL: "api.incident.io"}, "BaseURL"},
		{"timeout", Options{Token: "t", Timeout: -time.Second}, "Timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %s", err, tt.want)
			}
		})
	}
	if _, err := New(Options{Token: "t"}); err != nil {
		t.Errorf("default base URL: %v", err)
	}
}

func TestDecodeFixtures(t *testing.T) {
	b, err := os.ReadFile("testdata/list.json")
	if err != nil {
		t.Fatal(err)
	}
	lp, err := decodeList(b)
	if err != nil {
		t.Fatal(err)
	}
	d := lp.Documents[0]
	if len(lp.Documents) != 1 || lp.Meta.After != d.ID || d.IncidentID == "" || d.Editors[0].Name != "Ana Lima" || d.Status != "in_review" {
		t.Errorf("decoded %+v", lp)
	}
	if md, err := decodeContent([]byte(`{"markdown":"# x\n"}`)); err != nil || md != "# x\n" {
		t.Errorf("content %q, %v", md, err)
	}
}
