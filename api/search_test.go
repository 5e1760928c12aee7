package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
)

var markup = fstest.MapFS{
	// Plain text keeps markup as text (Markdown would drop raw HTML).
	"2025-02-01-markup.txt": {Data: []byte("Search page showed markup\n\nDate: 2025-02-01\n\n" +
		"A product named <script>alert('x')</script> & <b>bold</b> broke the search page.\n")},
	"2025-02-08-queue.md": {Data: []byte("---\ndate: 2025-02-08T10:00:00Z\nseverity: sev3\n---\n\n# Email queue backed up\n\n## Summary\n\n" +
		"The email queue backed up after a deploy halved the worker pool.\n\n## Root cause\n\nA deploy halved the worker pool.\n")},
}

// searchResponse is the body of GET /api/v1/search, loosely typed where
// the tests look inside.
type searchResponse struct {
	Total   int                         `json:"total"`
	Relaxed bool                        `json:"relaxed"`
	TookMS  float64                     `json:"took_ms"`
	Limit   int                         `json:"limit"`
	Offset  int                         `json:"offset"`
	Hits    []map[string]any            `json:"hits"`
	Facets  map[string][]map[string]any `json:"facets"`
}

func TestSearch(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.pass(t, "notes", dirSource("notes", notes).Source)
	e.pass(t, "wiki", dirSource("wiki", markup).Source)

	var r searchResponse
	e.call(t, http.MethodGet, "/api/v1/search?q="+url.QueryEscape("queue backed up"), http.StatusOK, &r)
	if r.Total != 2 || len(r.Hits) != 2 || r.Limit != 20 {
		t.Fatalf("queue backed up: %+v", r)
	}
	titles := []string{r.Hits[0]["title"].(string), r.Hits[1]["title"].(string)}
	if !strings.Contains(strings.Join(titles, "|"), "Checkout queue backed up") {
		t.Errorf("titles %v", titles)
	}
	frags, _ := r.Hits[0]["fragments"].([]any)
	if len(frags) == 0 {
		t.Fatalf("no fragments in %v", r.Hits[0])
	}
	for _, h := range r.Hits {
		if h["started_at"] == nil || h["score"] == nil || h["id"] == nil {
			t.Errorf("hit lacks started_at, score or id: %v", h)
		}
	}
	f := frags[0].(map[string]any)
	if !strings.Contains(f["html"].(string), "<mark>queue</mark>") || f["section"] == "" {
		t.Errorf("fragment %v", f)
	}
	if len(r.Facets["source"]) != 2 || len(r.Facets["severity"]) == 0 {
		t.Errorf("facets %v", r.Facets)
	}

	// Filters and sorting.
	e.call(t, http.MethodGet, "/api/v1/search?q=queue&source=wiki", http.StatusOK, &r)
	if r.Total != 1 || r.Hits[0]["source"] != "wiki" {
		t.Errorf("source filter: %+v", r)
	}
	e.call(t, http.MethodGet, "/api/v1/search?q=queue&severity=SEV3", http.StatusOK, &r)
	if r.Total != 1 {
		t.Errorf("severity filter (stored as sev3): %d hits", r.Total)
	}
	e.call(t, http.MethodGet, "/api/v1/search?sort=date&limit=2", http.StatusOK, &r)
	if r.Total != 5 || len(r.Hits) != 2 || r.Hits[0]["title"] != "Cache stampede" {
		t.Errorf("empty query by date: total %d, hits %v", r.Total, r.Hits)
	}
	e.call(t, http.MethodGet, "/api/v1/search?q=queue&from=2025-02-01", http.StatusOK, &r)
	if r.Total != 1 {
		t.Errorf("from filter: %d hits", r.Total)
	}

	// Markup in a debrief is escaped in highlights.
	e.call(t, http.MethodGet, "/api/v1/search?q=script", http.StatusOK, &r)
	if r.Total != 1 {
		t.Fatalf("script: %d hits", r.Total)
	}
	html := r.Hits[0]["fragments"].([]any)[0].(map[string]any)["html"].(string)
	if strings.Contains(html, "<script") || strings.Contains(html, "<b>") || !strings.Contains(html, "&lt;<mark>script</mark>&gt;") {
		t.Errorf("markup not escaped: %s", html)
	}
	if strings.Count(html, "<") != strings.Count(html, "<mark>")+strings.Count(html, "</mark>") {
		t.Errorf("markup other than <mark> in %s", html)
	}
}

