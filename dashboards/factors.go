package dashboards

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"

	"github.com/secondstory/secondstory/analytics"
)

// Bounds of the factors page.
const (
	recurringShown   = 25
	examplesShown    = 2
	pairsShown       = 10
	matrixCategories = 10
	narrowPeriods    = 12
)

type factorsPage struct {
	base
	Filters   filterBar
	Bars      figure
	Trend     figure
	Rising    []string
	Pairs     figure
	PairRows  []pairRow
	Recurring []recurringRow
	Unit      string
}

type pairRow struct {
	A, B     string
	Debriefs int
	Lift     string
	Href     string
}

type recurringRow struct {
	analytics.RecurringFactor
	Categories []catLink
	Share      string
	Examples   []catLink
}

// factors: GET /factors with the analytics filters.
func (p *Pages) factors(c *gin.Context) {
	f, unit, ok := p.seriesView(c, nil)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	af := f.analytics()
	var (
		cats      []analytics.CategoryCount
		trend     []analytics.TrendRow
		pairs     []analytics.Pair
		recurring []analytics.RecurringFactor
		options   map[string][]string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { cats, err = p.opts.Analytics.FactorCategories(gctx, af, 2); return })
	g.Go(func() (err error) { trend, err = p.opts.Analytics.FactorTrend(gctx, af, unit, 0); return })
	g.Go(func() (err error) { pairs, err = p.opts.Analytics.Cooccurrence(gctx, af, 2); return })
	// The examples' titles come after the factors, beside the other
	// queries.
	titles := map[string]string{}
	g.Go(func() error {
		var err error
		if recurring, err = p.opts.Analytics.RecurringFactors(gctx, af, 2, recurringShown); err != nil {
			return err
		}
		var ids []string
		for _, r := range recurring {
			ids = append(ids, r.Examples[:min(len(r.Examples), examplesShown)]...)
		}
		if len(ids) == 0 {
			return nil
		}
		hits, err := p.opts.Debriefs.Hits(gctx, ids)
		for _, h := range hits {
			titles[h.ID] = h.Title
		}
		return err
	})
	g.Go(func() (err error) { options, err = p.facetOptions(gctx); return })
	if err := g.Wait(); err != nil {
		p.fail(c, err)
		return
	}
	v := factorsPage{base: p.base(c, "Contributing factors", "factors"), Filters: p.filterBar("/factors", f, options, true), Unit: unitWord(unit)}
	v.Bars = p.factorBars(f, cats, 0, wideHalf)
	v.Trend, v.Rising = p.trendFigure(f, unit, trend)
	v.Pairs, v.PairRows = p.pairsFigure(f, pairs)

	for _, r := range recurring {
		row := recurringRow{RecurringFactor: r, Share: pct(r.Share)}
		for _, cat := range r.Categories {
			row.Categories = append(row.Categories, catLink{Label: p.factorTitle(cat), Href: f.searchLink("category", cat)})
		}
		for _, id := range r.Examples[:min(len(r.Examples), examplesShown)] {
			if t, ok := titles[id]; ok {
				row.Examples = append(row.Examples, catLink{Label: t, Href: "/debriefs/" + id})
			}
		}
		v.Recurring = append(v.Recurring, row)
	}
	p.render(c, http.StatusOK, "factors", v)
}

