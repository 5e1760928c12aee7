package dashboards

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

const (
	resultsPerPage    = 20
	passagesPerResult = 3
)

// searchFacets are the index's facet fields as the search page offers
// them, in the order shown.
var searchFacets = []struct{ field, label string }{
	{"category", "Contributing factors"}, {"covers", "Questions the debrief covers"}, {"depth", "Depth"},
	{"severity", "Severity"}, {"source", "Source"}, {"team", "Team"}, {"service", "Service"}, {"tag", "Tag"}, {"year", "Year"},
}

type searchPage struct {
	base
	Q, Sort  string
	From, To string
	Hidden   []hidden
	Total    uint64
	Hits     []hitView
	Facets   []facetView
	Chips    []chip
	Pager    pager
	Error    string
	Years    figure
	Browsing bool
	Count    string
}

type hitView struct {
	analytics.Hit
	Href     string
	Passages []passage
	Summary  string
	Factors  []catLink
}

// passage is a highlighted passage of a result.
type passage struct {
	Section ingest.SectionKind
	Heading string
	HTML    template.HTML
}

type catLink struct{ Label, Href string }

type facetView struct {
	Field, Label string
	Values       []facetValue
	// More are the values past the first few, shown on request; MoreOpen
	// when one of them is a filter in use.
	More     []facetValue
	MoreOpen bool
}

// facetShown is how many values of a facet are listed before "more".
const facetShown = 8

type facetValue struct {
	Label    string
	Count    int
	Href     string
	Selected bool
}

