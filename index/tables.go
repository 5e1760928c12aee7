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

// A search filters, counts facets of and sorts every matching debrief, and
// a common word matches a quarter of them. Bleve does each of these
// through doc values, which measured 20 times the cost of finding the
// matches. So the index keeps, per segment, a table of each document's
// facet values and date, read once from the segment's dictionaries (a
// segment never changes; Bleve merges segments into new ones), and the
// search looks values up by document number.

// noDay is the day of an undated debrief.
const noDay = math.MinInt64

// segTable holds the facet values and the day of each document of a
// segment, by local document number: the values of document n are
// vals[off[n]:off[n+1]], as ids of the index's valueSet.
type segTable struct {
	off  []uint32
	vals []uint32
	day  []int64
	// ids are the values the segment holds, and docs[i] the bit set of
	// the documents having ids[i]: facets are counted by intersecting
	// them with the bit set of the matches, a word (64 documents) at a
	// time, which measured several times faster than counting each
	// match's values.
	ids  []uint32
	docs [][]uint64
}

// words is the number of 64-bit words of a bit set over the segment.
func (t *segTable) words() int { return (len(t.day) + 63) / 64 }

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
}

type tableEntry struct {
	once sync.Once
	t    *segTable
	err  error
}

func newTables() *tables {
	return &tables{values: valueSet{ids: map[string]uint32{}}, segs: map[uint64]*tableEntry{}}
}

// view is what a search reads: a snapshot of the index, with the table,
// first document number and deletions of each of its segments.
type view struct {
	r       bindex.IndexReader
	segs    []*segTable
	start   []uint64 // global number of each segment's first document
	deleted []*roaring.Bitmap
	total   uint64 // documents in the segments, deleted included
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
	v := &view{r: r}
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
		v.segs = append(v.segs, e.t)
		v.start = append(v.start, v.total)
		v.deleted = append(v.deleted, ss.Deleted())
		v.total += ss.Segment().Count()
	}
	// Forget segments merged away.
	tb.mu.Lock()
	for id := range tb.segs {
		if !live[id] {
			delete(tb.segs, id)
		}
	}
	tb.mu.Unlock()
	return v, nil
}

// build reads a segment's facet values and days from its dictionaries.
func (tb *tables) build(seg segment.Segment) (*segTable, error) {
	n := seg.Count()
	t := &segTable{off: make([]uint32, n+1), day: make([]int64, n)}
	for i := range t.day {
		t.day[i] = noDay
	}
	var pairs []uint64 // local number << 32 | value id
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
				fn(e.Term, p.Number())
			}
		}
	}
	for fi, field := range facetFields {
		var id uint32
		last := "\x00"
		err := each(field, func(term string, doc uint64) {
			if term != last {
				id, last = tb.values.id(fi, term), term
			}
			if doc < n {
				pairs = append(pairs, doc<<32|uint64(id))
			}
		})
		if err != nil {
			return nil, err
		}
	}
	err := each(ixDay, func(term string, doc uint64) {
		if d, ok := dayOf(term); ok && doc < n {
			t.day[doc] = d
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(pairs)
	t.vals = make([]uint32, len(pairs))
	for i, p := range pairs {
		t.vals[i] = uint32(p)
		t.off[p>>32+1]++
	}
	for i := 1; i < len(t.off); i++ {
		t.off[i] += t.off[i-1]
	}
	index := map[uint32]int{}
	for _, p := range pairs {
		id := uint32(p)
		i, ok := index[id]
		if !ok {
			i = len(t.ids)
			index[id] = i
			t.ids = append(t.ids, id)
			t.docs = append(t.docs, make([]uint64, t.words()))
		}
		doc := p >> 32
		t.docs[i][doc/64] |= 1 << (doc % 64)
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
