package dashboards_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostileTitle is the title of testdata/hostile/2026-05-02-hostile-markup.txt.
const hostileTitle = `Checkout <script>window.__pwned = "title"</script> outage & <b>bold</b> claims`

// pagePaths are the pages every test visits.
func pagePaths(e *env, t testing.TB) []string {
	id := e.debriefID(t, hostileTitle)
	return []string{"/", "/search", "/search?q=dns+resolver", "/debriefs/" + id, "/factors", "/coverage", "/depth", "/sources", "/help", "/login",
		"/factors?interval=quarter&team=payments", "/coverage?offset=30", "/depth?from=2025-01-01&to=2025-12-31"}
}

// Without a browser: every page answers 200 with HTML, bad input answers
// 400 or 404 with a page that says what is wrong, and the API's endpoint
// list moved to /api/v1.
func TestPagesAnswer(t *testing.T) {
	e := newEnv(t)
	client := e.open.Client()
	for _, path := range pagePaths(e, t) {
		t.Run(path, func(t *testing.T) {
			resp := get(t, client, e.open.URL+path)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s = %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if strings.Contains(string(body), "style=") || strings.Contains(string(body), "<script") {
				t.Errorf("GET %s: the page has an inline style or a script, which the content security policy forbids", path)
			}
		})
	}
	for _, c := range []struct {
		path   string
		status int
		says   string
	}{
		{"/factors?from=2025-13-40", http.StatusBadRequest, "from must be a date"},
		{"/depth?from=2026-01-01&to=2025-01-01", http.StatusBadRequest, "must come before"},
		{"/coverage?interval=week", http.StatusBadRequest, "interval must be"},
		{"/search?q=%22never+closed", http.StatusBadRequest, "never closed"},
		{"/search?offset=-1", http.StatusBadRequest, "offset must be"},
		{"/debriefs/not-an-id", http.StatusNotFound, "16 hexadecimal"},
		{"/debriefs/0123456789abcdef", http.StatusNotFound, "no debrief with that id"},
	} {
		resp := get(t, client, e.open.URL+c.path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.says) {
			t.Errorf("GET %s = %d, want %d saying %q:\n%.600s", c.path, resp.StatusCode, c.status, c.says, body)
		}
	}
	resp := get(t, client, e.open.URL+"/api/v1")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"endpoints"`) {
		t.Errorf("GET /api/v1 = %d %.200s", resp.StatusCode, body)
	}
	// A page that does not exist: a page for a browser, JSON for the rest
	// and always under /api/.
	for _, c := range []struct {
		path, accept, contentType, says string
	}{
		{"/no-such-page", "text/html,application/xhtml+xml", "text/html", "There is no page at this address"},
		{"/no-such-page", "application/json", "application/json", "no such endpoint"},
		{"/api/v1/nope", "text/html", "application/json", "no such endpoint"},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.open.URL+c.path, nil)
		req.Header.Set("Accept", c.accept)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) || !strings.Contains(string(body), c.says) {
			t.Errorf("GET %s (Accept %s) = %d %s, want 404 %s saying %q:\n%.300s", c.path, c.accept, resp.StatusCode, resp.Header.Get("Content-Type"), c.contentType, c.says, body)
		}
	}
}

// With tokens: a page without a session goes to the login page, the
// login form's post sets a session that opens the pages, and "run now"
// needs an admin session from our own pages.
func TestPageAccess(t *testing.T) {
	e := newEnv(t)
	base := e.guarded.URL
	noRedirect := func(jar http.CookieJar) *http.Client {
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp := get(t, noRedirect(nil), base+"/factors?team=payments")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/factors?team=payments") {
		t.Fatalf("GET /factors without a session = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = get(t, noRedirect(nil), base+"/assets/style.css")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the stylesheet needs no session, got %d", resp.StatusCode)
	}
	// A script (a bearer token) gets 401, not a redirect.
	req, _ := http.NewRequest(http.MethodGet, base+"/depth", nil)
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong bearer token: %v %v", resp, err)
	}

	login := func(token string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := noRedirect(jar)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/session", strings.NewReader(url.Values{"token": {token}, "next": {"/sources"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources" {
			t.Fatalf("login = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return c
	}
	reader, lead := login(readToken), login(adminToken)
	resp = get(t, reader, base+"/sources")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "needs an admin token") || strings.Contains(string(body), "Run now") {
		t.Fatalf("the sources page for a read session = %d:\n%.400s", resp.StatusCode, body)
	}
	run := func(c *http.Client, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/sources/sample/run", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct {
		name   string
		client *http.Client
		origin string
		status int
	}{
		{"read session", reader, base, http.StatusForbidden},
		{"admin session from another site", lead, "http://evil.example", http.StatusForbidden},
		{"admin session without an origin", lead, "", http.StatusForbidden},
		{"admin session from our pages", lead, base, http.StatusSeeOther},
	} {
		if resp := run(c.client, c.origin); resp.StatusCode != c.status {
			t.Errorf("run now, %s = %d, want %d", c.name, resp.StatusCode, c.status)
		} else if c.status == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/sources?started=sample") {
			t.Errorf("run now redirects to %q", resp.Header.Get("Location"))
		}
	}
}

// Every panel of the Grafana dashboards asks the API for a figure it
// answers, and finds the columns it charts in the rows.
func TestGrafanaDashboards(t *testing.T) {
	e := newEnv(t)
	files, err := filepath.Glob("grafana/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("grafana/*.json: %v %v", files, err)
	}
	from := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	vars := strings.NewReplacer("${api}", e.open.URL, "${__from}", strconv.FormatInt(from, 10), "${__to}", strconv.FormatInt(to, 10),
		"${interval}", "quarter", "${source}", "", "${team}", "", "${service}", "", "${severity}", "", "${tag}", "")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var d struct {
				Title  string `json:"title"`
				Panels []struct {
					Title   string `json:"title"`
					Targets []struct {
						Datasource struct{ Type string }       `json:"datasource"`
						Type       string                      `json:"type"`
						Source     string                      `json:"source"`
						URL        string                      `json:"url"`
						Columns    []struct{ Selector string } `json:"columns"`
					} `json:"targets"`
				} `json:"panels"`
			}
			if err := json.Unmarshal(b, &d); err != nil || d.Title == "" || len(d.Panels) == 0 {
				t.Fatalf("%s: %v, %d panels", file, err, len(d.Panels))
			}
			for _, p := range d.Panels {
				for _, tg := range p.Targets {
					if tg.Datasource.Type != "yesoreyeram-infinity-datasource" || tg.Type != "json" || tg.Source != "url" {
						t.Errorf("%s: not an Infinity JSON URL query: %+v", p.Title, tg)
					}
					u := vars.Replace(tg.URL)
					if strings.Contains(u, "${") {
						t.Errorf("%s: a variable the dashboard does not define in %s", p.Title, tg.URL)
					}
					resp := get(t, e.open.Client(), u)
					var rows []map[string]any
					err := json.NewDecoder(resp.Body).Decode(&rows)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || err != nil || len(rows) == 0 {
						t.Errorf("%s: GET %s = %d, %d rows, %v", p.Title, u, resp.StatusCode, len(rows), err)
						continue
					}
					for _, c := range tg.Columns {
						if _, ok := rows[0][c.Selector]; !ok {
							t.Errorf("%s: the rows of %s have no %q", p.Title, tg.URL, c.Selector)
						}
					}
				}
			}
		})
	}
}
