package index

import (
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/secondstory/secondstory/ingest"
)

// Version is the version of the mapping and of what documents hold. Bump
// it whenever either changes: an index of another version is rebuilt from
// the store when the server starts.
const Version = 1

// Field names. Section kinds are fields of their own ("root_cause",
// "lessons"...), so that a query can ask for words under one kind of
// heading.
const (
	fieldTitle    = "title"
	fieldSummary  = "summary"
	fieldText     = "text"
	fieldSource   = "source"
	fieldSeverity = "severity"
	fieldService  = "service"
	fieldTeam     = "team"
	fieldTag      = "tag"
	fieldYear     = "year"
	fieldDate     = "date"
)

// newMapping builds the explicit mapping: English analysis for prose,
// keywords for facets, a date for ranges and sorting. Nothing is stored and
// prose has no term vectors or doc values: the text lives in the store and
// highlights are cut from it, which keeps indexing several times faster
// (see ../shared/PERFORMANCE.md).
func newMapping() *mapping.IndexMappingImpl {
	prose := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = en.AnalyzerName
		f.Store = false
		f.IncludeTermVectors = false
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
	for _, name := range []string{fieldTitle, fieldSummary, fieldText} {
		doc.AddFieldMappingsAt(name, prose())
	}
	for _, k := range ingest.SectionKinds {
		if k == ingest.KindOther || k == ingest.KindSummary {
			continue
		}
		doc.AddFieldMappingsAt(string(k), prose())
	}
	for _, name := range []string{fieldSource, fieldSeverity, fieldService, fieldTeam, fieldTag, fieldYear} {
		doc.AddFieldMappingsAt(name, facet())
	}
	doc.AddFieldMappingsAt(fieldDate, date)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.DefaultField = fieldText
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// document is what the index holds of a debrief, as a map the mapping
// walks: only the mapped fields, nothing stored.
func document(d *ingest.Debrief) map[string]any {
	doc := map[string]any{
		fieldTitle:   d.Title,
		fieldSummary: d.Summary,
		fieldText:    d.Text,
		fieldSource:  d.Source,
	}
	bySection := map[ingest.SectionKind][]string{}
	for _, s := range d.Sections {
		if s.Kind == ingest.KindOther || s.Kind == ingest.KindSummary || s.Text == "" {
			continue
		}
		bySection[s.Kind] = append(bySection[s.Kind], s.Text)
	}
	for k, texts := range bySection {
		doc[string(k)] = texts
	}
	if d.Meta.Severity != "" {
		doc[fieldSeverity] = d.Meta.Severity
	}
	if len(d.Meta.Services) > 0 {
		doc[fieldService] = d.Meta.Services
	}
	if len(d.Meta.Teams) > 0 {
		doc[fieldTeam] = d.Meta.Teams
	}
	if len(d.Meta.Tags) > 0 {
		doc[fieldTag] = d.Meta.Tags
	}
	if date := d.Times.Date(); !date.IsZero() {
		doc[fieldDate] = date.UTC().Format(time.RFC3339)
		doc[fieldYear] = strconv.Itoa(date.UTC().Year())
	}
	return doc
}
