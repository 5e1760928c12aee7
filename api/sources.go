package api

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/ingest"
)

// Scheduler runs the configured sources.
type Scheduler interface {
	Sources() []ingest.SourceStatus
	RunNow(name string) error
}

// RunLog reads the record of ingest runs.
type RunLog interface {
	LastRuns(ctx context.Context) (map[string]ingest.Run, error)
	Runs(ctx context.Context, source string, limit int) ([]ingest.Run, error)
	Run(ctx context.Context, id int64) (*ingest.Run, error)
}

type sourceView struct {
	ingest.SourceStatus
	// Configured is false for a source known only from past runs (an
	// ad-hoc "secondstory ingest PATH"): it is not scheduled.
	Configured bool        `json:"configured"`
	LastRun    *ingest.Run `json:"last_run"`
}

// sources: GET /api/v1/sources
func (s *server) sources(c *gin.Context) {
	last, err := s.runs.LastRuns(c.Request.Context())
	if err != nil {
		fail(c, s.log, err)
		return
	}
	out := []sourceView{}
	for _, st := range s.scheduler.Sources() {
		v := sourceView{SourceStatus: st, Configured: true}
		if r, ok := last[st.Name]; ok {
			v.LastRun = &r
			delete(last, st.Name)
		}
		out = append(out, v)
	}
	// By name: map order would shuffle them from one request to the next.
	for _, name := range slices.Sorted(maps.Keys(last)) {
		r := last[name]
		out = append(out, sourceView{SourceStatus: ingest.SourceStatus{Name: name}, LastRun: &r})
	}
	c.JSON(http.StatusOK, gin.H{"sources": out})
}

// runSource: POST /api/v1/sources/:name/run
func (s *server) runSource(c *gin.Context) {
	name := c.Param("name")
	if err := s.scheduler.RunNow(name); err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"source": name, "status": "started"})
}

// sourceRuns: GET /api/v1/sources/:name/runs?limit
func (s *server) sourceRuns(c *gin.Context) {
	limit, err := intParam(c, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	runs, err := s.runs.Runs(c.Request.Context(), c.Param("name"), limit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	if runs == nil {
		runs = []ingest.Run{}
	}
	c.JSON(http.StatusOK, gin.H{"runs": runs})
}

// run: GET /api/v1/runs/:id, with the documents that failed and why.
func (s *server) run(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		fail(c, s.log, badRequestf("%q is not a run id", clip(c.Param("id"))))
		return
	}
	r, err := s.runs.Run(c.Request.Context(), id)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
