package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is the fixed "now" of the tests: waits are recorded, not slept.
var testNow = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)

type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// newTestClient returns a client whose waits are recorded rather than
// slept and whose backoff has no jitter.
func newTestClient(t *testing.T, o Options) (*Client, *waits) {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.sleep = w.sleep
	c.now = func() time.Time { return testNow }
	c.jitter = func(d time.Duration) time.Duration { return d }
	return c, w
}

// reply is one scripted answer: a status, headers and a body.
type reply struct {
	status int
	header map[string]string
	body   string
}

// script serves the replies in order, the last one repeated, and counts
// requests.
func script(t *testing.T, replies ...reply) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(replies) {
			i = len(replies) - 1
		}
		rp := replies[i]
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		fmt.Fprint(w, rp.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetries(t *testing.T) {
	ok := reply{status: 200, body: `{"ok":true}`}
	date := testNow.Add(3 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name      string
		retries   int
		replies   []reply
		wantErr   string // "" means success
		wantReqs  int32
		wantWaits []time.Duration
	}{
		{"429 with Retry-After seconds", 0, []reply{{status: 429, header: map[string]string{"Retry-After": "1"}}, ok}, "", 2, []time.Duration{time.Second}},
		{"429 with Retry-After date", 0, []reply{{status: 429, header: map[string]string{"Retry-After": date}}, ok}, "", 2, []time.Duration{3 * time.Second}},
		{"429 with Retry-After date in the past", 0, []reply{{status: 429, header: map[string]string{"Retry-After": testNow.Add(-time.Hour).Format(http.TimeFormat)}}, ok}, "", 2, []time.Duration{0}},
		{"429 without Retry-After backs off", 0, []reply{{status: 429}, ok}, "", 2, []time.Duration{500 * time.Millisecond}},
		{"500 502 503 then success, exponential backoff", 0, []reply{{status: 500}, {status: 502}, {status: 503}, ok}, "", 4,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{"503 with Retry-After", 0, []reply{{status: 503, header: map[string]string{"Retry-After": "2"}}, ok}, "", 2, []time.Duration{2 * time.Second}},
		{"400 not retried", 0, []reply{{status: 400, body: `{"message":"bad since"}`}, ok}, "status 400 Bad Request: bad since", 1, nil},
		{"401 not retried", 0, []reply{{status: 401, body: `{"message":"Bad credentials"}`}, ok}, "status 401 Unauthorized: Bad credentials", 1, nil},
		{"403 not retried", 0, []reply{{status: 403}, ok}, "status 403 Forbidden", 1, nil},
		{"404 not retried", 0, []reply{{status: 404, body: "no such thing"}, ok}, "status 404 Not Found: no such thing", 1, nil},
		{"501 not retried", 0, []reply{{status: 501}, ok}, "status 501", 1, nil},
		{"retries exhausted", 0, []reply{{status: 502, body: "<html><body><h1>Bad gateway</h1></body></html>"}}, "GET /v1/things: status 502 Bad Gateway (after 5 attempts): Bad gateway", 5,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}},
		{"two retries configured", 2, []reply{{status: 500}}, "(after 3 attempts)", 3, []time.Duration{500 * time.Millisecond, time.Second}},
		{"no retries", -1, []reply{{status: 503}, ok}, "status 503", 1, nil},
		{"Retry-After over MaxWait gives up", 0, []reply{{status: 429, header: map[string]string{"Retry-After": "3600"}}, ok}, "asked to wait 1h0m0s, over the 1m0s cap", 1, nil},
		{"garbage Retry-After backs off", 0, []reply{{status: 429, header: map[string]string{"Retry-After": "soon"}}, ok}, "", 2, []time.Duration{500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := script(t, tt.replies...)
			c, w := newTestClient(t, Options{BaseURL: srv.URL, Retries: tt.retries})
			res, err := c.Get(context.Background(), "/v1/things", nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if string(res.Body) != `{"ok":true}` || res.Status != 200 {
					t.Errorf("response %d %q", res.Status, res.Body)
				}
			} else {
				if err == nil {
					t.Fatalf("Get succeeded, want error %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
				}
				var se *StatusError
				if !errors.As(err, &se) {
					t.Errorf("error %v is not a *StatusError", err)
				} else if se.Path != "/v1/things" || se.Method != "GET" {
					t.Errorf("StatusError names %s %s", se.Method, se.Path)
				}
			}
			if got := n.Load(); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			if fmt.Sprint(w.d) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits %v, want %v", w.d, tt.wantWaits)
			}
		})
	}
}

func TestRetryOnTransportError(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // no answer at all
			return
		}
		fmt.Fprint(w, "fine")
	}))
	defer srv.Close()
	c, w := newTestClient(t, Options{BaseURL: srv.URL})
	res, err := c.Get(context.Background(), "x", nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(res.Body) != "fine" || n.Load() != 2 || len(w.d) != 1 {
		t.Errorf("body %q after %d requests and waits %v, want fine after 2 and one wait", res.Body, n.Load(), w.d)
	}
}

