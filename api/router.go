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
	// Ready reports whether the server can answer queries (the store is
	// open and the search index is in step with it).
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
}

type server struct {
	debriefs  DebriefStore
	hits      HitStore
	searcher  Searcher
	runs      RunLog
	scheduler Scheduler
	ready     func(ctx context.Context) error
	log       *slog.Logger
}

// New returns the gin engine with every API route. Pages are mounted on
// the same engine by their own package.
func New(opts Options) *gin.Engine {
	s := &server{debriefs: opts.Debriefs, hits: opts.Hits, searcher: opts.Searcher, runs: opts.Runs, scheduler: opts.Scheduler, ready: opts.Ready, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestID(), accessLog(s.log), recovery(s.log))
	r.NoRoute(notFound)
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Status: http.StatusMethodNotAllowed,
			Message: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path}})
	})

	r.GET("/", listEndpoints)
	r.GET("/api/v1", listEndpoints)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.readyz)

	v1 := r.Group("/api/v1")
	v1.GET("/sources", s.sources)
	v1.POST("/sources/:name/run", s.runSource)
	v1.GET("/sources/:name/runs", s.sourceRuns)
	v1.GET("/runs/:id", s.run)
	v1.GET("/debriefs", s.listDebriefs)
	v1.GET("/debriefs/:id", s.debrief)
	v1.GET("/debriefs/:id/similar", s.similar)
	v1.GET("/search", s.search)
	return r
}

// endpoints describes the API for a person or client that opens the root.
var endpoints = []gin.H{
	{"method": "GET", "path": "/api/v1/search", "about": "ranked search: q, source, severity, service, team, tag, year, category, depth, covers, from, to, sort, limit, offset"},
	{"method": "GET", "path": "/api/v1/debriefs/{id}/similar", "about": "debriefs most like one, with the terms and factor categories they share; limit"},
	{"method": "GET", "path": "/api/v1/debriefs", "about": "debriefs newest first; from, to, source, limit, offset, include_removed"},
	{"method": "GET", "path": "/api/v1/debriefs/{id}", "about": "one debrief: metadata, sections, timeline and assessment"},
	{"method": "GET", "path": "/api/v1/sources", "about": "configured sources, their schedule and last run"},
	{"method": "POST", "path": "/api/v1/sources/{name}/run", "about": "start a pass of a source now"},
	{"method": "GET", "path": "/api/v1/sources/{name}/runs", "about": "the latest runs of a source; limit"},
	{"method": "GET", "path": "/api/v1/runs/{id}", "about": "one run, with the documents that failed and why"},
	{"method": "GET", "path": "/healthz", "about": "the process is up"},
	{"method": "GET", "path": "/readyz", "about": "the store is open and the search index in step with it"},
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
			"took", time.Since(start).Round(time.Microsecond), "bytes", c.Writer.Size(), "request_id", c.GetString("request_id"))
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
