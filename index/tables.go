package index

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A search filters, counts facets of, sorts and scores every matching
// debrief, and a common word matches a quarter of them. Bleve does the
// first three through doc values, which measured 20 times the cost of
// finding the matches. So the index keeps, per segment, a table of each
// document's facet values (as bit sets), date and field lengths, read
// once from the segment's dictionaries (a segment never changes; Bleve
// merges segments into new ones), and the engine (engine.go) reads them
// by document number.

// noDay is the day of an undated debrief.
const noDay = math.MinInt64

// segTable holds, by local document number, the day and the field
// lengths of each document of a segment, and the bit set of the documents
// having each facet value.
type segTable struct {
	day  []int64
	lens [len(scoredFields)][]uint32
	sums [len(scoredFields)]uint64 // lens added up
	// ids are the values the segment holds, sets[i] the documents having
	// ids[i] (for filters) and docs[i] the same as 64-bit words (for
	// counting: a word of matches against a word of the value, which
	// measured several times faster than intersecting Roaring sets of
	// small segments), nil for a value of fewer documents than words,
	// whose documents are looked up one by one; at[id] is i.
	ids  []uint32
	sets []*roaring.Bitmap
	docs [][]uint64
	at   map[uint32]int
	// The values of document n are vals[off[n]:off[n+1]], for counting
	// few matches.
	off  []uint32
	vals []uint32
}

// words is the number of 64-bit words of a bit set over the segment.
func (t *segTable) words() int { return (len(t.day) + 63) / 64 }

// valueSet(id) is the set of the documents having a value, or nil.
func (t *segTable) valueSet(id uint32) *roaring.Bitmap {
	if i, ok := t.at[id]; ok {
		return t.sets[i]
	}
	return nil
}

// valueSet numbers facet values across segments.
type valueSet struct {
	mu    sync.RWMutex
	ids   map[string]uint32 // field index byte + value
	field []uint8           // by id: index in facetFields
	value []string          // by id
}

func (v *valueSet) id(field int, value string) uint32 {
	key := string(rune(field)) + value
	v.mu.RLock()
	id, ok := v.ids[key]
	v.mu.RUnlock()
	if ok {
		return id
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if id, ok := v.ids[key]; ok {
		return id
	}
	id = uint32(len(v.value))
	v.ids[key] = id
	v.field = append(v.field, uint8(field))
	v.value = append(v.value, value)
	return id
}

// lookup finds a value's id without adding it.
func (v *valueSet) lookup(field int, value string) (uint32, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	id, ok := v.ids[string(rune(field))+value]
	return id, ok
}

// all returns the field and the value of every id so far.
func (v *valueSet) all() ([]uint8, []string) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.field[:len(v.field):len(v.field)], v.value[:len(v.value):len(v.value)]
}

// tables caches the segment tables of one Bleve index.
type tables struct {
	values valueSet
	mu     sync.Mutex
	segs   map[uint64]*tableEntry // by segment id
	freqs  *freqCache
}

type tableEntry struct {
	once sync.Once
	t    *segTable
	err  error
}

func newTables() *tables {
	return &tables{values: valueSet{ids: map[string]uint32{}}, segs: map[uint64]*tableEntry{}, freqs: newFreqCache(freqBudget)}
}

// view is what a search reads: a snapshot of the index, with the table,
// first document number and deletions of each of its segments.
type view struct {
	r        bindex.IndexReader
	segs     []*segTable
	segments []segment.Segment
	ids      []uint64   // segment ids
	freqs    *freqCache // nil: frequencies are decoded each time
	start    []uint64   // global number of each segment's first document
	deleted  []*roaring.Bitmap
	total    uint64 // documents in the segments, deleted included
	live     uint64 // documents not deleted
	// avg is the average length of each scored field over the live
	// documents, for BM25.
	avg [len(scoredFields)]float64
}

// Close releases the snapshot.
func (v *view) Close() error { return v.r.Close() }

// id is the debrief id of a document.
func (v *view) id(num uint64) (string, error) {
	id, err := v.r.ExternalID(bindex.NewIndexInternalID(nil, num))
	if err != nil {
		return "", fmt.Errorf("index: id of document %d: %w", num, err)
	}
	return id, nil
}

// locate returns the segment of a global document number, starting the
// search at hint (documents come in increasing order).
func (v *view) locate(num uint64, hint int) int {
	for hint+1 < len(v.start) && v.start[hint+1] <= num {
		hint++
	}
	if hint < len(v.start) && v.start[hint] <= num {
		return hint
	}
	i, _ := slices.BinarySearch(v.start, num+1)
	return i - 1
}