func TestTransportErrorExhausted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens any more
	c, _ := newTestClient(t, Options{BaseURL: base, Retries: 2})
	_, err := c.Get(context.Background(), "/list", url.Values{"token": {"sekrit-query-token"}})
	if err == nil {
		t.Fatal("Get to a closed port succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "GET /list") || !strings.Contains(msg, "after 3 attempts") {
		t.Errorf("error %q should name the path and the attempts", msg)
	}
	if strings.Contains(msg, "sekrit") || strings.Contains(msg, "token=") {
		t.Errorf("error %q shows the query", msg)
	}
}

func TestMaxBody(t *testing.T) {
	big := strings.Repeat("x", 2000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"with Content-Length", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) }},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			for range 20 {
				fmt.Fprint(w, big[:100])
				w.(http.Flusher).Flush()
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				tt.handler(w, r)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, Options{BaseURL: srv.URL, MaxBody: 1000})
			_, err := c.Get(context.Background(), "big", nil)
			if err == nil || !strings.Contains(err.Error(), "over the 1000-byte limit") || !strings.Contains(err.Error(), "GET /big") {
				t.Errorf("error %v, want the body refused as over 1000 bytes", err)
			}
			if n.Load() != 1 {
				t.Errorf("%d requests: an oversized body must not be retried", n.Load())
			}
			c2, _ := newTestClient(t, Options{BaseURL: srv.URL, MaxBody: 2000})
			if res, err := c2.Get(context.Background(), "big", nil); err != nil || len(res.Body) != 2000 {
				t.Errorf("a body of exactly MaxBody: err %v", err)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		base, ref string
		q         url.Values
		want      string
		wantErr   string
	}{
		{"https://api.github.com", "/repos/o/r/issues", url.Values{"per_page": {"100"}}, "https://api.github.com/repos/o/r/issues?per_page=100", ""},
		{"https://ghe.example.com/api/v3", "/repos/o/r/issues", nil, "https://ghe.example.com/api/v3/repos/o/r/issues", ""},
		{"https://ghe.example.com/api/v3/", "repos/o/r/issues", nil, "https://ghe.example.com/api/v3/repos/o/r/issues", ""},
		{"https://ghe.example.com/api/v3", "/api/v3/repos/o/r/issues?page=2", nil, "https://ghe.example.com/api/v3/repos/o/r/issues?page=2", ""},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/repositories/9/issues?page=3&since=x", nil, "https://ghe.example.com/api/v3/repositories/9/issues?page=3&since=x", ""},
		{"https://ghe.example.com:443/api/v3", "https://GHE.example.com/x", nil, "https://GHE.example.com/x", ""},
		{"https://status.example.com", "", nil, "https://status.example.com/", ""},
		{"https://x.example.com/wiki", "rest/api/search?cql=a%3Db", url.Values{"limit": {"5"}}, "https://x.example.com/wiki/rest/api/search?cql=a%3Db&limit=5", ""},
		{"https://x.example.com", "/a?limit=1", url.Values{"limit": {"5"}}, "https://x.example.com/a?limit=5", ""},
		{"https://api.github.com", "https://evil.example.net/repos?page=2", nil, "", "refusing a link to https://evil.example.net"},
		{"https://api.github.com", "//evil.example.net/repos", nil, "", "refusing a link"},
		{"https://api.github.com", "http://api.github.com/repos", nil, "", "refusing a link"},
		{"https://api.github.com", "https://api.github.com:8443/repos", nil, "", "refusing a link"},
		{"https://api.github.com", "https://u:pw@api.github.com/repos", nil, "", "user:password"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.ref, func(t *testing.T) {
			c, err := New(Options{BaseURL: tt.base})
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.resolve(tt.ref, tt.q)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolve: %v, want error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tt.want {
				t.Errorf("resolve = %s, want %s", u, tt.want)
			}
		})
	}
}

