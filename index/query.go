package index

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The query language, parsed by parseQuery:
//
//	disk full           words, ranked (BM25); a debrief needs every one of
//	                    them. When fewer than ten debriefs have them all,
//	                    those come first and debriefs with some of the
//	                    words follow (Results.Relaxed)
//	"disk full"         a phrase: the words next to each other in this
//	                    order (a stop word in between must be there too,
//	                    any one), required. A phrase of three or more
//	                    words matches each two neighbouring words of it
//	title:checkout      a word or "phrase" in one field, required: title,
//	                    summary, body, a section kind (root_cause, timeline,
//	                    lessons...) or a facet (source, severity, service,
//	                    team, tag, year, category, depth, covers). A phrase
//	                    in a field is the phrase anywhere and its words in
//	                    the field
//	-word, -"a b", -field:value   excluded
//	time*               words starting with "time" (two letters or more)
//
// Words are lower-cased and stemmed like the text, so "timeouts" finds
// "timeout"; two words written apart also find them written as one
// ("fail over" finds "failover"). A word in the title counts as three
// mentions, in the summary as two; facets filter and never change the
// ranking.

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

// compiled is a parsed query made into Bleve's terms over the index
// fields, with what a highlighter needs to find the matches again in the
// text.
type compiled struct {
	must []*node // phrases and fielded clauses: required
	// words are the bare words, each with the forms that satisfy it
	// (a word and the next also match written as one); any is every one
	// of those forms, for the relaxed query.
	words, any []*node
	not        []*node
	filters    []filterGroup // facet clauses
	// terms are the stems of the words and phrases to highlight, prefixes
	// the lower-case prefixes.
	terms    map[string]bool
	prefixes []string
}

// query assembles the compiled clauses: the query to run (nil for every
// debrief) and the relaxed one to run when few debriefs match every word.
func (c *compiled) query() (q, relaxed *node) {
	if len(c.must)+len(c.words)+len(c.not) == 0 {
		return nil, nil
	}
	build := func(words *node) *node {
		must := slices.Clone(c.must)
		if words != nil {
			must = append(must, words)
		}
		if len(must) == 0 {
			must = append(must, allNode())
		}
		if len(c.not) == 0 {
			return andNode(must...)
		}
		return &node{op: opAnd, kids: must, not: c.not}
	}
	var all *node
	if len(c.words) > 0 {
		all = andNode(c.words...)
	}
	q = build(all)
	if len(c.words) >= 2 {
		relaxed = build(orNode(c.any...))
	}
	return q, relaxed
}

// compile turns clauses into Bleve queries over the index fields; inText
// says whether the index has a term in its text. It fails on a clause that
// can match nothing because it has no words (only stop words or
// punctuation).
func (x *Index) compile(clauses []clause, inText func(term string) bool) (*compiled, error) {
	c := &compiled{terms: map[string]bool{}}
	type bare struct {
		text, stem string // stem "" for a prefix or a word of several terms
	}
	var bares []bare // the bare words, as c.words
	for _, cl := range clauses {
		if isFacetField(cl.field) {
			c.filters = append(c.filters, filterGroup{field: cl.field, values: []string{facetValue(cl.field, cl.text)}, exclude: cl.not})
			continue
		}
		q, stem, err := x.clauseQuery(cl, c)
		if err != nil {
			return nil, err
		}
		switch {
		case q == nil:
			// a bare stop word: nothing to look for
		case cl.not:
			c.not = append(c.not, q)
		case cl.phrase || cl.field != "":
			c.must = append(c.must, q)
		default:
			c.words = append(c.words, q)
			c.any = append(c.any, q)
			bares = append(bares, bare{text: cl.text, stem: stem})
		}
	}
	if len(clauses) > 0 && len(c.must)+len(c.words)+len(c.not)+len(c.filters) == 0 {
		return nil, &QueryError{Pos: 0, Msg: "the query has only common words (the, of, and...), which are not indexed; add a more specific word"}
	}
	// "fail over" also finds "failover", "time out" "timeout": two
	// neighbouring words are satisfied by the two, or by the one word
	// written together, where the index has it.
	for j := 0; j+1 < len(bares); j++ {
		if bares[j].stem == "" || bares[j+1].stem == "" {
			continue
		}
		terms := x.analyze(strings.ToLower(bares[j].text + bares[j+1].text))
		if len(terms) != 1 {
			continue
		}
		if !inText(terms[0].term) {
			continue
		}
		one := termNode(ixText, terms[0].term)
		c.words[j] = orNode(andNode(c.words[j], c.words[j+1]), one)
		c.words[j+1] = nil
		c.any = append(c.any, one)
		c.terms[terms[0].term] = true
		j++
	}
	c.words = slices.DeleteFunc(c.words, func(q *node) bool { return q == nil })
	return c, nil
}

// clauseQuery makes one clause's query over the index fields, and for a
// bare word of one term, its stem.
func (x *Index) clauseQuery(cl clause, c *compiled) (*node, string, error) {
	if cl.prefix {
		p := strings.ToLower(cl.text)
		c.prefixes = append(c.prefixes, p)
		field, prefix := wordField(cl.field), p
		if field == ixSection {
			prefix = string(sectionTerm(cl.field, p))
		}
		return prefixNode(field, prefix), "", nil
	}
	toks := x.analyze(cl.text)
	if len(toks) == 0 {
		if cl.phrase || cl.field != "" || cl.not {
			return nil, "", &QueryError{Pos: cl.pos, Msg: fmt.Sprintf("%q has no words to look for (only common words like \"the\" or punctuation)", clip(cl.text))}
		}
		return nil, "", nil
	}
	for _, t := range toks {
		c.terms[t.term] = true
	}
	// The words, in the clause's field.
	var ws []*node
	for _, t := range toks {
		ws = append(ws, x.wordQuery(cl.field, t.term))
	}
	if len(toks) == 1 {
		if !cl.phrase && cl.field == "" {
			return ws[0], toks[0].term, nil
		}
		return ws[0], "", nil
	}
	// A phrase, or a word the analyzer splits ("v1.2"): each two
	// neighbouring terms as a pair, gaps where stop words were; in a
	// field, its words must be there too.
	var qs []*node
	for i := 1; i < len(toks); i++ {
		a := &analysis.Token{Term: []byte(toks[i-1].term), Position: toks[i-1].pos}
		b := &analysis.Token{Term: []byte(toks[i].term), Position: toks[i].pos}
		qs = append(qs, termNode(ixPairs, string(pairTerm(a, b))))
	}
	if cl.field != "" {
		qs = append(qs, ws...)
	}
	return andNode(qs...), "", nil
}

// wordField is the index field holding the words of a query field.
func wordField(field string) string {
	switch field {
	case "":
		return ixText
	case fieldTitle, fieldSummary:
		return field
	}
	return ixSection
}

// wordQuery looks for a stem in a query field ("" for anywhere).
func (x *Index) wordQuery(field, stem string) *node {
	f := wordField(field)
	if f == ixSection {
		stem = string(sectionTerm(field, stem))
	}
	return termNode(f, stem)
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
