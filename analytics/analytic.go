package analytics

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The analytic queries live in queries/*.sql, one statement each, with
// named parameters ($from, $unit, ...). They select through the
// selected_debriefs macro (migrations 0003 and 0004), so they also run in
// the DuckDB CLI against a copy of the store (PREPARE q AS ...; EXECUTE
// q(...)).
//
//go:embed queries/*.sql
var queries embed.FS

// query returns the text of queries/name.sql.
func query(name string) string {
	b, err := queries.ReadFile("queries/" + name + ".sql")
	if err != nil {
		// The files are embedded and named by this package's code; a
		// missing one is a build mistake caught by every test.
		return "SELECT error('analytics: no query named " + name + "')"
	}
	return string(b)
}

// ErrBadQuery is returned for an analytic asked for in a way it cannot be
// answered (an unknown interval, a range of too many periods). Its message
// says what to change.
var ErrBadQuery = errors.New("bad analytics query")

func badQuery(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, args...))
}

// Filter selects the debriefs an analytic counts: visible (not removed)
// debriefs matching every field that is set. Debriefs without a date are
// counted only when neither From nor To is set, and never in a series.
type Filter struct {
	// From and To bound the debrief's date, From inclusive, To exclusive.
	From, To time.Time
	// Sources are source names. Teams, Services and Tags keep a debrief
	// that lists any of them, compared case-insensitively; Severities
	// likewise ("UNSPECIFIED" for debriefs without one).
	Sources, Teams, Services, Severities, Tags []string
}

// Interval is the length of a period in a series.
type Interval string

// Intervals.
const (
	Month   Interval = "month"
	Quarter Interval = "quarter"
	Year    Interval = "year"
)

// ParseInterval reads month, quarter or year; "" is no interval.
func ParseInterval(s string) (Interval, error) {
	switch i := Interval(strings.ToLower(strings.TrimSpace(s))); i {
	case "", Month, Quarter, Year:
		return i, nil
	}
	return "", badQuery("interval must be month, quarter or year, got %q", clipText(s, 40))
}

// months is the interval's length in months.
func (i Interval) months() int {
	switch i {
	case Quarter:
		return 3
	case Year:
		return 12
	}
	return 1
}

// truncate is the start of the period t falls in (UTC).
func (i Interval) truncate(t time.Time) time.Time {
	t = t.UTC()
	m := int(t.Month()) - 1
	m -= m % i.months()
	return time.Date(t.Year(), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
}

// maxPeriods bounds a series, so that a year-long range by month or a
// century by year is fine but a request cannot ask for a million rows.
const maxPeriods = 1200

// periods lists the periods from first to last, both included.
func (i Interval) periods(first, last time.Time) ([]time.Time, error) {
	if first.IsZero() || last.IsZero() || last.Before(first) {
		return nil, nil
	}
	first, last = i.truncate(first), i.truncate(last)
	n := ((last.Year()-first.Year())*12+int(last.Month())-int(first.Month()))/i.months() + 1
	if n > maxPeriods {
		return nil, badQuery("the range spans %d periods of a %s; at most %d: narrow from and to, or choose a longer interval", n, i, maxPeriods)
	}
	out := make([]time.Time, 0, n)
	for t := first; !t.After(last); t = t.AddDate(0, i.months(), 0) {
		out = append(out, t)
	}
	return out, nil
}

// span is the range of periods a series shows: from the filter's bounds
// where set, else from the first and last period with data.
func (i Interval) span(f Filter, seen []time.Time) ([]time.Time, error) {
	var first, last time.Time
	for _, t := range seen {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if !f.From.IsZero() {
		first = f.From
	}
	if !f.To.IsZero() {
		last = f.To.Add(-time.Nanosecond)
		if first.IsZero() {
			first = last
		}
	}
	if !f.From.IsZero() && last.IsZero() {
		last = first
	}
	return i.periods(first, last)
}

// rows are the periods a figure has a row for: one for the whole range
// (the zero time) without an interval, else every period of the span.
func (i Interval) rows(f Filter, seen []time.Time) ([]time.Time, error) {
	if i == "" {
		return []time.Time{{}}, nil
	}
	return i.span(f, seen)
}

// Day is a calendar date, written in JSON as an ISO date (2025-03-01), or
// null when unknown.
type Day struct{ t time.Time }

// DayOf returns the date of t in UTC.
func DayOf(t time.Time) Day {
	if t.IsZero() {
		return Day{}
	}
	t = t.UTC()
	return Day{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// Time is the start of the day in UTC (zero when unknown).
func (d Day) Time() time.Time { return d.t }

// IsZero reports whether the date is unknown.
func (d Day) IsZero() bool { return d.t.IsZero() }

// String is the ISO date, or "" when unknown.
func (d Day) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalJSON writes the ISO date or null.
func (d Day) MarshalJSON() ([]byte, error) {
	if d.t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads an ISO date or null.
func (d *Day) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Day{}
		return nil
	}
	t, err := time.Parse(`"`+time.DateOnly+`"`, string(b))
	if err != nil {
		return fmt.Errorf("a date is written 2025-03-01: %w", err)
	}
	*d = Day{t}
	return nil
}

// args are the named parameters of selected_debriefs for f, with the
// period unit (nil for none), and any extra parameters of the query.
func (f Filter) args(unit Interval, extra ...sql.NamedArg) []any {
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	var u any
	if unit != "" {
		u = string(unit)
	}
	out := []any{
		sql.Named("from", ts(f.From)),
		sql.Named("to", ts(f.To)),
		sql.Named("sources", names(f.Sources, strings.TrimSpace)),
		sql.Named("teams", names(f.Teams, lowerTrim)),
		sql.Named("services", names(f.Services, lowerTrim)),
		sql.Named("severities", names(f.Severities, upperTrim)),
		sql.Named("tags", names(f.Tags, lowerTrim)),
		sql.Named("unit", u),
	}
	for _, e := range extra {
		out = append(out, e)
	}
	return out
}

// everything reports whether f selects every visible debrief, as a query
// of f's args would: no date bound and no name (blank names are none).
func (f Filter) everything() bool {
	for _, l := range [][]string{f.Sources, f.Teams, f.Services, f.Severities, f.Tags} {
		if len(names(l, strings.TrimSpace)) > 0 {
			return false
		}
	}
	return f.From.IsZero() && f.To.IsZero()
}

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
func upperTrim(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// names normalises a filter list; never nil, so the driver binds an empty
// list rather than NULL.
func names(l []string, norm func(string) string) []string {
	out := make([]string, 0, len(l))
	for _, s := range l {
		if s = norm(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// rowsOf runs the named query and calls scan for each row.
func (s *Store) rowsOf(ctx context.Context, name string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, query(name), args...)
	if err != nil {
		return fmt.Errorf("analytics: %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("analytics: %s: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: %s: %w", name, err)
	}
	return nil
}

// nullDay scans a TIMESTAMPTZ that may be NULL into a Day.
type nullDay struct{ d *Day }

func (n nullDay) Scan(v any) error {
	var t time.Time
	if err := (nullableTime{&t}).Scan(v); err != nil {
		return err
	}
	*n.d = DayOf(t)
	return nil
}

// nullFloat scans a DOUBLE that may be NULL (no data) as 0 and reports
// whether it was set.
type nullFloat struct {
	f  *float64
	ok *bool
}

func (n nullFloat) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.f = 0
		if n.ok != nil {
			*n.ok = false
		}
		return nil
	case float64:
		*n.f = x
	case float32:
		*n.f = float64(x)
	case int64:
		*n.f = float64(x)
	case int32:
		*n.f = float64(x)
	default:
		return fmt.Errorf("scan number: unexpected %T", v)
	}
	if n.ok != nil {
		*n.ok = true
	}
	return nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
