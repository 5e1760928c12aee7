package analytics

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// CategoryCount is a factor category and the debriefs with a factor of it.
type CategoryCount struct {
	Category string `json:"category"`
	Debriefs int    `json:"debriefs"`
	// Share is Debriefs over the assessed debriefs the filter selects.
	Share     float64  `json:"share"`
	FirstSeen Day      `json:"first_seen"`
	LastSeen  Day      `json:"last_seen"`
	Examples  []string `json:"example_ids"`
}

// FactorCategories counts, per factor category, the assessed debriefs with
// a factor of it, most frequent first, keeping categories of at least
// minDebriefs debriefs. With a filter one query counts and lists the most
// recent debriefs for examples; without, the counts are kept by the store
// and the recent debriefs are listed at the same time.
func (s *Store) FactorCategories(ctx context.Context, f Filter, minDebriefs int) ([]CategoryCount, error) {
	keys := factorCategoryKeys()
	out := []CategoryCount{}
	var bits []int
	total := 0
	var recent []recentCategories
	scan := func(r *sql.Rows) error {
		var bit, n sql.NullInt64
		var c CategoryCount
		var id sql.NullString
		var mask sql.NullInt64
		if err := r.Scan(&bit, &n, nullDay{&c.FirstSeen}, nullDay{&c.LastSeen}, &id, &mask); err != nil {
			return err
		}
		c.Debriefs = int(n.Int64)
		switch {
		case id.Valid:
			recent = append(recent, recentCategories{id: id.String, mask: mask.Int64})
		case !bit.Valid:
			total = c.Debriefs
		case bit.Int64 >= 0 && int(bit.Int64) < len(keys):
			c.Category = keys[bit.Int64]
			if c.Debriefs >= max(minDebriefs, 1) {
				out = append(out, c)
				bits = append(bits, int(bit.Int64))
			}
		}
		return nil
	}
	if f.everything() {
		g, gctx := errgroup.WithContext(ctx)
		var rs []recentCategories
		g.Go(func() (err error) {
			rs, err = s.recentCategories(gctx, f, -1, recentScan)
			return err
		})
		g.Go(func() error { return s.rowsOf(gctx, "factor_categories_all", nil, scan) })
		if err := g.Wait(); err != nil {
			return nil, err
		}
		recent = rs
	} else if err := s.rowsOf(ctx, "factor_categories", f.args("", sql.Named("limit", recentScan)), scan); err != nil {
		return nil, err
	}
	wants := make([]exampleWant, len(out))
	for i := range out {
		wants[i] = exampleWant{key: uint64(bits[i]), of: out[i].Debriefs}
	}
	if err := s.categoryExamples(ctx, f, wants, recent, recentScan); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Examples = orNone(wants[i].ids)
		if total > 0 {
			out[i].Share = float64(out[i].Debriefs) / float64(total)
		}
	}
	slices.SortFunc(out, func(a, b CategoryCount) int {
		if a.Debriefs != b.Debriefs {
			return b.Debriefs - a.Debriefs
		}
		return strings.Compare(a.Category, b.Category)
	})
	return out, nil
}

// recentCategories is a debrief of recent_categories.sql and the
// categories of its factors as bits.
type recentCategories struct {
	id   string
	mask int64
}

