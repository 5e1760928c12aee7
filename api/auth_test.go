package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// Secrets of the tokens the access tests configure; none may appear in a
// log line.
const (
	readSecret  = "read-3f9c0a7e51b24d68a0c1"
	adminSecret = "admin-8e2b6d4f1a9c07e3b5d2"
	otherSecret = "read-0000000000000000000x"
)

func testTokens() []api.Token {
	return []api.Token{
		{Name: "dashboards", Role: api.RoleRead, Secret: readSecret},
		{Name: "ops", Role: api.RoleAdmin, Secret: adminSecret},
	}
}

// guarded is a server with access control, limits or metrics set up.
type guarded struct {
	*env
	handler http.Handler
	logs    *lockedBuffer
}

type guardOptions struct {
	sources []ingest.ScheduledSource
	// options adjusts the API's options (Auth, Limits, Metrics).
	options func(*api.Options)
	// runner adjusts the runner's options (Observer).
	runner func(*ingest.RunnerOptions)
	// dir, when set, holds the store and the index on disk.
	dir string
	tls bool
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newGuarded serves the API over a real DuckDB store and Bleve index on a
// loopback httptest server, with JSON logs kept for inspection.
func newGuarded(t testing.TB, o guardOptions) *guarded {
	t.Helper()
	ctx := context.Background()
	storePath, indexPath := "", ""
	if o.dir != "" {
		storePath, indexPath = o.dir+"/store.duckdb", o.dir+"/index.bleve"
	}
	st, err := analytics.Open(ctx, storePath, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	idx, err := index.Open(ctx, indexPath, st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := idx.Close(); err != nil {
			t.Error(err)
		}
	})
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	ro := ingest.RunnerOptions{Store: st, Index: idx, Assessor: assess.New(nil), Logger: log}
	if o.runner != nil {
		o.runner(&ro)
	}
	runner := ingest.NewRunner(ro)
	sched, err := ingest.NewScheduler(runner, o.sources, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := sched.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	opts := api.Options{Debriefs: st, Hits: st, Searcher: idx, Runs: st, Scheduler: sched, Analytics: st, Exporter: st, Logger: log}
	if o.options != nil {
		o.options(&opts)
	}
	h := api.New(opts)
	var srv *httptest.Server
	if o.tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return &guarded{env: &env{srv: srv, runner: runner, sched: sched}, handler: h, logs: logs}
}

// request is one request to send.
type request struct {
	method, path string
	header       map[string]string
	body         string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (g *guarded) do(t testing.TB, r request) response {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), r.method, g.srv.URL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	client := g.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// errorMessage checks that a response is in the one JSON error shape with
// its own status, and returns the message.
func errorMessage(t testing.TB, r response) string {
	t.Helper()
	var e errorShape
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error.Status != r.status || e.Error.Message == "" {
		t.Fatalf("status %d: body %s is not the JSON error shape (%v)", r.status, r.body, err)
	}
	return e.Error.Message
}

func bearer(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret}
}

func TestAccess(t *testing.T) {
	g := newGuarded(t, guardOptions{
		sources: []ingest.ScheduledSource{dirSource("notes", notes)},
		options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: testTokens()}
			o.Metrics = api.NewMetrics(api.MetricsOptions{})
		},
	})
	const (
		none  = ""
		read  = readSecret
		admin = adminSecret
		wrong = otherSecret
	)
	tests := []struct {
		name         string
		method, path string
		secret       string
		status       int
		challenge    string // the WWW-Authenticate header wanted on a 401
		msg          string // in the error message
	}{
		{"no token", "GET", "/api/v1/debriefs", none, 401, `Bearer realm="Second Story"`, "this endpoint needs a token"},
		{"wrong token", "GET", "/api/v1/debriefs", wrong, 401, `Bearer realm="Second Story", error="invalid_token"`, "the token is not valid"},
		{"read token on an admin route", "POST", "/api/v1/sources/notes/run", read, 403, "", "token dashboards has the read role; this endpoint needs admin"},
		{"no token on an admin route", "POST", "/api/v1/sources/notes/run", none, 401, `Bearer realm="Second Story"`, "needs a token"},
		{"wrong token on an admin route", "POST", "/api/v1/sources/notes/run", wrong, 401, `error="invalid_token"`, "not valid"},
		{"read token", "GET", "/api/v1/debriefs", read, 200, "", ""},
		{"admin token reads too", "GET", "/api/v1/sources", admin, 200, "", ""},
		{"read token on an export", "GET", "/api/v1/export/debriefs.csv", read, 403, "", "token dashboards has the read role; this endpoint needs admin"},
		{"no token on analytics", "GET", "/api/v1/analytics/depth", none, 401, `Bearer realm="Second Story"`, "needs a token"},
		{"read token on analytics", "GET", "/api/v1/analytics/depth", read, 200, "", ""},
		{"admin token on an admin route", "POST", "/api/v1/sources/notes/run", admin, 202, "", ""},
		{"search needs a token", "GET", "/api/v1/search?q=queue", none, 401, "Bearer", "needs a token"},
		{"healthz is open", "GET", "/healthz", none, 200, "", ""},
		{"readyz needs read", "GET", "/readyz", none, 401, "Bearer", "needs a token"},
		{"readyz with read", "GET", "/readyz", read, 200, "", ""},
		{"metrics need read", "GET", "/metrics", none, 401, "Bearer", "needs a token"},
		{"metrics with read", "GET", "/metrics", read, 200, "", ""},
		{"the endpoint list needs read", "GET", "/api/v1", none, 401, "Bearer", "needs a token"},
		{"login is open", "POST", "/api/v1/session", none, 400, "", "send the token as a form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request{method: tt.method, path: tt.path}
			if tt.secret != "" {
				r.header = bearer(tt.secret)
			}
			resp := g.do(t, r)
			if resp.status != tt.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.path, resp.status, tt.status, resp.body)
			}
			if got := resp.header.Get("WWW-Authenticate"); tt.status == 401 && !strings.HasPrefix(got, "Bearer") || !strings.Contains(got, tt.challenge) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status >= 400 {
				if msg := errorMessage(t, resp); !strings.Contains(msg, tt.msg) {
					t.Errorf("message %q, want it to contain %q", msg, tt.msg)
				}
			}
		})
	}

	t.Run("malformed Authorization headers", func(t *testing.T) {
		for _, h := range []string{"Basic " + readSecret, "Bearer", "Bearer    ", readSecret, "bearer " + readSecret + "x"} {
			resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: map[string]string{"Authorization": h}})
			if resp.status != 401 {
				t.Errorf("Authorization %q: status %d, want 401", h, resp.status)
			}
			errorMessage(t, resp)
		}
		// The scheme is case-insensitive.
		if resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: map[string]string{"Authorization": "bearer " + readSecret}}); resp.status != 200 {
			t.Errorf("lower-case bearer: status %d", resp.status)
		}
	})
}

