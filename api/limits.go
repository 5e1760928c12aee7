package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limits bound what one request, and one client, may cost. Zero fields
// take the defaults.
type Limits struct {
	// MaxBody caps a request body (413 beyond it); 64 KB.
	MaxBody int64
	// MaxQuery caps the query string (414 beyond it); 4 KB.
	MaxQuery int
	// HandlerTimeout is the deadline of every request's context; 10 s.
	HandlerTimeout time.Duration
	// SearchRate is how many searches (and logins) per second one client
	// address may make on average, SearchBurst how many at once; 5 and 20.
	SearchRate  float64
	SearchBurst int
	// RateClients bounds how many client addresses the rate limiter
	// remembers; 10,000.
	RateClients int
	// Now is the rate limiter's clock; time.Now when nil.
	Now func() time.Time
}

// Defaults of Limits.
const (
	DefaultMaxBody        = 64 << 10
	DefaultMaxQuery       = 4 << 10
	DefaultHandlerTimeout = 10 * time.Second
	DefaultSearchRate     = 5
	DefaultSearchBurst    = 20
	DefaultRateClients    = 10_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxQuery <= 0 {
		l.MaxQuery = DefaultMaxQuery
	}
	if l.HandlerTimeout <= 0 {
		l.HandlerTimeout = DefaultHandlerTimeout
	}
	if l.SearchRate <= 0 {
		l.SearchRate = DefaultSearchRate
	}
	if l.SearchBurst <= 0 {
		l.SearchBurst = DefaultSearchBurst
	}
	if l.RateClients <= 0 {
		l.RateClients = DefaultRateClients
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return l
}

// contentSecurityPolicy lets pages load only our own scripts, styles and
// images (and inline data: images, for charts), be framed by no one and
// post forms only to us.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders go on every response, JSON or page.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		c.Next()
	}
}

// baseContextKey holds, in the gin context, the request's context before
// the handler deadline, so that a route may set a longer one.
const baseContextKey = "base_context"

// bounds refuses oversized query strings and bodies, caps what a handler
// may read of a body, and puts the handler deadline on the request's
// context.
func bounds(l Limits) gin.HandlerFunc {
	return func(c *gin.Context) {
		if n := len(c.Request.URL.RawQuery); n > l.MaxQuery {
			abortWith(c, http.StatusRequestURITooLong, fmt.Sprintf("the query string is %d bytes; the limit is %d", n, l.MaxQuery))
			return
		}
		if c.Request.ContentLength > l.MaxBody {
			abortWith(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is %d bytes; the limit is %d", c.Request.ContentLength, l.MaxBody))
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, l.MaxBody)
		}
		base := c.Request.Context()
		c.Set(baseContextKey, base)
		ctx, cancel := context.WithTimeout(base, l.HandlerTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// withTimeout gives one route a deadline other than the handler timeout
// (a long export): v1.GET("/export", s.admin, withTimeout(5*time.Minute), s.export).
// The server's WriteTimeout must allow it too.
func withTimeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, _ := c.Get(baseContextKey)
		base, ok := v.(context.Context)
		if !ok {
			base = c.Request.Context()
		}
		ctx, cancel := context.WithTimeout(base, d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func abortWith(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Status: status, Message: msg}})
}

// isBodyTooLarge reports whether err is a read past the body limit.
func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// clientLimiter is a token bucket per client address, in a bounded map:
// clients idle long enough to have a full bucket again are forgotten,
// and when the map is full the least recently seen one is.
type clientLimiter struct {
	rate  rate.Limit
	burst int
	max   int
	idle  time.Duration
	now   func() time.Time

	mu        sync.Mutex
	clients   map[string]*clientBucket
	lastSweep time.Time
}

type clientBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimiter(l Limits) *clientLimiter {
	// A bucket idle for this long is full again: forgetting it changes
	// nothing for its client.
	idle := time.Duration(float64(l.SearchBurst) / l.SearchRate * float64(time.Second))
	idle = max(idle, time.Minute)
	return &clientLimiter{rate: rate.Limit(l.SearchRate), burst: l.SearchBurst, max: l.RateClients, idle: idle,
		now: l.Now, clients: map[string]*clientBucket{}}
}

// allow takes a token from key's bucket, or says how long to wait for one.
func (l *clientLimiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.idle/2 {
		l.sweep(now)
	}
	b := l.clients[key]
	if b == nil {
		if len(l.clients) >= l.max {
			l.sweep(now)
			if len(l.clients) >= l.max {
				l.evictOldest()
			}
		}
		b = &clientBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *clientLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.clients {
		if now.Sub(b.seen) > l.idle {
			delete(l.clients, k)
		}
	}
}

func (l *clientLimiter) evictOldest() {
	var oldest string
	var at time.Time
	for k, b := range l.clients {
		if oldest == "" || b.seen.Before(at) {
			oldest, at = k, b.seen
		}
	}
	delete(l.clients, oldest)
}

// size is how many clients are remembered.
func (l *clientLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey is the address a client is limited by: the connection's, not
// a header a client could forge; for IPv6 its /64, which one host
// usually holds whole.
func clientKey(c *gin.Context) string {
	ip := net.ParseIP(c.RemoteIP())
	if ip == nil {
		return c.Request.RemoteAddr
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// rateLimit answers 429 with Retry-After to a client past its rate.
func rateLimit(l *clientLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.allow(clientKey(c))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			abortWith(c, http.StatusTooManyRequests, fmt.Sprintf("too many requests from your address; try again in %d s", secs))
			return
		}
		c.Next()
	}
}
