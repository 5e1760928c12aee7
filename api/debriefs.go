package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
)

// DebriefStore reads debriefs.
type DebriefStore interface {
	Debriefs(ctx context.Context, f analytics.ListFilter) (analytics.Listing, error)
	Debrief(ctx context.Context, id string) (*analytics.Entry, error)
}

// listDebriefs: GET /api/v1/debriefs?from&to&source&limit&offset&include_removed
func (s *server) listDebriefs(c *gin.Context) {
	from, to, err := timeRange(c)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	limit, offset, err := page(c)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	removed, err := boolParam(c, "include_removed")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	l, err := s.debriefs.Debriefs(c.Request.Context(), analytics.ListFilter{
		From: from, To: to, Sources: listParam(c, "source"), IncludeRemoved: removed,
		Limit: limit, Offset: offset,
	})
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": l.Total, "limit": limit, "offset": offset, "debriefs": l.Debriefs})
}

// debrief: GET /api/v1/debriefs/:id
func (s *server) debrief(c *gin.Context) {
	id := c.Param("id")
	if !validID(id) {
		fail(c, s.log, badRequestf("%q is not a debrief id (16 hexadecimal characters)", clip(id)))
		return
	}
	e, err := s.debriefs.Debrief(c.Request.Context(), id)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func validID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for _, r := range id {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func boolParam(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, badRequestf("%s must be true or false, got %q", name, clip(c.Query(name)))
}
