package dashboards

import (
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/ingest"
)

type overviewPage struct {
	base
	Filters    filterBar
	Stats      []stat
	PerPeriod  figure
	Beyond     figure
	Factors    figure
	Least      figure
	LeastLinks []leastLink
	Sources    []sourceLine
}

// leastLink lists the debriefs that leave a question category out.
type leastLink struct{ Title, Href string }

// sourceLine is a source's last pass, as the overview lists it.
type sourceLine struct {
	Name, Href string
	Run        *ingest.Run
	Running    bool
}

// overview: GET / with the analytics filters.
func (p *Pages) overview(c *gin.Context) {
	f, unit, ok := p.seriesView(c, nil)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	af := f.analytics()
	var (
		perPeriod, total []analytics.IncidentCount
		depth, overall   []analytics.DepthRow
		cats             []analytics.CategoryCount
		cov              []analytics.CoverageRow
		options          map[string][]string
		last             map[string]ingest.Run
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { perPeriod, err = p.opts.Analytics.Incidents(gctx, af, unit); return })
	g.Go(func() (err error) { total, err = p.opts.Analytics.Incidents(gctx, af, ""); return })
	g.Go(func() (err error) { depth, err = p.opts.Analytics.Depth(gctx, af, unit); return })
	g.Go(func() (err error) { overall, err = p.opts.Analytics.Depth(gctx, af, ""); return })
	g.Go(func() (err error) { cats, err = p.opts.Analytics.FactorCategories(gctx, af, 2); return })
	g.Go(func() (err error) { cov, err = p.opts.Analytics.Coverage(gctx, af, ""); return })
	g.Go(func() (err error) { options, err = p.facetOptions(gctx); return })
	g.Go(func() (err error) { last, err = p.opts.Runs.LastRuns(gctx); return })
	if err := g.Wait(); err != nil {
		p.fail(c, err)
		return
	}

	v := overviewPage{base: p.base(c, "Overview", "overview"), Filters: p.filterBar("/", f, options, true)}
	debriefs := 0
	sources := map[string]bool{}
	for _, r := range total {
		debriefs += r.Debriefs
		sources[r.Source] = true
	}
	var d analytics.DepthRow
	if len(overall) > 0 {
		d = overall[0]
	}
	v.Stats = append(v.Stats, stat{Value: fmt.Sprint(debriefs), Label: plural(debriefs, "debrief", "debriefs"),
		Hint: fmt.Sprintf("from %s; %d assessed", countWords(len(sources), "source", "sources"), d.Assessed), Href: f.searchLink("sort", "date")})
	if d.Assessed > 0 {
		v.Stats = append(v.Stats, stat{Value: pct(d.BeyondSingleShare), Label: "beyond a single root cause",
			Hint: fmt.Sprintf("%d of %d assessed debriefs name more than one cause", d.Assessed-d.SingleRootCause, d.Assessed),
			Href: f.searchLink(beyondDepths...)})
		v.Stats = append(v.Stats, stat{Value: fmt.Sprint(d.SingleRootCause), Label: "stop at a single root cause",
			Hint: "worth revisiting with their authors", Href: link("/depth", f.values(true)) + "#review"})
		v.Stats = append(v.Stats, stat{Value: fmt.Sprint(d.WithBlame), Label: "use blame language",
			Hint: "“human error”, “careless” and the like", Href: link("/depth", f.values(true))})
	}
	if len(cats) > 0 {
		v.Stats = append(v.Stats, stat{Value: fmt.Sprint(len(cats)), Label: "kinds of factor recur",
			Hint: "most often: " + p.factorTitle(cats[0].Category), Href: link("/factors", f.values(true))})
	}

	v.PerPeriod = p.perPeriodFigure(f, unit, perPeriod)
	v.Beyond = p.beyondFigure(f, unit, depth, wideHalf)
	v.Factors = p.factorBars(f, cats, 8, wideHalf)
	v.Least = p.coverageBars(f, cov, true, 5, wideHalf)
	if v.Least.Empty == "" {
		least := slices.Clone(cov)
		sort.SliceStable(least, func(i, j int) bool { return least[i].Share < least[j].Share })
		for _, r := range least[:min(3, len(least))] {
			v.LeastLinks = append(v.LeastLinks, leastLink{Title: p.questionTitle(r.Category),
				Href: f.searchLink("q", "-covers:"+r.Category)})
		}
	}
	v.Sources = p.sourceLines(last)
	p.render(c, http.StatusOK, "overview", v)
}

// sourceLines are the scheduled sources, then those known only from past
// runs, each with its last pass.
func (p *Pages) sourceLines(last map[string]ingest.Run) []sourceLine {
	var out []sourceLine
	seen := map[string]bool{}
	if p.opts.Scheduler != nil {
		for _, s := range p.opts.Scheduler.Sources() {
			l := sourceLine{Name: s.Name, Href: "/sources#src-" + s.Name, Running: s.Running}
			if r, ok := last[s.Name]; ok {
				l.Run = &r
			}
			seen[s.Name] = true
			out = append(out, l)
		}
	}
	var rest []string
	for name := range last {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		r := last[name]
		out = append(out, sourceLine{Name: name, Href: "/sources#src-" + name, Run: &r})
	}
	return out
}