// search: GET /search?q&sort&offset&from&to and the facet filters.
func (p *Pages) search(c *gin.Context) {
	q := c.Request.URL.Query()
	v := searchPage{base: p.base(c, "Search", "search"), Q: q.Get("q"), Sort: q.Get("sort"), From: q.Get("from"), To: q.Get("to")}
	if v.Q != "" {
		v.Title = "Search: " + clip(v.Q)
	}
	req, err := p.searchRequest(q)
	if err != nil {
		p.searchFailed(c, v, err)
		return
	}
	v.Browsing = strings.TrimSpace(req.Query) == ""
	ctx := c.Request.Context()
	res, err := p.runSearch(ctx, req)
	if err != nil {
		p.searchFailed(c, v, err)
		return
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	hits, err := p.opts.Debriefs.Hits(ctx, ids)
	if err != nil {
		p.fail(c, err)
		return
	}
	for _, h := range hits {
		if !h.RemovedAt.IsZero() {
			continue // removed since the index answered
		}
		hv := hitView{Hit: h, Href: "/debriefs/" + h.ID, Passages: passages(res.Highlighter, h.Sections)}
		if len(hv.Passages) == 0 {
			hv.Summary = trunc(firstText(h), 280)
		}
		for _, cat := range h.FactorCategories {
			hv.Factors = append(hv.Factors, catLink{Label: p.factorTitle(cat), Href: toggle(q, "category", cat)})
		}
		v.Hits = append(v.Hits, hv)
	}
	v.Total = res.Total
	n := int(min(res.Total, 1<<31))
	if v.Browsing {
		v.Count = countWords(n, "debrief", "debriefs") + ", newest first"
	} else {
		v.Count = countWords(n, "match", "matches")
		if res.Relaxed {
			v.Count += "; few debriefs have every word, so those come first and debriefs with some of the words follow"
		}
		if req.ByDate {
			v.Count += ", newest first"
		}
	}
	v.Facets = p.facetViews(q, res.Facets)
	v.Chips = p.searchChips(q)
	v.Hidden = carried(q, "q", "sort", "offset", "from", "to")
	prev, next := "Previous", "Next"
	v.Pager = pageOf("/search", q, req.Offset, resultsPerPage, int(min(res.Total, uint64(maxOffset+resultsPerPage))), prev, next)
	v.Years = p.yearsFigure(q, res.Facets["year"])
	p.render(c, http.StatusOK, "search", v)
}

// runSearch runs a search. Without words, filters or dates it is a
// listing of every debrief, newest first, which the store answers faster
// than the index, with the facet counts over every debrief kept in the
// facet cache.
func (p *Pages) runSearch(ctx context.Context, req index.Search) (*index.Results, error) {
	if strings.TrimSpace(req.Query) != "" || len(req.Filters) > 0 || !req.From.IsZero() || !req.To.IsZero() {
		return p.opts.Searcher.Search(ctx, req)
	}
	l, err := p.opts.Debriefs.Debriefs(ctx, analytics.ListFilter{Limit: req.Limit, Offset: req.Offset})
	if err != nil {
		return nil, err
	}
	facets, err := p.allFacets(ctx)
	if err != nil {
		return nil, err
	}
	res := &index.Results{Total: uint64(l.Total), Facets: facets}
	for _, d := range l.Debriefs {
		res.Hits = append(res.Hits, index.Hit{ID: d.ID})
	}
	return res, nil
}

// searchFailed shows the search page with what is wrong with the
// search: 400 for the request's own mistakes, the error page otherwise.
func (p *Pages) searchFailed(c *gin.Context, v searchPage, err error) {
	switch {
	case errors.Is(err, errBadFilter):
		v.Error = strings.TrimPrefix(err.Error(), errBadFilter.Error()+": ")
	case errors.Is(err, index.ErrBadSearch):
		v.Error = strings.TrimPrefix(err.Error(), index.ErrBadSearch.Error()+": ")
	default:
		p.fail(c, err)
		return
	}
	v.Chips = p.searchChips(c.Request.URL.Query())
	p.render(c, http.StatusBadRequest, "search", v)
}

// searchRequest reads and bounds a search from the URL.
func (p *Pages) searchRequest(q url.Values) (index.Search, error) {
	req := index.Search{Query: q.Get("q"), Limit: resultsPerPage}
	if len(req.Query) > maxQueryBytes {
		return req, badFilter("the search is %d bytes long; the limit is %d", len(req.Query), maxQueryBytes)
	}
	var err error
	if req.From, req.To, err = parseRange(strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))); err != nil {
		return req, err
	}
	if req.Offset, err = offsetParam(q); err != nil {
		return req, err
	}
	switch q.Get("sort") {
	case "", "relevance":
	case "date":
		req.ByDate = true
	default:
		return req, badFilter("sort must be relevance or date")
	}
	for _, f := range searchFacets {
		vs, err := listValues(q, f.field)
		if err != nil {
			return req, err
		}
		if len(vs) > 0 {
			if req.Filters == nil {
				req.Filters = map[string][]string{}
			}
			req.Filters[f.field] = vs
		}
	}
	return req, nil
}

// passages picks a hit's best highlighted passages: those with the most
// distinct query terms, in document order.
func passages(h *index.Highlighter, sections []ingest.Section) []passage {
	type cand struct {
		p        passage
		distinct int
		order    int
	}
	var cands []cand
	for i, sec := range sections {
		for _, f := range h.Fragments(sec.Text, passagesPerResult) {
			// f.HTML is safe to print as it is: the highlighter escapes
			// every byte of the debrief's text (html.EscapeString) and
			// adds only <mark> and </mark> around matches, so the only
			// markup in it is ours.
			cands = append(cands, cand{passage{Section: sec.Kind, Heading: sec.Heading, HTML: template.HTML(f.HTML)}, f.Distinct, i*1000 + len(cands)})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].distinct > cands[b].distinct })
	cands = cands[:min(len(cands), passagesPerResult)]
	sort.Slice(cands, func(a, b int) bool { return cands[a].order < cands[b].order })
	out := make([]passage, len(cands))
	for i, c := range cands {
		out[i] = c.p
	}
	return out
}

// firstText is what a result shows without a query: its summary, else
// the start of its first section.
func firstText(h analytics.Hit) string {
	if h.Summary.Summary != "" {
		return h.Summary.Summary
	}
	for _, s := range h.Sections {
		if t := strings.TrimSpace(s.Text); t != "" {
			return t
		}
	}
	return ""
}

