package dashboards

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
)

// Shared parts of the pages' views.

type option struct {
	Value    string
	Selected bool
}

type hidden struct{ Name, Value string }

type filterField struct {
	Name, Label string
	Options     []option
	// Extra carries values beyond the first from the URL, which one
	// select cannot show.
	Extra []hidden
}

type chip struct{ Label, Remove string }

// filterBar is the filter form at the top of an analytics page.
type filterBar struct {
	Action       string
	From, To     string
	Interval     string
	ShowInterval bool
	Fields       []filterField
	Chips        []chip
	Active       bool
	Clear        string
}

type pager struct {
	Prev, Next           string
	PrevLabel, NextLabel string
	Range                string
}

type stat struct{ Value, Label, Hint, Href string }

// facetOptions are the values the filter selects offer: the most common
// of each field across every debrief, from the index's facet counts.
func (p *Pages) facetOptions(ctx context.Context) (map[string][]string, error) {
	facets, err := p.allFacets(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for field, counts := range facets {
		for _, c := range counts {
			out[field] = append(out[field], c.Value)
		}
		slices.Sort(out[field])
	}
	return out, nil
}

// filterBar builds the filter form of the page at path.
func (p *Pages) filterBar(path string, f viewFilter, options map[string][]string, showInterval bool) filterBar {
	bar := filterBar{Action: path, From: dateInput(f.From, f.from), To: dateInput(f.To, f.to.AddDate(0, 0, -1)),
		Interval: string(f.Interval), ShowInterval: showInterval, Active: f.active(), Clear: path}
	if showInterval && f.Interval != "" {
		bar.Clear = link(path, url.Values{"interval": {string(f.Interval)}})
	}
	labels := map[string]string{"source": "Source", "team": "Team", "service": "Service", "severity": "Severity", "tag": "Tag"}
	all := f.values(true)
	for _, l := range f.lists() {
		field := filterField{Name: l.name, Label: labels[l.name]}
		chosen := *l.dst
		opts := options[l.name]
		for _, v := range chosen {
			if !contains(opts, v) {
				opts = append(opts, v)
			}
		}
		for _, v := range opts {
			field.Options = append(field.Options, option{Value: v, Selected: len(chosen) > 0 && v == chosen[0]})
		}
		for i, v := range chosen {
			if i > 0 {
				field.Extra = append(field.Extra, hidden{l.name, v})
			}
			bar.Chips = append(bar.Chips, chip{Label: labels[l.name] + ": " + v, Remove: link(path, without(all, l.name, v))})
		}
		bar.Fields = append(bar.Fields, field)
	}
	if f.From != "" {
		bar.Chips = append([]chip{{Label: "From " + formatDate(f.from), Remove: link(path, without(all, "from", f.From))}}, bar.Chips...)
	}
	if f.To != "" {
		bar.Chips = append([]chip{{Label: "Until " + formatDate(f.to.AddDate(0, 0, -1)), Remove: link(path, without(all, "to", f.To))}}, bar.Chips...)
	}
	return bar
}

// dateInput is what a date field shows for a bound: the date as written
// when it is one, else the day it falls on.
func dateInput(raw string, t time.Time) string {
	if raw == "" {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, raw); err == nil {
		return raw
	}
	return t.UTC().Format(time.DateOnly)
}

// without is v less one value of a parameter.
func without(v url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		for _, s := range vs {
			if k == name && s == value {
				continue
			}
			out.Add(k, s)
		}
	}
	return out
}

// pageOf builds the pager of a list: offset and limit of total rows.
func pageOf(path string, v url.Values, offset, limit, total int, prev, next string) pager {
	pg := pager{PrevLabel: prev, NextLabel: next}
	if total == 0 {
		return pg
	}
	last := min(offset+limit, total)
	pg.Range = fmt.Sprintf("%d–%d of %d", offset+1, last, total)
	with := func(o int) string {
		q := without(v, "offset", v.Get("offset"))
		if o > 0 {
			q.Set("offset", strconv.Itoa(o))
		}
		return link(path, q)
	}
	if offset > 0 {
		pg.Prev = with(max(0, offset-limit))
	}
	if last < total && offset+limit <= maxOffset {
		pg.Next = with(offset + limit)
	}
	return pg
}

// offsetParam reads the offset of a list.
func offsetParam(v url.Values) (int, error) {
	raw := v.Get("offset")
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxOffset {
		return 0, badFilter("offset must be a whole number from 0 to %d", maxOffset)
	}
	return n, nil
}

// seriesView reads what every analytics page is asked for: the filters,
// the offset when offset is not nil, and the interval of its series. On
// a mistake it answers the request and returns false.
func (p *Pages) seriesView(c *gin.Context, offset *int) (viewFilter, analytics.Interval, bool) {
	q := c.Request.URL.Query()
	f, err := parseFilter(q)
	if err == nil && offset != nil {
		*offset, err = offsetParam(q)
	}
	var unit analytics.Interval
	if err == nil {
		unit, err = p.seriesUnit(c.Request.Context(), f)
	}
	if err != nil {
		p.fail(c, err)
		return viewFilter{}, "", false
	}
	return f, unit, true
}

// seriesUnit is the interval of a view's series: the one asked for, or
// the shortest that spans the range in at most a few dozen periods with
// enough debriefs in each to say something.
func (p *Pages) seriesUnit(ctx context.Context, f viewFilter) (analytics.Interval, error) {
	if f.Interval != "" {
		return f.Interval, nil
	}
	rows, err := p.opts.Analytics.Incidents(ctx, f.analytics(), analytics.Month)
	if err != nil {
		return "", err
	}
	var first, last time.Time
	dated := 0
	for _, r := range rows {
		t := r.Period.Time()
		if t.IsZero() {
			continue
		}
		dated += r.Debriefs
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if !f.from.IsZero() {
		first = f.from
	}
	if !f.to.IsZero() {
		last = f.to.Add(-time.Nanosecond)
	}
	return chooseInterval(first, last, dated), nil
}

// unitWord names a period: "month".
func unitWord(u analytics.Interval) string {
	if u == "" {
		return "month"
	}
	return string(u)
}

// both draws a chart for wide and narrow screens.
func both(draw func(w float64, class string) *svgChart, wide float64) []*svgChart {
	return []*svgChart{draw(wide, "wide"), draw(narrow, "narrow")}
}
