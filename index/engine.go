package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The search engine. Bleve's searchers find a query's matches one
// document at a time, through several layers of interfaces, and score
// each as it goes: about 120 ns per matching document, most of a search
// for a common word (a quarter of the debriefs). This engine reads the
// segments Bleve writes instead, in two steps:
//
//  1. Matching is set algebra on the postings bit sets the segments hold
//     (Roaring bitmaps): a word is its postings, "and" intersects, "or"
//     unites, "-word" subtracts, and filters intersect with the bit sets
//     of the segment tables. No posting is decoded.
//  2. Scoring decodes, for each word of the query, the term frequencies
//     of the matching documents only (or reads those kept for frequent
//     words, freqs.go), and adds its BM25 score into an array by document
//     number; the best documents are then kept by a bounded heap, and
//     facets counted from the segment tables (countValues).
//
// Above splitAbove documents, scoring and counting run on two goroutines,
// each over its own parts of the segments.

// nodeOp is what a node of a query does.
type nodeOp uint8

const (
	opTerm   nodeOp = iota // documents with a term in a field
	opPrefix               // documents with a term of the field starting so
	opAnd                  // documents matching every kid and no not
	opOr                   // documents matching a kid
	opAll                  // every document
)

// node is a query compiled for the engine.
type node struct {
	op    nodeOp
	field string  // opTerm, opPrefix
	term  string  // opTerm; the prefix for opPrefix
	boost float64 // opTerm: multiplies its score
	kids  []*node // opAnd, opOr
	not   []*node // opAnd: documents matching one are left out
}

func termNode(field, term string) *node { return &node{op: opTerm, field: field, term: term, boost: 1} }

func prefixNode(field, prefix string) *node { return &node{op: opPrefix, field: field, term: prefix} }

func allNode() *node { return &node{op: opAll} }

func andNode(kids ...*node) *node {
	if len(kids) == 1 {
		return kids[0]
	}
	return &node{op: opAnd, kids: kids}
}

func orNode(kids ...*node) *node {
	if len(kids) == 1 {
		return kids[0]
	}
	return &node{op: opOr, kids: kids}
}

// BM25's parameters, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// prefixScore is what a prefix adds to the score of a document it
// matches: a prefix ranks nothing by itself (as in Lucene, where terms
// of a prefix score as one constant), so debriefs it alone matches come
// newest first.
const prefixScore = 1.0

// maxPrefixTerms bounds the words a prefix may stand for in a segment.
const maxPrefixTerms = 10_000

// leaf is a part of a query that scores: a term, or a prefix.
type leaf struct {
	n    *node
	fi   int     // index in scoredFields
	idf  float64 // times the node's boost
	sets []*roaring.Bitmap
	pls  []segment.PostingsList // by segment (terms)
}

// engine evaluates queries over one view.
type engine struct {
	ctx context.Context
	v   *view
	// terms caches the postings of a term in a segment, by field and term.
	terms []map[[2]string]posting
	dicts []map[string]segment.TermDictionary
}

// posting is a term's postings in a segment: the list, to decode
// frequencies, and its bit set of live documents.
type posting struct {
	pl  segment.PostingsList
	set *roaring.Bitmap
}

func newEngine(ctx context.Context, v *view) *engine {
	e := &engine{ctx: ctx, v: v, terms: make([]map[[2]string]posting, len(v.segs)), dicts: make([]map[string]segment.TermDictionary, len(v.segs))}
	for i := range v.segs {
		e.terms[i] = map[[2]string]posting{}
		e.dicts[i] = map[string]segment.TermDictionary{}
	}
	return e
}

var empty = roaring.New()

func (e *engine) dict(si int, field string) (segment.TermDictionary, error) {
	d, ok := e.dicts[si][field]
	if !ok {
		var err error
		if d, err = e.v.segments[si].Dictionary(field); err != nil {
			return nil, fmt.Errorf("index: dictionary %s: %w", field, err)
		}
		e.dicts[si][field] = d
	}
	return d, nil
}

