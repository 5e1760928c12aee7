package index

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"

	"github.com/secondstory/secondstory/ingest/sample"
)

// bleveChain analyses text the way Bleve's own filters do over our words.
func bleveChain(t testing.TB, text []byte) analysis.TokenStream {
	var stream analysis.TokenStream
	pos := 0
	words(text, func(start, end int, numeric bool) {
		pos++
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		stream = append(stream, &analysis.Token{Term: append([]byte(nil), text[start:end]...), Start: start, End: end, Position: pos, Type: typ})
	})
	stopWords := analysis.NewTokenMap()
	if err := stopWords.LoadBytes(en.EnglishStopWords); err != nil {
		t.Fatal(err)
	}
	stream = lowercase.NewLowerCaseFilter().Filter(stream)
	stream = stop.NewStopTokensFilter(stopWords).Filter(stream)
	return porter.NewPorterStemmer().Filter(stream)
}

func render(s analysis.TokenStream) string {
	var b strings.Builder
	for _, tok := range s {
		fmt.Fprintf(&b, "%s@%d[%d:%d]%d ", tok.Term, tok.Position, tok.Start, tok.End, tok.Type)
	}
	return b.String()
}

func TestProseAnalyzerMatchesBleveFilters(t *testing.T) {
	texts := map[string][]byte{
		"cases":   []byte("Failover FAILED over; the customers' orders were Timeouts. ÉTÉ Straße İstanbul ΣΊΣΥΦΟΣ naïve café 42 v1.2 no_compact x86_64 DNS's"),
		"empty":   nil,
		"symbols": []byte("--- !!! 12:30 UTC -> 14:02 ... ``` |a|b| \u00a0 \u200b"),
	}
	// The bundled sample corpus is ordinary prose of every format.
	err := fs.WalkDir(sample.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sample.FS(), p)
		texts[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// And the public corpus, where present.
	corpus := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err == nil {
		_ = filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".txt")) {
				if b, err := os.ReadFile(p); err == nil {
					texts[p] = b
				}
			}
			return nil
		})
	} else {
		t.Logf("../shared/corpus absent: comparing on the sample corpus only")
	}
	a := newProseAnalyzer()
	for name, text := range texts {
		// Twice: the second run reads the remembered stems.
		for range 2 {
			got, want := render(a.Analyze(text)), render(bleveChain(t, text))
			if got != want {
				t.Fatalf("%s: analyzer and Bleve's filters disagree\n got: %.400s\nwant: %.400s", name, got, want)
			}
		}
	}
}

func TestStemCacheIsBounded(t *testing.T) {
	a := newProseAnalyzer()
	var b strings.Builder
	for i := range maxStems + 100 {
		fmt.Fprintf(&b, "w%x ", i)
	}
	a.Analyze([]byte(b.String()))
	if n := a.cached.Load(); n > maxStems {
		t.Errorf("cache holds %d stems, bound is %d", n, maxStems)
	}
}

func BenchmarkAnalyzer(b *testing.B) {
	text, err := fs.ReadFile(sample.FS(), "black-friday-payments-sessions.md")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		a := newProseAnalyzer()
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			a.Analyze(text)
		}
	})
	b.Run("bleve-filters", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			bleveChain(b, text)
		}
	})
}
