package dashboards

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/ingest"
)

// Figures more than one page shows.

// beyondDepths are the depth classes "beyond a single root cause".
var beyondDepths = []string{"depth", ingest.DepthMultipleCauses, "depth", ingest.DepthContributingFactors}

// fillPeriods lists every period from the filter's bounds, else from the
// first to the last period seen, so that a series has no holes.
func fillPeriods(f viewFilter, unit analytics.Interval, seen []time.Time) []time.Time {
	var first, last time.Time
	for _, t := range seen {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	start := func(t time.Time) time.Time {
		t = t.UTC()
		m := int(t.Month()) - 1
		switch unit {
		case analytics.Quarter:
			m -= m % 3
		case analytics.Year:
			m = 0
		}
		return time.Date(t.Year(), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
	}
	if !f.from.IsZero() {
		first = start(f.from)
	}
	if !f.to.IsZero() {
		last = start(f.to.Add(-time.Nanosecond))
	}
	if first.IsZero() || last.IsZero() || last.Before(first) {
		return nil
	}
	var out []time.Time
	for t := first; !t.After(last) && len(out) < 1200; {
		out = append(out, t)
		_, t = periodBounds(t, unit)
	}
	return out
}

// perPeriodFigure counts debriefs per period.
func (p *Pages) perPeriodFigure(f viewFilter, unit analytics.Interval, rows []analytics.IncidentCount) figure {
	counts := map[time.Time]int{}
	var seen []time.Time
	for _, r := range rows {
		if r.Period.IsZero() {
			continue
		}
		t := r.Period.Time()
		if _, ok := counts[t]; !ok {
			seen = append(seen, t)
		}
		counts[t] += r.Debriefs
	}
	periods := fillPeriods(f, unit, seen)
	fig := figure{ID: "per-period", Title: "Debriefs per " + unitWord(unit),
		Note: "Each bar counts the debriefs dated in that " + unitWord(unit) + ". Select a bar to list them."}
	if len(periods) == 0 {
		fig.Empty = "No dated debriefs match these filters."
		return fig
	}
	tks := ticks(periods, unit)
	cols := make([]column, len(periods))
	total, peak, peakAt := 0, 0, ""
	for i, t := range periods {
		n := counts[t]
		total += n
		if n > peak {
			peak, peakAt = n, tks[i].Full
		}
		cols[i] = column{Tick: tks[i], Value: float64(n), Href: f.periodLink(t, unit),
			Label: fmt.Sprintf("%s: %s", tks[i].Full, countWords(n, "debrief", "debriefs"))}
	}
	desc := fmt.Sprintf("%s over %d %ss, from %s to %s; the most, %d, in %s.", countWords(total, "debrief", "debriefs"),
		len(periods), unitWord(unit), tks[0].Full, tks[len(tks)-1].Full, peak, peakAt)
	fig.Charts = both(func(w float64, class string) *svgChart {
		return columnChart(fig.ID+"-"+class, fig.Title, desc, cols, w, 220, class)
	}, wideHalf)
	return fig
}

func countWords(n int, one, many string) string { return strconv.Itoa(n) + " " + plural(n, one, many) }

// beyondFigure is the share of assessed debriefs beyond a single root
// cause, per period.
func (p *Pages) beyondFigure(f viewFilter, unit analytics.Interval, rows []analytics.DepthRow, wide float64) figure {
	fig := figure{ID: "beyond", Title: "Share beyond a single root cause",
		Note: "Of the debriefs assessed each " + unitWord(unit) + ", the share that name more than one cause. " +
			"A debrief that stops at one root cause rarely explains why the incident made sense to the people in it.",
		More: "/help#beyond", MoreText: "What this means"}
	few := false
	for _, r := range rows {
		few = few || r.Assessed > 0 && r.Assessed < 3
	}
	if few {
		fig.Legend = []legendItem{{"dot", "three or more debriefs"}, {"dot few", "fewer than three: read with care"}}
	}
	var periods []time.Time
	for _, r := range rows {
		periods = append(periods, r.Period.Time())
	}
	if len(rows) == 0 {
		fig.Empty = "No assessed, dated debriefs match these filters."
		return fig
	}
	tks := ticks(periods, unit)
	pts := make([]point, len(rows))
	assessed := 0
	var sum float64
	for i, r := range rows {
		assessed += r.Assessed
		sum += r.BeyondSingleShare * float64(r.Assessed)
		pts[i] = point{Tick: tks[i], Share: r.BeyondSingleShare, Valid: r.Assessed > 0, Few: r.Assessed < 3,
			Href: f.periodLink(periods[i], unit, beyondDepths...),
			Label: fmt.Sprintf("%s: %s of %s went beyond a single root cause", tks[i].Full, pct(r.BeyondSingleShare),
				countWords(r.Assessed, "assessed debrief", "assessed debriefs"))}
	}
	if assessed == 0 {
		fig.Empty = "No assessed, dated debriefs match these filters."
		return fig
	}
	desc := fmt.Sprintf("Over %d %ss, %s of %s went beyond a single root cause.", len(rows), unitWord(unit),
		pct(sum/float64(assessed)), countWords(assessed, "assessed debrief", "assessed debriefs"))
	fig.Charts = both(func(w float64, class string) *svgChart {
		return shareChart(fig.ID+"-"+class, fig.Title, desc, pts, w, 220, class)
	}, wide)
	return fig
}

// factorBars are the factor categories in the most debriefs.
func (p *Pages) factorBars(f viewFilter, cats []analytics.CategoryCount, limit int, wide float64) figure {
	fig := figure{ID: "factor-categories", Title: "Contributing factors that keep coming back",
		Note: "Each bar is the share of assessed debriefs that name a factor of this kind. Select one to read those debriefs.",
		More: "/help#factors", MoreText: "About factor categories"}
	if len(cats) == 0 {
		fig.Empty = "No kind of contributing factor appears in two or more of these debriefs yet."
		return fig
	}
	if limit > 0 && len(cats) > limit {
		cats = cats[:limit]
	}
	rows := make([]hbar, len(cats))
	for i, c := range cats {
		title := p.factorTitle(c.Category)
		rows[i] = hbar{Label: title, Value: c.Share, ValueText: fmt.Sprintf("%s · %d", pct(c.Share), c.Debriefs),
			Class: factorGroup(c.Category), Href: f.searchLink("category", c.Category),
			Aria: fmt.Sprintf("%s: %s, %s of assessed debriefs", title, countWords(c.Debriefs, "debrief", "debriefs"), pct(c.Share))}
	}
	desc := fmt.Sprintf("The most common is %s, in %s of assessed debriefs.", p.factorTitle(cats[0].Category), pct(cats[0].Share))
	fig.Charts = both(func(w float64, class string) *svgChart {
		return barList(fig.ID+"-"+class, fig.Title, desc, rows, topShare(rows), w, class)
	}, wide)
	fig.Legend = []legendItem{{"technical", "Technical"}, {"organisational", "Organisational and human"}}
	return fig
}

// topShare is the scale of a bar list of shares: the largest, rounded up
// to a tenth, so that small shares are still told apart.
func topShare(rows []hbar) float64 {
	m := 0.0
	for _, r := range rows {
		m = max(m, r.Value)
	}
	if m <= 0 {
		return 1
	}
	t := float64(int(m*10+0.9999)) / 10
	return min(1, max(t, 0.1))
}

// factorGroup is "technical" or "organisational".
func factorGroup(key string) string {
	switch key {
	case "monitoring", "tooling", "testing", "documentation", "knowledge", "communication", "process", "pressure":
		return "organisational"
	}
	return "technical"
}

// coverageBars are question categories by the share of debriefs that
// cover them; least covered first when ascending, up to limit.
func (p *Pages) coverageBars(f viewFilter, rows []analytics.CoverageRow, ascending bool, limit int, wide float64) figure {
	fig := figure{ID: "coverage-share", Title: "Questions our debriefs get to",
		Note: "The share of assessed debriefs that show a facilitator asked this kind of question: " +
			"a sentence that describes it, not the question itself.",
		More: "/help#coverage", MoreText: "About the 13 kinds of question"}
	if ascending {
		fig.ID, fig.Title = "least-covered", "Questions our debriefs rarely get to"
	}
	assessed := 0
	for _, r := range rows {
		assessed = max(assessed, r.Assessed)
	}
	if assessed == 0 {
		fig.Empty = "No assessed debriefs match these filters."
		return fig
	}
	rows = append([]analytics.CoverageRow(nil), rows...)
	if ascending {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Share < rows[j].Share })
	}
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	bars := make([]hbar, len(rows))
	for i, r := range rows {
		title := p.questionTitle(r.Category)
		bars[i] = hbar{Label: title, Value: r.Share, ValueText: fmt.Sprintf("%s · %d", pct(r.Share), r.Covered),
			Href: f.searchLink("covers", r.Category),
			Aria: fmt.Sprintf("%s: covered by %d of %d assessed debriefs (%s)", title, r.Covered, r.Assessed, pct(r.Share))}
	}
	desc := fmt.Sprintf("Across %s.", countWords(assessed, "assessed debrief", "assessed debriefs"))
	fig.Charts = both(func(w float64, class string) *svgChart {
		return barList(fig.ID+"-"+class, fig.Title, desc, bars, 1, w, class)
	}, wide)
	return fig
}