// trendFigure is a heatmap of factor categories by period: how many of
// the period's assessed debriefs name each.
func (p *Pages) trendFigure(f viewFilter, unit analytics.Interval, rows []analytics.TrendRow) (figure, []string) {
	fig := figure{ID: "trend", Title: "Which factors come up, " + unitWord(unit) + " by " + unitWord(unit),
		Note: "Darker cells: a larger share of that " + unitWord(unit) + "’s assessed debriefs name a factor of this kind. " +
			"↑ marks a kind that is clearly rising lately.",
		More: "/help#rising", MoreText: "What rising means"}
	type series struct {
		cat    string
		total  int
		rising bool
		rows   []analytics.TrendRow
	}
	byCat := map[string]*series{}
	var order []*series
	for _, r := range rows {
		s := byCat[r.Category]
		if s == nil {
			s = &series{cat: r.Category}
			byCat[r.Category] = s
			order = append(order, s)
		}
		s.total += r.Debriefs
		s.rising = s.rising || r.Rising
		s.rows = append(s.rows, r)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].total > order[j].total })
	if len(order) == 0 || len(order[0].rows) == 0 {
		fig.Empty = "No assessed, dated debriefs with contributing factors match these filters."
		return fig, nil
	}
	var periods []time.Time
	for _, r := range order[0].rows {
		periods = append(periods, r.Period.Time())
	}
	tks := ticks(periods, unit)
	top := 0.0
	for _, s := range order {
		for _, r := range s.rows {
			top = max(top, r.Share)
		}
	}
	var rising []string
	draw := func(from int) ([]heatRow, []heatCol) {
		var hr []heatRow
		for _, s := range order {
			title := p.factorTitle(s.cat)
			label := title
			if s.rising {
				label = "↑ " + title
			}
			row := heatRow{Label: label}
			for i, r := range s.rows[from:] {
				at := from + i
				cell := heatCell{Level: level(r.Share, top),
					Label: fmt.Sprintf("%s, %s: %d of %d assessed debriefs (%s)", title, tks[at].Full, r.Debriefs, r.Assessed, pct(r.Share))}
				if r.Assessed == 0 {
					cell.Level = -1
					cell.Label = fmt.Sprintf("%s, %s: no assessed debriefs", title, tks[at].Full)
				}
				if r.Debriefs > 0 {
					cell.Href = f.periodLink(periods[at], unit, "category", s.cat)
				}
				row.Cells = append(row.Cells, cell)
			}
			hr = append(hr, row)
		}
		var cols []heatCol
		for i := from; i < len(tks); i++ {
			t := tks[i]
			if i == from {
				t.Year = fmt.Sprint(t.Start.Year())
				if unit == analytics.Year {
					t.Year = ""
				}
			}
			cols = append(cols, heatCol{Tick: t})
		}
		return hr, cols
	}
	for _, s := range order {
		if s.rising {
			rising = append(rising, p.factorTitle(s.cat))
		}
	}
	desc := fmt.Sprintf("%d kinds of factor over %d %ss.", len(order), len(periods), unitWord(unit))
	if len(rising) > 0 {
		desc += " Rising: " + joinAnd(rising) + "."
	}
	wideRows, wideCols := draw(0)
	narrowFrom := max(0, len(periods)-narrowPeriods)
	narrowRows, narrowCols := draw(narrowFrom)
	fig.Charts = []*svgChart{
		heatmap("trend-wide", fig.Title, desc, wideRows, wideCols, wideFull, 240, false, "wide"),
		heatmap("trend-narrow", fig.Title, desc, narrowRows, narrowCols, narrow, 130, false, "narrow"),
	}
	if narrowFrom > 0 {
		fig.Note += fmt.Sprintf(" On a small screen, the last %d %ss.", len(periods)-narrowFrom, unitWord(unit))
	}
	fig.Legend = []legendItem{{"cell l1", "few"}, {"cell l3", "some"}, {"cell l5", "most"}, {"cell none", "no assessed debriefs"}}
	return fig, rising
}

