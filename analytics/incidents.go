package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// IncidentCount is the number of debriefs of one severity and source in
// one period (or the whole range).
type IncidentCount struct {
	Period   Day    `json:"period,omitzero"`
	Severity string `json:"severity"`
	Source   string `json:"source"`
	Debriefs int    `json:"debriefs"`
}

// Incidents counts visible debriefs, assessed or not, by severity (upper
// case; UNSPECIFIED without one) and source: over the whole range when
// unit is "", else per period with data.
func (s *Store) Incidents(ctx context.Context, f Filter, unit Interval) ([]IncidentCount, error) {
	out := []IncidentCount{}
	var seen []time.Time
	err := s.rowsOf(ctx, "incidents", f.args(unit), func(r *sql.Rows) error {
		var c IncidentCount
		var period time.Time
		if err := r.Scan(nullableTime{&period}, &c.Severity, &c.Source, &c.Debriefs); err != nil {
			return err
		}
		c.Period = DayOf(period)
		seen = append(seen, period)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if unit != "" {
		// Check the range is one a series may show, as the other series do.
		if _, err := unit.span(f, seen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Durations are incident durations (resolved minus started) and times to
// detect (detected minus started), in minutes, for one period (or the
// whole range): median, 90th percentile (linear interpolation between
// ranks) and maximum, since durations are heavily skewed and a mean says
// little. A debrief counts in a figure only when it has both times in
// order; Inconsistent counts those with an end before their start.
type Durations struct {
	Period        Day     `json:"period,omitzero"`
	Debriefs      int     `json:"debriefs"`
	WithDuration  int     `json:"with_duration"`
	MedianMinutes float64 `json:"duration_median_minutes"`
	P90Minutes    float64 `json:"duration_p90_minutes"`
	MaxMinutes    float64 `json:"duration_max_minutes"`
	WithDetection int     `json:"with_detection"`
	DetectMedian  float64 `json:"detect_median_minutes"`
	DetectP90     float64 `json:"detect_p90_minutes"`
	DetectMax     float64 `json:"detect_max_minutes"`
	Inconsistent  int     `json:"inconsistent"`
}

// IncidentDurations gives the duration figures over the whole range when
// unit is "", else per period, every period of the range present.
func (s *Store) IncidentDurations(ctx context.Context, f Filter, unit Interval) ([]Durations, error) {
	// Durations and times to detect are two queries run at once (see
	// durations.sql), joined here by period.
	byPeriod := map[time.Time]Durations{}
	var seen []time.Time
	type detection struct {
		with              int
		median, p90, most float64
	}
	detect := map[time.Time]detection{}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.rowsOf(gctx, "detection", f.args(unit), func(r *sql.Rows) error {
			var d detection
			var period time.Time
			var q any
			if err := r.Scan(nullableTime{&period}, &d.with, &q, nullFloat{f: &d.most}); err != nil {
				return err
			}
			if err := quantiles(q, &d.median, &d.p90); err != nil {
				return err
			}
			detect[period] = d
			return nil
		})
	})
	g.Go(func() error {
		return s.rowsOf(gctx, "durations", f.args(unit), func(r *sql.Rows) error {
			var d Durations
			var period time.Time
			var dq any
			if err := r.Scan(nullableTime{&period}, &d.Debriefs,
				&d.WithDuration, &dq, nullFloat{f: &d.MaxMinutes},
				&d.Inconsistent); err != nil {
				return err
			}
			if err := quantiles(dq, &d.MedianMinutes, &d.P90Minutes); err != nil {
				return err
			}
			byPeriod[period] = d
			seen = append(seen, period)
			return nil
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for p, t := range detect {
		d := byPeriod[p]
		d.WithDetection, d.DetectMedian, d.DetectP90, d.DetectMax = t.with, t.median, t.p90, t.most
		byPeriod[p] = d
	}
	periods, err := unit.rows(f, seen)
	if err != nil {
		return nil, err
	}
	out := make([]Durations, 0, len(periods))
	for _, p := range periods {
		d := byPeriod[p]
		d.Period = DayOf(p)
		out = append(out, d)
	}
	return out, nil
}

// quantiles reads the list quantile_cont answers (NULL with no values).
func quantiles(v any, dst ...*float64) error {
	if v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		return fmt.Errorf("quantiles: unexpected %T", v)
	}
	if len(l) != len(dst) {
		return fmt.Errorf("quantiles: %d values, want %d", len(l), len(dst))
	}
	for i, v := range l {
		if err := (nullFloat{f: dst[i]}).Scan(v); err != nil {
			return err
		}
	}
	return nil
}
