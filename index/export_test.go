package index

import (
	"github.com/blevesearch/bleve/v2/document"

	"github.com/secondstory/secondstory/ingest"
)

// SplitSearchesAbove makes x split the matching of searches over more
// than n documents, so tests reach the split with few documents.
func SplitSearchesAbove(x *Index, n uint64) { x.splitAbove = n }

// TextCount is how many times word (as the analyzer stems it) is in the
// text field of d as Bleve analyses the document the index writes, and the
// field's length.
func TextCount(x *Index, d *ingest.Debrief, word string) (tf, length int) {
	term := x.analyze(word)[0].term
	for _, f := range x.document(d.ID, d).Fields {
		if tf, ok := f.(*document.TextField); ok && f.Name() == ixText {
			tf.Analyze()
			n := 0
			if freq, ok := tf.AnalyzedTokenFrequencies()[term]; ok {
				n = freq.Frequency()
			}
			return n, tf.AnalyzedLength()
		}
	}
	return 0, 0
}
