package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
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
	q       query.Query // nil: every debrief
	relaxed query.Query // run when q matches fewer than relaxBelow
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
	c, err := x.compile(clauses, func(term string) bool {
		df, err := x.docFreq(ctx, v, ixText, term)
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
	o, err := x.execute(ctx, v, p)
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
	top     []found // best first
	counts  []uint32
	fields  []uint8  // by value id, as counts
	values  []string // by value id
}

// done completes an outcome once every match has been seen: the best
// ones in order, and the facets when counted.
func (o *outcome) done(v *view, hits [][]uint64, h *topHeap) *outcome {
	o.top = h.sorted()
	if hits != nil {
		o.countFacets(v, hits)
	}
	return o
}

// countFacets counts the values of the matches: for each segment, the
// matches' bit set against each value's, over the words holding matches.
func (o *outcome) countFacets(v *view, hits [][]uint64) {
	var nonzero []int
	for si, t := range v.segs {
		nonzero = nonzero[:0]
		for w, word := range hits[si] {
			if word != 0 {
				nonzero = append(nonzero, w)
			}
		}
		if len(nonzero) == 0 {
			continue
		}
		for i, id := range t.ids {
			if int(id) >= len(o.counts) {
				continue
			}
			docs := t.docs[i]
			n := 0
			for _, w := range nonzero {
				n += bits.OnesCount64(hits[si][w] & docs[w])
			}
			o.counts[id] += uint32(n)
		}
	}
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

// execute runs a plan: every matching document is filtered, counted and
// offered to a bounded heap of the best ones.
func (x *Index) execute(ctx context.Context, v *view, p *plan) (*outcome, error) {
	fields, values := x.tables.values.all()
	o := &outcome{fields: fields, values: values}
	if p.facets {
		o.counts = make([]uint32, len(values))
	}
	// Filters as marks on value ids: a document passes when the values it
	// has mark every group, and none marks it excluded.
	var need uint64
	var mark []uint64
	var excluded []bool
	if len(p.filters) > 0 {
		mark = make([]uint64, len(values))
		excluded = make([]bool, len(values))
		bit := 0
		for _, g := range p.filters {
			fi := slices.Index(facetFields, g.field)
			if !g.exclude {
				if bit == 64 {
					return nil, fmt.Errorf("%w: too many filters", ErrBadSearch)
				}
				need |= 1 << bit
			}
			for _, val := range g.values {
				id, ok := x.tables.values.lookup(fi, val)
				if !ok || int(id) >= len(values) {
					continue // no debrief has it
				}
				if g.exclude {
					excluded[id] = true
				} else {
					mark[id] |= 1 << bit
				}
			}
			if !g.exclude {
				bit++
			}
		}
	}
	filtering := len(p.filters) > 0 || p.dated
	// The matches, as a bit set per segment, for counting facets.
	var hits [][]uint64
	if p.facets {
		hits = make([][]uint64, len(v.segs))
		for i, t := range v.segs {
			hits[i] = make([]uint64, t.words())
		}
	}
	h := &topHeap{k: p.k, byDate: p.byDate}
	seg := 0
	visit := func(num uint64, score float64, tier int8) {
		seg = v.locate(num, seg)
		t := v.segs[seg]
		local := num - v.start[seg]
		day := t.day[local]
		if filtering {
			vals := t.vals[t.off[local]:t.off[local+1]]
			if p.dated && (day == noDay || day < p.from || day >= p.to) {
				return
			}
			var has uint64
			for _, id := range vals {
				if int(id) < len(mark) {
					if excluded[id] {
						return
					}
					has |= mark[id]
				}
			}
			if has&need != need {
				return
			}
		}
		o.total++
		if hits != nil {
			hits[seg][local/64] |= 1 << (local % 64)
		}
		if len(p.boost) > 0 {
			for _, id := range t.vals[t.off[local]:t.off[local+1]] {
				for _, b := range p.boost {
					if b.id == id {
						score += b.score
					}
				}
			}
		}
		if h.k > 0 {
			h.offer(found{num: num, score: score, day: day, tier: tier})
		}
	}

	if p.q == nil {
		for si, t := range v.segs {
			del := v.deleted[si]
			for local := range uint64(len(t.day)) {
				if del != nil && del.Contains(uint32(local)) {
					continue
				}
				visit(v.start[si]+local, 0, 1)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		return o.done(v, hits, h), nil
	}
	var strict []uint64
	err := x.each(ctx, v, p.q, func(num uint64, score float64) {
		before := o.total
		visit(num, score, 1)
		if o.total > before && len(strict) < relaxBelow {
			strict = append(strict, num)
		}
	})
	if err != nil {
		return nil, err
	}
	if p.relaxed != nil && o.total < relaxBelow {
		o.relaxed = true
		seg = 0
		err = x.each(ctx, v, p.relaxed, func(num uint64, score float64) {
			if !slices.Contains(strict, num) {
				visit(num, score, 0)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return o.done(v, hits, h), nil
}

// scoringCtx asks Bleve's searchers to score by BM25.
func scoringCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bindex.BM25Scoring }))
}

// splitAbove is the number of documents above which a search's matching
// is split in two ranges of document numbers, each on its own goroutine.
const splitAbove = 20_000

// each calls fn with every document matching q. The matching runs on
// other goroutines and fn on the caller's, in batches, so a search uses
// both cores: scoring the matches took most of a common word's search.
// Documents come in increasing order within a batch, not across batches.
func (x *Index) each(ctx context.Context, v *view, q query.Query, fn func(num uint64, score float64)) error {
	const batch = 512
	parts := 1
	if v.total > x.splitAbove {
		parts = 2
	}
	full := make(chan []match, 4)
	free := make(chan []match, 4+2*parts)
	for range cap(free) {
		b, _ := x.batches.Get().([]match)
		if b == nil {
			b = make([]match, 0, batch)
		}
		free <- b
	}
	done := make(chan struct{})
	defer close(done)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for part := range parts {
		lo, hi := v.total*uint64(part)/uint64(parts), v.total*uint64(part+1)/uint64(parts)
		s, err := q.Searcher(scoringCtx(ctx), v.r, x.mapping, search.SearcherOptions{})
		if err != nil {
			return fmt.Errorf("index: search: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			errs[part] = matchRange(ctx, s, v, lo, hi, func(b []match) bool {
				select {
				case full <- b:
					return true
				case <-done:
					return false
				}
			}, func() []match {
				select {
				case b := <-free:
					return b
				case <-done:
					return nil
				}
			})
		}()
	}
	go func() {
		wg.Wait()
		close(full)
	}()
	for b := range full {
		for _, m := range b {
			fn(m.num, m.score)
		}
		free <- b[:0]
	}
	// Keep the batches for the next search: they were most of what a
	// search allocated.
	for len(free) > 0 {
		x.batches.Put(<-free)
	}
	return errors.Join(errs...)
}

// match is a matching document and its score.
type match struct {
	num   uint64
	score float64
}

// matchRange sends, in batches, the documents numbered from lo to hi that
// a searcher matches; take gives an empty batch, send passes a full one on
// (both false or nil when the search is over).
func matchRange(ctx context.Context, s search.Searcher, v *view, lo, hi uint64, send func([]match) bool, take func() []match) error {
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: v.r}
	b := take()
	if b == nil {
		return nil
	}
	var d *search.DocumentMatch
	var err error
	if lo > 0 {
		d, err = s.Advance(sctx, bindex.NewIndexInternalID(nil, lo))
	} else {
		d, err = s.Next(sctx)
	}
	for ; ; d, err = s.Next(sctx) {
		if err != nil {
			return fmt.Errorf("index: search: %w", err)
		}
		end := d == nil || d.IndexInternalID.Value() >= hi
		if !end {
			b = append(b, match{d.IndexInternalID.Value(), d.Score})
			sctx.DocumentMatchPool.Put(d)
		}
		if len(b) == cap(b) || end && len(b) > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !send(b) {
				return nil
			}
			if end {
				return nil
			}
			if b = take(); b == nil {
				return nil
			}
		}
		if end {
			return nil
		}
	}
}

// docFreq counts the documents with a term in a field.
func (x *Index) docFreq(ctx context.Context, v *view, field, term string) (uint64, error) {
	r, err := v.r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("index: term %q: %w", term, err)
	}
	defer r.Close()
	return r.Count(), nil
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
