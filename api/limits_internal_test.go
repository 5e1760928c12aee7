package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestClientLimiter(t *testing.T) {
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := newClientLimiter(Limits{SearchRate: 1, SearchBurst: 2, RateClients: 3, Now: clock}.withDefaults())

	t.Run("a bucket per client", func(t *testing.T) {
		for _, key := range []string{"a", "b"} {
			for i := range 2 {
				if ok, _ := l.allow(key); !ok {
					t.Fatalf("%s: request %d refused within the burst", key, i+1)
				}
			}
			ok, wait := l.allow(key)
			if ok || wait != time.Second {
				t.Errorf("%s: past the burst: allowed %v, wait %v; want refused, 1s", key, ok, wait)
			}
		}
		now = now.Add(time.Second)
		if ok, _ := l.allow("a"); !ok {
			t.Error("a: refused after a token came back")
		}
	})

	t.Run("the map stays bounded", func(t *testing.T) {
		for i := range 50 {
			now = now.Add(time.Millisecond)
			l.allow(fmt.Sprintf("client-%d", i))
			if n := l.size(); n > 3 {
				t.Fatalf("%d clients remembered, the bound is 3", n)
			}
		}
		// The least recently seen went first: the last three remain.
		for i := 47; i < 50; i++ {
			if _, ok := l.clients[fmt.Sprintf("client-%d", i)]; !ok {
				t.Errorf("client-%d, among the latest, was evicted", i)
			}
		}
	})

	t.Run("idle clients are forgotten", func(t *testing.T) {
		now = now.Add(2 * time.Minute)
		l.allow("fresh")
		if n := l.size(); n != 1 {
			t.Errorf("%d clients remembered after the others idled, want 1", n)
		}
	})
}

func TestClientKey(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"192.0.2.7:51234", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[::1]:80", "::/64"},
	}
	for _, tt := range tests {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		c.Request.RemoteAddr = tt.remote
		// A forwarded header is not believed.
		c.Request.Header.Set("X-Forwarded-For", "203.0.113.9")
		if got := clientKey(c); got != tt.want {
			t.Errorf("%s: key %q, want %q", tt.remote, got, tt.want)
		}
	}
}

// TestDeadlines: every handler's context has the handler timeout as its
// deadline; a route with withTimeout has its own.
func TestDeadlines(t *testing.T) {
	r := New(Options{Limits: Limits{HandlerTimeout: 3 * time.Second}})
	deadline := func(c *gin.Context) {
		d, ok := c.Request.Context().Deadline()
		if !ok {
			c.String(http.StatusOK, "none")
			return
		}
		c.String(http.StatusOK, "%d", time.Until(d).Round(time.Hour)/time.Hour)
	}
	r.GET("/test/default", deadline)
	r.GET("/test/long", withTimeout(5*time.Hour), deadline)
	for path, want := range map[string]string{"/test/default": "0", "/test/long": "5"} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Body.String() != want {
			t.Errorf("%s: deadline in %s hours, want %s", path, w.Body.String(), want)
		}
	}
}