// recentCategories lists the most recent assessed debriefs with a factor
// of a category of mask, at most limit.
func (s *Store) recentCategories(ctx context.Context, f Filter, mask int64, limit int) ([]recentCategories, error) {
	var out []recentCategories
	err := s.rowsOf(ctx, "recent_categories", f.args("", sql.Named("mask", mask), sql.Named("limit", limit)), func(r *sql.Rows) error {
		var d recentCategories
		if err := r.Scan(&d.id, &d.mask); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// categoryExamples fills each want (a category as its bit) with its most
// recent debriefs, newest first, from recent, the first debriefs of
// recent_categories.sql at a limit of limit; then, while some are short
// and there may be more, from longer lists of the debriefs with the
// categories still short.
func (s *Store) categoryExamples(ctx context.Context, f Filter, wants []exampleWant, recent []recentCategories, limit int) error {
	for {
		var short int64
		for _, d := range recent {
			for i := range wants {
				w := &wants[i]
				if !w.full() && d.mask&(1<<w.key) != 0 && !slices.Contains(w.ids, d.id) {
					w.ids = append(w.ids, d.id)
				}
			}
		}
		for _, w := range wants {
			if !w.full() {
				short |= 1 << w.key
			}
		}
		if short == 0 || len(recent) < limit {
			return nil
		}
		// The newest debriefs of the short categories come again first,
		// in the same order, and are skipped as already taken.
		limit *= 8
		var err error
		if recent, err = s.recentCategories(ctx, f, short, limit); err != nil {
			return err
		}
	}
}

// examplesPerRow is how many example debriefs a recurring factor or
// category lists; recentScan how many recent debriefs are looked through
// for them before asking for the rare ones.
const (
	examplesPerRow = 3
	recentScan     = 500
)

// exampleWant asks for the most recent debriefs stating a factor key (or
// with a factor of a category, as its bit); of is how many there are.
type exampleWant struct {
	key uint64
	of  int
	ids []string
}

func (w *exampleWant) full() bool { return len(w.ids) >= min(examplesPerRow, w.of) }

// recentFactors is a debrief of recent.sql and its factor keys.
type recentFactors struct {
	id   string
	keys []any
}

// recentFactors lists the most recent assessed debriefs stating one of
// keys (any when empty), at most limit.
func (s *Store) recentFactors(ctx context.Context, f Filter, keys []uint64, limit int) ([]recentFactors, error) {
	var out []recentFactors
	err := s.rowsOf(ctx, "recent", f.args("", sql.Named("keys", keys), sql.Named("limit", limit)), func(r *sql.Rows) error {
		var d recentFactors
		if err := r.Scan(&d.id, &d.keys); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// factorExamples fills each want with its most recent debriefs, newest
// first: from recent, the most recent debriefs, then, for wants still
// short (factors not seen lately), from one query for debriefs with those
// keys.
func (s *Store) factorExamples(ctx context.Context, f Filter, wants []exampleWant, recent []recentFactors) error {
	take := func(ds []recentFactors) {
		for _, d := range ds {
			for i := range wants {
				w := &wants[i]
				if !w.full() && !slices.Contains(w.ids, d.id) && slices.ContainsFunc(d.keys, func(k any) bool { v, _ := k.(uint64); return v == w.key }) {
					w.ids = append(w.ids, d.id)
				}
			}
		}
	}
	take(recent)
	keys := []uint64{}
	for _, w := range wants {
		if !w.full() {
			keys = append(keys, w.key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	// A generous bound: the newest debriefs with these keys may state
	// several of them, or only ones already filled.
	more, err := s.recentFactors(ctx, f, keys, max(recentScan, len(keys)*examplesPerRow*8))
	if err != nil {
		return err
	}
	take(more)
	return nil
}

// RecurringFactor is one factor, as its normalised key groups it, and the
// debriefs that state it.
type RecurringFactor struct {
	Key string `json:"key"`
	// Label is the shortest wording seen; Wordings counts the different
	// wordings grouped under the key.
	Label      string   `json:"label"`
	Wordings   int      `json:"wordings"`
	Categories []string `json:"categories"`
	// Explicit is true when some debrief states it under a contributing
	// factors, root cause or trigger section.
	Explicit  bool     `json:"explicit"`
	Debriefs  int      `json:"debriefs"`
	Share     float64  `json:"share"`
	FirstSeen Day      `json:"first_seen"`
	LastSeen  Day      `json:"last_seen"`
	Examples  []string `json:"example_ids"`
}

// RecurringFactors groups factors by key across the assessed debriefs the
// filter selects, keeping those stated in at least minDebriefs debriefs,
// most frequent first, at most limit.
func (s *Store) RecurringFactors(ctx context.Context, f Filter, minDebriefs, limit int) ([]RecurringFactor, error) {
	out := []RecurringFactor{}
	args := f.args("", sql.Named("min_debriefs", max(minDebriefs, 1)), sql.Named("limit", max(limit, 1)))
	name := "recurring_factors"
	if f.everything() {
		// The same rows, kept up to date by every write.
		name, args = "recurring_factors_all", []any{sql.Named("min_debriefs", max(minDebriefs, 1)), sql.Named("limit", max(limit, 1))}
	}
	var wants []exampleWant
	var recent []recentFactors
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		recent, err = s.recentFactors(gctx, f, []uint64{}, recentScan)
		return err
	})
	g.Go(func() error {
		return s.rowsOf(gctx, name, args, func(r *sql.Rows) error {
			var x RecurringFactor
			var cats stringList
			var hash uint64
			if err := r.Scan(&x.Key, &x.Debriefs, &x.Share, nullDay{&x.FirstSeen}, nullDay{&x.LastSeen},
				&x.Wordings, &x.Label, &cats, &x.Explicit, &hash); err != nil {
				return err
			}
			x.Categories = orNone(cats)
			out = append(out, x)
			wants = append(wants, exampleWant{key: hash, of: x.Debriefs})
			return nil
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := s.factorExamples(ctx, f, wants, recent); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Examples = orNone(wants[i].ids)
	}
	return out, nil
}

// TrendRow is one period of one factor category's series.
type TrendRow struct {
	Period   Day    `json:"period"`
	Category string `json:"category"`
	// Debriefs have a factor of the category; Assessed are all assessed
	// debriefs of the period; Share is one over the other (0 when none).
	Debriefs int     `json:"debriefs"`
	Assessed int     `json:"assessed"`
	Share    float64 `json:"share"`
	// Rising is the category's verdict over the whole series (the same on
	// each of its rows): see Rising.
	Rising bool `json:"rising"`
}

// Rising decides whether a category is rising: the last third of the
// series' periods (at least one; recent when given) against the periods
// before. It is rising when, in the recent periods, at least three
// debriefs have it, its share of the assessed debriefs is at least one
// and a half times the earlier share, and a one-sided two-proportion z
// test puts the difference at the 95 % level (z of 1.645 or more). A rise
// from a handful of debriefs is not called rising.
func Rising(recentHits, recentTotal, earlierHits, earlierTotal int) bool {
	if recentHits < 3 || recentTotal == 0 || earlierTotal == 0 {
		return false
	}
	p1 := float64(recentHits) / float64(recentTotal)
	p0 := float64(earlierHits) / float64(earlierTotal)
	if p1 < 1.5*p0 || p1 <= p0 {
		return false
	}
	p := float64(recentHits+earlierHits) / float64(recentTotal+earlierTotal)
	se := math.Sqrt(p * (1 - p) * (1/float64(recentTotal) + 1/float64(earlierTotal)))
	if se == 0 {
		return false
	}
	return (p1-p0)/se >= 1.645
}

// FactorTrend is the series of debriefs per factor category and period,
// every period of the range present (zeros included), categories in the
// order of the taxonomy's keys as found. recent is the number of trailing
// periods Rising compares with the rest (0: a third of the periods).
func (s *Store) FactorTrend(ctx context.Context, f Filter, unit Interval, recent int) ([]TrendRow, error) {
	if unit == "" {
		unit = Month
	}
	totals := map[time.Time]int{}
	counts := map[string]map[time.Time]int{}
	var seen []time.Time
	keys := factorCategoryKeys()
	err := s.rowsOf(ctx, "factor_trend", f.args(unit), func(r *sql.Rows) error {
		var period time.Time
		var bit sql.NullInt64
		var n int
		if err := r.Scan(nullableTime{&period}, &bit, &n); err != nil {
			return err
		}
		if !bit.Valid {
			totals[period] = n
			seen = append(seen, period)
			return nil
		}
		if bit.Int64 < 0 || int(bit.Int64) >= len(keys) {
			return nil
		}
		cat := keys[bit.Int64]
		if counts[cat] == nil {
			counts[cat] = map[time.Time]int{}
		}
		counts[cat][period] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	periods, err := unit.span(f, seen)
	if err != nil {
		return nil, err
	}
	cats := make([]string, 0, len(counts))
	for c := range counts {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	if recent <= 0 {
		recent = max(1, len(periods)/3)
	}
	split := max(len(periods)-recent, 0)
	out := make([]TrendRow, 0, len(cats)*len(periods))
	for _, c := range cats {
		var rh, rt, eh, et int
		for i, p := range periods {
			if i >= split {
				rh, rt = rh+counts[c][p], rt+totals[p]
			} else {
				eh, et = eh+counts[c][p], et+totals[p]
			}
		}
		rising := Rising(rh, rt, eh, et)
		for _, p := range periods {
			row := TrendRow{Period: DayOf(p), Category: c, Debriefs: counts[c][p], Assessed: totals[p], Rising: rising}
			if row.Assessed > 0 {
				row.Share = float64(row.Debriefs) / float64(row.Assessed)
			}
			out = append(out, row)
		}
	}
	return out, nil
}

// Pair is two factor categories found in the same debriefs.
type Pair struct {
	A string `json:"a"`
	B string `json:"b"`
	// Debriefs have factors of both; ADebriefs and BDebriefs of each.
	Debriefs  int `json:"debriefs"`
	ADebriefs int `json:"a_debriefs"`
	BDebriefs int `json:"b_debriefs"`
	// Lift is how much more often the two meet than if they were
	// independent: Debriefs × assessed / (ADebriefs × BDebriefs). Above 1
	// they go together; below 1 they avoid each other.
	Lift float64 `json:"lift"`
}

// Cooccurrence lists pairs of factor categories in at least minDebriefs
// of the same assessed debriefs, most frequent first.
func (s *Store) Cooccurrence(ctx context.Context, f Filter, minDebriefs int) ([]Pair, error) {
	keys := factorCategoryKeys()
	var total int
	single := make([]int, len(keys))
	pairs := make([][]int, len(keys))
	for i := range pairs {
		pairs[i] = make([]int, len(keys))
	}
	err := s.rowsOf(ctx, "cooccurrence", f.args(""), func(r *sql.Rows) error {
		var mask int64
		var n int
		if err := r.Scan(&mask, &n); err != nil {
			return err
		}
		total += n
		for i := range keys {
			if mask&(1<<i) == 0 {
				continue
			}
			single[i] += n
			for j := i + 1; j < len(keys); j++ {
				if mask&(1<<j) != 0 {
					pairs[i][j] += n
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []Pair{}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			n := pairs[i][j]
			if n == 0 || n < minDebriefs {
				continue
			}
			a, b, na, nb := keys[i], keys[j], single[i], single[j]
			if b < a {
				a, b, na, nb = b, a, nb, na
			}
			out = append(out, Pair{A: a, B: b, Debriefs: n, ADebriefs: na, BDebriefs: nb,
				Lift: float64(n) * float64(total) / (float64(na) * float64(nb))})
		}
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if x.Debriefs != y.Debriefs {
			return y.Debriefs - x.Debriefs
		}
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
	return out, nil
}

// orNone is l, or an empty list rather than nil, so JSON says [].
func orNone(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
