package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
)

// CoverageRow is one question category in one period (or overall).
type CoverageRow struct {
	// Period is the start of the period; zero (left out of JSON) for the
	// whole range.
	Period   Day    `json:"period,omitzero"`
	Category string `json:"category"`
	// Covered debriefs show the category's questions were asked; Assessed
	// are all assessed debriefs of the period; Share is one over the other.
	Covered  int     `json:"covered"`
	Assessed int     `json:"assessed"`
	Share    float64 `json:"share"`
}

// Coverage gives, for each of the 13 question categories in catalog order,
// the share of assessed debriefs covering it: over the whole range when
// unit is "", else per period, every period of the range present.
func (s *Store) Coverage(ctx context.Context, f Filter, unit Interval) ([]CoverageRow, error) {
	totals := map[time.Time]int{}
	covered := map[time.Time]map[string]int{}
	var seen []time.Time
	cats := assess.QuestionCategories()
	err := s.rowsOf(ctx, "coverage", f.args(unit), func(r *sql.Rows) error {
		var period time.Time
		var mask int64
		var n int
		if err := r.Scan(nullableTime{&period}, &mask, &n); err != nil {
			return err
		}
		if totals[period] == 0 {
			seen = append(seen, period)
		}
		totals[period] += n
		if covered[period] == nil {
			covered[period] = map[string]int{}
		}
		for i, c := range cats {
			if mask&(1<<i) != 0 {
				covered[period][c] += n
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	periods, err := unit.rows(f, seen)
	if err != nil {
		return nil, err
	}
	out := make([]CoverageRow, 0, len(periods)*len(cats))
	for _, p := range periods {
		for _, c := range cats {
			row := CoverageRow{Period: DayOf(p), Category: c, Covered: covered[p][c], Assessed: totals[p]}
			if row.Assessed > 0 {
				row.Share = float64(row.Covered) / float64(row.Assessed)
			}
			out = append(out, row)
		}
	}
	return out, nil
}

// MatrixRow is one debrief and the question categories it covers.
type MatrixRow struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Date    Day      `json:"date"`
	Covered []string `json:"covered"`
}

// CoverageMatrix lists assessed debriefs, newest first, with the question
// categories each covers: a page of at most limit from offset, and the
// number of debriefs in all.
func (s *Store) CoverageMatrix(ctx context.Context, f Filter, limit, offset int) ([]MatrixRow, int, error) {
	out := []MatrixRow{}
	args := f.args("", sql.Named("limit", max(limit, 1)), sql.Named("offset", max(offset, 0)))
	err := s.rowsOf(ctx, "coverage_matrix", args, func(r *sql.Rows) error {
		var m MatrixRow
		var mask int64
		if err := r.Scan(&m.ID, &m.Title, nullDay{&m.Date}, &mask); err != nil {
			return err
		}
		m.Covered = []string{}
		for i, c := range assess.QuestionCategories() {
			if mask&(1<<i) != 0 {
				m.Covered = append(m.Covered, c)
			}
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	total, err := s.countAssessed(ctx, f, "")
	return out, total, err
}

// countAssessed counts the assessed debriefs the filter selects, of one
// depth class when class is set.
func (s *Store) countAssessed(ctx context.Context, f Filter, class string) (int, error) {
	var n int
	q := `SELECT count(*) FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[],
		$teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
		WHERE assessed AND ($class = '' OR depth_class = $class)`
	if err := s.db.QueryRowContext(ctx, q, f.args("", sql.Named("class", class))...).Scan(&n); err != nil {
		return 0, fmt.Errorf("analytics: count assessed debriefs: %w", err)
	}
	return n, nil
}

// DepthRow is one period (or the whole range) of the depth analytic.
type DepthRow struct {
	Period   Day `json:"period,omitzero"`
	Assessed int `json:"assessed"`
	// Counts per depth class.
	SingleRootCause     int `json:"single_root_cause"`
	MultipleCauses      int `json:"multiple_causes"`
	ContributingFactors int `json:"contributing_factors"`
	// BeyondSingleShare is the share of assessed debriefs not classed
	// single_root_cause.
	BeyondSingleShare float64 `json:"beyond_single_share"`
	// MedianScore is the median depth score (0 to 100); 0 with no debriefs.
	MedianScore float64 `json:"median_score"`
	// Debriefs with blame or counterfactual language.
	WithBlame           int `json:"with_blame"`
	WithCounterfactuals int `json:"with_counterfactuals"`
}

// Depth gives the depth figures over the whole range when unit is "",
// else per period, every period of the range present.
func (s *Store) Depth(ctx context.Context, f Filter, unit Interval) ([]DepthRow, error) {
	byPeriod := map[time.Time]DepthRow{}
	var seen []time.Time
	err := s.rowsOf(ctx, "depth", f.args(unit), func(r *sql.Rows) error {
		var d DepthRow
		var period time.Time
		if err := r.Scan(nullableTime{&period}, &d.Assessed, &d.SingleRootCause, &d.MultipleCauses,
			&d.ContributingFactors, nullFloat{f: &d.MedianScore}, &d.WithBlame, &d.WithCounterfactuals); err != nil {
			return err
		}
		byPeriod[period] = d
		seen = append(seen, period)
		return nil
	})
	if err != nil {
		return nil, err
	}
	periods, err := unit.rows(f, seen)
	if err != nil {
		return nil, err
	}
	out := make([]DepthRow, 0, len(periods))
	for _, p := range periods {
		d := byPeriod[p]
		d.Period = DayOf(p)
		if d.Assessed > 0 {
			d.BeyondSingleShare = float64(d.Assessed-d.SingleRootCause) / float64(d.Assessed)
		}
		out = append(out, d)
	}
	return out, nil
}

// ReviewRow is a debrief whose assessment found a single root cause.
type ReviewRow struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Date    Day      `json:"date"`
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
}

// DepthReview lists the single-root-cause debriefs, newest first, with the
// reasons of their assessment: a page and the number in all.
func (s *Store) DepthReview(ctx context.Context, f Filter, limit, offset int) ([]ReviewRow, int, error) {
	out := []ReviewRow{}
	args := f.args("", sql.Named("limit", max(limit, 1)), sql.Named("offset", max(offset, 0)))
	err := s.rowsOf(ctx, "depth_review", args, func(r *sql.Rows) error {
		var row ReviewRow
		var reasons stringList
		if err := r.Scan(&row.ID, &row.Title, nullDay{&row.Date}, &row.Score, &reasons); err != nil {
			return err
		}
		row.Reasons = orNone(reasons)
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	total, err := s.countAssessed(ctx, f, ingest.DepthSingleRootCause)
	return out, total, err
}