// posting reads a term's postings in a segment. Its set is shared with the
// segment (or the cache): never changed.
func (e *engine) posting(si int, field, term string) (posting, error) {
	key := [2]string{field, term}
	if p, ok := e.terms[si][key]; ok {
		return p, nil
	}
	d, err := e.dict(si, field)
	if err != nil {
		return posting{}, err
	}
	pl, err := d.PostingsList([]byte(term), e.v.deleted[si], nil)
	if err != nil {
		return posting{}, fmt.Errorf("index: postings of %s %q: %w", field, term, err)
	}
	p := posting{pl: pl, set: empty}
	it, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
	if !ok {
		return posting{}, errors.New("index: a segment's postings cannot be read as bit sets")
	}
	if num, ok := it.DocNum1Hit(); ok {
		p.set = roaring.BitmapOf(uint32(num))
	} else if bm := it.ActualBitmap(); bm != nil {
		p.set = bm
	}
	e.terms[si][key] = p
	return p, nil
}

// set is the documents of segment si that n matches.
func (e *engine) set(si int, n *node) (*roaring.Bitmap, error) {
	switch n.op {
	case opTerm:
		p, err := e.posting(si, n.field, n.term)
		return p.set, err
	case opPrefix:
		return e.prefixSet(si, n)
	case opAll:
		all := roaring.New()
		all.AddRange(0, uint64(len(e.v.segs[si].day)))
		if del := e.v.deleted[si]; del != nil {
			all.AndNot(del)
		}
		return all, nil
	}
	sets := make([]*roaring.Bitmap, 0, len(n.kids))
	for _, k := range n.kids {
		s, err := e.set(si, k)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	if n.op == opOr {
		return roaring.FastOr(sets...), nil
	}
	// opAnd: the smallest first, stopping when nothing is left.
	var out *roaring.Bitmap
	for len(sets) > 0 {
		small := 0
		for i, s := range sets {
			if s.GetCardinality() < sets[small].GetCardinality() {
				small = i
			}
		}
		if out == nil {
			out = sets[small]
		} else {
			out = roaring.And(out, sets[small])
		}
		sets = append(sets[:small], sets[small+1:]...)
		if out.IsEmpty() {
			return out, nil
		}
	}
	if out == nil {
		return empty, nil
	}
	for _, k := range n.not {
		s, err := e.set(si, k)
		if err != nil {
			return nil, err
		}
		if out.Intersects(s) {
			out = roaring.AndNot(out, s)
		}
	}
	return out, nil
}

// prefixSet unites the postings of every term starting with the prefix.
func (e *engine) prefixSet(si int, n *node) (*roaring.Bitmap, error) {
	key := [2]string{n.field, n.term + "*"}
	if p, ok := e.terms[si][key]; ok {
		return p.set, nil
	}
	d, err := e.dict(si, n.field)
	if err != nil {
		return nil, err
	}
	it := d.AutomatonIterator(matchAll{}, []byte(n.term), prefixEnd(n.term))
	var sets []*roaring.Bitmap
	for {
		t, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("index: words starting %q: %w", n.term, err)
		}
		if t == nil {
			break
		}
		if len(sets) == maxPrefixTerms {
			return nil, fmt.Errorf("%w: %s* stands for more than %d words; make the prefix longer", ErrBadSearch, clip(n.term), maxPrefixTerms)
		}
		p, err := e.posting(si, n.field, t.Term)
		if err != nil {
			return nil, err
		}
		delete(e.terms[si], [2]string{n.field, t.Term}) // one use: do not keep them all
		sets = append(sets, p.set)
	}
	set := roaring.FastOr(sets...)
	e.terms[si][key] = posting{set: set}
	return set, nil
}

// prefixEnd is the first key after every key starting with p ("" for no
// end).
func prefixEnd(p string) []byte {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}

