package dashboards

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
)

// matrixRows is how many debriefs the coverage matrix shows at a time.
const matrixRows = 30

type coveragePage struct {
	base
	Filters filterBar
	Bars    figure
	Trend   figure
	Matrix  figure
	Pager   pager
}

// coverage: GET /coverage with the analytics filters and offset (of the
// matrix).
func (p *Pages) coverage(c *gin.Context) {
	var offset int
	f, unit, ok := p.seriesView(c, &offset)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	af := f.analytics()
	var (
		overall, series []analytics.CoverageRow
		matrix          []analytics.MatrixRow
		total           int
		options         map[string][]string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { overall, err = p.opts.Analytics.Coverage(gctx, af, ""); return })
	g.Go(func() (err error) { series, err = p.opts.Analytics.Coverage(gctx, af, unit); return })
	g.Go(func() (err error) {
		matrix, total, err = p.opts.Analytics.CoverageMatrix(gctx, af, matrixRows, offset)
		return
	})
	g.Go(func() (err error) { options, err = p.facetOptions(gctx); return })
	if err := g.Wait(); err != nil {
		p.fail(c, err)
		return
	}
	v := coveragePage{base: p.base(c, "Question coverage", "coverage"), Filters: p.filterBar("/coverage", f, options, true)}
	v.Bars = p.coverageBars(f, overall, false, 0, wideHalf)
	v.Trend = p.coverageTrend(f, unit, series)
	v.Matrix = p.coverageMatrix(f, matrix, total, offset)
	v.Pager = pageOf("/coverage", c.Request.URL.Query(), offset, matrixRows, total, "Newer", "Older")
	p.render(c, http.StatusOK, "coverage", v)
}

// coverageTrend is a heatmap of question categories by period.
func (p *Pages) coverageTrend(f viewFilter, unit analytics.Interval, rows []analytics.CoverageRow) figure {
	fig := figure{ID: "coverage-trend", Title: "Coverage " + unitWord(unit) + " by " + unitWord(unit),
		Note: "Darker cells: more of that " + unitWord(unit) + "’s assessed debriefs show this kind of question was asked."}
	cats := assess.QuestionCategories()
	var periods []time.Time
	cell := map[string]map[time.Time]analytics.CoverageRow{}
	for _, r := range rows {
		t := r.Period.Time()
		if cell[r.Category] == nil {
			cell[r.Category] = map[time.Time]analytics.CoverageRow{}
		}
		if _, ok := cell[cats[0]][t]; !ok && r.Category == cats[0] {
			periods = append(periods, t)
		}
		cell[r.Category][t] = r
	}
	any := false
	for _, r := range rows {
		any = any || r.Assessed > 0
	}
	if len(periods) == 0 || !any {
		fig.Empty = "No assessed, dated debriefs match these filters."
		return fig
	}
	tks := ticks(periods, unit)
	draw := func(from int) ([]heatRow, []heatCol) {
		var hr []heatRow
		for _, cat := range cats {
			title := p.questionTitle(cat)
			row := heatRow{Label: title}
			for i := from; i < len(periods); i++ {
				r := cell[cat][periods[i]]
				hc := heatCell{Level: level(r.Share, 1), Label: fmt.Sprintf("%s, %s: %d of %d assessed debriefs (%s)", title, tks[i].Full, r.Covered, r.Assessed, pct(r.Share))}
				if r.Assessed == 0 {
					hc.Level, hc.Label = -1, fmt.Sprintf("%s, %s: no assessed debriefs", title, tks[i].Full)
				}
				if r.Covered > 0 {
					hc.Href = f.periodLink(periods[i], unit, "covers", cat)
				}
				row.Cells = append(row.Cells, hc)
			}
			hr = append(hr, row)
		}
		var cols []heatCol
		for i := from; i < len(tks); i++ {
			t := tks[i]
			if i == from && unit != analytics.Year {
				t.Year = fmt.Sprint(t.Start.Year())
			}
			cols = append(cols, heatCol{Tick: t})
		}
		return hr, cols
	}
	desc := fmt.Sprintf("The 13 kinds of question over %d %ss.", len(periods), unitWord(unit))
	wr, wc := draw(0)
	from := max(0, len(periods)-narrowPeriods)
	nr, nc := draw(from)
	fig.Charts = []*svgChart{
		heatmap(fig.ID+"-wide", fig.Title, desc, wr, wc, wideFull, 250, false, "wide"),
		heatmap(fig.ID+"-narrow", fig.Title, desc, nr, nc, narrow, 130, false, "narrow"),
	}
	if from > 0 {
		fig.Note += fmt.Sprintf(" On a small screen, the last %d %ss.", len(periods)-from, unitWord(unit))
	}
	fig.Legend = []legendItem{{"cell l1", "under 20%"}, {"cell l3", "40–60%"}, {"cell l5", "over 80%"}, {"cell none", "no assessed debriefs"}}
	return fig
}

// coverageMatrix is one row per debrief, newest first, one column per
// question category: which questions each debrief gets to.
func (p *Pages) coverageMatrix(f viewFilter, rows []analytics.MatrixRow, total, offset int) figure {
	fig := figure{ID: "matrix", Title: "Debrief by debrief",
		Note: "Each row is a debrief, newest first; a filled cell shows it covers that kind of question. Select a row or a cell to read the debrief and its evidence."}
	if len(rows) == 0 {
		fig.Empty = "No assessed debriefs match these filters."
		return fig
	}
	cats := assess.QuestionCategories()
	var hr, nr []heatRow // wide rows carry the date; narrow ones have no room
	for _, r := range rows {
		title := r.Title
		if title == "" {
			title = r.ID
		}
		row := heatRow{Label: title, Href: "/debriefs/" + r.ID}
		for _, cat := range cats {
			covered := contains(r.Covered, cat)
			hc := heatCell{Href: "/debriefs/" + r.ID + "#cov-" + cat}
			if covered {
				hc.Level = 4
				hc.Label = fmt.Sprintf("%s: covers %s", title, p.questionTitle(cat))
			} else {
				hc.Label = fmt.Sprintf("%s: does not cover %s", title, p.questionTitle(cat))
			}
			row.Cells = append(row.Cells, hc)
		}
		short := row
		short.Label = title
		row.Label = trunc(title, 60)
		if !r.Date.IsZero() {
			row.Label = r.Date.Time().Format("Jan 2006") + " · " + row.Label
		}
		hr = append(hr, row)
		nr = append(nr, short)
	}
	var cols []heatCol
	for _, cat := range cats {
		cols = append(cols, heatCol{Name: p.questionTitle(cat)})
	}
	desc := fmt.Sprintf("Debriefs %d to %d of %d, with the kinds of question each covers.", offset+1, offset+len(rows), total)
	fig.Charts = []*svgChart{
		heatmap("matrix-wide", fig.Title, desc, hr, cols, wideFull, 420, true, "wide"),
		heatmap("matrix-narrow", fig.Title, desc, nr, cols, narrow, 130, true, "narrow"),
	}
	fig.Legend = []legendItem{{"cell l4", "covered"}, {"cell l0", "not covered"}}
	return fig
}
