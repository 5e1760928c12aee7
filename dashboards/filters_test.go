package dashboards

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
)

func TestParseFilter(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		query string
		want  analytics.Filter
		unit  analytics.Interval
		bad   bool
	}{
		{query: "", want: analytics.Filter{}},
		{query: "from=2025-01-01&to=2025-12-31", want: analytics.Filter{From: day("2025-01-01"), To: day("2026-01-01")}},
		{query: "to=1735689600000", want: analytics.Filter{To: time.UnixMilli(1735689600000).UTC()}},
		{query: "team=payments,sre&team=sre&severity=sev1&interval=Quarter",
			want: analytics.Filter{Teams: []string{"payments", "sre"}, Severities: []string{"SEV1"}}, unit: analytics.Quarter},
		{query: "from=2025-02-30", bad: true},
		{query: "from=2025-06-01&to=2025-01-01", bad: true},
		{query: "interval=week", bad: true},
		{query: "tag=" + string(make([]byte, 201)), bad: true},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		f, err := parseFilter(q)
		if c.bad {
			if !errors.Is(err, errBadFilter) {
				t.Errorf("%q: err %v, want a bad filter", c.query, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.query, err)
			continue
		}
		got := f.analytics()
		if !got.From.Equal(c.want.From) || !got.To.Equal(c.want.To) || !reflect.DeepEqual(got.Teams, c.want.Teams) ||
			!reflect.DeepEqual(got.Severities, c.want.Severities) || f.Interval != c.unit {
			t.Errorf("%q: %+v %q, want %+v %q", c.query, got, f.Interval, c.want, c.unit)
		}
	}
}

func TestChooseInterval(t *testing.T) {
	m := func(y int, mo time.Month) time.Time { return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		first, last time.Time
		dated       int
		want        analytics.Interval
	}{
		{m(2025, 1), m(2026, 12), 10_000, analytics.Month},
		{m(2024, 11), m(2026, 10), 42, analytics.Quarter}, // 1.75 a month, 4.7 a quarter
		{m(2024, 11), m(2026, 10), 10, analytics.Year},
		{m(2015, 1), m(2024, 12), 10_000, analytics.Quarter},
		{m(1990, 1), m(2024, 12), 10_000, analytics.Year},
		{time.Time{}, time.Time{}, 0, analytics.Month},
	} {
		if got := chooseInterval(c.first, c.last, c.dated); got != c.want {
			t.Errorf("chooseInterval(%s, %s, %d) = %s, want %s", c.first.Format("2006-01"), c.last.Format("2006-01"), c.dated, got, c.want)
		}
	}
}

// A page's URL is outside input: any query string is either refused with
// a message or read into a filter whose own URL reads back the same.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "from=2025-01-01&to=2025-12-31&team=payments", "severity=sev1,sev2&interval=month",
		"to=1735689600000", "tag=%ff%fe", "source=a&source=a,b,,c", "from=2025-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		v, err := parseFilter(q)
		if err != nil {
			if !errors.Is(err, errBadFilter) {
				t.Fatalf("%q: an error that is not a bad filter: %v", raw, err)
			}
			return
		}
		again, err := parseFilter(v.values(true))
		if err != nil {
			t.Fatalf("%q: its own URL %q is refused: %v", raw, v.values(true).Encode(), err)
		}
		if !reflect.DeepEqual(again.analytics(), v.analytics()) || again.Interval != v.Interval {
			t.Fatalf("%q: reads back as %+v, not %+v", raw, again, v)
		}
	})
}

func TestCharts(t *testing.T) {
	for _, c := range []struct {
		v, top float64
		want   int
	}{{0, 10, 0}, {0.1, 10, 1}, {2, 10, 1}, {2.1, 10, 2}, {10, 10, 5}, {5, 0, 0}} {
		if got := level(c.v, c.top); got != c.want {
			t.Errorf("level(%v, %v) = %d, want %d", c.v, c.top, got, c.want)
		}
	}
	for _, c := range []struct {
		max  float64
		want float64
	}{{3, 1}, {8, 2}, {40, 10}, {130, 50}, {0, 1}} {
		if got := niceStep(c.max, 4, true); got != c.want {
			t.Errorf("niceStep(%v) = %v, want %v", c.max, got, c.want)
		}
	}
	// Every period has a label or is between labels; the year of the
	// first period gives way to the next year's when they would touch.
	tks := spaceYears(ticks([]time.Time{time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, analytics.Month), 20, 40)
	if tks[0].Year != "" || tks[1].Year != "2025" {
		t.Errorf("years %q %q", tks[0].Year, tks[1].Year)
	}
}