func TestNextLinkToAnotherHostIsNotRequested(t *testing.T) {
	var other atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other.Add(1) }))
	defer evil.Close()
	srv, n := script(t, reply{status: 200, header: map[string]string{"Link": "<" + evil.URL + "/page2>; rel=\"next\""}, body: "[]"})
	c, _ := newTestClient(t, Options{BaseURL: srv.URL, Authorize: Bearer("tok")})
	res, err := c.Get(context.Background(), "/page1", nil)
	if err != nil {
		t.Fatal(err)
	}
	next := NextLink(res.Header)
	if next != evil.URL+"/page2" {
		t.Fatalf("NextLink = %q", next)
	}
	if _, err := c.Get(context.Background(), next, nil); err == nil || !strings.Contains(err.Error(), "refusing a link") {
		t.Errorf("Get(next on another host): %v, want it refused", err)
	}
	if other.Load() != 0 || n.Load() != 1 {
		t.Errorf("requests: %d to the other host, %d to ours", other.Load(), n.Load())
	}
}

func TestRedirectToAnotherHostRefused(t *testing.T) {
	var got atomic.Value
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
	}))
	defer evil.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/stolen", http.StatusFound)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, Options{BaseURL: srv.URL, Authorize: Bearer("tok-123456789"), Retries: -1})
	_, err := c.Get(context.Background(), "/x", nil)
	if err == nil || !strings.Contains(err.Error(), "redirect to another host") {
		t.Errorf("Get: %v, want the redirect refused", err)
	}
	if got.Load() != nil {
		t.Errorf("the other host was asked (Authorization %q)", got.Load())
	}
}

func TestCancelStopsWait(t *testing.T) {
	srv, n := script(t, reply{status: 429, header: map[string]string{"Retry-After": "30"}}, reply{status: 200, body: "too late"})
	c, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var asked time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		asked = d
		go cancel() // cancelled while the real wait runs
		return sleepCtx(ctx, d)
	}
	_, err = c.Get(ctx, "/x", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: %v, want context.Canceled", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 429 {
		t.Errorf("error %v should say what was being waited for (the 429)", err)
	}
	if n.Load() != 1 || asked != 30*time.Second {
		t.Errorf("%d requests after a wait of %v, want 1 after 30s", n.Load(), asked)
	}
}