// matches is the documents of segment si that q (every document when
// nil) matches and that pass the filters and dates of p.
func (e *engine) matches(si int, q *node, groups []idGroup, p *plan) (*roaring.Bitmap, error) {
	if q == nil {
		q = allNode()
	}
	s, err := e.set(si, q)
	if err != nil {
		return nil, err
	}
	t := e.v.segs[si]
	for _, g := range groups {
		var sets []*roaring.Bitmap
		for _, id := range g.ids {
			if set := t.valueSet(id); set != nil {
				sets = append(sets, set)
			}
		}
		switch {
		case g.exclude && len(sets) == 0:
		case g.exclude:
			s = roaring.AndNot(s, roaring.FastOr(sets...))
		case len(sets) == 0:
			return empty, nil
		default:
			s = roaring.And(s, roaring.FastOr(sets...))
		}
	}
	if p.dated {
		in := roaring.New()
		eachDoc(s, func(d uint32) {
			if day := t.day[d]; day != noDay && day >= p.from && day < p.to {
				in.Add(d)
			}
		})
		s = in
	}
	return s, nil
}

// eachDoc calls fn with each document of a set, in order.
func eachDoc(s *roaring.Bitmap, fn func(d uint32)) {
	s.Iterate(func(d uint32) bool {
		fn(d)
		return true
	})
}

// docFreq counts the live documents with a term in a field.
func (e *engine) docFreq(field, term string) (uint64, error) {
	var n uint64
	for si := range e.v.segs {
		p, err := e.posting(si, field, term)
		if err != nil {
			return 0, err
		}
		n += p.set.GetCardinality()
	}
	return n, nil
}

// leaves lists the parts of n that score: terms and prefixes outside the
// not of an "and", each once.
func leaves(n *node, out []*node) []*node {
	switch n.op {
	case opTerm, opPrefix:
		for _, l := range out {
			if l.op == n.op && l.field == n.field && l.term == n.term {
				l.boost += n.boost
				return out
			}
		}
		c := *n
		return append(out, &c)
	case opAnd, opOr:
		for _, k := range n.kids {
			out = leaves(k, out)
		}
	}
	return out
}

// scorers prepares the leaves of n: each term's idf (over the live
// documents of every segment) and postings.
func (e *engine) scorers(n *node) ([]*leaf, error) {
	var out []*leaf
	for _, l := range leaves(n, nil) {
		s := &leaf{n: l, fi: scoredField(l.field), sets: make([]*roaring.Bitmap, len(e.v.segs))}
		var df uint64
		for si := range e.v.segs {
			if l.op == opPrefix {
				set, err := e.prefixSet(si, l)
				if err != nil {
					return nil, err
				}
				s.sets[si] = set
				continue
			}
			p, err := e.posting(si, l.field, l.term)
			if err != nil {
				return nil, err
			}
			s.sets[si] = p.set
			s.pls = append(s.pls, p.pl)
			df += p.set.GetCardinality()
		}
		if l.op == opTerm {
			if s.fi < 0 {
				return nil, fmt.Errorf("index: field %s is not scored", l.field)
			}
			nd := float64(e.v.live)
			s.idf = l.boost * math.Log(1+(nd-float64(df)+0.5)/(float64(df)+0.5))
		}
		out = append(out, s)
	}
	return out, nil
}

// part is a range of document numbers of a segment, and those of its
// documents a search matches.
type part struct {
	seg    int
	lo, hi uint32 // local document numbers
	set    *roaring.Bitmap
}

// splitAbove is the number of documents above which a search's scoring
// and counting is split in two ranges of document numbers, each on its own
// goroutine.
const splitAbove = 20_000

