package index

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of our analysis components in Bleve's registry and mapping.
const (
	tokenizerName = "secondstory_words"
	analyzerName  = "secondstory_en"
)

// registerOnce registers our tokenizer with Bleve. Bleve resolves
// tokenizers by name through a process-wide registry, both when a mapping
// is built and when an index is opened from disk, and panics on a second
// registration; so this is the one piece of global state here, set once.
var registerOnce sync.Once

func registerAnalysis() {
	registerOnce.Do(func() {
		registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
			return wordTokenizer{}, nil
		})
	})
}

// addAnalyzer defines the English analyzer for prose: our word tokenizer,
// lower case, English stop words and Porter stemming. It gives the same
// terms as Bleve's "en" analyzer on ordinary prose, at about twice its
// speed (BenchmarkAnalyzers), because Unicode word segmentation dominated
// indexing time.
func addAnalyzer(m *mapping.IndexMappingImpl) error {
	return m.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerName,
		"token_filters": []string{lowercase.Name, en.StopName, porter.Name},
	})
}

// wordTokenizer splits text into runs of letters and digits (and
// underscores, so identifiers like no_compact stay whole). Apostrophes,
// hyphens, dots and everything else separate words: "customer's" gives
// "customer" and the stop word "s", "v1.2" gives "v1" and "2".
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	stream := make(analysis.TokenStream, 0, len(input)/6)
	pos := 1
	start := -1
	numeric := true
	emit := func(end int) {
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		stream = append(stream, &analysis.Token{
			Term: input[start:end], Start: start, End: end, Position: pos, Type: typ,
		})
		pos++
		start = -1
	}
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
			emit(i)
		}
		i += size
	}
	if start >= 0 {
		emit(len(input))
	}
	return stream
}