func TestSearchErrors(t *testing.T) {
	e := newEnv(t, envOptions{})
	tests := []struct{ query, msg string }{
		{"q=" + url.QueryEscape(`disk "full`), `this quote is never closed; add a closing " (at character 6)`},
		{"q=" + url.QueryEscape("colour:red"), `unknown field "colour"`},
		{"q=" + strings.Repeat("a", 1001), "q is 1001 bytes long; the limit is 1000"},
		{"limit=10000", "limit must be between 1 and 100, got 10000"},
		{"offset=-1", "offset must be between 0 and 10000, got -1"},
		{"sort=newest", `sort must be relevance or date, got "newest"`},
		{"from=yesterday", "from must be a date"},
		{"q=" + url.QueryEscape("t*"), "at least two letters"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 30)], func(t *testing.T) {
			var got errorShape
			e.call(t, http.MethodGet, "/api/v1/search?"+tt.query, http.StatusBadRequest, &got)
			if got.Error.Status != 400 || !strings.Contains(got.Error.Message, tt.msg) {
				t.Errorf("error %+v, want a 400 saying %q", got.Error, tt.msg)
			}
		})
	}
}

func TestSimilarEndpoint(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.pass(t, "notes", dirSource("notes", notes).Source)
	e.pass(t, "wiki", dirSource("wiki", markup).Source)
	var r struct {
		ID      string           `json:"id"`
		Similar []map[string]any `json:"similar"`
	}
	e.call(t, http.MethodGet, "/api/v1/debriefs/"+checkoutID+"/similar?limit=2", http.StatusOK, &r)
	if len(r.Similar) == 0 || r.Similar[0]["title"] != "Email queue backed up" {
		t.Fatalf("similar to the checkout queue: %+v", r.Similar)
	}
	shared, _ := r.Similar[0]["shared_terms"].([]any)
	joined := ""
	for _, s := range shared {
		joined += s.(string) + " "
	}
	for _, w := range []string{"queue", "pool", "deploy"} {
		if !strings.Contains(joined, w) {
			t.Errorf("shared terms %q lack %q", joined, w)
		}
	}
	if _, ok := r.Similar[0]["shared_categories"].([]any); !ok {
		t.Errorf("no shared_categories in %v", r.Similar[0])
	}
	e.wantError(t, http.MethodGet, "/api/v1/debriefs/0123456789abcdef/similar", http.StatusNotFound, "analytics: debrief 0123456789abcdef: not found")
	e.wantError(t, http.MethodGet, "/api/v1/debriefs/xyz/similar", http.StatusBadRequest, `"xyz" is not a debrief id (16 hexadecimal characters)`)
	e.wantError(t, http.MethodGet, "/api/v1/debriefs/"+checkoutID+"/similar?limit=500", http.StatusBadRequest, "limit must be between 1 and 50, got 500")
}

// Searches while a pass rewrites every debrief succeed, and each hit is
// one version of its debrief, never title of one and text of another.
func TestSearchDuringIngest(t *testing.T) {
	// Searches come as fast as they are answered: no rate limit here.
	e := newEnv(t, envOptions{limits: api.Limits{SearchRate: 1e6, SearchBurst: 1e6}})
	folder := t.TempDir()
	const n = 400
	write := func(version string) {
		for i := range n {
			body := fmt.Sprintf("# Outage %s number %d\n\n## Summary\n\nThe queue backed up; marker %s was seen in the logs of service %d.\n\n"+
				"## Root cause\n\nA deploy with marker %s halved the workers.\n", version, i, version, i, version)
			if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("2025-01-%02d-outage-%d.md", i%28+1, i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	src, err := dir.Open(folder, dir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	write("v1")
	e.pass(t, "outages", src)
	write("v2")
	done := make(chan *ingest.Run)
	go func() {
		run, err := e.runner.Run(context.Background(), "outages", src, nil)
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	version := regexp.MustCompile(`\bv[12]\b`)
	searches, mixed := 0, 0
	for finished := false; !finished; {
		select {
		case run := <-done:
			if run == nil || run.Updated != n {
				t.Errorf("second pass: %+v", run)
			}
			finished = true
		default:
		}
		var r searchResponse
		e.call(t, http.MethodGet, "/api/v1/search?q=marker&limit=50&offset="+strconv.Itoa(searches%8*50), http.StatusOK, &r)
		searches++
		for _, h := range r.Hits {
			seen := map[string]bool{version.FindString(h["title"].(string)): true}
			for _, f := range h["fragments"].([]any) {
				for _, v := range version.FindAllString(f.(map[string]any)["text"].(string), -1) {
					seen[v] = true
				}
			}
			if len(seen) != 1 {
				mixed++
				t.Errorf("hit %v mixes versions %v", h["title"], seen)
			}
		}
	}
	t.Logf("%d searches during the pass, %d hits mixing versions", searches, mixed)
	if searches < 2 {
		t.Errorf("only %d searches ran during the pass", searches)
	}
}
