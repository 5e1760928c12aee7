package index

import (
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/secondstory/secondstory/ingest"
)

// Version is the version of the mapping and of what documents hold. Bump
// it whenever either changes: an index of another version is rebuilt from
// the store when the server starts.
const Version = 4

// Field names. The prose of a debrief is split, without overlap, into the
// title, the summary, one field per section kind ("root_cause",
// "lessons"...) and the body (everything under other headings), so each
// word is analysed once and a query can still ask for words under one kind
// of heading. A query without a field searches them all.
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
	fieldDate     = "date"
	// From the assessment: factor taxonomy keys, depth class, and the
	// question categories covered.
	fieldCategory = "category"
	fieldDepth    = "depth"
	fieldCovers   = "covers"
)

// newMapping builds the explicit mapping: English analysis for prose,
// keywords for facets, a date for ranges and sorting. Nothing is stored and
// prose has no term vectors or doc values: the text lives in the store and
// highlights are cut from it, which keeps indexing several times faster
// (see ../shared/PERFORMANCE.md).
func newMapping() *mapping.IndexMappingImpl {
	registerAnalysis() // the mapping names our analyzer
	prose := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = false
		// Positions are needed for phrase queries.
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	facet := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true

	doc := bleve.NewDocumentStaticMapping()
	for _, name := range proseFields() {
		doc.AddFieldMappingsAt(name, prose())
	}
	for _, name := range []string{fieldSource, fieldSeverity, fieldService, fieldTeam, fieldTag, fieldYear, fieldCategory, fieldDepth, fieldCovers} {
		doc.AddFieldMappingsAt(name, facet())
	}
	doc.AddFieldMappingsAt(fieldDate, date)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.DefaultField = fieldBody
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// proseFields are the fields that hold the debrief's prose: title,
// summary, body and one per section kind.
func proseFields() []string {
	fields := []string{fieldTitle, fieldSummary, fieldBody}
	for _, k := range ingest.SectionKinds {
		if k != ingest.KindOther && k != ingest.KindSummary {
			fields = append(fields, string(k))
		}
	}
	return fields
}

// document is what the index holds of a debrief, as a map the mapping
// walks: only the mapped fields, nothing stored.
func document(d *ingest.Debrief) map[string]any {
	doc := map[string]any{fieldTitle: d.Title}
	bySection := map[string][]string{}
	for _, s := range d.Sections {
		if s.Text != "" {
			f := sectionField(s.Kind)
			bySection[f] = append(bySection[f], s.Text)
		}
	}
	if len(d.Sections) == 0 {
		bySection[fieldBody] = []string{d.Text}
	}
	if _, ok := bySection[fieldSummary]; !ok && d.Summary != "" {
		bySection[fieldSummary] = []string{d.Summary}
	}
	for field, texts := range bySection {
		doc[field] = texts
	}
	facet := func(field string, vs ...string) {
		var out []string
		for _, v := range vs {
			if v = facetValue(field, v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			doc[field] = out
		}
	}
	facet(fieldSource, d.Source)
	facet(fieldSeverity, d.Meta.Severity)
	facet(fieldService, d.Meta.Services...)
	facet(fieldTeam, d.Meta.Teams...)
	facet(fieldTag, d.Meta.Tags...)
	if date := d.Times.Date(); !date.IsZero() {
		doc[fieldDate] = date.UTC().Format(time.RFC3339)
		doc[fieldYear] = strconv.Itoa(date.UTC().Year())
	}
	if a := d.Assessment; a != nil {
		facet(fieldCategory, a.FactorCategories()...)
		facet(fieldDepth, a.Depth.Class)
		facet(fieldCovers, a.Covered()...)
	}
	return doc
}
