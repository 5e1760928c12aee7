package index

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Search is a search request.
type Search struct {
	// Query is in the query language (see parseQuery); empty lists every
	// debrief matching the filters, newest first.
	Query string
	// Filters keep debriefs having one of the values given, per field:
	// source, severity, service, team, tag, year, category, depth, covers.
	Filters map[string][]string
	// From and To bound the debrief's date (From inclusive, To exclusive).
	From, To time.Time
	// ByDate sorts newest first instead of by relevance.
	ByDate        bool
	Limit, Offset int
}

// Facets are the fields a search counts values of.
func Facets() []string { return append([]string(nil), facetFields...) }

// Hit is one matching debrief: hydrate it from the store.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// FacetCount is how many matching debriefs have a value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Results are one page of a search.
type Results struct {
	Total  uint64                  `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
	Took   time.Duration           `json:"-"`
	// Highlighter finds the query's matches in a hit's text.
	Highlighter *Highlighter `json:"-"`
}

// Bounds of a search request.
const (
	MaxLimit   = 100
	MaxOffset  = 10_000
	facetSize  = 25
	maxFilters = 50
)

// ErrBadSearch wraps what is wrong with a search request (a *QueryError
// for the query itself).
var ErrBadSearch = errors.New("bad search")

// Search runs a search. Removed debriefs are not in the index, so never
// found.
func (x *Index) Search(ctx context.Context, s Search) (*Results, error) {
	start := time.Now()
	if s.Limit < 0 || s.Limit > MaxLimit || s.Offset < 0 || s.Offset > MaxOffset {
		return nil, fmt.Errorf("%w: limit must be 0 to %d and offset 0 to %d", ErrBadSearch, MaxLimit, MaxOffset)
	}
	clauses, err := parseQuery(s.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSearch, err)
	}
	c, err := x.compile(clauses)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSearch, err)
	}
	var filters []query.Query
	n := 0
	for field, values := range s.Filters {
		if !isFacetField(field) {
			return nil, fmt.Errorf("%w: no filter %q; filters are %v", ErrBadSearch, field, facetFields)
		}
		var qs []query.Query
		for _, v := range values {
			if n++; n > maxFilters {
				return nil, fmt.Errorf("%w: more than %d filter values", ErrBadSearch, maxFilters)
			}
			if !validFacet(v) {
				return nil, fmt.Errorf("%w: %s filter value %q is not a value this field holds", ErrBadSearch, field, clip(v))
			}
			tq := bleve.NewTermQuery(facetValue(field, v))
			tq.SetField(field)
			qs = append(qs, tq)
		}
		if len(qs) > 0 {
			filters = append(filters, disjunction(qs))
		}
	}
	if !s.From.IsZero() || !s.To.IsZero() {
		var from, to time.Time
		if !s.From.IsZero() {
			from = s.From.UTC()
		}
		if !s.To.IsZero() {
			to = s.To.UTC()
		}
		incl, excl := true, false
		dq := bleve.NewDateRangeInclusiveQuery(from, to, &incl, &excl)
		dq.SetField(fieldDate)
		filters = append(filters, dq)
	}

	// Filters decide which debriefs match but not how they rank.
	bq := query.NewBooleanQuery(c.must, nil, c.not)
	if len(c.should) > 0 {
		bq.AddShould(c.should...)
		if len(c.must) == 0 {
			bq.SetMinShould(1)
		}
	}
	if len(c.must) == 0 && len(c.should) == 0 {
		bq.AddMust(bleve.NewMatchAllQuery())
	}
	switch len(filters) {
	case 0:
	case 1:
		bq.AddFilter(filters[0])
	default:
		bq.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	var q query.Query = bq

	req := bleve.NewSearchRequestOptions(q, s.Limit, s.Offset, false)
	if s.ByDate || len(c.should) == 0 && len(c.must) == 0 {
		req.SortBy([]string{"-" + fieldDate, "-_score", "_id"})
	} else {
		req.SortBy([]string{"-_score", "-" + fieldDate, "_id"})
	}
	for _, f := range facetFields {
		req.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
	}

	x.mu.RLock()
	idx := x.idx
	if idx == nil {
		x.mu.RUnlock()
		return nil, errors.New("index: closed")
	}
	res, err := idx.SearchInContext(ctx, req)
	x.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	out := &Results{
		Total:       res.Total,
		Hits:        make([]Hit, len(res.Hits)),
		Facets:      map[string][]FacetCount{},
		Highlighter: &Highlighter{a: x.analyzer, terms: c.terms, prefixes: c.prefixes},
	}
	for i, h := range res.Hits {
		out.Hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	for name, fr := range res.Facets {
		counts := []FacetCount{}
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		out.Facets[name] = counts
	}
	out.Took = time.Since(start)
	return out, nil
}

// clip shortens what a client sent before it is echoed in a message.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r) + "…"
}
