package index

import (
	"bytes"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// analyzerName names our English analyzer in Bleve's registry and mapping.
const analyzerName = "secondstory_en"

// registerOnce registers our analyzer with Bleve. Bleve resolves analyzers
// by name through a process-wide registry, both when a mapping is built
// and when an index is opened from disk, and panics on a second
// registration; so this is the one piece of global state here, set once.
var (
	registerOnce sync.Once
	registered   *proseAnalyzer
)

// registerAnalysis registers the analyzer once and returns it, so that
// queries and highlights analyse text exactly as indexing does.
func registerAnalysis() *proseAnalyzer {
	registerOnce.Do(func() {
		registered = newProseAnalyzer()
		registry.RegisterAnalyzer(analyzerName, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
			return registered, nil
		})
	})
	return registered
}

// proseAnalyzer analyses English prose in one pass: words (see words),
// lower case, English stop words removed, Porter stems. It gives exactly
// the terms of Bleve's lowercase, stop_en and stemmer_porter filters over
// the same words (TestProseAnalyzerMatchesBleveFilters), at a fraction of
// their cost: analysis is most of indexing, and a corpus uses a few tens of
// thousands of distinct words, so each word's stem is computed once and
// remembered.
type proseAnalyzer struct {
	stop  analysis.TokenMap
	stems sync.Map // lower-case word (string) → stem ([]byte, never modified)
	// cached counts the remembered stems; past maxStems new words are
	// stemmed each time, so hostile input cannot grow the cache without
	// bound.
	cached atomic.Int64
}

const maxStems = 1 << 18

func newProseAnalyzer() *proseAnalyzer {
	stop := analysis.NewTokenMap()
	// The list is Bleve's own and always loads.
	_ = stop.LoadBytes(en.EnglishStopWords)
	return &proseAnalyzer{stop: stop}
}

// Analyze returns the terms of input with their byte offsets and word
// positions; a stop word leaves a gap in the positions, as Bleve's stop
// filter does, so a phrase does not match across it.
func (a *proseAnalyzer) Analyze(input []byte) analysis.TokenStream {
	// Terms are cut from one buffer and tokens from one slab: two
	// allocations per text instead of two per word.
	buf := make([]byte, 0, len(input))
	slab := make([]analysis.Token, 0, len(input)/7+1)
	a.scan(input, func(start, end, pos int, numeric bool, lower []byte) {
		from := len(buf)
		buf = append(buf, a.stem(lower)...)
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		slab = append(slab, analysis.Token{
			Term: buf[from:len(buf):len(buf)], Start: start, End: end, Position: pos, Type: typ,
		})
	})
	stream := make(analysis.TokenStream, len(slab))
	for i := range slab {
		stream[i] = &slab[i]
	}
	return stream
}

// scan calls fn with each word of input that is not a stop word: its byte
// range, its position (stop words count), whether it is all digits, and
// the word in lower case (valid during the call only).
func (a *proseAnalyzer) scan(input []byte, fn func(start, end, pos int, numeric bool, lower []byte)) {
	var lower []byte
	pos := 0
	words(input, func(start, end int, numeric bool) {
		pos++
		lower = lowerWord(lower[:0], input[start:end])
		if _, stop := a.stop[string(lower)]; stop {
			return
		}
		fn(start, end, pos, numeric, lower)
	})
}

// stem returns the Porter stem of a lower-case word. The result may be
// shared: callers copy it.
func (a *proseAnalyzer) stem(lower []byte) []byte {
	if s, ok := a.stems.Load(string(lower)); ok {
		return s.([]byte)
	}
	s := analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(lower)))
	if a.cached.Load() < maxStems {
		if _, loaded := a.stems.LoadOrStore(string(lower), s); !loaded {
			a.cached.Add(1)
		}
	}
	return s
}

// lowerWord appends word in lower case to dst: ASCII directly, anything
// else through Bleve's lowercase filter, so both agree on every rune.
func lowerWord(dst, word []byte) []byte {
	for _, c := range word {
		if c >= utf8.RuneSelf {
			tok := &analysis.Token{Term: append([]byte(nil), word...)}
			lowercase.NewLowerCaseFilter().Filter(analysis.TokenStream{tok})
			return append(dst, tok.Term...)
		}
	}
	for _, c := range word {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// words calls fn for each run of letters and digits in input (and
// underscores, so identifiers like no_compact stay whole), with its byte
// range and whether it is all digits. Apostrophes, hyphens, dots and
// everything else separate words: "customer's" gives "customer" and "s",
// "v1.2" gives "v1" and "2". It is several times faster than Unicode word
// segmentation, which dominated indexing time, and agrees with it on
// ordinary prose.
func words(input []byte, fn func(start, end int, numeric bool)) {
	start := -1
	numeric := true
	for i := 0; i < len(input); {
		c := input[i]
		var word, digit bool
		size := 1
		if c < utf8.RuneSelf {
			digit = '0' <= c && c <= '9'
			word = digit || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		} else {
			r, n := utf8.DecodeRune(input[i:])
			size = n
			digit = unicode.IsDigit(r)
			word = digit || unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
		}
		switch {
		case word && start < 0:
			start, numeric = i, digit
		case word:
			numeric = numeric && digit
		case start >= 0:
			fn(start, i, numeric)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(input), numeric)
	}
}