func TestWaitPastDeadlineGivesUp(t *testing.T) {
	srv, n := script(t, reply{status: 503, header: map[string]string{"Retry-After": "30"}}, reply{status: 200})
	c, w := newTestClient(t, Options{BaseURL: srv.URL})
	c.now = time.Now // the deadline is a real one
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Get(ctx, "/x", nil)
	if err == nil || !strings.Contains(err.Error(), "would pass the deadline") {
		t.Errorf("Get: %v, want it to give up at once", err)
	}
	if n.Load() != 1 || len(w.d) != 0 {
		t.Errorf("%d requests, waits %v", n.Load(), w.d)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	const token, queryTok = "ghp_TOKEN0123456789abcdef", "query-secret-987654"
	tests := []struct {
		name      string
		authorize func(*http.Request)
		replies   []reply
	}{
		{"401 echoing the bearer token and the query", Bearer(token), []reply{{status: 401, body: `{"message":"token ` + token + ` with access_token=` + queryTok + ` is bad"}`}}},
		{"500 echoing the basic password", Basic("me@example.com", token), []reply{{status: 500, body: "password " + token + " rejected"}}},
		{"not JSON", Bearer(token), []reply{{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "<html>login"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := script(t, tt.replies...)
			c, _ := newTestClient(t, Options{BaseURL: srv.URL, Authorize: tt.authorize, Retries: -1})
			var v any
			_, err := c.GetJSON(context.Background(), "/api/list", url.Values{"access_token": {queryTok}}, &v)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, s := range []string{token, queryTok} {
				if strings.Contains(msg, s) {
					t.Errorf("error %q contains %q", msg, s)
				}
			}
			if !strings.Contains(msg, "/api/list") {
				t.Errorf("error %q does not name the path", msg)
			}
		})
	}
}

func TestGetJSON(t *testing.T) {
	tests := []struct {
		name    string
		rp      reply
		wantErr string
	}{
		{"object", reply{status: 200, body: `{"n": 3}`}, ""},
		{"html page", reply{status: 200, header: map[string]string{"Content-Type": "text/html; charset=utf-8"}, body: "<!DOCTYPE html><title>Sign in</title>"}, "an HTML page"},
		{"truncated", reply{status: 200, body: `{"n": `}, "unexpected end of JSON input"},
		{"wrong type", reply{status: 200, body: `{"n": "three"}`}, "cannot unmarshal string"},
		{"control characters are not quoted raw", reply{status: 200, body: "\x1b[31mnope\x00"}, `body starts "[31mnope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := script(t, tt.rp)
			c, _ := newTestClient(t, Options{BaseURL: srv.URL})
			var v struct{ N int }
			_, err := c.GetJSON(context.Background(), "/j", nil, &v)
			if tt.wantErr == "" {
				if err != nil || v.N != 3 {
					t.Fatalf("GetJSON: %v, n=%d", err, v.N)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "GET /j") {
				t.Errorf("GetJSON error %v, want one naming /j and %q", err, tt.wantErr)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	tests := []struct {
		name      string
		o         Options
		wantAuth  string
		wantAgent string
	}{
		{"no auth", Options{}, "", DefaultUserAgent},
		{"bearer", Options{Authorize: Bearer("t0k")}, "Bearer t0k", DefaultUserAgent},
		{"basic", Options{Authorize: Basic("a@b.c", "pw")}, "Basic YUBiLmM6cHc=", DefaultUserAgent},
		{"user agent", Options{UserAgent: "probe/1"}, "", "probe/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.BaseURL = srv.URL
			c, _ := newTestClient(t, tt.o)
			if _, err := c.Get(context.Background(), "/", nil); err != nil {
				t.Fatal(err)
			}
			if got.Get("Authorization") != tt.wantAuth || got.Get("User-Agent") != tt.wantAgent || got.Get("Accept") != "application/json" {
				t.Errorf("headers %v", got)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		o       Options
		wantErr string
	}{
		{Options{}, "BaseURL is empty"},
		{Options{BaseURL: "ftp://files.example.com"}, "want an http or https URL"},
		{Options{BaseURL: "api.github.com"}, "want an http or https URL"},
		{Options{BaseURL: "https://"}, "has no host"},
		{Options{BaseURL: "https://me:hunter2secret@example.com"}, "must not hold user:password"},
		{Options{BaseURL: "https://example.com/?token=abc"}, "must not carry a query"},
		{Options{BaseURL: "https://exa mple.com:x"}, "not a URL"},
		{Options{BaseURL: "https://example.com", Retries: -2}, "Retries -2"},
		{Options{BaseURL: "https://example.com", Timeout: -time.Second}, "Timeout"},
		{Options{BaseURL: "https://example.com", MaxWait: -time.Second}, "MaxWait"},
		{Options{BaseURL: "https://example.com", MaxBody: -1}, "MaxBody"},
		{Options{BaseURL: "https://example.com/api/v3/"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.o.BaseURL+tt.wantErr, func(t *testing.T) {
			_, err := New(tt.o)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestStatusErrorExcerpt(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{`{"message":"Not Found","documentation_url":"https://docs.example.com"}`, "Not Found"},
		{`{"errorMessages":["The value 'X' does not exist for the field 'project'."],"errors":{}}`, "The value 'X' does not exist for the field 'project'."},
		{`{"error":{"code":"invalid_grant","message":"token expired"}}`, "token expired"},
		{`{"errors":[{"message":"a"},{"message":"b"}]}`, "a; b"},
		{`{"error":"invalid api key"}`, "invalid api key"},
		{"<html><head><title>502</title></head><body>upstream\n\n  down</body></html>", "502 upstream down"},
		{strings.Repeat("é", 300), strings.Repeat("é", 200) + "…"},
		{"tab\there\x07bell", "tab herebell"},
	}
	for _, tt := range tests {
		if got := excerpt([]byte(tt.body), nil); got != tt.want {
			t.Errorf("excerpt(%.40q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
