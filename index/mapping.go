package index

import (
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/secondstory/secondstory/ingest"
)

// Version is the version of the mapping and of what documents hold. Bump
// it whenever either changes: an index of another version is rebuilt from
// the store when the server starts.
const Version = 7

// Query fields: what a query may name before a colon. Prose is the title,
// the summary, the body (text under headings of no known kind) and one
// field per section kind ("root_cause", "lessons"...); facets are keywords.
const (
	fieldTitle    = "title"
	fieldSummary  = "summary"
	fieldBody     = "body"
	fieldSource   = "source"
	fieldSeverity = "severity"
	fieldService  = "service"
	fieldTeam     = "team"
	fieldTag      = "tag"
	fieldYear     = "year"
	// From the assessment: factor taxonomy keys, depth class, and the
	// question categories covered.
	fieldCategory = "category"
	fieldDepth    = "depth"
	fieldCovers   = "covers"
)

// Index fields: how the prose is laid out in Bleve. Every word of a
// debrief is analysed once and goes to
//
//   - text: every word of the debrief (title, summary and sections), for
//     ranked words, those of the title and summary counted more than once
//     (textRepeats);
//   - pairs: every two neighbouring words as one term ("connect pool"),
//     so a phrase is one term or a conjunction of terms instead of a
//     check of positions, which measured fifty times slower in Bleve;
//   - title and summary: their words again, for title: and summary: and
//     for the weight a word has there;
//   - section: each word of a section prefixed with the section's kind
//     ("root_cause:cach"), for root_cause: and the other kinds.
//
// None has positions (term vectors): phrases go through pairs. Facets are
// keyword fields, day holds the debrief's date in Unix seconds, and length
// the number of terms of each field above ("text:1520"), for BM25's
// average field lengths; the search reads them into per-segment tables
// (see tables.go) to filter, count, sort and score without Bleve's doc
// values.
const (
	ixText    = "text"
	ixPairs   = "pairs"
	ixSection = "section"
	ixDay     = "day"
	ixLength  = "length"
)

// scoredFields are the fields a query's words are scored in, in the order
// of a segment table's lengths.
var scoredFields = [...]string{ixText, ixPairs, ixSection, fieldTitle, fieldSummary}

// scoredField is the index of a field in scoredFields, or -1.
func scoredField(field string) int {
	for i, f := range scoredFields {
		if f == field {
			return i
		}
	}
	return -1
}

// pairGap joins the two words of a pair across a stop word: "rate of
// change" gives "rate ~ change". It is never part of a word.
const pairGap = "~"

// newMapping describes the fields for Bleve. Documents are built already
// analysed (see document), so the mapping mostly names what the index
// holds, and chooses BM25 scoring.
func newMapping() *mapping.IndexMappingImpl {
	registerAnalysis() // the mapping names our analyzer
	words := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{ixText, fieldTitle, fieldSummary} {
		doc.AddFieldMappingsAt(name, words())
	}
	for _, name := range append([]string{ixPairs, ixSection, ixDay, ixLength}, facetFields...) {
		doc.AddFieldMappingsAt(name, kw())
	}
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.DefaultField = ixText
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = bindex.BM25Scoring
	return m
}

// proseFields are the query fields that hold prose.
func proseFields() []string {
	fields := []string{fieldTitle, fieldSummary, fieldBody}
	for _, k := range ingest.SectionKinds {
		if k != ingest.KindOther && k != ingest.KindSummary {
			fields = append(fields, string(k))
		}
	}
	return fields
}

// indexOptions index terms with their frequencies and field lengths, for
// BM25, and nothing else.
const indexOptions = bindex.IndexField

// tokens is an analyzer that returns a stream analysed beforehand: it lets
// one pass of the prose analyzer feed several fields.
type tokens analysis.TokenStream

func (t tokens) Analyze([]byte) analysis.TokenStream { return analysis.TokenStream(t) }

