package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/document"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/ingest"
)

// engineVocabulary are words the analyzer keeps as they are.
var engineVocabulary = []string{"disk", "pool", "queue", "cache", "node", "dns", "cert", "load", "page", "host", "link", "drain"}

// fieldTerms is what a document holds in each field, from Bleve's own
// analysis of the document the index writes.
func fieldTerms(x *Index, d *ingest.Debrief) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range x.document(d.ID, d).Fields {
		tf, ok := f.(*document.TextField)
		if !ok {
			continue
		}
		tf.Analyze()
		if out[f.Name()] == nil {
			out[f.Name()] = map[string]bool{}
		}
		for term := range tf.AnalyzedTokenFrequencies() {
			out[f.Name()][term] = true
		}
	}
	return out
}

// naive is what a node matches in one document, by its definition.
func naive(n *node, terms map[string]map[string]bool) bool {
	switch n.op {
	case opTerm:
		return terms[n.field][n.term]
	case opPrefix:
		for t := range terms[n.field] {
			if strings.HasPrefix(t, n.term) {
				return true
			}
		}
		return false
	case opAll:
		return true
	case opOr:
		for _, k := range n.kids {
			if naive(k, terms) {
				return true
			}
		}
		return false
	}
	for _, k := range n.kids {
		if !naive(k, terms) {
			return false
		}
	}
	for _, k := range n.not {
		if naive(k, terms) {
			return false
		}
	}
	return true
}

// randomNode is a query of up to depth levels over the vocabulary.
func randomNode(r *rand.Rand, depth int) *node {
	if depth == 0 || r.IntN(3) == 0 {
		w := engineVocabulary[r.IntN(len(engineVocabulary))]
		switch r.IntN(6) {
		case 0:
			return termNode(fieldTitle, w)
		case 1:
			return prefixNode(ixText, w[:1+r.IntN(2)])
		case 2:
			return termNode(ixSection, string(sectionTerm(string(ingest.KindRootCause), w)))
		}
		return termNode(ixText, w)
	}
	kids := make([]*node, 1+r.IntN(3))
	for i := range kids {
		kids[i] = randomNode(r, depth-1)
	}
	if r.IntN(2) == 0 {
		return &node{op: opOr, kids: kids}
	}
	n := &node{op: opAnd, kids: kids}
	if r.IntN(2) == 0 {
		n.not = []*node{randomNode(r, depth-1)}
	}
	if r.IntN(8) == 0 {
		n.kids = append(n.kids, allNode())
	}
	return n
}

