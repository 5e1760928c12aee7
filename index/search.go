package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Search is a search request.
type Search struct {
	// Query is in the query language (see parseQuery); empty lists every
	// debrief matching the filters, newest first.
	Query string
	// Filters keep debriefs having one of the values given, per field:
	// source, severity, service, team, tag, year, category, depth, covers.
	Filters map[string][]string
	// From and To bound the debrief's date (From inclusive, To exclusive).
	From, To time.Time
	// ByDate sorts newest first instead of by relevance.
	ByDate        bool
	Limit, Offset int
}

// Facets are the fields a search counts values of.
func Facets() []string { return append([]string(nil), facetFields...) }

// Hit is one matching debrief: hydrate it from the store.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// FacetCount is how many matching debriefs have a value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Results are one page of a search.
type Results struct {
	Total uint64 `json:"total"`
	// Relaxed is set when fewer than a few debriefs have every word of the
	// query: those come first, then debriefs with some of the words.
	Relaxed bool                    `json:"relaxed"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetCount `json:"facets"`
	Took    time.Duration           `json:"-"`
	// Highlighter finds the query's matches in a hit's text.
	Highlighter *Highlighter `json:"-"`
}

// Bounds of a search request.
const (
	MaxLimit   = 100
	MaxOffset  = 10_000
	facetSize  = 25
	maxFilters = 50
)

// relaxBelow is the number of debriefs with every word of a query under
// which debriefs with some of the words are listed after them.
const relaxBelow = 10

// ErrBadSearch wraps what is wrong with a search request (a *QueryError
// for the query itself).
var ErrBadSearch = errors.New("bad search")

// filterGroup keeps debriefs having one of values in field (or, with
// exclude, none of them).
type filterGroup struct {
	field   string
	values  []string
	exclude bool
}

// plan is a search made ready to run over a view.
type plan struct {
	q       *node // nil: every debrief
	relaxed *node // run when q matches fewer than relaxBelow
	filters []filterGroup
	from    int64 // day bounds, when dated is set: [from, to)
	to      int64
	dated   bool
	byDate  bool
	k       int // hits kept: offset + limit
	facets  bool
	boost   []valueBoost // added to the score of documents with the value
}

// valueBoost adds score to documents having a facet value.
type valueBoost struct {
	id    uint32
	score float64
}

// Search runs a search. Removed debriefs are not in the index, so never
// found.
func (x *Index) Search(ctx context.Context, s Search) (*Results, error) {
	start := time.Now()
	if s.Limit < 0 || s.Limit > MaxLimit || s.Offset < 0 || s.Offset > MaxOffset {
		return nil, fmt.Errorf("%w: limit must be 0 to %d and offset 0 to %d", ErrBadSearch, MaxLimit, MaxOffset)
	}
	clauses, err := parseQuery(s.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSearch, err)
	}
	p := &plan{k: s.Offset + s.Limit, facets: true, byDate: s.ByDate}
	n := 0
	for field, values := range s.Filters {
		if !isFacetField(field) {
			return nil, fmt.Errorf("%w: no filter %q; filters are %v", ErrBadSearch, field, facetFields)
		}
		g := filterGroup{field: field}
		for _, v := range values {
			if n++; n > maxFilters {
				return nil, fmt.Errorf("%w: more than %d filter values", ErrBadSearch, maxFilters)
			}
			if !validFacet(v) {
				return nil, fmt.Errorf("%w: %s filter value %q is not a value this field holds", ErrBadSearch, field, clip(v))
			}
			g.values = append(g.values, facetValue(field, v))
		}
		if len(g.values) > 0 {
			p.filters = append(p.filters, g)
		}
	}
	if !s.From.IsZero() || !s.To.IsZero() {
		p.dated, p.from, p.to = true, math.MinInt64+1, math.MaxInt64
		if !s.From.IsZero() {
			p.from = s.From.Unix()
		}
		if !s.To.IsZero() {
			p.to = s.To.Unix()
		}
	}

	v, done, err := x.read()
	if err != nil {
		return nil, err
	}
	defer done()
	e := newEngine(ctx, v)
	c, err := x.compile(clauses, func(term string) bool {
		df, err := e.docFreq(ixText, term)
		return err == nil && df > 0
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSearch, err)
	}
	p.q, p.relaxed = c.query()
	p.filters = append(p.filters, c.filters...)
	if p.q == nil {
		p.byDate = true // nothing to rank by
	}
	o, err := x.execute(e, p)
	if err != nil {
		return nil, err
	}
	out := &Results{
		Total:       o.total,
		Relaxed:     o.relaxed,
		Hits:        []Hit{},
		Facets:      o.facetCounts(),
		Highlighter: &Highlighter{a: x.analyzer, terms: c.terms, prefixes: c.prefixes},
	}
	for _, f := range o.top[min(s.Offset, len(o.top)):] {
		id, err := v.id(f.num)
		if err != nil {
			return nil, err
		}
		out.Hits = append(out.Hits, Hit{ID: id, Score: f.score})
	}
	out.Took = time.Since(start)
	return out, nil
}

// read opens a view of the index for a search; done releases it. The
// index cannot be swapped by a rebuild or closed in between.
func (x *Index) read() (v *view, done func(), err error) {
	x.mu.RLock()
	if x.idx == nil {
		x.mu.RUnlock()
		return nil, nil, errors.New("index: closed")
	}
	if v, err = x.tables.view(x.idx); err != nil {
		x.mu.RUnlock()
		return nil, nil, err
	}
	return v, func() { v.Close(); x.mu.RUnlock() }, nil
}

// found is a matching document.
type found struct {
	num   uint64 // global document number in the view
	score float64
	day   int64
	tier  int8 // 1 for a match of every word, 0 for a relaxed one
}

// outcome is what execute finds.
type outcome struct {
	total   uint64
	relaxed bool
	top     []found  // best first
	counts  []uint32 // by value id; nil when facets are not counted
	fields  []uint8  // by value id, as counts
	values  []string // by value id
}

// facetCounts gives each facet's most frequent values.
func (o *outcome) facetCounts() map[string][]FacetCount {
	out := make(map[string][]FacetCount, len(facetFields))
	for _, f := range facetFields {
		out[f] = []FacetCount{}
	}
	for id, n := range o.counts {
		if n > 0 {
			f := facetFields[o.fields[id]]
			out[f] = append(out[f], FacetCount{Value: o.values[id], Count: int(n)})
		}
	}
	for f, cs := range out {
		slices.SortFunc(cs, func(a, b FacetCount) int {
			return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value))
		})
		out[f] = cs[:min(len(cs), facetSize)]
	}
	return out
}

// execute runs a plan with the engine e: the matches of each segment,
// scored, offered to a bounded heap of the best ones, and counted.
func (x *Index) execute(e *engine, p *plan) (*outcome, error) {
	v := e.v
	fields, values := x.tables.values.all()
	o := &outcome{fields: fields, values: values}
	groups := x.filterIDs(p.filters)
	strict := make([]*roaring.Bitmap, len(v.segs))
	for si := range v.segs {
		s, err := e.matches(si, p.q, groups, p)
		if err != nil {
			return nil, err
		}
		strict[si] = s
		o.total += s.GetCardinality()
	}
	final, scoreBy := strict, p.q
	if p.relaxed != nil && o.total < relaxBelow {
		o.relaxed, o.total, scoreBy = true, 0, p.relaxed
		final = make([]*roaring.Bitmap, len(v.segs))
		for si := range v.segs {
			s, err := e.matches(si, p.relaxed, groups, p)
			if err != nil {
				return nil, err
			}
			final[si] = roaring.Or(s, strict[si])
			o.total += final[si].GetCardinality()
		}
	}
	var ls []*leaf
	if scoreBy != nil {
		var err error
		if ls, err = e.scorers(scoreBy); err != nil {
			return nil, err
		}
	}
	split := v.total > x.splitAbove
	var at uint64 // segments of at least this many documents are split
	if split {
		at = max(x.splitAbove, 2)
	}
	parts := e.parts(final, at)
	var heaps [2]topHeap
	var counts [2][]uint32
	for w := range heaps {
		heaps[w] = topHeap{k: p.k, byDate: p.byDate}
		if p.facets {
			counts[w] = make([]uint32, len(values))
		}
	}
	scored := len(ls) > 0 || len(p.boost) > 0
	err := parallel(parts, split, func(w int, pt part) error {
		t := v.segs[pt.seg]
		sc := x.scratch(int(pt.hi - pt.lo))
		var acc []float64
		if scored {
			acc = sc.scores[:pt.hi-pt.lo]
			if err := e.scores(pt, ls, acc); err != nil {
				return err // the scratch is not all zeros: left to the collector
			}
			for _, b := range p.boost {
				if set := t.valueSet(b.id); set != nil {
					eachDoc(roaring.And(pt.set, set), func(d uint32) { acc[d-pt.lo] += b.score })
				}
			}
		}
		h := &heaps[w]
		start, s := v.start[pt.seg], strict[pt.seg]
		eachDoc(pt.set, func(d uint32) {
			f := found{num: start + uint64(d), day: t.day[d], tier: 1}
			if acc != nil {
				// Only the matches were scored: zeroed as they are
				// read, the scores go back all zeros.
				f.score, acc[d-pt.lo] = acc[d-pt.lo], 0
			}
			if o.relaxed && !s.Contains(d) {
				f.tier = 0
			}
			h.offer(f)
		})
		if c := counts[w]; c != nil {
			countValues(t, pt, c, sc)
		}
		x.scratches.Put(sc)
		return e.ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, f := range heaps[1].h {
		heaps[0].offer(f)
	}
	o.top = heaps[0].sorted()
	if p.facets {
		for id, n := range counts[1] {
			counts[0][id] += n
		}
		o.counts = counts[0]
	}
	return o, nil
}

// countValues adds to counts, by value id, the number of matches of a
// part having each value of the segment: the matches as 64-bit words,
// against each value's words, over the words holding matches; or, when
// that is less work, each match's values.
func countValues(t *segTable, pt part, counts []uint32, sc *scratch) {
	matches := pt.set.GetCardinality()
	perDoc := float64(len(t.vals)) / float64(max(len(t.day), 1))
	words := min(matches, uint64(pt.hi-pt.lo+63)/64)
	if float64(matches)*perDoc*2 < float64(words)*float64(len(t.ids)) {
		countDocs(t, pt, counts)
	} else {
		countWords(t, pt, counts, sc)
	}
}

// countDocs is countValues match by match.
func countDocs(t *segTable, pt part, counts []uint32) {
	eachDoc(pt.set, func(d uint32) {
		for _, id := range t.vals[t.off[d]:t.off[d+1]] {
			if int(id) < len(counts) {
				counts[id]++
			}
		}
	})
}

// countWords is countValues by 64-bit words.
func countWords(t *segTable, pt part, counts []uint32, sc *scratch) {
	if len(sc.words) < t.words() {
		sc.words = make([]uint64, t.words())
	}
	words := sc.words[:t.words()]
	pt.set.WriteDenseTo(words)
	nonzero := sc.nonzero[:0]
	for w := int(pt.lo / 64); w < (int(pt.hi)+63)/64; w++ {
		if words[w] != 0 {
			nonzero = append(nonzero, int32(w))
		}
	}
	for i, id := range t.ids {
		if int(id) >= len(counts) {
			continue
		}
		n := 0
		if docs := t.docs[i]; docs != nil {
			for _, w := range nonzero {
				n += bits.OnesCount64(words[w] & docs[w])
			}
		} else {
			t.sets[i].Iterate(func(d uint32) bool {
				n += int(words[d/64] >> (d % 64) & 1)
				return true
			})
		}
		counts[id] += uint32(n)
	}
	for _, w := range nonzero {
		words[w] = 0
	}
	sc.nonzero = nonzero
}

// idGroup is a filter group as value ids.
type idGroup struct {
	ids     []uint32
	exclude bool
}

// filterIDs looks up the values of filters; a value no debrief has is
// left out (so a group of only such values keeps nothing).
func (x *Index) filterIDs(fs []filterGroup) []idGroup {
	var out []idGroup
	for _, g := range fs {
		fi := slices.Index(facetFields, g.field)
		ig := idGroup{exclude: g.exclude}
		for _, val := range g.values {
			if id, ok := x.tables.values.lookup(fi, val); ok {
				ig.ids = append(ig.ids, id)
			}
		}
		out = append(out, ig)
	}
	return out
}

// scratch is what a search works in over a part of n documents: scores
// and words all zeros, to be put back in x.scratches all zeros.
type scratch struct {
	scores  []float64 // by document, from the part's first
	words   []uint64  // the part's matches as 64-bit words, over the segment
	nonzero []int32
}

func (x *Index) scratch(n int) *scratch {
	if sc, ok := x.scratches.Get().(*scratch); ok && len(sc.scores) >= n {
		return sc
	}
	return &scratch{scores: make([]float64, n)}
}

// topHeap keeps the k best documents offered, worst at the root.
type topHeap struct {
	k      int
	byDate bool
	h      []found
}

// better orders documents: matches of every word first, then by score (or
// by date), then by date (or score), then by document number.
func (h *topHeap) better(a, b found) bool {
	if a.tier != b.tier {
		return a.tier > b.tier
	}
	if h.byDate && a.day != b.day {
		return a.day > b.day
	}
	if a.score != b.score {
		return a.score > b.score
	}
	if a.day != b.day {
		return a.day > b.day
	}
	return a.num < b.num
}

func (h *topHeap) offer(f found) {
	if h.k == 0 {
		return
	}
	if len(h.h) < h.k {
		h.h = append(h.h, f)
		for i := len(h.h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h.better(h.h[parent], h.h[i]) {
				break
			}
			h.h[parent], h.h[i] = h.h[i], h.h[parent]
			i = parent
		}
		return
	}
	if !h.better(f, h.h[0]) {
		return
	}
	h.h[0] = f
	for i := 0; ; {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h.h) && h.better(h.h[worst], h.h[l]) {
			worst = l
		}
		if r < len(h.h) && h.better(h.h[worst], h.h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h.h[i], h.h[worst] = h.h[worst], h.h[i]
		i = worst
	}
}

func (h *topHeap) sorted() []found {
	slices.SortFunc(h.h, func(a, b found) int {
		if h.better(a, b) {
			return -1
		}
		if h.better(b, a) {
			return 1
		}
		return 0
	})
	return h.h
}

// clip shortens what a client sent before it is echoed in a message.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r) + "…"
}
