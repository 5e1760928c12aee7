package index

import (
	"fmt"
	"sync"
	"sync/atomic"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Scoring a word decodes its postings' frequencies, about 20 ns per
// document that has the word, and Bleve's segments offer no way to skip
// to a document without walking the postings before it. That cost is
// only large for frequent words (a word in a quarter of 100,000 debriefs
// takes a millisecond), and frequent words are few. So the frequencies of
// a word found in at least one document in freqDensity of a segment are
// kept, once decoded, as one byte per document of the segment, within a
// budget; the least recently used go first. A segment never changes, and
// a document removed later is never matched again, so an entry stays true
// for as long as its segment lives.

// freqDensity: words in fewer documents than one in this many are decoded
// each time, as cheaply as their array would be filled.
const freqDensity = 32

// freqBudget bounds the bytes of kept frequencies: about 600 frequent
// words of a segment of 100,000 debriefs.
const freqBudget = 64 << 20

// freqCache keeps decoded frequencies.
type freqCache struct {
	mu      sync.Mutex
	entries map[freqKey]*freqEntry
	bytes   int
	limit   int
	tick    uint64
}

type freqKey struct {
	seg         uint64 // segment id
	field, term string
}

type freqEntry struct {
	once sync.Once
	// tf is the word's frequency in each document of the segment (0 for
	// none), or nil when it is not kept (a document says it more than 255
	// times, or reading failed: err).
	tf   []uint8
	err  error
	used atomic.Uint64
}

func newFreqCache(limit int) *freqCache {
	return &freqCache{entries: map[freqKey]*freqEntry{}, limit: limit}
}

// get returns the frequencies of a word in a segment of n documents,
// decoding them from pl the first time.
func (c *freqCache) get(k freqKey, n int, pl segment.PostingsList) ([]uint8, error) {
	c.mu.Lock()
	e := c.entries[k]
	if e == nil {
		e = &freqEntry{}
		c.entries[k] = e
	}
	c.tick++
	e.used.Store(c.tick)
	c.mu.Unlock()
	e.once.Do(func() {
		e.tf, e.err = decodeFreqs(n, pl)
		if e.tf == nil {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.bytes += len(e.tf)
		c.evict(e)
	})
	return e.tf, e.err
}

// evict drops the least recently used entries but keep until the cache
// fits its budget. The caller holds mu.
func (c *freqCache) evict(keep *freqEntry) {
	for c.bytes > c.limit {
		var oldest freqKey
		var victim *freqEntry
		for k, e := range c.entries {
			if e != keep && e.tf != nil && (victim == nil || e.used.Load() < victim.used.Load()) {
				oldest, victim = k, e
			}
		}
		if victim == nil {
			return
		}
		delete(c.entries, oldest)
		c.bytes -= len(victim.tf)
	}
}

// forget drops the entries of segments merged away.
func (c *freqCache) forget(live map[uint64]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if !live[k.seg] {
			delete(c.entries, k)
			c.bytes -= len(e.tf)
		}
	}
}

// decodeFreqs reads a word's frequency in each document of a segment.
func decodeFreqs(n int, pl segment.PostingsList) ([]uint8, error) {
	tf := make([]uint8, n)
	it := pl.Iterator(true, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("index: postings: %w", err)
		}
		if p == nil {
			return tf, nil
		}
		f := p.Frequency()
		if f > 255 || p.Number() >= uint64(n) {
			return nil, nil
		}
		tf[p.Number()] = uint8(f)
	}
}