// joinAnd joins "a, b and c".
func joinAnd(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	out := ""
	for i, s := range l[:len(l)-1] {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out + " and " + l[len(l)-1]
}

// pairsFigure shows which kinds of factor come together: a matrix of the
// kinds in the most pairs, shaded by lift, and the pairs that go together
// most.
func (p *Pages) pairsFigure(f viewFilter, pairs []analytics.Pair) (figure, []pairRow) {
	fig := figure{ID: "pairs", Title: "Factors that come together",
		Note: "Each cell counts the debriefs naming both kinds; darker cells meet more often than chance would have them " +
			"(a lift above 1), pale ones less.",
		More: "/help#lift", MoreText: "About lift"}
	if len(pairs) == 0 {
		fig.Empty = "No two kinds of factor appear together in two or more of these debriefs yet."
		return fig, nil
	}
	pairHref := func(a, b string) string { return f.searchLink("q", "category:"+a+" category:"+b) }
	// The kinds in the most debriefs together.
	weight := map[string]int{}
	for _, pr := range pairs {
		weight[pr.A] += pr.Debriefs
		weight[pr.B] += pr.Debriefs
	}
	var cats []string
	for c := range weight {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if weight[cats[i]] != weight[cats[j]] {
			return weight[cats[i]] > weight[cats[j]]
		}
		return cats[i] < cats[j]
	})
	cats = cats[:min(len(cats), matrixCategories)]
	find := map[[2]string]analytics.Pair{}
	for _, pr := range pairs {
		find[[2]string{pr.A, pr.B}] = pr
		find[[2]string{pr.B, pr.A}] = pr
	}
	draw := func(cats []string) ([]heatRow, []heatCol) {
		var rows []heatRow
		var cols []heatCol
		for _, b := range cats {
			cols = append(cols, heatCol{Name: p.factorTitle(b)})
		}
		for _, a := range cats {
			row := heatRow{Label: p.factorTitle(a)}
			for _, b := range cats {
				pr, ok := find[[2]string{a, b}]
				switch {
				case a == b:
					row.Cells = append(row.Cells, heatCell{Level: -1, Label: p.factorTitle(a)})
				case !ok:
					row.Cells = append(row.Cells, heatCell{Level: 0, Label: fmt.Sprintf("%s with %s: fewer than 2 debriefs", p.factorTitle(a), p.factorTitle(b))})
				default:
					row.Cells = append(row.Cells, heatCell{Level: liftLevel(pr.Lift), Href: pairHref(a, b), Text: fmt.Sprint(pr.Debriefs),
						Label: fmt.Sprintf("%s with %s: %s together, lift %.1f", p.factorTitle(a), p.factorTitle(b), countWords(pr.Debriefs, "debrief", "debriefs"), pr.Lift)})
				}
			}
			rows = append(rows, row)
		}
		return rows, cols
	}
	desc := fmt.Sprintf("%d pairs of factor kinds found together in two or more debriefs.", len(pairs))
	wr, wc := draw(cats)
	nr, nc := draw(cats[:min(len(cats), 7)])
	fig.Charts = []*svgChart{
		heatmap("pairs-wide", fig.Title, desc, wr, wc, wideHalf, 200, false, "wide"),
		heatmap("pairs-narrow", fig.Title, desc, nr, nc, narrow, 120, false, "narrow"),
	}
	fig.Legend = []legendItem{{"cell l0", "less than chance"}, {"cell l2", "a little more"}, {"cell l5", "three times or more"}}
	if len(cats) > 7 {
		fig.Note += " On a small screen, the 7 kinds in the most pairs."
	}
	byLift := append([]analytics.Pair(nil), pairs...)
	sort.SliceStable(byLift, func(i, j int) bool {
		if byLift[i].Lift != byLift[j].Lift {
			return byLift[i].Lift > byLift[j].Lift
		}
		return byLift[i].Debriefs > byLift[j].Debriefs
	})
	var out []pairRow
	for _, pr := range byLift[:min(len(byLift), pairsShown)] {
		out = append(out, pairRow{A: p.factorTitle(pr.A), B: p.factorTitle(pr.B), Debriefs: pr.Debriefs, Lift: fmt.Sprintf("%.1f×", pr.Lift), Href: pairHref(pr.A, pr.B)})
	}
	return fig, out
}

// liftLevel shades a lift: below 1 palest, three or more darkest.
func liftLevel(l float64) int {
	switch {
	case l < 1:
		return 0
	case l < 1.25:
		return 1
	case l < 1.5:
		return 2
	case l < 2:
		return 3
	case l < 3:
		return 4
	}
	return 5
}