// cookieOf returns the session cookie a response sets.
func cookieOf(t testing.TB, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "secondstory_session" {
			return c
		}
	}
	t.Fatalf("no session cookie set; headers %v", r.header)
	return nil
}

// clock is a settable time for session expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSession(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	key := []byte("a session key shared by two servers")
	g := newGuarded(t, guardOptions{
		sources: []ingest.ScheduledSource{dirSource("notes", notes)},
		options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: testTokens(), SessionKey: key, SessionLifetime: time.Hour, Now: clk.now}
		},
	})
	json := map[string]string{"Content-Type": "application/json"}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	login := func(t *testing.T, secret string) *http.Cookie {
		t.Helper()
		resp := g.do(t, request{method: "POST", path: "/api/v1/session", header: json, body: `{"token": "` + secret + `"}`})
		if resp.status != 200 {
			t.Fatalf("login: %d %s", resp.status, resp.body)
		}
		return cookieOf(t, resp)
	}
	withCookie := func(c *http.Cookie, more ...string) map[string]string {
		h := map[string]string{"Cookie": c.Name + "=" + c.Value}
		for i := 0; i+1 < len(more); i += 2 {
			h[more[i]] = more[i+1]
		}
		return h
	}

	t.Run("login sets a strict, HttpOnly cookie", func(t *testing.T) {
		resp := g.do(t, request{method: "POST", path: "/api/v1/session", header: json, body: `{"token": "` + readSecret + `"}`})
		if resp.status != 200 || !strings.Contains(string(resp.body), `"name":"dashboards"`) || !strings.Contains(string(resp.body), `"role":"read"`) {
			t.Fatalf("login: %d %s", resp.status, resp.body)
		}
		c := cookieOf(t, resp)
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" || c.MaxAge != 3600 {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP, Path=/, Max-Age=3600", c)
		}
		if strings.Contains(c.Value, readSecret) {
			t.Error("the cookie holds the token")
		}
	})

	read := login(t, readSecret)
	admin := login(t, adminSecret)
	tests := []struct {
		name   string
		r      request
		status int
		msg    string
	}{
		{"a read session reads", request{method: "GET", path: "/api/v1/debriefs", header: withCookie(read)}, 200, ""},
		{"a read session is not admin", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(read, "Origin", g.srv.URL)}, 403, "has the read role"},
		{"an admin session without Origin or Referer", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin)}, 403, "must carry an Origin or Referer"},
		{"an admin session from another site's Origin", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Origin", "https://evil.example")}, 403, "cross-site request refused"},
		{"an admin session from another site's Referer", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Referer", "https://evil.example/page")}, 403, "cross-site request refused"},
		{"an admin session with Origin null", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Origin", "null")}, 403, "cross-site request refused"},
		{"an admin session, Sec-Fetch-Site cross-site", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Sec-Fetch-Site", "cross-site", "Origin", g.srv.URL)}, 403, "Sec-Fetch-Site"},
		{"an admin session from our Origin", request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Origin", g.srv.URL)}, 202, ""},
		{"a bearer token needs no Origin", request{method: "GET", path: "/api/v1/sources/notes/runs", header: bearer(adminSecret)}, 200, ""},
		{"a tampered cookie", request{method: "GET", path: "/api/v1/debriefs", header: map[string]string{"Cookie": "secondstory_session=" + tamper(read.Value)}}, 401, "log in again"},
		{"a cookie that is not a session", request{method: "GET", path: "/api/v1/debriefs", header: map[string]string{"Cookie": "secondstory_session=hello"}}, 401, "log in again"},
		{"a wrong token at login", request{method: "POST", path: "/api/v1/session", header: json, body: `{"token": "` + otherSecret + `"}`}, 401, "not valid"},
		{"no token at login", request{method: "POST", path: "/api/v1/session", header: json, body: `{}`}, 400, "missing"},
		{"broken JSON at login", request{method: "POST", path: "/api/v1/session", header: json, body: `{"token": `}, 400, "must be JSON"},
		{"a login from another site", request{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}, body: "token=" + readSecret}, 403, "cross-site login refused"},
		{"a login form going elsewhere", request{method: "POST", path: "/api/v1/session", header: form, body: "token=" + readSecret + "&next=//evil.example/"}, 400, "next must be a path on this site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := g.do(t, tt.r)
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tt.status, resp.body)
			}
			if tt.status >= 400 {
				if msg := errorMessage(t, resp); !strings.Contains(msg, tt.msg) {
					t.Errorf("message %q, want %q in it", msg, tt.msg)
				}
			}
		})
	}

	t.Run("a login form goes to the page it names", func(t *testing.T) {
		resp := g.do(t, request{method: "POST", path: "/api/v1/session", header: form, body: "token=" + url.QueryEscape(adminSecret) + "&next=%2Fapi%2Fv1%2Fsources"})
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/api/v1/sources" {
			t.Fatalf("status %d, Location %q; want 303 to /api/v1/sources", resp.status, resp.header.Get("Location"))
		}
		if c := cookieOf(t, resp); c.Value == "" {
			t.Error("no session")
		}
	})

	t.Run("a login form with a wrong token goes back to the login page", func(t *testing.T) {
		resp := g.do(t, request{method: "POST", path: "/api/v1/session", header: form, body: "token=not-a-token&next=%2Fsearch%3Fq%3Ddisk"})
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/login?failed=1&next=%2Fsearch%3Fq%3Ddisk" {
			t.Fatalf("status %d, Location %q; want 303 to the login page, failed, with the page asked for", resp.status, resp.header.Get("Location"))
		}
		if len(resp.header.Values("Set-Cookie")) != 0 {
			t.Error("a session for a wrong token")
		}
	})

	t.Run("the log out form ends the session and goes to the login page", func(t *testing.T) {
		c := login(t, readSecret)
		resp := g.do(t, request{method: "POST", path: "/api/v1/session/logout", header: withCookie(c, "Content-Type", "application/x-www-form-urlencoded", "Origin", g.srv.URL)})
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/login" {
			t.Fatalf("status %d, Location %q; want 303 to /login", resp.status, resp.header.Get("Location"))
		}
		if got := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(c)}); got.status != http.StatusUnauthorized {
			t.Errorf("after logging out the session answers %d, want 401", got.status)
		}
	})

	t.Run("another server with the same key accepts the session", func(t *testing.T) {
		other := newGuarded(t, guardOptions{options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: testTokens(), SessionKey: key, Now: clk.now}
		}})
		if resp := other.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(read)}); resp.status != 200 {
			t.Errorf("status %d", resp.status)
		}
		// With another key, or with the token taken out of the
		// configuration, the session is over.
		for name, auth := range map[string]api.AuthOptions{
			"another key":     {Tokens: testTokens(), SessionKey: []byte("another key"), Now: clk.now},
			"token withdrawn": {Tokens: testTokens()[1:], SessionKey: key, Now: clk.now},
		} {
			s := newGuarded(t, guardOptions{options: func(o *api.Options) { o.Auth = auth }})
			if resp := s.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(read)}); resp.status != 401 {
				t.Errorf("%s: status %d, want 401", name, resp.status)
			}
		}
		// A token demoted to read keeps its sessions only as read.
		demoted := []api.Token{{Name: "ops", Role: api.RoleRead, Secret: adminSecret}}
		s := newGuarded(t, guardOptions{sources: []ingest.ScheduledSource{dirSource("notes", notes)}, options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: demoted, SessionKey: key, Now: clk.now}
		}})
		if resp := s.do(t, request{method: "POST", path: "/api/v1/sources/notes/run", header: withCookie(admin, "Origin", s.srv.URL)}); resp.status != 403 {
			t.Errorf("a demoted token's admin session: status %d, want 403", resp.status)
		}
	})

	t.Run("logout ends the session", func(t *testing.T) {
		c := login(t, readSecret)
		if resp := g.do(t, request{method: "DELETE", path: "/api/v1/session", header: withCookie(c, "Origin", "https://evil.example")}); resp.status != 403 {
			t.Errorf("a cross-site logout: status %d, want 403", resp.status)
		}
		resp := g.do(t, request{method: "DELETE", path: "/api/v1/session", header: withCookie(c, "Origin", g.srv.URL)})
		if resp.status != 200 || cookieOf(t, resp).MaxAge >= 0 {
			t.Fatalf("logout: %d, cookie %+v; want 200 and the cookie cleared", resp.status, cookieOf(t, resp))
		}
		if resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(c)}); resp.status != 401 {
			t.Errorf("the logged-out cookie: status %d, want 401", resp.status)
		}
		// Logging out without a session just clears the cookie.
		if resp := g.do(t, request{method: "DELETE", path: "/api/v1/session"}); resp.status != 200 {
			t.Errorf("logout without a session: %d", resp.status)
		}
	})

	t.Run("sessions expire", func(t *testing.T) {
		c := login(t, readSecret)
		clk.add(59 * time.Minute)
		if resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(c)}); resp.status != 200 {
			t.Errorf("before expiry: %d", resp.status)
		}
		clk.add(time.Minute)
		if resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: withCookie(c)}); resp.status != 401 {
			t.Errorf("after expiry: %d, want 401", resp.status)
		}
	})

	t.Run("the cookie is Secure over TLS", func(t *testing.T) {
		s := newGuarded(t, guardOptions{tls: true, options: func(o *api.Options) { o.Auth = api.AuthOptions{Tokens: testTokens()} }})
		resp := s.do(t, request{method: "POST", path: "/api/v1/session", header: json, body: `{"token": "` + readSecret + `"}`})
		if c := cookieOf(t, resp); !c.Secure {
			t.Errorf("cookie over TLS %+v, want Secure", c)
		}
	})
}

