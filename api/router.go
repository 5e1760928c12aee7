package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Options are what the API serves from.
type Options struct {
	Debriefs  DebriefStore
	Hits      HitStore
	Searcher  Searcher
	Runs      RunLog
	Scheduler Scheduler
	Analytics Analytics
	// Exporter, when set, serves GET /api/v1/export/{table}.csv (admin).
	Exporter Exporter
	// Ready reports whether the server can answer queries (the store is
	// open and the search index is in step with it).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// Auth, Limits and Metrics: see auth.go, limits.go and metrics.go.
	Auth    AuthOptions
	Limits  Limits
	Metrics *Metrics
	// Pages, when set, mounts the server-rendered pages (see pages.go).
	Pages func(PageRoutes)
}

type server struct {
	// pageNotFound is the pages' answer to a page that does not exist.
	pageNotFound gin.HandlerFunc
	debriefs     DebriefStore
	hits         HitStore
	searcher     Searcher
	runs         RunLog
	scheduler    Scheduler
	analytics    Analytics
	exporter     Exporter
	ready        func(ctx context.Context) error
	log          *slog.Logger
	// auth, limits, the rate limiters and metrics: see guard.go.
	auth          *authenticator
	limits        Limits
	searchLimiter *clientLimiter
	loginLimiter  *clientLimiter
	metrics       *Metrics
}

// New returns the gin engine with every API route. Pages are mounted on
// the same engine by their own package.
func New(opts Options) *gin.Engine {
	s := &server{debriefs: opts.Debriefs, hits: opts.Hits, searcher: opts.Searcher, runs: opts.Runs, scheduler: opts.Scheduler, analytics: opts.Analytics, exporter: opts.Exporter, ready: opts.Ready, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.guardWith(opts)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestID(), accessLog(s.log), s.metrics.middleware(), recovery(s.log), securityHeaders(), bounds(s.limits))
	r.NoRoute(s.notFound)
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Status: http.StatusMethodNotAllowed,
			Message: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path}})
	})

	r.GET("/api/v1", s.read, listEndpoints)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.read, s.readyz)
	if s.metrics != nil {
		r.GET("/metrics", s.read, gin.WrapH(s.metrics.Handler()))
	}
	r.POST("/api/v1/session", rateLimit(s.loginLimiter), s.login)
	r.DELETE("/api/v1/session", s.logout)
	r.POST("/api/v1/session/logout", s.logout) // for an HTML form, which cannot send DELETE

	// Every route of the group needs a read token; those that change
	// something add s.admin.
	v1 := r.Group("/api/v1", s.read)
	v1.GET("/sources", s.sources)
	v1.POST("/sources/:name/run", s.admin, s.runSource)
	v1.GET("/sources/:name/runs", s.sourceRuns)
	v1.GET("/runs/:id", s.run)
	v1.GET("/debriefs", s.listDebriefs)
	v1.GET("/debriefs/:id", s.debrief)
	v1.GET("/debriefs/:id/similar", s.similar)
	v1.GET("/search", rateLimit(s.searchLimiter), s.search)
	if s.analytics != nil {
		a := v1.Group("/analytics")
		a.GET("/factors", s.factors)
		a.GET("/factors/trend", s.factorTrend)
		a.GET("/factors/cooccurrence", s.cooccurrence)
		a.GET("/coverage", s.coverage)
		a.GET("/coverage/matrix", s.coverageMatrix)
		a.GET("/depth", s.depth)
		a.GET("/depth/review", s.depthReview)
		a.GET("/incidents", s.incidents)
		a.GET("/incidents/durations", s.durations)
	}
	if s.exporter != nil {
		v1.GET("/export/:file", s.admin, withTimeout(exportTimeout), s.export)
	}
	if opts.Pages != nil {
		opts.Pages(s.pageRoutes(r))
	}
	return r
}