// memoryIndex opens an index in memory over an empty store on disk; both
// close with the test.
func memoryIndex(t *testing.T) *Index {
	t.Helper()
	ctx := context.Background()
	st, err := analytics.Open(ctx, filepath.Join(t.TempDir(), "store.duckdb"), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	x, err := Open(ctx, "", st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// TestEngineMatchesItsDefinition checks the engine's set algebra against
// each node's definition, document by document, over an index of many
// segments with updated and removed documents, split and unsplit: the
// matches (total and the documents) and the order of the best ones.
func TestEngineMatchesItsDefinition(t *testing.T) {
	ctx := context.Background()
	x := memoryIndex(t)

	r := rand.New(rand.NewPCG(7, 11))
	words := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = engineVocabulary[r.IntN(len(engineVocabulary))]
		}
		return strings.Join(ws, " ")
	}
	mk := func(i int) *ingest.Debrief {
		d := &ingest.Debrief{
			Source: "notes", Ref: fmt.Sprintf("d%03d.md", i), Title: words(1 + r.IntN(3)),
			Sections: []ingest.Section{
				{Kind: ingest.KindSummary, Text: words(r.IntN(6))},
				{Kind: ingest.KindRootCause, Text: words(r.IntN(5))},
				{Kind: ingest.KindOther, Text: words(r.IntN(12))},
			},
			Times: ingest.Times{Started: time.Date(2025, 1, 1+i%28, 0, 0, 0, 0, time.UTC)},
		}
		d.ID = ingest.DebriefID("notes", d.Ref)
		return d
	}
	live := map[string]*ingest.Debrief{}
	seq := int64(0)
	apply := func(items []ingest.IndexItem) {
		seq++
		if err := x.Apply(ctx, seq, items); err != nil {
			t.Fatal(err)
		}
	}
	for batch := range 10 {
		var items []ingest.IndexItem
		for i := batch * 15; i < batch*15+15; i++ {
			d := mk(i)
			live[d.ID] = d
			items = append(items, ingest.IndexItem{ID: d.ID, Debrief: d})
		}
		apply(items)
	}
	var items []ingest.IndexItem
	for i := 0; i < 150; i += 9 {
		d := mk(i) // new words for an old debrief
		live[d.ID] = d
		items = append(items, ingest.IndexItem{ID: d.ID, Debrief: d})
	}
	for i := 4; i < 150; i += 13 {
		id := ingest.DebriefID("notes", fmt.Sprintf("d%03d.md", i))
		if _, ok := live[id]; ok && i%9 != 0 {
			delete(live, id)
			items = append(items, ingest.IndexItem{ID: id})
		}
	}
	apply(items)
	terms := map[string]map[string]map[string]bool{}
	for id, d := range live {
		terms[id] = fieldTerms(x, d)
	}

	v, done, err := x.read()
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if len(v.segs) < 2 || v.live == v.total {
		t.Fatalf("want several segments and deleted documents: %d segments, %d live of %d", len(v.segs), v.live, v.total)
	}
	for i := range 400 {
		q := randomNode(r, 3)
		var want []string
		for id := range live {
			if naive(q, terms[id]) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		e := newEngine(ctx, v)
		var got []string
		for si := range v.segs {
			s, err := e.set(si, q)
			if err != nil {
				t.Fatal(err)
			}
			it := s.Iterator()
			for it.HasNext() {
				id, err := v.id(v.start[si] + uint64(it.Next()))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %s: matches\n%v, want\n%v", i, describe(q), got, want)
		}
		// Through execute, split and not: the same total and best ones.
		var tops [2][]found
		for j, above := range []uint64{1 << 62, 20} {
			x.splitAbove = above
			o, err := x.execute(newEngine(ctx, v), &plan{q: q, k: 10, facets: true})
			if err != nil {
				t.Fatal(err)
			}
			if o.total != uint64(len(want)) {
				t.Fatalf("query %d %s (split above %d): total %d, want %d", i, describe(q), above, o.total, len(want))
			}
			tops[j] = o.top
		}
		x.splitAbove = splitAbove
		if !slices.Equal(tops[0], tops[1]) {
			t.Fatalf("query %d %s: best ones differ split and not:\n%v\n%v", i, describe(q), tops[0], tops[1])
		}
		// Without kept frequencies: the same scores, decoded each time.
		freqs := v.freqs
		v.freqs = nil
		o, err := x.execute(newEngine(ctx, v), &plan{q: q, k: 10})
		v.freqs = freqs
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(o.top, tops[0]) {
			t.Fatalf("query %d %s: best ones differ with kept frequencies and without:\n%v\n%v", i, describe(q), tops[0], o.top)
		}
	}
}

// describe writes a node as text, for failures.
func describe(n *node) string {
	switch n.op {
	case opTerm:
		return n.field + ":" + n.term
	case opPrefix:
		return n.field + ":" + n.term + "*"
	case opAll:
		return "*"
	}
	var parts []string
	for _, k := range n.kids {
		parts = append(parts, describe(k))
	}
	sep := " AND "
	if n.op == opOr {
		sep = " OR "
	}
	s := "(" + strings.Join(parts, sep)
	for _, k := range n.not {
		s += " NOT " + describe(k)
	}
	return s + ")"
}

// TestCountValuesBothWays checks that counting facet values by words and
// by each match's values agree with a count made match by match.
func TestCountValuesBothWays(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const n = 1000
	tb := newTables()
	t0 := &segTable{day: make([]int64, n), at: map[uint32]int{}, off: make([]uint32, n+1)}
	has := make([][]uint32, n)
	for v := range 30 {
		id := tb.values.id(v%len(facetFields), fmt.Sprint("value", v))
		set := roaring.New()
		rarity := v + 2
		if v%3 == 0 {
			rarity = 100 * (v + 1) // fewer documents than words: no words kept
		}
		for d := range uint32(n) {
			if r.IntN(rarity) == 0 {
				set.Add(d)
				has[d] = append(has[d], id)
			}
		}
		t0.at[id] = len(t0.ids)
		t0.ids = append(t0.ids, id)
		t0.sets = append(t0.sets, set)
		var words []uint64
		if set.GetCardinality() >= uint64(t0.words()) {
			words = make([]uint64, t0.words())
			eachDoc(set, func(d uint32) { words[d/64] |= 1 << (d % 64) })
		}
		t0.docs = append(t0.docs, words)
	}
	rare := 0
	for _, d := range t0.docs {
		if d == nil {
			rare++
		}
	}
	if rare == 0 || rare == len(t0.docs) {
		t.Fatalf("%d of %d values without words: want some of both", rare, len(t0.docs))
	}
	for d := range n {
		t0.vals = append(t0.vals, has[d]...)
		t0.off[d+1] = uint32(len(t0.vals))
	}
	for i := range 50 {
		lo := uint32(r.IntN(n))
		hi := lo + 1 + uint32(r.IntN(n-int(lo)))
		set := roaring.New()
		density := 1 + r.IntN(40)
		for d := lo; d < hi; d++ {
			if r.IntN(density) == 0 {
				set.Add(d)
			}
		}
		pt := part{lo: lo, hi: hi, set: set}
		want := make([]uint32, 30)
		eachDoc(set, func(d uint32) {
			for _, id := range has[d] {
				want[id]++
			}
		})
		byWords, byDocs := make([]uint32, 30), make([]uint32, 30)
		countWords(t0, pt, byWords, &scratch{})
		countDocs(t0, pt, byDocs)
		if !slices.Equal(byWords, want) || !slices.Equal(byDocs, want) {
			t.Fatalf("part %d [%d, %d): by words %v, by documents %v, want %v", i, lo, hi, byWords, byDocs, want)
		}
	}
}

// TestFreqCacheKeepsTheRecentWithinItsBudget fills a cache of room for
// two words: the least recently used goes, and forgotten segments too.
func TestFreqCacheKeepsTheRecentWithinItsBudget(t *testing.T) {
	ctx := context.Background()
	x := memoryIndex(t)
	var items []ingest.IndexItem
	for i := range 40 {
		d := &ingest.Debrief{Source: "notes", Ref: fmt.Sprint(i), Title: strings.Repeat("disk ", 1+i%3) + "pool queue cache"}
		d.ID = ingest.DebriefID("notes", d.Ref)
		items = append(items, ingest.IndexItem{ID: d.ID, Debrief: d})
	}
	if err := x.Apply(ctx, 1, items); err != nil {
		t.Fatal(err)
	}
	v, done, err := x.read()
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	n := len(v.segs[0].day)
	c := newFreqCache(2 * n)
	e := newEngine(ctx, v)
	get := func(word string) []uint8 {
		t.Helper()
		p, err := e.posting(0, ixText, word)
		if err != nil {
			t.Fatal(err)
		}
		tf, err := c.get(freqKey{v.ids[0], ixText, word}, n, p.pl)
		if err != nil || tf == nil {
			t.Fatalf("%s: %v, %v", word, tf, err)
		}
		return tf
	}
	tf := get("disk")
	for i, d := range items {
		num, err := v.segments[0].DocNumbers([]string{d.ID})
		if err != nil || num.GetCardinality() != 1 {
			t.Fatal(err)
		}
		// The title counts three times in the text field.
		if want := 3 * (1 + i%3); int(tf[num.Minimum()]) != want {
			t.Fatalf("debrief %d: disk %d times, want %d", i, tf[num.Minimum()], want)
		}
	}
	get("pool")
	get("disk") // used last: pool is the oldest
	get("queue")
	keys := map[string]bool{}
	for k := range c.entries {
		keys[k.term] = true
	}
	if !keys["disk"] || !keys["queue"] || keys["pool"] || c.bytes > c.limit {
		t.Fatalf("kept %v (%d bytes of %d), want disk and queue", keys, c.bytes, c.limit)
	}
	c.forget(map[uint64]bool{})
	if len(c.entries) != 0 || c.bytes != 0 {
		t.Fatalf("%d entries, %d bytes after forgetting every segment", len(c.entries), c.bytes)
	}
}