// document is what the index holds of a debrief: the fields above, built
// from one analysis of each piece of prose.
func (x *Index) document(id string, d *ingest.Debrief) *document.Document {
	doc := document.NewDocument(id)
	var text, pairs, section, title, summary analysis.TokenStream
	add := func(kind, s string) {
		if s == "" {
			return
		}
		ts := x.analyzer.Analyze([]byte(s))
		for range textRepeats(kind) {
			text = append(text, ts...)
		}
		for i := 1; i < len(ts); i++ {
			pairs = append(pairs, &analysis.Token{Term: pairTerm(ts[i-1], ts[i]), Position: len(pairs) + 1})
		}
		switch kind {
		case fieldTitle:
			title = append(title, ts...)
		case fieldSummary:
			summary = append(summary, ts...)
		default:
			for _, t := range ts {
				section = append(section, &analysis.Token{Term: sectionTerm(kind, string(t.Term)), Position: len(section) + 1})
			}
		}
	}
	add(fieldTitle, d.Title)
	hasSummary := false
	for _, s := range d.Sections {
		kind := sectionField(s.Kind)
		hasSummary = hasSummary || kind == fieldSummary
		add(kind, s.Text)
	}
	if len(d.Sections) == 0 {
		add(fieldBody, d.Text)
	}
	if !hasSummary {
		add(fieldSummary, d.Summary)
	}
	for i, ts := range [len(scoredFields)]analysis.TokenStream{text, pairs, section, title, summary} {
		if len(ts) > 0 {
			name := scoredFields[i]
			doc.AddField(document.NewTextFieldCustom(name, nil, nil, indexOptions, tokens(ts)))
			doc.AddField(document.NewTextFieldWithIndexingOptions(ixLength, nil, lengthTerm(name, len(ts)), indexOptions))
		}
	}
	facet := func(field string, vs ...string) {
		var seen []string
		for _, v := range vs {
			if v = facetValue(field, v); v != "" && !slices.Contains(seen, v) {
				seen = append(seen, v)
				doc.AddField(document.NewTextFieldWithIndexingOptions(field, nil, []byte(v), indexOptions))
			}
		}
	}
	facet(fieldSource, d.Source)
	facet(fieldSeverity, d.Meta.Severity)
	facet(fieldService, d.Meta.Services...)
	facet(fieldTeam, d.Meta.Teams...)
	facet(fieldTag, d.Meta.Tags...)
	if date := d.Times.Date(); !date.IsZero() {
		facet(fieldYear, strconv.Itoa(date.UTC().Year()))
		doc.AddField(document.NewTextFieldWithIndexingOptions(ixDay, nil, []byte(strconv.FormatInt(date.Unix(), 10)), indexOptions))
	}
	if a := d.Assessment; a != nil {
		facet(fieldCategory, a.FactorCategories()...)
		facet(fieldDepth, a.Depth.Class)
		facet(fieldCovers, a.Covered()...)
	}
	return doc
}

// pairTerm is the pairs term of two neighbouring terms, with a gap mark
// for each stop word left out between them.
func pairTerm(a, b *analysis.Token) []byte {
	gap := max(b.Position-a.Position-1, 0)
	out := make([]byte, 0, len(a.Term)+len(b.Term)+1+2*gap)
	out = append(out, a.Term...)
	out = append(out, ' ')
	for range gap {
		out = append(out, pairGap+" "...)
	}
	return append(out, b.Term...)
}

// textRepeats is how many times a piece of prose counts in the text
// field: a title three times, a summary twice, the rest once. BM25 grows
// with a word's count and saturates, so a word in the title weighs about
// as much as three mentions in the body, without a second field to score
// at search time (which measured a third of the time of a search).
func textRepeats(kind string) int {
	switch kind {
	case fieldTitle:
		return 3
	case fieldSummary:
		return 2
	}
	return 1
}

// sectionTerm is a word of a section as the section field holds it.
func sectionTerm(kind, term string) []byte { return []byte(kind + ":" + term) }

// sectionField is the query field a section's words answer to.
func sectionField(k ingest.SectionKind) string {
	if k == ingest.KindOther || !k.Valid() {
		return fieldBody
	}
	return string(k)
}

// lengthTerm is the length field's term for a field of n terms.
func lengthTerm(field string, n int) []byte {
	return strconv.AppendInt([]byte(field+":"), int64(n), 10)
}

// lengthOf reads a length term: the index of its field in scoredFields
// and the length.
func lengthOf(term string) (int, uint32, bool) {
	for i, f := range scoredFields {
		if len(term) > len(f) && term[len(f)] == ':' && term[:len(f)] == f {
			n, err := strconv.ParseUint(term[len(f)+1:], 10, 32)
			return i, uint32(n), err == nil
		}
	}
	return 0, 0, false
}

// dayOf reads the day field.
func dayOf(term string) (int64, bool) {
	n, err := strconv.ParseInt(term, 10, 64)
	return n, err == nil
}