// endpoints describes the API for a person or client that opens the root.
var endpoints = []gin.H{
	{"method": "GET", "path": "/api/v1/search", "about": "ranked search: q, source, severity, service, team, tag, year, category, depth, covers, from, to, sort, limit, offset"},
	{"method": "GET", "path": "/api/v1/debriefs/{id}/similar", "about": "debriefs most like one, with the terms and factor categories they share; limit"},
	{"method": "GET", "path": "/api/v1/debriefs", "about": "debriefs newest first; from, to, source, limit, offset, include_removed"},
	{"method": "GET", "path": "/api/v1/debriefs/{id}", "about": "one debrief: metadata, sections, timeline and assessment"},
	{"method": "GET", "path": "/api/v1/analytics/factors", "about": "recurring contributing factors: by=category|factor, min_debriefs (2), limit; filters from, to, source, team, service, severity, tag"},
	{"method": "GET", "path": "/api/v1/analytics/factors/trend", "about": "debriefs per factor category per period, with a rising flag; interval=month|quarter|year, recent; filters"},
	{"method": "GET", "path": "/api/v1/analytics/factors/cooccurrence", "about": "pairs of factor categories in the same debriefs, with lift; min_debriefs; filters"},
	{"method": "GET", "path": "/api/v1/analytics/coverage", "about": "share of debriefs covering each question category, overall or per interval; filters"},
	{"method": "GET", "path": "/api/v1/analytics/coverage/matrix", "about": "debriefs by question categories, for a heatmap; limit, offset; filters"},
	{"method": "GET", "path": "/api/v1/analytics/depth", "about": "beyond a single root cause: class counts, median score, blame and counterfactuals, overall or per interval; filters"},
	{"method": "GET", "path": "/api/v1/analytics/depth/review", "about": "single-root-cause debriefs to review, with reasons; limit, offset; filters"},
	{"method": "GET", "path": "/api/v1/analytics/incidents", "about": "debriefs by severity and source, overall or per interval; filters"},
	{"method": "GET", "path": "/api/v1/analytics/incidents/durations", "about": "duration and time to detect: median, p90, max, overall or per interval; filters"},
	{"method": "GET", "path": "/api/v1/export/{table}.csv", "about": "debriefs, factors, coverage or depth as CSV (admin)"},
	{"method": "GET", "path": "/api/v1/sources", "about": "configured sources, their schedule and last run"},
	{"method": "POST", "path": "/api/v1/sources/{name}/run", "about": "start a pass of a source now"},
	{"method": "GET", "path": "/api/v1/sources/{name}/runs", "about": "the latest runs of a source; limit"},
	{"method": "GET", "path": "/api/v1/runs/{id}", "about": "one run, with the documents that failed and why"},
	{"method": "GET", "path": "/healthz", "about": "the process is up"},
	{"method": "GET", "path": "/readyz", "about": "the store is open and the search index in step with it"},
	{"method": "POST", "path": "/api/v1/session", "about": "log in with a token (form or JSON): sets the session cookie pages use"},
	{"method": "DELETE", "path": "/api/v1/session", "about": "log out"},
}

// listEndpoints lists the endpoints.
func listEndpoints(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"name": "Second Story", "about": "analytics over incident debriefs", "endpoints": endpoints})
}

func (s *server) readyz(c *gin.Context) {
	if s.ready != nil {
		if err := s.ready(c.Request.Context()); err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready", "reason": err.Error()})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

const requestIDHeader = "X-Request-ID"

// requestID tags each request with an id, kept from the client when it is
// short and plain, so that log lines and responses can be matched.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !plainID(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set("request_id", id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func plainID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request. The query string is left out:
// it may hold what people searched for.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		log.Info("request", "method", c.Request.Method, "route", route, "status", c.Writer.Status(),
			"took", time.Since(start).Round(time.Microsecond), "bytes", c.Writer.Size(), "request_id", c.GetString("request_id"),
			"principal", principalName(c))
	}
}

// recovery answers 500 in the JSON error shape when a handler panics.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, v any) {
		log.Error("handler panicked", "route", c.FullPath(), "panic", v, "request_id", c.GetString("request_id"))
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{
			Status: http.StatusInternalServerError, Message: "internal error; the server log has the details"}})
	})
}
