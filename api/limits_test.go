package api_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/ingest"
)

func TestLimits(t *testing.T) {
	g := newGuarded(t, guardOptions{
		sources: []ingest.ScheduledSource{dirSource("notes", notes)},
		options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: testTokens()}
			o.Limits = api.Limits{MaxBody: 1 << 10, MaxQuery: 256}
		},
	})
	auth := bearer(readSecret)
	jsonBody := map[string]string{"Content-Type": "application/json"}

	tests := []struct {
		name   string
		r      request
		status int
		msg    string
	}{
		{"a body over the limit", request{method: "POST", path: "/api/v1/session", header: jsonBody, body: `{"token": "` + strings.Repeat("x", 2000) + `"}`},
			413, "the request body is 2013 bytes; the limit is 1024"},
		{"a body over the limit on a route that reads none", request{method: "POST", path: "/api/v1/sources/notes/run", header: auth, body: strings.Repeat("x", 1025)},
			413, "the limit is 1024"},
		{"a query string over the limit", request{method: "GET", path: "/api/v1/debriefs?source=" + strings.Repeat("a", 250), header: auth},
			414, "the query string is 257 bytes; the limit is 256"},
		{"a query string at the limit", request{method: "GET", path: "/api/v1/debriefs?source=" + strings.Repeat("a", 249), header: auth}, 200, ""},
		{"limit is bounded", request{method: "GET", path: "/api/v1/debriefs?limit=101", header: auth}, 400, "limit must be between 1 and 100"},
		{"offset is bounded", request{method: "GET", path: "/api/v1/search?q=queue&offset=10001", header: auth}, 400, "offset must be between 0 and 10000"},
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

	t.Run("a body of unknown length over the limit", func(t *testing.T) {
		// No Content-Length: the limit bites as the handler reads.
		body := io.MultiReader(strings.NewReader(`{"token": "`), strings.NewReader(strings.Repeat("y", 4000)), strings.NewReader(`"}`))
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, g.srv.URL+"/api/v1/session", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := g.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if req.ContentLength != 0 || resp.StatusCode != 413 {
			t.Fatalf("content length %d: status %d, want 413: %s", req.ContentLength, resp.StatusCode, b)
		}
		errorMessage(t, response{status: resp.StatusCode, body: b})
	})

	t.Run("security headers on every response", func(t *testing.T) {
		for _, r := range []request{
			{method: "GET", path: "/healthz"},
			{method: "GET", path: "/api/v1/debriefs"},
			{method: "GET", path: "/api/v1/debriefs", header: auth},
			{method: "GET", path: "/nowhere"},
			{method: "DELETE", path: "/healthz"},
			{method: "GET", path: "/api/v1/debriefs?x=" + strings.Repeat("a", 300), header: auth},
		} {
			h := g.do(t, r).header
			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"X-Frame-Options":         "DENY",
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("%s %s: %s = %q, want %q", r.method, r.path, k, got, v)
				}
			}
		}
	})

	t.Run("search is rate-limited per client", func(t *testing.T) {
		g := newGuarded(t, guardOptions{options: func(o *api.Options) {
			o.Auth = api.AuthOptions{Tokens: testTokens()}
			// One search every 100 s, two at once.
			o.Limits = api.Limits{SearchRate: 0.01, SearchBurst: 2}
		}})
		// Logins have a bucket of their own.
		for range 3 {
			g.do(t, request{method: "POST", path: "/api/v1/session", header: jsonBody, body: `{"token": "` + readSecret + `"}`})
		}
		for i := range 2 {
			if resp := g.do(t, request{method: "GET", path: "/api/v1/search?q=queue", header: auth}); resp.status != 200 {
				t.Fatalf("search %d: %d %s", i+1, resp.status, resp.body)
			}
		}
		resp := g.do(t, request{method: "GET", path: "/api/v1/search?q=queue", header: auth})
		if resp.status != http.StatusTooManyRequests {
			t.Fatalf("third search: %d, want 429", resp.status)
		}
		ra, err := strconv.Atoi(resp.header.Get("Retry-After"))
		if err != nil || ra < 90 || ra > 100 {
			t.Errorf("Retry-After %q, want about 100 seconds", resp.header.Get("Retry-After"))
		}
		if msg := errorMessage(t, resp); !strings.Contains(msg, "too many requests") {
			t.Errorf("message %q", msg)
		}
		// Other routes are not limited.
		for range 5 {
			if resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs", header: auth}); resp.status != 200 {
				t.Fatalf("listing after the search limit: %d", resp.status)
			}
		}
	})
}

func TestHandlerTimeout(t *testing.T) {
	// The deadline reaches the store and index calls: a search whose
	// context has ended answers 503, not a result.
	g := newGuarded(t, guardOptions{options: func(o *api.Options) { o.Limits = api.Limits{HandlerTimeout: time.Nanosecond} }})
	resp := g.do(t, request{method: "GET", path: "/api/v1/debriefs"})
	if resp.status != http.StatusServiceUnavailable || !strings.Contains(errorMessage(t, resp), "timed out") {
		t.Errorf("status %d %s, want 503 saying it timed out", resp.status, resp.body)
	}
}