// toggle links to the search with one facet value added, or removed when
// already there, from the first page.
func toggle(q url.Values, field, value string) string {
	out := without(q, "offset", q.Get("offset"))
	if slices.Contains(q[field], value) {
		out = without(out, field, value)
	} else {
		out.Add(field, value)
	}
	return link("/search", out)
}

// facetLabel is how a facet value reads.
func (p *Pages) facetLabel(field, value string) string {
	switch field {
	case "category":
		return p.factorTitle(value)
	case "covers":
		return p.questionTitle(value)
	case "depth":
		return depthTitle(value)
	}
	return value
}

func (p *Pages) facetViews(q url.Values, facets map[string][]index.FacetCount) []facetView {
	var out []facetView
	for _, f := range searchFacets {
		if f.field == "year" {
			continue // drawn as a chart
		}
		fv := facetView{Field: f.field, Label: f.label}
		shown := map[string]bool{}
		for _, c := range facets[f.field] {
			shown[c.Value] = true
			fv.Values = append(fv.Values, facetValue{Label: p.facetLabel(f.field, c.Value), Count: c.Count,
				Href: toggle(q, f.field, c.Value), Selected: slices.Contains(q[f.field], c.Value)})
		}
		// A filter whose value no result has is still listed, so it can
		// be taken off.
		for _, v := range q[f.field] {
			if !shown[v] {
				fv.Values = append(fv.Values, facetValue{Label: p.facetLabel(f.field, v), Href: toggle(q, f.field, v), Selected: true})
			}
		}
		if len(fv.Values) > facetShown {
			fv.Values, fv.More = fv.Values[:facetShown], fv.Values[facetShown:]
			for _, v := range fv.More {
				fv.MoreOpen = fv.MoreOpen || v.Selected
			}
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

func (p *Pages) searchChips(q url.Values) []chip {
	var out []chip
	for _, f := range searchFacets {
		for _, v := range q[f.field] {
			out = append(out, chip{Label: f.label + ": " + p.facetLabel(f.field, v), Remove: toggle(q, f.field, v)})
		}
	}
	for _, b := range []struct{ name, label string }{{"from", "From "}, {"to", "Until "}} {
		if v := q.Get(b.name); v != "" {
			out = append(out, chip{Label: b.label + v, Remove: link("/search", without(without(q, "offset", q.Get("offset")), b.name, v))})
		}
	}
	return out
}

// carried are the facet filters of q as hidden fields, so that a new
// query typed in the box keeps them.
func carried(q url.Values, skip ...string) []hidden {
	var out []hidden
	for _, f := range searchFacets {
		if slices.Contains(skip, f.field) {
			continue
		}
		for _, v := range q[f.field] {
			out = append(out, hidden{f.field, v})
		}
	}
	return out
}

// yearsFigure draws the results per year; a bar narrows the search to
// its year.
func (p *Pages) yearsFigure(q url.Values, years []index.FacetCount) figure {
	fig := figure{ID: "years", Title: "Results by year", Note: "Select a year to keep only its debriefs."}
	if len(years) == 0 {
		fig.Empty = "No dated results."
		return fig
	}
	ys := slices.Clone(years)
	sort.Slice(ys, func(i, j int) bool { return ys[i].Value < ys[j].Value })
	cols := make([]column, len(ys))
	for i, y := range ys {
		cols[i] = column{Tick: tick{Full: y.Value, Short: y.Value}, Value: float64(y.Count), Href: toggle(q, "year", y.Value),
			Label: fmt.Sprintf("%s: %s", y.Value, countWords(y.Count, "result", "results"))}
	}
	desc := fmt.Sprintf("Results in %d years, from %s to %s.", len(ys), ys[0].Value, ys[len(ys)-1].Value)
	fig.Charts = []*svgChart{columnChart("years-both", fig.Title, desc, cols, 300, 150, "both")}
	return fig
}
