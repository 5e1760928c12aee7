package dashboards

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secondstory/secondstory/analytics"
)

// Bounds on what a page's URL may ask for.
const (
	maxFilterValues = 50
	maxFilterValue  = 200
	maxQueryBytes   = 1000
	maxOffset       = 10_000
)

// errBadFilter is what a page's URL asks for that cannot be answered; the
// message says what to change and the page answers 400.
var errBadFilter = errors.New("bad filter")

func badFilter(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadFilter, fmt.Sprintf(format, args...))
}

// viewFilter is the filters of an analytics page, read from its URL:
// the same parameters as the analytics API (from, to, source, team,
// service, severity, tag, interval).
type viewFilter struct {
	// From and To are as written in the URL; from and to are the bounds
	// they give, to exclusive (a bare date as To includes that day).
	From, To string
	from, to time.Time
	Sources  []string
	Teams    []string
	Services []string
	// Severities are upper case.
	Severities []string
	Tags       []string
	// Interval is month, quarter, year, or "" to choose one from the span.
	Interval analytics.Interval
}

// filterParams are the URL parameters of viewFilter, list ones with the
// field they fill.
func (f *viewFilter) lists() []struct {
	name string
	dst  *[]string
} {
	return []struct {
		name string
		dst  *[]string
	}{{"source", &f.Sources}, {"team", &f.Teams}, {"service", &f.Services}, {"severity", &f.Severities}, {"tag", &f.Tags}}
}

// parseFilter reads an analytics page's filters. Parameters it does not
// know are left for the page (offset) or ignored.
func parseFilter(q url.Values) (viewFilter, error) {
	var f viewFilter
	var err error
	f.From, f.To = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if f.from, f.to, err = parseRange(f.From, f.To); err != nil {
		return f, err
	}
	for _, l := range f.lists() {
		vs, err := listValues(q, l.name)
		if err != nil {
			return f, err
		}
		if l.name == "severity" {
			for i := range vs {
				vs[i] = strings.ToUpper(vs[i])
			}
		}
		*l.dst = vs
	}
	if f.Interval, err = analytics.ParseInterval(q.Get("interval")); err != nil {
		return f, badFilter("interval must be month, quarter or year")
	}
	return f, nil
}

// listValues reads a parameter that may repeat or hold comma-separated
// values, each once, within bounds.
func listValues(q url.Values, name string) ([]string, error) {
	var out []string
	for _, v := range q[name] {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" || contains(out, p) {
				continue
			}
			if len(p) > maxFilterValue || !utf8.ValidString(p) {
				return nil, badFilter("a %s value must be valid text of at most %d bytes", name, maxFilterValue)
			}
			out = append(out, p)
		}
	}
	if len(out) > maxFilterValues {
		return nil, badFilter("%s takes at most %d values, got %d", name, maxFilterValues, len(out))
	}
	return out, nil
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// parseRange reads from and to as the API does: an ISO date, an RFC 3339
// time or epoch milliseconds; a bare date as to includes that day.
func parseRange(from, to string) (time.Time, time.Time, error) {
	f, err := parseTime("from", from, false)
	if err != nil {
		return f, time.Time{}, err
	}
	t, err := parseTime("to", to, true)
	if err != nil {
		return f, t, err
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, badFilter("the start date (%s) must come before the end date (%s)", clip(from), clip(to))
	}
	return f, t, nil
}

func parseTime(name, raw string, upper bool) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t.UTC(), nil
	}
	if ms, err := strconv.ParseInt(raw, 10, 64); err == nil && ms >= 0 && ms < 1e14 {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, badFilter("%s must be a date like 2025-03-04, got %q", name, clip(raw))
}

// clip shortens what a URL held before a page echoes it.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// analytics is the filter for the store's analytics.
func (f viewFilter) analytics() analytics.Filter {
	return analytics.Filter{From: f.from, To: f.to, Sources: f.Sources, Teams: f.Teams, Services: f.Services,
		Severities: f.Severities, Tags: f.Tags}
}

// values are the filter as URL parameters, for links to the same view
// (with interval) or to search (without; search has no interval).
func (f viewFilter) values(withInterval bool) url.Values {
	v := url.Values{}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	for _, l := range f.lists() {
		for _, s := range *l.dst {
			// Search cannot select debriefs without a severity.
			if !withInterval && l.name == "severity" && s == "UNSPECIFIED" {
				continue
			}
			v.Add(l.name, s)
		}
	}
	if withInterval && f.Interval != "" {
		v.Set("interval", string(f.Interval))
	}
	return v
}

// active reports whether any filter narrows the view.
func (f viewFilter) active() bool {
	return f.From != "" || f.To != "" || len(f.Sources)+len(f.Teams)+len(f.Services)+len(f.Severities)+len(f.Tags) > 0
}

// link is path with the parameters, each pair of extra a name and a value
// added to them.
func link(path string, v url.Values, extra ...string) string {
	q := url.Values{}
	for k, vs := range v {
		q[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Add(extra[i], extra[i+1])
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// searchLink links to the search page for the debriefs behind a figure:
// the view's filters and, in pairs, the figure's own (category, dns).
func (f viewFilter) searchLink(extra ...string) string {
	return link("/search", f.values(false), extra...)
}

// periodLink links to the search page for the debriefs of one period,
// within the view's own range.
func (f viewFilter) periodLink(start time.Time, unit analytics.Interval, extra ...string) string {
	from, to := periodBounds(start, unit)
	if !f.from.IsZero() && f.from.After(from) {
		from = f.from
	}
	if !f.to.IsZero() && f.to.Before(to) {
		to = f.to
	}
	v := f.values(false)
	v.Set("from", from.Format(time.DateOnly))
	// A bare date as to includes that day: the last day of the period.
	v.Set("to", to.Add(-time.Nanosecond).Format(time.DateOnly))
	v.Set("sort", "date")
	return link("/search", v, extra...)
}

// periodBounds is the period starting at start: [from, to).
func periodBounds(start time.Time, unit analytics.Interval) (time.Time, time.Time) {
	months := 1
	switch unit {
	case analytics.Quarter:
		months = 3
	case analytics.Year:
		months = 12
	}
	start = start.UTC()
	return start, start.AddDate(0, months, 0)
}

// chooseInterval picks the interval of a series when the URL leaves it
// to us: months for up to three years, quarters up to ten, else years,
// and a longer one while the periods would hold fewer than three dated
// debriefs on average, whose shares would jump about.
func chooseInterval(first, last time.Time, dated int) analytics.Interval {
	if first.IsZero() || last.IsZero() {
		return analytics.Month
	}
	months := (last.Year()-first.Year())*12 + int(last.Month()) - int(first.Month()) + 1
	months = max(months, 1)
	quarters := (last.Year()-first.Year())*4 + (int(last.Month())-1)/3 - (int(first.Month())-1)/3 + 1
	enough := func(periods int) bool { return dated == 0 || dated >= 3*periods }
	switch {
	case months <= 36 && enough(months):
		return analytics.Month
	case months <= 120 && enough(quarters):
		return analytics.Quarter
	}
	return analytics.Year
}
