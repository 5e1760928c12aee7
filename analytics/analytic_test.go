package analytics

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/sample"
	"github.com/secondstory/secondstory/ingest/synth"
)

// corpusFixture is a store of a few hundred assessed debriefs: the bundled
// sample and generated ones, in two sources, as a pass would store them.
type corpusFixture struct {
	store    *Store
	assessor *assess.Assessor
	debriefs []*ingest.Debrief // visible ones, with their assessments
	pending  []ingest.Record
}

func newCorpusFixture(t testing.TB, generated int) *corpusFixture {
	t.Helper()
	fx := openFixture(t)
	err := fs.WalkDir(sample.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sample.FS(), p)
		if err != nil {
			return err
		}
		fx.add("sample", p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g := synth.New(42, fixtureNow)
	for i := range generated {
		doc := g.Debrief(i, 2500)
		fx.add([]string{"wiki", "tracker"}[i%2], doc.Name, doc.Body)
	}
	fx.flush(t)
	return fx
}

var fixtureNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func openFixture(t testing.TB) *corpusFixture {
	t.Helper()
	st, err := Open(context.Background(), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &corpusFixture{store: st, assessor: assess.New(nil)}
}

// add parses and assesses a document as a pass would; flush stores what
// was added.
func (fx *corpusFixture) add(source, ref string, data []byte) {
	f, ok := parse.FormatOf(ref)
	if !ok {
		return
	}
	ds, err := parse.Parse(ref, f, data)
	if err != nil {
		return // templates and the like: not debriefs
	}
	for i := range ds {
		d := &ds[i]
		d.Source = source
		if d.Ref == "" {
			d.Ref = ref
		}
		if d.Document == "" {
			d.Document = ref
		}
		d.ID = ingest.DebriefID(source, d.Ref)
		fx.assessor.Assess(d)
		d.Hash = ingest.ContentHash(d)
		d.FetchedAt = fixtureNow
		fx.pending = append(fx.pending, ingest.Record{Debrief: d, DocHash: parse.Hash(f, data)})
		fx.debriefs = append(fx.debriefs, d)
	}
}

func (fx *corpusFixture) flush(t testing.TB) {
	t.Helper()
	for len(fx.pending) > 0 {
		n := min(len(fx.pending), 100)
		if _, err := fx.store.Apply(context.Background(), ingest.Change{Upsert: fx.pending[:n], At: fixtureNow}); err != nil {
			t.Fatal(err)
		}
		fx.pending = fx.pending[n:]
	}
}

// keep returns the fixture's debriefs the filter selects.
func (fx *corpusFixture) keep(f Filter) []*ingest.Debrief {
	var out []*ingest.Debrief
	anyOf := func(want, have []string) bool {
		if len(want) == 0 {
			return true
		}
		for _, w := range want {
			for _, h := range have {
				if strings.EqualFold(w, h) {
					return true
				}
			}
		}
		return false
	}
	for _, d := range fx.debriefs {
		date := d.Times.Date()
		if (!f.From.IsZero() || !f.To.IsZero()) && date.IsZero() {
			continue
		}
		if !f.From.IsZero() && date.Before(f.From) || !f.To.IsZero() && !date.Before(f.To) {
			continue
		}
		sev := strings.ToUpper(strings.TrimSpace(d.Meta.Severity))
		if sev == "" {
			sev = "UNSPECIFIED"
		}
		if !anyOf(f.Sources, []string{d.Source}) || !anyOf(f.Severities, []string{sev}) ||
			!anyOf(f.Teams, d.Meta.Teams) || !anyOf(f.Services, d.Meta.Services) || !anyOf(f.Tags, d.Meta.Tags) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// The filters every agreement test runs under: none, dates, each list.
var agreementFilters = map[string]Filter{
	"all":      {},
	"dates":    {From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	"source":   {Sources: []string{"wiki"}},
	"severity": {Severities: []string{"sev2", "SEV1"}},
	"team":     {Teams: []string{"Platform"}},
	"teams":    {Teams: []string{"mobile", "Payments", "no-such-team"}},
	"tags":     {Tags: []string{"no-such-tag", "connection-pool", "DNS"}},
	"tag":      {Tags: []string{"connection-pool"}},
	"service":  {Services: []string{"checkout"}},
}

// TestAnalyticsAgreeWithAssessments sums the per-debrief assessments of
// a few hundred debriefs in Go and checks every analytic total against
// them, under several filters.
func TestAnalyticsAgreeWithAssessments(t *testing.T) {
	fx := newCorpusFixture(t, 300)
	ctx := context.Background()
	if len(fx.debriefs) < 300 {
		t.Fatalf("fixture has %d debriefs, want a few hundred", len(fx.debriefs))
	}
	for name, f := range agreementFilters {
		t.Run(name, func(t *testing.T) {
			ds := fx.keep(f)
			if len(ds) == 0 {
				t.Fatalf("filter %s keeps no debrief: the fixture does not exercise it", name)
			}
			checkFactorCategories(t, fx, f, ds)
			checkCoverage(t, fx, f, ds)
			checkDepth(t, fx, f, ds)
			checkIncidents(t, fx, f, ds)
			checkCooccurrence(t, fx, f, ds)
			checkRecurring(t, fx, f, ds)
			checkTrend(t, fx, f, ds)
			_ = ctx
		})
	}
}

func checkFactorCategories(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	want := map[string]int{}
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for _, d := range ds {
		for _, c := range d.Assessment.FactorCategories() {
			want[c]++
			if dt := d.Times.Date(); !dt.IsZero() {
				if first[c].IsZero() || dt.Before(first[c]) {
					first[c] = dt
				}
				if dt.After(last[c]) {
					last[c] = dt
				}
			}
		}
	}
	got, err := fx.store.FactorCategories(context.Background(), f, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("factor categories: %d rows, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Debriefs != want[c.Category] {
			t.Errorf("category %s: %d debriefs, assessments say %d", c.Category, c.Debriefs, want[c.Category])
		}
		if s := float64(want[c.Category]) / float64(len(ds)); math.Abs(c.Share-s) > 1e-12 {
			t.Errorf("category %s: share %v, want %v", c.Category, c.Share, s)
		}
		if c.FirstSeen != DayOf(first[c.Category]) || c.LastSeen != DayOf(last[c.Category]) {
			t.Errorf("category %s: seen %s to %s, want %s to %s", c.Category, c.FirstSeen, c.LastSeen, DayOf(first[c.Category]), DayOf(last[c.Category]))
		}
		if i > 0 && got[i-1].Debriefs < c.Debriefs {
			t.Errorf("categories not most frequent first at %d", i)
		}
		withIt := func(d *ingest.Debrief) bool { return slices.Contains(d.Assessment.FactorCategories(), c.Category) }
		if want := newest(ds, 3, true, withIt); !slices.Equal(c.Examples, want) {
			t.Errorf("category %s: examples %v, want the newest with it %v", c.Category, c.Examples, want)
		}
	}
	// min_debriefs keeps only categories with that many debriefs.
	got, err = fx.store.FactorCategories(context.Background(), f, 5)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range want {
		if v >= 5 {
			n++
		}
	}
	if len(got) != n {
		t.Errorf("min_debriefs 5: %d categories, want %d", len(got), n)
	}
}

func checkCoverage(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	want := map[string]int{}
	for _, d := range ds {
		for _, c := range d.Assessment.Covered() {
			want[c]++
		}
	}
	got, err := fx.store.Coverage(context.Background(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 13 {
		t.Fatalf("coverage: %d rows, want the 13 question categories", len(got))
	}
	for i, row := range got {
		if row.Category != assess.QuestionCategories()[i] {
			t.Errorf("coverage row %d is %s, want catalog order", i, row.Category)
		}
		if row.Covered != want[row.Category] || row.Assessed != len(ds) {
			t.Errorf("coverage %s: %d of %d, assessments say %d of %d", row.Category, row.Covered, row.Assessed, want[row.Category], len(ds))
		}
	}
	// Per quarter: the periods add up to the dated debriefs.
	byQ, err := fx.store.Coverage(context.Background(), f, Quarter)
	if err != nil {
		t.Fatal(err)
	}
	dated := map[string]int{}
	assessed := map[time.Time]int{}
	for _, d := range ds {
		if !d.Times.Date().IsZero() {
			for _, c := range d.Assessment.Covered() {
				dated[c]++
			}
			assessed[Quarter.truncate(d.Times.Date())]++
		}
	}
	sum := map[string]int{}
	for _, row := range byQ {
		sum[row.Category] += row.Covered
		if row.Assessed != assessed[row.Period.Time()] {
			t.Errorf("coverage in %s: %d assessed, want %d", row.Period, row.Assessed, assessed[row.Period.Time()])
		}
	}
	for _, c := range assess.QuestionCategories() {
		if sum[c] != dated[c] {
			t.Errorf("coverage %s summed over quarters: %d, want %d", c, sum[c], dated[c])
		}
	}
	// The matrix lists every selected debrief once, with what it covers.
	rows, total, err := fx.store.CoverageMatrix(context.Background(), f, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ds) || len(rows) != len(ds) {
		t.Errorf("matrix: %d rows of %d, want %d", len(rows), total, len(ds))
	}
	for _, r := range rows {
		if d := find(ds, r.ID); d == nil || !slices.Equal(r.Covered, d.Assessment.Covered()) {
			t.Errorf("matrix row %s: covered %v, want the debrief's", r.ID, r.Covered)
		}
	}
}

func checkDepth(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	var want DepthRow
	var scores []float64
	for _, d := range ds {
		dp := d.Assessment.Depth
		want.Assessed++
		switch dp.Class {
		case ingest.DepthSingleRootCause:
			want.SingleRootCause++
		case ingest.DepthMultipleCauses:
			want.MultipleCauses++
		case ingest.DepthContributingFactors:
			want.ContributingFactors++
		}
		if len(dp.Blame) > 0 {
			want.WithBlame++
		}
		if len(dp.Counterfactuals) > 0 {
			want.WithCounterfactuals++
		}
		scores = append(scores, float64(dp.Score))
	}
	sort.Float64s(scores)
	want.MedianScore = scores[len(scores)/2]
	if len(scores)%2 == 0 {
		want.MedianScore = (scores[len(scores)/2-1] + scores[len(scores)/2]) / 2
	}
	want.BeyondSingleShare = float64(want.Assessed-want.SingleRootCause) / float64(want.Assessed)
	got, err := fx.store.Depth(context.Background(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("depth:\n got %+v\nwant %+v", got, want)
	}
	review, total, err := fx.store.DepthReview(context.Background(), f, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != want.SingleRootCause || len(review) != min(100, total) {
		t.Errorf("review: %d rows of %d, want %d", len(review), total, want.SingleRootCause)
	}
	for _, r := range review {
		d := find(ds, r.ID)
		if d == nil || d.Assessment.Depth.Class != ingest.DepthSingleRootCause || !slices.Equal(r.Reasons, d.Assessment.Depth.Reasons) || len(r.Reasons) == 0 {
			t.Errorf("review row %s: reasons %q, want the assessment's of a single-root-cause debrief", r.ID, r.Reasons)
		}
	}
}

func checkIncidents(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	want := map[[2]string]int{}
	var durations []float64
	for _, d := range ds {
		sev := strings.ToUpper(strings.TrimSpace(d.Meta.Severity))
		if sev == "" {
			sev = "UNSPECIFIED"
		}
		want[[2]string{sev, d.Source}]++
		if s, e := d.Times.Started, d.Times.Resolved; !s.IsZero() && !e.IsZero() && !e.Before(s) {
			durations = append(durations, e.Sub(s).Minutes())
		}
	}
	got, err := fx.store.Incidents(context.Background(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("incidents: %d rows, want %d", len(got), len(want))
	}
	for _, c := range got {
		if c.Debriefs != want[[2]string{c.Severity, c.Source}] {
			t.Errorf("incidents %s/%s: %d, want %d", c.Severity, c.Source, c.Debriefs, want[[2]string{c.Severity, c.Source}])
		}
	}
	dur, err := fx.store.IncidentDurations(context.Background(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(dur) != 1 || dur[0].Debriefs != len(ds) || dur[0].WithDuration != len(durations) {
		t.Fatalf("durations: %+v, want %d debriefs, %d with a duration", dur, len(ds), len(durations))
	}
	if len(durations) > 0 {
		sort.Float64s(durations)
		if m := quantile(durations, 0.5); math.Abs(dur[0].MedianMinutes-m) > 1e-6 {
			t.Errorf("median duration %v, want %v", dur[0].MedianMinutes, m)
		}
		if p := quantile(durations, 0.9); math.Abs(dur[0].P90Minutes-p) > 1e-6 {
			t.Errorf("p90 duration %v, want %v", dur[0].P90Minutes, p)
		}
		if x := durations[len(durations)-1]; math.Abs(dur[0].MaxMinutes-x) > 1e-6 {
			t.Errorf("max duration %v, want %v", dur[0].MaxMinutes, x)
		}
	}
}

// quantile interpolates linearly between ranks, as DuckDB's quantile_cont.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
}

func checkCooccurrence(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	pairs := map[[2]string]int{}
	single := map[string]int{}
	for _, d := range ds {
		cats := d.Assessment.FactorCategories()
		for i, a := range cats {
			single[a]++
			for _, b := range cats[i+1:] {
				pairs[[2]string{a, b}]++
			}
		}
	}
	got, err := fx.store.Cooccurrence(context.Background(), f, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pairs) {
		t.Errorf("cooccurrence: %d pairs, want %d", len(got), len(pairs))
	}
	for _, p := range got {
		k := [2]string{p.A, p.B}
		lift := float64(pairs[k]) * float64(len(ds)) / float64(single[p.A]*single[p.B])
		if p.Debriefs != pairs[k] || p.ADebriefs != single[p.A] || p.BDebriefs != single[p.B] || math.Abs(p.Lift-lift) > 1e-9 {
			t.Errorf("pair %s+%s: %+v, want %d (%d, %d), lift %v", p.A, p.B, p, pairs[k], single[p.A], single[p.B], lift)
		}
	}
}

func checkRecurring(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	want := map[string]map[string]bool{}
	for _, d := range ds {
		for _, fc := range d.Assessment.Factors {
			if fc.Key == "unspecified" {
				continue
			}
			if want[fc.Key] == nil {
				want[fc.Key] = map[string]bool{}
			}
			want[fc.Key][d.ID] = true
		}
	}
	got, err := fx.store.RecurringFactors(context.Background(), f, 2, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ids := range want {
		if len(ids) >= 2 {
			n++
		}
	}
	if len(got) != n {
		t.Errorf("recurring factors: %d, want %d keys in two or more debriefs", len(got), n)
	}
	for _, r := range got {
		if r.Debriefs != len(want[r.Key]) {
			t.Errorf("factor %s: %d debriefs, want %d", r.Key, r.Debriefs, len(want[r.Key]))
		}
		for _, id := range r.Examples {
			if !want[r.Key][id] {
				t.Errorf("factor %s: example %s does not state it", r.Key, id)
			}
		}
		if n := min(3, len(want[r.Key])); len(r.Examples) != n || len(slices.Compact(slices.Sorted(slices.Values(r.Examples)))) != n {
			t.Errorf("factor %s: examples %v, want %d different debriefs", r.Key, r.Examples, n)
		}
		if w := newest(ds, 3, false, func(d *ingest.Debrief) bool { return want[r.Key][d.ID] }); !slices.Equal(r.Examples, w) {
			t.Errorf("factor %s: examples %v, want the newest stating it %v", r.Key, r.Examples, w)
		}
	}
}

func checkTrend(t *testing.T, fx *corpusFixture, f Filter, ds []*ingest.Debrief) {
	t.Helper()
	got, err := fx.store.FactorTrend(context.Background(), f, Quarter, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, d := range ds {
		if !d.Times.Date().IsZero() {
			for _, c := range d.Assessment.FactorCategories() {
				want[c]++
			}
		}
	}
	sum := map[string]int{}
	periods := map[string]map[Day]bool{}
	for _, r := range got {
		sum[r.Category] += r.Debriefs
		if periods[r.Category] == nil {
			periods[r.Category] = map[Day]bool{}
		}
		periods[r.Category][r.Period] = true
	}
	for c, n := range want {
		if sum[c] != n {
			t.Errorf("trend %s summed over quarters: %d, want %d", c, sum[c], n)
		}
	}
	// Every category has every period of the range, zeros included.
	var np int
	for c, ps := range periods {
		if np == 0 {
			np = len(ps)
		}
		if len(ps) != np {
			t.Errorf("trend %s has %d periods, others %d", c, len(ps), np)
		}
	}
}

func find(ds []*ingest.Debrief, id string) *ingest.Debrief {
	for _, d := range ds {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// newest returns the ids of the n most recent debriefs of ds that keep
// says: latest date first, undated ones last, debriefs of the same date by
// id (the greatest first when idDesc).
func newest(ds []*ingest.Debrief, n int, idDesc bool, keep func(*ingest.Debrief) bool) []string {
	var kept []*ingest.Debrief
	for _, d := range ds {
		if keep(d) {
			kept = append(kept, d)
		}
	}
	slices.SortFunc(kept, func(a, b *ingest.Debrief) int {
		if c := b.Times.Date().Compare(a.Times.Date()); c != 0 {
			return c
		}
		if idDesc {
			return strings.Compare(b.ID, a.ID)
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := []string{}
	for _, d := range kept[:min(n, len(kept))] {
		ids = append(ids, d.ID)
	}
	return ids
}

// TestCategoryExamplesLookFurther: examples of one date are ordered by
// id; and when the first look at the most recent debriefs leaves a
// category short of examples, the next looks (longer, at the short
// categories only) find the same examples a look at every debrief finds.
func TestCategoryExamplesLookFurther(t *testing.T) {
	fx := newCorpusFixture(t, 60)
	// Newest of all and of one date, so that the ids order them.
	for i := range 5 {
		fx.add("notes", fmt.Sprintf("same-day-%d.md", i), []byte("---\ntitle: Same day "+fmt.Sprint(i)+
			"\ndate: 2026-11-29\n---\n\n## Summary\n\nOrders failed.\n\n## Contributing Factors\n\n"+
			"- Connection pool exhausted\n- A config change raised the timeout\n"))
	}
	fx.flush(t)
	ctx := context.Background()
	cats, err := fx.store.FactorCategories(ctx, Filter{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{}, {Sources: []string{"notes", "wiki"}}} {
		checkFactorCategories(t, fx, f, fx.keep(f))
		checkRecurring(t, fx, f, fx.keep(f))
	}
	keys := factorCategoryKeys()
	for _, limit := range []int{1, 2, 7, 1000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			recent, err := fx.store.recentCategories(ctx, Filter{}, -1, limit)
			if err != nil {
				t.Fatal(err)
			}
			wants := make([]exampleWant, len(cats))
			for i, c := range cats {
				wants[i] = exampleWant{key: uint64(slices.Index(keys, c.Category)), of: c.Debriefs}
			}
			if err := fx.store.categoryExamples(ctx, Filter{}, wants, recent, limit); err != nil {
				t.Fatal(err)
			}
			for i, c := range cats {
				if !slices.Equal(wants[i].ids, c.Examples) || len(c.Examples) != min(3, c.Debriefs) {
					t.Errorf("category %s looking at %d first: %v, want %v", c.Category, limit, wants[i].ids, c.Examples)
				}
			}
		})
	}
}

func TestRising(t *testing.T) {
	for _, c := range []struct {
		name       string
		rh, rt     int
		eh, et     int
		wantRising bool
	}{
		{"tripled over many debriefs", 30, 100, 20, 200, true},
		{"flat", 10, 100, 20, 200, false},
		{"falling", 5, 100, 40, 200, false},
		{"too few recent debriefs", 2, 4, 0, 50, false},
		{"new category with enough debriefs", 6, 40, 0, 80, true},
		{"a small rise is not clear", 12, 100, 20, 200, false},
		{"no earlier periods", 10, 100, 0, 0, false},
	} {
		if got := Rising(c.rh, c.rt, c.eh, c.et); got != c.wantRising {
			t.Errorf("%s: Rising(%d/%d vs %d/%d) = %v, want %v", c.name, c.rh, c.rt, c.eh, c.et, got, c.wantRising)
		}
	}
}

func TestPeriods(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, c := range []struct {
		unit        Interval
		first, last string
		want        []string
	}{
		{Month, "2025-01-31", "2025-03-01", []string{"2025-01-01", "2025-02-01", "2025-03-01"}},
		{Quarter, "2025-02-10", "2025-07-01", []string{"2025-01-01", "2025-04-01", "2025-07-01"}},
		{Year, "2024-12-31", "2025-01-01", []string{"2024-01-01", "2025-01-01"}},
	} {
		ps, err := c.unit.periods(d(c.first), d(c.last))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, DayOf(p).String())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s periods %s..%s = %v, want %v", c.unit, c.first, c.last, got, c.want)
		}
	}
	if _, err := Month.periods(d("1900-01-01"), d("2025-01-01")); err == nil || !strings.Contains(err.Error(), "periods") {
		t.Errorf("a range of 1,500 months: %v, want an error saying to narrow it", err)
	}
	if _, err := ParseInterval("week"); err == nil || !strings.Contains(err.Error(), "month, quarter or year") {
		t.Errorf("ParseInterval(week) = %v", err)
	}
}

// TestRecurringFactorsGroupTheSameFactor: the same factor worded
// differently in different debriefs is one recurring factor; different
// factors stay apart.
func TestRecurringFactorsGroupTheSameFactor(t *testing.T) {
	fx := openFixture(t)
	debrief := func(title, date string, factors ...string) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: " + title + "\ndate: " + date + "\n---\n\n## Summary\n\nOrders could not be placed for a while.\n\n## Contributing Factors\n\n")
		for _, f := range factors {
			b.WriteString("- " + f + "\n")
		}
		return []byte(b.String())
	}
	fx.add("notes", "a.md", debrief("Checkout stalls", "2025-02-03", "Connection pool exhausted", "The TLS certificate expired"))
	fx.add("notes", "b.md", debrief("Basket errors", "2025-05-11", "Ran out of database connections in the pool"))
	fx.add("notes", "c.md", debrief("Payment timeouts", "2025-09-20", "Database connections exhausted in the pool", "The cert lapsed"))
	fx.add("notes", "d.md", debrief("Login failures", "2025-10-02", "Connection pool size misconfigured"))
	fx.flush(t)
	got, err := fx.store.RecurringFactors(context.Background(), Filter{}, 2, 100)
	if err != nil {
		t.Fatal(err)
	}
	byCount := map[int]RecurringFactor{}
	for _, r := range got {
		byCount[r.Debriefs] = r
	}
	if len(got) != 2 {
		t.Fatalf("recurring factors = %+v, want two: the pool in three debriefs, the certificate in two", got)
	}
	pool, cert := byCount[3], byCount[2]
	if pool.Wordings != 3 || !slices.Contains(pool.Categories, "database") || pool.FirstSeen.String() != "2025-02-03" || pool.LastSeen.String() != "2025-09-20" {
		t.Errorf("pool factor = %+v, want three wordings in database, seen 2025-02-03 to 2025-09-20", pool)
	}
	if cert.Wordings != 2 || !slices.Contains(cert.Categories, "certificate") {
		t.Errorf("certificate factor = %+v, want two wordings in certificate", cert)
	}
	// The misconfigured pool size is another factor: it is in one debrief.
	all, err := fx.store.RecurringFactors(context.Background(), Filter{}, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("with min_debriefs 1: %d factors, want 3 (%+v)", len(all), all)
	}
}

// TestFactsFilledOnMigration: a store written before the facts table
// existed gets it filled when it is opened, with the same figures as a
// store written since.
func TestFactsFilledOnMigration(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/store.duckdb"
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fx := &corpusFixture{store: st, assessor: assess.New(nil)}
	g := synth.New(9, fixtureNow)
	for i := range 40 {
		doc := g.Debrief(i, 2000)
		fx.add("wiki", doc.Name, doc.Body)
	}
	fx.flush(t)
	before, err := st.Depth(ctx, Filter{}, Quarter)
	if err != nil {
		t.Fatal(err)
	}
	factors, err := st.RecurringFactors(ctx, Filter{}, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := st.FactorCategories(ctx, Filter{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Undo migrations 3 to 6, as a store of an older release looks.
	for _, q := range []string{`DROP MACRO TABLE selected_debriefs`, `DROP TABLE facts`, `DROP TABLE factor_labels`,
		`DROP TABLE factor_totals`, `DROP TABLE category_totals`,
		`ALTER TABLE factors DROP COLUMN key_hash`, `ALTER TABLE factors DROP COLUMN text_hash`, `ALTER TABLE factors DROP COLUMN text_len`,
		`DELETE FROM schema_version WHERE version >= 3`} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()
	st, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	after, err := st.Depth(ctx, Filter{}, Quarter)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, after) || len(after) == 0 || after[len(after)-1].Assessed == 0 && len(after) == 1 {
		t.Errorf("depth after migrating = %+v, want %+v", after, before)
	}
	sameFactors(t, st, "after migrating", factors, cats)
	var n int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM facts`).Scan(&n); err != nil || n != 40 {
		t.Errorf("facts after migrating: %d (%v), want 40", n, err)
	}
	// A removed debrief leaves the figures; back at its source, it returns.
	gone := fx.debriefs[0]
	if _, err := st.Apply(ctx, ingest.Change{Remove: []string{gone.ID}, At: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	d, err := st.Depth(ctx, Filter{}, "")
	if err != nil || d[0].Assessed != 39 {
		t.Errorf("after a removal: %+v (%v), want 39 assessed", d, err)
	}
	if _, err := st.Apply(ctx, ingest.Change{Upsert: []ingest.Record{{Debrief: gone, DocHash: "x"}}, At: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	if d, err = st.Depth(ctx, Filter{}, ""); err != nil || d[0].Assessed != 40 {
		t.Errorf("after it came back: %+v (%v), want 40 assessed", d, err)
	}
	sameFactors(t, st, "after it came back", factors, cats)
	if _, err := st.Apply(ctx, ingest.Change{Remove: []string{gone.ID}, At: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	sameFactors(t, st, "after a removal", nil, nil)

	// A store of release 4 gets factor_totals and category_totals filled
	// from its facts.
	for _, q := range []string{`DROP TABLE factor_totals`, `DROP TABLE category_totals`, `DELETE FROM schema_version WHERE version >= 5`} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()
	if st, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	sameFactors(t, st, "after migrating from release 4", nil, nil)
}

// sameFactors checks that the recurring factors and factor categories of
// every debrief, which come from factor_totals and category_totals, are
// those counted over the facts (a filter of the one source keeps them
// all), and wantFactors and wantCats when set.
func sameFactors(t *testing.T, st *Store, when string, wantFactors []RecurringFactor, wantCats []CategoryCount) {
	t.Helper()
	ctx := context.Background()
	every, counted := Filter{}, Filter{Sources: []string{"wiki"}}
	all, err := st.RecurringFactors(ctx, every, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	over, err := st.RecurringFactors(ctx, counted, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || !reflect.DeepEqual(all, over) {
		t.Errorf("%s: recurring factors from the totals = %+v,\nover the facts = %+v", when, all, over)
	}
	if wantFactors != nil && !reflect.DeepEqual(all, wantFactors) {
		t.Errorf("%s: recurring factors = %+v, want %+v", when, all, wantFactors)
	}
	cats, err := st.FactorCategories(ctx, every, 1)
	if err != nil {
		t.Fatal(err)
	}
	catsOver, err := st.FactorCategories(ctx, counted, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) == 0 || !reflect.DeepEqual(cats, catsOver) {
		t.Errorf("%s: factor categories from the totals = %+v,\nover the facts = %+v", when, cats, catsOver)
	}
	if wantCats != nil && !reflect.DeepEqual(cats, wantCats) {
		t.Errorf("%s: factor categories = %+v, want %+v", when, cats, wantCats)
	}
}

// TestDurationsPeriodWithoutTimes: a period whose debriefs record no start
// and end has zero durations, not an error.
func TestDurationsPeriodWithoutTimes(t *testing.T) {
	fx := openFixture(t)
	fx.add("notes", "a.md", []byte("---\ntitle: A\ndate: 2025-01-10T10:00:00Z\nresolved: 2025-01-10T11:00:00Z\n---\n\n## Summary\n\nThe queue stalled for an hour.\n"))
	fx.add("notes", "b.md", []byte("---\ntitle: B\ndate: 2025-05-10\n---\n\n## Summary\n\nA report was late.\n"))
	fx.flush(t)
	rows, err := fx.store.IncidentDurations(context.Background(), Filter{}, Quarter)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].WithDuration != 1 || rows[0].MedianMinutes != 60 || rows[1].WithDuration != 0 || rows[1].MedianMinutes != 0 {
		t.Errorf("durations per quarter = %+v, want 60 minutes in Q1 and none in Q2", rows)
	}
}
