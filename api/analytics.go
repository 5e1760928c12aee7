package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
)

// Analytics answers the figures across debriefs (analytics.Store).
type Analytics interface {
	FactorCategories(ctx context.Context, f analytics.Filter, minDebriefs int) ([]analytics.CategoryCount, error)
	RecurringFactors(ctx context.Context, f analytics.Filter, minDebriefs, limit int) ([]analytics.RecurringFactor, error)
	FactorTrend(ctx context.Context, f analytics.Filter, unit analytics.Interval, recent int) ([]analytics.TrendRow, error)
	Cooccurrence(ctx context.Context, f analytics.Filter, minDebriefs int) ([]analytics.Pair, error)
	Coverage(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.CoverageRow, error)
	CoverageMatrix(ctx context.Context, f analytics.Filter, limit, offset int) ([]analytics.MatrixRow, int, error)
	Depth(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.DepthRow, error)
	DepthReview(ctx context.Context, f analytics.Filter, limit, offset int) ([]analytics.ReviewRow, int, error)
	Incidents(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.IncidentCount, error)
	IncidentDurations(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.Durations, error)
}

// The parameters every analytics endpoint takes, and those of series.
var (
	filterParams = []string{"from", "to", "source", "team", "service", "severity", "tag"}
	seriesParams = append(slices.Clone(filterParams), "interval")
)

// Bounds on analytics requests.
const (
	maxFilterValues = 50
	maxFactorRows   = 1000
	maxMatrixRows   = 1000
	totalHeader     = "X-Total-Count"
)

// only checks that the request uses no parameter outside allowed, so that
// a misspelt one ("intervl") is an error rather than silently ignored.
func only(c *gin.Context, allowed ...string) error {
	for name := range c.Request.URL.Query() {
		if !slices.Contains(allowed, name) {
			return badRequestf("unknown parameter %q; this endpoint takes %s", clip(name), strings.Join(allowed, ", "))
		}
	}
	return nil
}

// analyticsFilter reads the filter parameters.
func analyticsFilter(c *gin.Context) (analytics.Filter, error) {
	var f analytics.Filter
	var err error
	if f.From, f.To, err = timeRange(c); err != nil {
		return f, err
	}
	for _, p := range []struct {
		name string
		dst  *[]string
	}{{"source", &f.Sources}, {"team", &f.Teams}, {"service", &f.Services}, {"severity", &f.Severities}, {"tag", &f.Tags}} {
		vs := listParam(c, p.name)
		if len(vs) > maxFilterValues {
			return f, badRequestf("%s takes at most %d values, got %d", p.name, maxFilterValues, len(vs))
		}
		for _, v := range vs {
			if len(v) > 200 {
				return f, badRequestf("a %s value is at most 200 bytes, got %d", p.name, len(v))
			}
		}
		*p.dst = vs
	}
	return f, nil
}

// analyticsRequest checks the parameters and reads the filter and, for a
// series, the interval (def when absent).
func analyticsRequest(c *gin.Context, series bool, def analytics.Interval, extra ...string) (analytics.Filter, analytics.Interval, error) {
	allowed := filterParams
	if series {
		allowed = seriesParams
	}
	if err := only(c, append(slices.Clone(allowed), extra...)...); err != nil {
		return analytics.Filter{}, "", err
	}
	f, err := analyticsFilter(c)
	if err != nil {
		return f, "", err
	}
	unit := def
	if raw, ok := c.GetQuery("interval"); ok && series {
		if unit, err = analytics.ParseInterval(raw); err != nil {
			return f, "", err
		}
		if unit == "" {
			unit = def
		}
	}
	return f, unit, nil
}

func (s *server) factors(c *gin.Context) {
	f, _, err := analyticsRequest(c, false, "", "by", "min_debriefs", "limit")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	minDebriefs, err := intParam(c, "min_debriefs", 2, 1, 1_000_000)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	switch by := c.DefaultQuery("by", "category"); by {
	case "category":
		if _, ok := c.GetQuery("limit"); ok {
			fail(c, s.log, badRequestf("limit applies to by=factor; by=category lists every category"))
			return
		}
		rows, err := s.analytics.FactorCategories(c.Request.Context(), f, minDebriefs)
		if err != nil {
			fail(c, s.log, err)
			return
		}
		c.JSON(http.StatusOK, rows)
	case "factor":
		limit, err := intParam(c, "limit", 100, 1, maxFactorRows)
		if err != nil {
			fail(c, s.log, err)
			return
		}
		rows, err := s.analytics.RecurringFactors(c.Request.Context(), f, minDebriefs, limit)
		if err != nil {
			fail(c, s.log, err)
			return
		}
		c.JSON(http.StatusOK, rows)
	default:
		fail(c, s.log, badRequestf("by must be category or factor, got %q", clip(by)))
	}
}

func (s *server) factorTrend(c *gin.Context) {
	f, unit, err := analyticsRequest(c, true, analytics.Month, "recent")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	recent, err := intParam(c, "recent", 0, 1, 1200)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.FactorTrend(c.Request.Context(), f, unit, recent)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}

func (s *server) cooccurrence(c *gin.Context) {
	f, _, err := analyticsRequest(c, false, "", "min_debriefs")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	minDebriefs, err := intParam(c, "min_debriefs", 1, 1, 1_000_000)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.Cooccurrence(c.Request.Context(), f, minDebriefs)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}

func (s *server) coverage(c *gin.Context) {
	f, unit, err := analyticsRequest(c, true, "")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.Coverage(c.Request.Context(), f, unit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}

// coverageMatrix answers one flat row per debrief: id, title, date, the
// number of categories covered, and one true/false column per question
// category, the shape a heatmap or a spreadsheet takes directly.
func (s *server) coverageMatrix(c *gin.Context) {
	f, _, err := analyticsRequest(c, false, "", "limit", "offset")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	limit, err := intParam(c, "limit", 100, 1, maxMatrixRows)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	offset, err := intParam(c, "offset", 0, 0, maxOffset)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, total, err := s.analytics.CoverageMatrix(c.Request.Context(), f, limit, offset)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	cats := assess.QuestionCategories()
	out := make([]gin.H, 0, len(rows))
	for _, r := range rows {
		h := gin.H{"id": r.ID, "title": r.Title, "date": r.Date, "covered": len(r.Covered)}
		for _, cat := range cats {
			h[cat] = slices.Contains(r.Covered, cat)
		}
		out = append(out, h)
	}
	c.Header(totalHeader, strconv.Itoa(total))
	c.JSON(http.StatusOK, out)
}

func (s *server) depth(c *gin.Context) {
	f, unit, err := analyticsRequest(c, true, "")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.Depth(c.Request.Context(), f, unit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}

func (s *server) depthReview(c *gin.Context) {
	f, _, err := analyticsRequest(c, false, "", "limit", "offset")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	limit, offset, err := page(c)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, total, err := s.analytics.DepthReview(c.Request.Context(), f, limit, offset)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.Header(totalHeader, strconv.Itoa(total))
	c.JSON(http.StatusOK, rows)
}

func (s *server) incidents(c *gin.Context) {
	f, unit, err := analyticsRequest(c, true, "")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.Incidents(c.Request.Context(), f, unit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}

func (s *server) durations(c *gin.Context) {
	f, unit, err := analyticsRequest(c, true, "")
	if err != nil {
		fail(c, s.log, err)
		return
	}
	rows, err := s.analytics.IncidentDurations(c.Request.Context(), f, unit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rows)
}