// tamper raises the role in a session cookie's payload to admin, keeping
// its signature.
func tamper(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return v + "x"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !bytes.Contains(payload, []byte(`"r":"read"`)) {
		return v + "x"
	}
	payload = bytes.Replace(payload, []byte(`"r":"read"`), []byte(`"r":"admin"`), 1)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

// TestNoTokens: without tokens the API is open, and the login says there
// is nothing to log in to.
func TestNoTokens(t *testing.T) {
	g := newGuarded(t, guardOptions{sources: []ingest.ScheduledSource{dirSource("notes", notes)}})
	for _, r := range []request{
		{method: "GET", path: "/api/v1/debriefs"},
		{method: "GET", path: "/readyz"},
		{method: "POST", path: "/api/v1/sources/notes/run"},
		// A token sent to a server without tokens is ignored.
		{method: "GET", path: "/api/v1/sources", header: bearer(otherSecret)},
	} {
		if resp := g.do(t, r); resp.status >= 400 {
			t.Errorf("%s %s: %d %s", r.method, r.path, resp.status, resp.body)
		}
	}
	resp := g.do(t, request{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/json"}, body: `{"token": "x"}`})
	if resp.status != 400 || !strings.Contains(errorMessage(t, resp), "no tokens configured") {
		t.Errorf("login without tokens: %d %s", resp.status, resp.body)
	}
}

// TestTokensNeverLogged sends every kind of request that carries a token
// and finds no secret in the log, while the access log names who asked.
func TestTokensNeverLogged(t *testing.T) {
	g := newGuarded(t, guardOptions{
		sources: []ingest.ScheduledSource{dirSource("notes", notes)},
		options: func(o *api.Options) { o.Auth = api.AuthOptions{Tokens: testTokens()} },
	})
	for _, r := range []request{
		{method: "GET", path: "/api/v1/debriefs", header: bearer(readSecret)},
		{method: "GET", path: "/api/v1/debriefs", header: bearer(otherSecret)},
		{method: "GET", path: "/api/v1/debriefs?limit=abc", header: bearer(readSecret)},
		{method: "POST", path: "/api/v1/sources/notes/run", header: bearer(readSecret)},
		{method: "GET", path: "/api/v1/debriefs", header: map[string]string{"Authorization": "Basic " + adminSecret}},
		{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/json"}, body: `{"token": "` + adminSecret + `"}`},
		{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/json"}, body: `{"token": "` + otherSecret + `"`},
		{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "token=" + otherSecret},
		{method: "GET", path: "/nowhere", header: bearer(adminSecret)},
	} {
		g.do(t, r)
	}
	g.srv.Close() // waits for the handlers, and so for their log lines
	logs := g.logs.String()
	for _, secret := range []string{readSecret, adminSecret, otherSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a token:\n%s", logs)
		}
	}
	for _, who := range []string{`"principal":"dashboards"`, `"principal":"ops"`} {
		if !strings.Contains(logs, who) {
			t.Errorf("the access log does not name %s:\n%s", who, logs)
		}
	}
}

// BenchmarkAuth measures what access control adds to a request, served
// in-process: compare open with bearer and cookie.
func BenchmarkAuth(b *testing.B) {
	open := newGuarded(b, guardOptions{})
	tokens := append(testTokens(), api.Token{Name: "ci", Role: api.RoleRead, Secret: "ci-5a1e9b7c3d2f4e6a8b0c"})
	auth := newGuarded(b, guardOptions{options: func(o *api.Options) { o.Auth = api.AuthOptions{Tokens: tokens} }})
	resp := auth.do(b, request{method: "POST", path: "/api/v1/session", header: map[string]string{"Content-Type": "application/json"}, body: `{"token": "` + readSecret + `"}`})
	cookie := cookieOf(b, resp)
	for _, bc := range []struct {
		name   string
		h      http.Handler
		header map[string]string
		status int
	}{
		{"open", open.handler, nil, 200},
		{"bearer", auth.handler, bearer(readSecret), 200},
		{"cookie", auth.handler, map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}, 200},
		{"wrong token", auth.handler, bearer(otherSecret), 401},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
			for k, v := range bc.header {
				req.Header.Set(k, v)
			}
			for b.Loop() {
				w := httptest.NewRecorder()
				bc.h.ServeHTTP(w, req)
				if w.Code != bc.status {
					b.Fatalf("status %d, want %d", w.Code, bc.status)
				}
			}
		})
	}
}