// parts cuts the matches of each segment in ranges to score: two for a
// segment of at least at documents, one otherwise (at 0: no split). The
// parts are shared between two goroutines as they come.
func (e *engine) parts(sets []*roaring.Bitmap, at uint64) []part {
	var out []part
	for si, s := range sets {
		if s == nil || s.IsEmpty() {
			continue
		}
		n := uint32(len(e.v.segs[si].day))
		if at == 0 || uint64(n) < at || n < 2 {
			out = append(out, part{seg: si, lo: 0, hi: n, set: s})
			continue
		}
		mid := max(n/2&^63, 1) // at a word of the tables' bit sets
		lo, hi := s.Clone(), s.Clone()
		lo.RemoveRange(uint64(mid), uint64(n))
		hi.RemoveRange(0, uint64(mid))
		out = append(out, part{seg: si, lo: 0, hi: mid, set: lo}, part{seg: si, lo: mid, hi: n, set: hi})
	}
	return out
}

// scores adds to acc (indexed from p.lo, all zeros but for what the
// caller put there) the BM25 score of each matching document of a part,
// and nothing anywhere else: for each term, the frequencies of the matches
// only are decoded.
func (e *engine) scores(p part, ls []*leaf, acc []float64) error {
	t := e.v.segs[p.seg]
	for _, l := range ls {
		set := l.sets[p.seg]
		shared := p.set.AndCardinality(set)
		if shared == 0 {
			continue
		}
		if l.n.op == opPrefix {
			eachDoc(roaring.And(p.set, set), func(d uint32) { acc[d-p.lo] += prefixScore })
			continue
		}
		lens := t.lens[l.fi]
		avg := e.v.avg[l.fi]
		if n := len(t.day); e.v.freqs != nil && set.GetCardinality()*freqDensity >= uint64(n) {
			tf, err := e.v.freqs.get(freqKey{e.v.ids[p.seg], l.n.field, l.n.term}, n, l.pls[p.seg])
			if err != nil {
				return err
			}
			if tf != nil {
				eachDoc(p.set, func(d uint32) {
					if f := tf[d]; f > 0 {
						acc[d-p.lo] += l.idf * bm25(float64(f), float64(lens[d]), avg)
					}
				})
				continue
			}
		}
		pi := l.pls[p.seg].Iterator(true, false, false, nil)
		opt := pi.(segment.OptimizablePostingsIterator) // checked when its set was read
		if num, ok := opt.DocNum1Hit(); ok {
			acc[uint32(num)-p.lo] += l.idf * bm25(1, float64(lens[num]), avg)
			continue
		}
		// When the part's matches are all of the term's documents in its
		// range (a query of one word), its postings are read as they are;
		// otherwise only the matches are decoded.
		var ps segment.Posting
		var err error
		if shared == rangeCount(set, p.lo, p.hi) {
			ps, err = pi.Advance(uint64(p.lo))
		} else {
			opt.ReplaceActual(roaring.And(p.set, set))
			ps, err = pi.Next()
		}
		for ; ps != nil && err == nil; ps, err = pi.Next() {
			num := ps.Number()
			if num >= uint64(p.hi) {
				break
			}
			acc[uint32(num)-p.lo] += l.idf * bm25(float64(ps.Frequency()), float64(lens[num]), avg)
		}
		if err != nil {
			return fmt.Errorf("index: postings of %s %q: %w", l.n.field, l.n.term, err)
		}
	}
	return nil
}

// rangeCount is the number of documents of s from lo to hi (excluded).
func rangeCount(s *roaring.Bitmap, lo, hi uint32) uint64 {
	n := s.Rank(hi - 1)
	if lo > 0 {
		n -= s.Rank(lo - 1)
	}
	return n
}

// bm25 is a term's BM25 score in a document, before its idf: tf times in
// a field of n terms where the average is avg.
func bm25(tf, n, avg float64) float64 {
	return tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*n/avg))
}

// parallel runs fn on each part, over two goroutines (this one and
// another) when split; worker is 0 or 1.
func parallel(parts []part, split bool, fn func(worker int, p part) error) error {
	if !split || len(parts) < 2 {
		for _, p := range parts {
			if err := fn(0, p); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var errs [2]error
	work := func(w int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(parts) || errs[w] != nil {
				return
			}
			errs[w] = fn(w, parts[i])
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		work(1)
	}()
	work(0)
	wg.Wait()
	return errors.Join(errs[:]...)
}
