package index

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/secondstory/secondstory/ingest"
)

// The query language, parsed by parseQuery:
//
//	disk full           words, ranked (BM25); a debrief needs one of them,
//	                    and ranks higher the more it has
//	"disk full"         a phrase: the words in this order (stop words in
//	                    between are ignored), required
//	title:checkout      a word or "phrase" in one field, required: title,
//	                    summary, body, a section kind (root_cause, timeline,
//	                    lessons...) or a facet (source, severity, service,
//	                    team, tag, year, category, depth, covers)
//	-word, -"a b", -field:value   excluded
//	time*               words starting with "time" (two letters or more)
//
// Words are lower-cased and stemmed like the text, so "timeouts" finds
// "timeout"; two words written apart also find them written as one
// ("fail over" finds "failover"). Titles weigh three times and summaries
// twice as much as other text.

// MaxQueryLength bounds a query, in bytes.
const MaxQueryLength = 1000

// QueryError is a query that cannot be read. Pos is the byte offset of the
// problem in the query.
type QueryError struct {
	Pos int
	Msg string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("%s (at character %d)", e.Msg, e.Pos+1)
}

// clause is one part of a query.
type clause struct {
	not    bool
	field  string // "" for every prose field
	text   string
	phrase bool
	prefix bool
	pos    int // where it starts in the query, for errors
}

// facetFields are the keyword fields a query may name.
var facetFields = []string{fieldSource, fieldSeverity, fieldService, fieldTeam, fieldTag, fieldYear, fieldCategory, fieldDepth, fieldCovers}

func isProseField(f string) bool { return slices.Contains(proseFields(), f) }
func isFacetField(f string) bool { return slices.Contains(facetFields, f) }

// parseQuery reads the query language.
func parseQuery(q string) ([]clause, error) {
	if len(q) > MaxQueryLength {
		return nil, &QueryError{Pos: MaxQueryLength, Msg: fmt.Sprintf("the query is %d bytes long; the limit is %d", len(q), MaxQueryLength)}
	}
	if !utf8.ValidString(q) {
		return nil, &QueryError{Pos: firstInvalid(q), Msg: "the query is not valid UTF-8"}
	}
	var out []clause
	i := 0
	for {
		for i < len(q) && isSpace(q[i]) {
			i++
		}
		if i >= len(q) {
			return out, nil
		}
		c := clause{pos: i}
		if q[i] == '-' {
			c.not = true
			i++
			if i >= len(q) || isSpace(q[i]) {
				return nil, &QueryError{Pos: c.pos, Msg: `a "-" must be followed by what to exclude, as in -staging`}
			}
		}
		// A field name is letters and underscores before a colon.
		if j := fieldEnd(q, i); j > i && j < len(q) && q[j] == ':' {
			c.field = strings.ToLower(q[i:j])
			if !isProseField(c.field) && !isFacetField(c.field) {
				return nil, &QueryError{Pos: i, Msg: fmt.Sprintf("unknown field %q; fields are %s", clip(q[i:j]), strings.Join(queryFields(), ", "))}
			}
			i = j + 1
			if i >= len(q) || isSpace(q[i]) {
				return nil, &QueryError{Pos: i - 1, Msg: fmt.Sprintf("%s: needs a value, as in %s", c.field, example(c.field))}
			}
		}
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, &QueryError{Pos: i, Msg: `this quote is never closed; add a closing "`}
			}
			c.text, c.phrase = q[i+1:i+1+end], true
			i += end + 2
			if strings.TrimSpace(c.text) == "" {
				return nil, &QueryError{Pos: i - end - 2, Msg: "an empty phrase finds nothing; put words between the quotes"}
			}
		} else {
			j := i
			for j < len(q) && !isSpace(q[j]) && q[j] != '"' {
				j++
			}
			c.text = q[i:j]
			i = j
			if strings.HasSuffix(c.text, "*") {
				c.prefix = true
				c.text = strings.TrimRight(c.text, "*")
				if utf8.RuneCountInString(c.text) < 2 || strings.ContainsRune(c.text, '*') {
					return nil, &QueryError{Pos: c.pos, Msg: "a prefix needs at least two letters before the *, as in time*"}
				}
			}
		}
		out = append(out, c)
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func fieldEnd(q string, i int) int {
	j := i
	for j < len(q) && (q[j] == '_' || 'a' <= q[j] && q[j] <= 'z' || 'A' <= q[j] && q[j] <= 'Z') {
		j++
	}
	return j
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			return i
		}
	}
	return 0
}

func queryFields() []string { return append(proseFields(), facetFields...) }

func example(field string) string {
	switch field {
	case fieldSeverity:
		return "severity:SEV1"
	case fieldYear:
		return "year:2024"
	case fieldCategory:
		return "category:dns"
	case fieldDepth:
		return "depth:single_root_cause"
	}
	return field + ":word"
}

// facetValue is how a facet value is indexed and queried: severities in
// upper case (SEV2), everything else in lower case.
func facetValue(field, v string) string {
	v = strings.TrimSpace(v)
	if field == fieldSeverity {
		return strings.ToUpper(v)
	}
	return strings.ToLower(v)
}

// allWordsBoost weighs the match of all of a query's words together.
const allWordsBoost = 1.5

// boost weighs a match by the field it is in.
func boost(field string) float64 {
	switch field {
	case fieldTitle:
		return 3
	case fieldSummary:
		return 2
	}
	return 1
}