// view opens a snapshot of idx with its tables, building those of
// segments not seen before.
func (tb *tables) view(idx bleve.Index) (*view, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index: reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index: reader: %w", err)
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, errors.New("index: not a scorch index")
	}
	v := &view{r: r, freqs: tb.freqs}
	var sums [len(scoredFields)]uint64
	live := map[uint64]bool{}
	for _, ss := range snap.Segments() {
		tb.mu.Lock()
		e := tb.segs[ss.Id()]
		if e == nil {
			e = &tableEntry{}
			tb.segs[ss.Id()] = e
		}
		tb.mu.Unlock()
		e.once.Do(func() { e.t, e.err = tb.build(ss.Segment()) })
		if e.err != nil {
			r.Close()
			return nil, e.err
		}
		live[ss.Id()] = true
		del := ss.Deleted()
		v.segs = append(v.segs, e.t)
		v.segments = append(v.segments, ss.Segment())
		v.ids = append(v.ids, ss.Id())
		v.start = append(v.start, v.total)
		v.deleted = append(v.deleted, del)
		n := ss.Segment().Count()
		v.total += n
		v.live += n
		for fi := range sums {
			sums[fi] += e.t.sums[fi]
		}
		if del != nil {
			v.live -= del.GetCardinality()
			it := del.Iterator()
			for it.HasNext() {
				d := it.Next()
				for fi := range sums {
					if int(d) < len(e.t.lens[fi]) {
						sums[fi] -= uint64(e.t.lens[fi][d])
					}
				}
			}
		}
	}
	for fi, s := range sums {
		v.avg[fi] = 1
		if v.live > 0 && s > 0 {
			v.avg[fi] = float64(s) / float64(v.live)
		}
	}
	// Forget segments merged away.
	tb.mu.Lock()
	gone := false
	for id := range tb.segs {
		if !live[id] {
			delete(tb.segs, id)
			gone = true
		}
	}
	tb.mu.Unlock()
	if gone {
		// A search on an older snapshot may still add to a segment just
		// forgotten; the budget bounds those until they are evicted.
		tb.freqs.forget(live)
	}
	return v, nil
}

// build reads a segment's facet values, days and field lengths from its
// dictionaries.
func (tb *tables) build(seg segment.Segment) (*segTable, error) {
	n := seg.Count()
	t := &segTable{day: make([]int64, n), at: map[uint32]int{}}
	for i := range t.day {
		t.day[i] = noDay
	}
	for fi := range t.lens {
		t.lens[fi] = make([]uint32, n)
	}
	each := func(field string, fn func(term string, doc uint64)) error {
		dict, err := seg.Dictionary(field)
		if err != nil {
			return fmt.Errorf("index: dictionary %s: %w", field, err)
		}
		it := dict.AutomatonIterator(matchAll{}, nil, nil)
		var pl segment.PostingsList
		var pi segment.PostingsIterator
		for {
			e, err := it.Next()
			if err != nil {
				return fmt.Errorf("index: terms of %s: %w", field, err)
			}
			if e == nil {
				return nil
			}
			if pl, err = dict.PostingsList([]byte(e.Term), nil, pl); err != nil {
				return fmt.Errorf("index: postings of %s: %w", field, err)
			}
			pi = pl.Iterator(false, false, false, pi)
			for {
				p, err := pi.Next()
				if err != nil {
					return fmt.Errorf("index: postings of %s: %w", field, err)
				}
				if p == nil {
					break
				}
				if p.Number() < n {
					fn(e.Term, p.Number())
				}
			}
		}
	}
	var pairs []uint64 // local number << 32 | value id
	for fi, field := range facetFields {
		var set *roaring.Bitmap
		var id uint32
		last := "\x00"
		err := each(field, func(term string, doc uint64) {
			if term != last {
				id = tb.values.id(fi, term)
				set, last = roaring.New(), term
				t.at[id] = len(t.ids)
				t.ids = append(t.ids, id)
				t.sets = append(t.sets, set)
			}
			set.Add(uint32(doc))
			pairs = append(pairs, doc<<32|uint64(id))
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(pairs)
	t.off, t.vals = make([]uint32, n+1), make([]uint32, len(pairs))
	for i, p := range pairs {
		t.vals[i] = uint32(p)
		t.off[p>>32+1]++
	}
	for i := 1; i < len(t.off); i++ {
		t.off[i] += t.off[i-1]
	}
	for _, s := range t.sets {
		s.RunOptimize()
		var words []uint64
		if s.GetCardinality() >= uint64(t.words()) {
			words = make([]uint64, t.words())
			s.WriteDenseTo(words)
		}
		t.docs = append(t.docs, words)
	}
	err := each(ixDay, func(term string, doc uint64) {
		if d, ok := dayOf(term); ok {
			t.day[doc] = d
		}
	})
	if err != nil {
		return nil, err
	}
	err = each(ixLength, func(term string, doc uint64) {
		if fi, l, ok := lengthOf(term); ok {
			t.lens[fi][doc] = l
		}
	})
	if err != nil {
		return nil, err
	}
	for fi, ls := range t.lens {
		for _, l := range ls {
			t.sums[fi] += uint64(l)
		}
	}
	return t, nil
}

// matchAll is the automaton accepting every term, to walk a dictionary.
type matchAll struct{}

func (matchAll) Start() int               { return 0 }
func (matchAll) IsMatch(int) bool         { return true }
func (matchAll) CanMatch(int) bool        { return true }
func (matchAll) WillAlwaysMatch(int) bool { return true }
func (matchAll) Accept(int, byte) int     { return 0 }
