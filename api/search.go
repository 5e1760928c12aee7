package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// Searcher is the search index.
type Searcher interface {
	Search(ctx context.Context, s index.Search) (*index.Results, error)
	Similar(ctx context.Context, d *ingest.Debrief, limit int) ([]index.SimilarHit, error)
}

// HitStore hydrates search hits.
type HitStore interface {
	Hits(ctx context.Context, ids []string) ([]analytics.Hit, error)
}

// searchEpochs are the first and last times the index can compare, a
// little inside what nanoseconds since 1970 reach.
var searchEpochs = [2]time.Time{time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)}

func clampTime(t time.Time) time.Time {
	switch {
	case t.IsZero():
		return t
	case t.Before(searchEpochs[0]):
		return searchEpochs[0]
	case t.After(searchEpochs[1]):
		return searchEpochs[1]
	}
	return t
}

// fragmentsPerHit is how many highlighted passages a hit shows.
const fragmentsPerHit = 3

// searchFilters maps request parameters to index facet fields.
var searchFilters = map[string]string{
	"source": "source", "severity": "severity", "service": "service", "team": "team", "tag": "tag",
	"year": "year", "category": "category", "depth": "depth", "covers": "covers",
}

type hitView struct {
	analytics.Hit
	Score     float64        `json:"score"`
	Fragments []fragmentView `json:"fragments"`
}

// fragmentView is a highlighted passage and the section it came from.
type fragmentView struct {
	Section ingest.SectionKind `json:"section"`
	Heading string             `json:"heading,omitempty"`
	index.Fragment
}

// search: GET /api/v1/search?q&source&severity&service&team&tag&year&category&depth&covers&from&to&sort&limit&offset
func (s *server) search(c *gin.Context) {
	start := time.Now()
	req, err := searchRequest(c)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	ctx := c.Request.Context()
	res, err := s.searcher.Search(ctx, req)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	ids := make([]string, len(res.Hits))
	score := map[string]float64{}
	for i, h := range res.Hits {
		ids[i], score[h.ID] = h.ID, h.Score
	}
	hits, err := s.hits.Hits(ctx, ids)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	views := make([]hitView, 0, len(hits))
	for _, h := range hits {
		if !h.RemovedAt.IsZero() {
			continue // removed since the index answered
		}
		views = append(views, hitView{Hit: h, Score: score[h.ID], Fragments: fragments(res.Highlighter, h.Sections)})
	}
	c.JSON(http.StatusOK, gin.H{
		"total": res.Total, "relaxed": res.Relaxed, "took_ms": float64(time.Since(start).Microseconds()) / 1000,
		"limit": req.Limit, "offset": req.Offset, "hits": views, "facets": res.Facets,
	})
}

// searchRequest reads and bounds a search's parameters.
func searchRequest(c *gin.Context) (index.Search, error) {
	var req index.Search
	q := c.Query("q")
	if len(q) > index.MaxQueryLength {
		return req, badRequestf("q is %d bytes long; the limit is %d", len(q), index.MaxQueryLength)
	}
	req.Query = q
	var err error
	if req.From, req.To, err = timeRange(c); err != nil {
		return req, err
	}
	// The index keeps dates as nanoseconds since 1970, which reach from
	// 1678 to 2262: a bound beyond them is moved to their edge, which
	// selects the same debriefs, rather than refused by the index.
	req.From, req.To = clampTime(req.From), clampTime(req.To)
	if req.Limit, err = intParam(c, "limit", defaultLimit, 1, maxLimit); err != nil {
		return req, err
	}
	if req.Offset, err = intParam(c, "offset", 0, 0, index.MaxOffset); err != nil {
		return req, err
	}
	switch c.DefaultQuery("sort", "relevance") {
	case "relevance":
	case "date":
		req.ByDate = true
	default:
		return req, badRequestf("sort must be relevance or date, got %q", clip(c.Query("sort")))
	}
	for param, field := range searchFilters {
		if vs := listParam(c, param); len(vs) > 0 {
			if req.Filters == nil {
				req.Filters = map[string][]string{}
			}
			req.Filters[field] = vs
		}
	}
	return req, nil
}

// fragments picks the best passages of a hit's sections: those with the
// most distinct query terms, shown in document order.
func fragments(h *index.Highlighter, sections []ingest.Section) []fragmentView {
	type cand struct {
		fragmentView
		order int
	}
	var cands []cand
	for i, sec := range sections {
		for _, f := range h.Fragments(sec.Text, fragmentsPerHit) {
			cands = append(cands, cand{fragmentView{Section: sec.Kind, Heading: sec.Heading, Fragment: f}, i*1000 + len(cands)})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return b.Distinct - a.Distinct })
	cands = cands[:min(len(cands), fragmentsPerHit)]
	slices.SortFunc(cands, func(a, b cand) int { return a.order - b.order })
	out := make([]fragmentView, len(cands))
	for i, c := range cands {
		out[i] = c.fragmentView
	}
	return out
}

type similarView struct {
	analytics.Hit
	Score            float64  `json:"score"`
	SharedTerms      []string `json:"shared_terms"`
	SharedCategories []string `json:"shared_categories"`
}

// similar: GET /api/v1/debriefs/:id/similar?limit
func (s *server) similar(c *gin.Context) {
	id := c.Param("id")
	if !validID(id) {
		fail(c, s.log, badRequestf("%q is not a debrief id (16 hexadecimal characters)", clip(id)))
		return
	}
	limit, err := intParam(c, "limit", 5, 1, 50)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	ctx := c.Request.Context()
	e, err := s.debriefs.Debrief(ctx, id)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	sim, err := s.searcher.Similar(ctx, e.Debrief, limit)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	ids := make([]string, len(sim))
	for i, h := range sim {
		ids[i] = h.ID
	}
	hits, err := s.hits.Hits(ctx, ids)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	byID := map[string]analytics.Hit{}
	for _, h := range hits {
		byID[h.ID] = h
	}
	var mine []string
	if e.Assessment != nil {
		mine = e.Assessment.FactorCategories()
	}
	out := []similarView{}
	for _, h := range sim {
		hit, ok := byID[h.ID]
		if !ok || !hit.RemovedAt.IsZero() {
			continue
		}
		shared := []string{}
		for _, cat := range hit.FactorCategories {
			if slices.Contains(mine, cat) {
				shared = append(shared, cat)
			}
		}
		terms := h.Shared
		if terms == nil {
			terms = []string{}
		}
		out = append(out, similarView{Hit: hit, Score: h.Score, SharedTerms: terms, SharedCategories: shared})
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "similar": out})
}