// compiled is a parsed query made into Bleve's terms, with what a
// highlighter needs to find the matches again in the text.
type compiled struct {
	must, should, not []query.Query
	// terms are the stems of the words and phrases to highlight, prefixes
	// the lower-case prefixes.
	terms    map[string]bool
	prefixes []string
}

// compile turns clauses into Bleve queries. It fails on a clause that can
// match nothing because it has no words (only stop words or punctuation).
func (x *Index) compile(clauses []clause) (*compiled, error) {
	c := &compiled{terms: map[string]bool{}}
	var loose []clause      // bare words, for compound forms
	var words []query.Query // their queries
	for _, cl := range clauses {
		q, err := x.clauseQuery(cl, c)
		if err != nil {
			return nil, err
		}
		if q == nil {
			continue // a bare stop word: nothing to look for
		}
		switch {
		case cl.not:
			c.not = append(c.not, q)
		case cl.phrase || cl.field != "":
			c.must = append(c.must, q)
		default:
			c.should = append(c.should, q)
			words = append(words, q)
			if !cl.prefix {
				loose = append(loose, cl)
			} else {
				loose = append(loose, clause{})
			}
		}
	}
	if len(clauses) > 0 && len(c.must)+len(c.should)+len(c.not) == 0 {
		return nil, &QueryError{Pos: 0, Msg: "the query has only common words (the, of, and...), which are not indexed; add a more specific word"}
	}
	// A debrief with every word ranks above one with a few of them many
	// times: people remember several things about the debrief they want.
	if len(words) >= 2 {
		all := bleve.NewConjunctionQuery(words...)
		all.SetBoost(allWordsBoost)
		c.should = append(c.should, all)
	}
	// "fail over" also finds "failover", "time out" "timeout".
	for i := 0; i+1 < len(loose); i++ {
		a, b := loose[i].text, loose[i+1].text
		if a == "" || b == "" {
			continue
		}
		terms := x.analyze(strings.ToLower(a + b))
		if len(terms) == 1 {
			c.should = append(c.should, x.termAnywhere(terms[0].term, 0.8))
			c.terms[terms[0].term] = true
		}
	}
	return c, nil
}

// clauseQuery makes one clause's query.
func (x *Index) clauseQuery(cl clause, c *compiled) (query.Query, error) {
	if isFacetField(cl.field) {
		tq := bleve.NewTermQuery(facetValue(cl.field, cl.text))
		tq.SetField(cl.field)
		return tq, nil
	}
	fields := proseFields()
	if cl.field != "" {
		fields = []string{cl.field}
	}
	if cl.prefix {
		p := strings.ToLower(cl.text)
		c.prefixes = append(c.prefixes, p)
		var qs []query.Query
		for _, f := range fields {
			pq := bleve.NewPrefixQuery(p)
			pq.SetField(f)
			pq.SetBoost(boost(f))
			qs = append(qs, pq)
		}
		return disjunction(qs), nil
	}
	toks := x.analyze(cl.text)
	if len(toks) == 0 {
		if cl.phrase || cl.field != "" || cl.not {
			return nil, &QueryError{Pos: cl.pos, Msg: fmt.Sprintf("%q has no words to look for (only common words like \"the\" or punctuation)", clip(cl.text))}
		}
		return nil, nil
	}
	for _, t := range toks {
		c.terms[t.term] = true
	}
	var qs []query.Query
	for _, f := range fields {
		var q query.Query
		if len(toks) == 1 {
			tq := bleve.NewTermQuery(toks[0].term)
			tq.SetField(f)
			tq.SetBoost(boost(f))
			q = tq
		} else {
			// A phrase, or a word the analyzer splits ("v1.2"): terms
			// at their positions, gaps where stop words were.
			slots := make([][]string, toks[len(toks)-1].pos-toks[0].pos+1)
			for i := range slots {
				slots[i] = []string{""}
			}
			for _, t := range toks {
				slots[t.pos-toks[0].pos] = []string{t.term}
			}
			pq := query.NewMultiPhraseQuery(slots, f)
			pq.SetBoost(boost(f))
			q = pq
		}
		qs = append(qs, q)
	}
	return disjunction(qs), nil
}

// termAnywhere looks for a stem in every prose field.
func (x *Index) termAnywhere(term string, weight float64) query.Query {
	var qs []query.Query
	for _, f := range proseFields() {
		tq := bleve.NewTermQuery(term)
		tq.SetField(f)
		tq.SetBoost(boost(f) * weight)
		qs = append(qs, tq)
	}
	return disjunction(qs)
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// analyzed is one term of analysed text.
type analyzed struct {
	term       string
	pos        int
	start, end int
}

// analyze runs the prose analyzer over s.
func (x *Index) analyze(s string) []analyzed {
	stream := x.analyzer.Analyze([]byte(s))
	out := make([]analyzed, len(stream))
	for i, t := range stream {
		out[i] = analyzed{term: string(t.Term), pos: t.Position, start: t.Start, end: t.End}
	}
	return out
}

// validFacet reports whether a filter value could ever match: facet values
// are short words.
func validFacet(v string) bool {
	if v == "" || len(v) > 200 {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// sectionField is the field a section's text is indexed under.
func sectionField(k ingest.SectionKind) string {
	if k == ingest.KindOther || !k.Valid() {
		return fieldBody
	}
	return string(k)
}
