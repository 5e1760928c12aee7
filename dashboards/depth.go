package dashboards

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/ingest"
)

// reviewRows is how many debriefs to revisit the depth page lists at a
// time.
const reviewRows = 20

type depthPage struct {
	base
	Filters filterBar
	Stats   []stat
	Beyond  figure
	Classes figure
	Review  []reviewRow
	Total   int
	Pager   pager
}

type reviewRow struct {
	analytics.ReviewRow
	Href string
}

// depth: GET /depth with the analytics filters and offset (of the review
// list).
func (p *Pages) depth(c *gin.Context) {
	var offset int
	f, unit, ok := p.seriesView(c, &offset)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	af := f.analytics()
	var (
		series, overall []analytics.DepthRow
		review          []analytics.ReviewRow
		total           int
		options         map[string][]string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { series, err = p.opts.Analytics.Depth(gctx, af, unit); return })
	g.Go(func() (err error) { overall, err = p.opts.Analytics.Depth(gctx, af, ""); return })
	g.Go(func() (err error) {
		review, total, err = p.opts.Analytics.DepthReview(gctx, af, reviewRows, offset)
		return
	})
	g.Go(func() (err error) { options, err = p.facetOptions(gctx); return })
	if err := g.Wait(); err != nil {
		p.fail(c, err)
		return
	}
	v := depthPage{base: p.base(c, "Depth", "depth"), Filters: p.filterBar("/depth", f, options, true), Total: total}
	var d analytics.DepthRow
	if len(overall) > 0 {
		d = overall[0]
	}
	if d.Assessed > 0 {
		v.Stats = []stat{
			{Value: pct(d.BeyondSingleShare), Label: "beyond a single root cause", Hint: fmt.Sprintf("of %s", countWords(d.Assessed, "assessed debrief", "assessed debriefs")), Href: f.searchLink(beyondDepths...)},
			{Value: num(d.MedianScore), Label: "median depth score", Hint: "out of 100; half the debriefs score higher", Href: "/help#score"},
			{Value: fmt.Sprint(d.WithCounterfactuals), Label: "with counterfactuals", Hint: "“should have”, “failed to”: hindsight, not what happened"},
			{Value: fmt.Sprint(d.WithBlame), Label: "with blame language", Hint: "“human error”, “careless”, a person as the cause"},
		}
	}
	v.Beyond = p.beyondFigure(f, unit, series, wideFull)
	v.Classes = p.classFigure(f, d)
	for _, r := range review {
		v.Review = append(v.Review, reviewRow{ReviewRow: r, Href: "/debriefs/" + r.ID})
	}
	v.Pager = pageOf("/depth", c.Request.URL.Query(), offset, reviewRows, total, "Newer", "Older")
	p.render(c, http.StatusOK, "depth", v)
}

// classFigure counts debriefs by depth class.
func (p *Pages) classFigure(f viewFilter, d analytics.DepthRow) figure {
	fig := figure{ID: "classes", Title: "How far debriefs go",
		Note: "Every assessed debrief falls in one of three classes, from a single root cause to contributing factors of several kinds.",
		More: "/help#classes", MoreText: "How a debrief is classed"}
	if d.Assessed == 0 {
		fig.Empty = "No assessed debriefs match these filters."
		return fig
	}
	classes := []struct {
		key string
		n   int
	}{{ingest.DepthSingleRootCause, d.SingleRootCause}, {ingest.DepthMultipleCauses, d.MultipleCauses}, {ingest.DepthContributingFactors, d.ContributingFactors}}
	var rows []hbar
	for _, c := range classes {
		share := float64(c.n) / float64(d.Assessed)
		rows = append(rows, hbar{Label: depthTitle(c.key), Value: share, ValueText: fmt.Sprintf("%d · %s", c.n, pct(share)),
			Class: "depth-" + c.key, Href: f.searchLink("depth", c.key),
			Aria: fmt.Sprintf("%s: %s, %s of assessed debriefs", depthTitle(c.key), countWords(c.n, "debrief", "debriefs"), pct(share))})
	}
	desc := fmt.Sprintf("Of %s: %d single root cause, %d several causes, %d contributing factors.",
		countWords(d.Assessed, "assessed debrief", "assessed debriefs"), d.SingleRootCause, d.MultipleCauses, d.ContributingFactors)
	fig.Charts = both(func(w float64, class string) *svgChart {
		return barList(fig.ID+"-"+class, fig.Title, desc, rows, 1, w, class)
	}, wideHalf)
	return fig
}
