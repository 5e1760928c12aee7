package assess

import (
	"sort"
	"strings"
	"sync"

	"github.com/secondstory/secondstory/ingest"
)

// Assessor assesses debriefs against one catalog. It is immutable after
// New and safe for concurrent use.
type Assessor struct {
	c       *compiled
	version string
	// scratch recycles the working memory of assessments; nothing in it
	// outlives a call.
	scratch sync.Pool
}

// New compiles the catalog's phrases and rules once. A nil catalog means
// the embedded default.
func New(c *Catalog) *Assessor {
	if c == nil {
		c = DefaultCatalog()
	}
	cc, err := compile(&c.file)
	if err != nil {
		// A Catalog is only made by parseCatalog, which compiled it
		// successfully, or is the empty fallback, which compiles.
		e := emptyCatalog()
		cc, _ = compile(&e)
	}
	return &Assessor{c: cc, version: c.Version()}
}

// scratch is the reusable working memory of one assessment.
type scratch struct {
	lw  lowerBuf
	doc doc
	an  analysis
}

// Version is the catalog version the assessor stamps on assessments.
func (a *Assessor) Version() string { return a.version }

// Assess sets d.Assessment from d's sections and text. It does no I/O and
// keeps no state between calls.
func (a *Assessor) Assess(d *ingest.Debrief) {
	if d == nil {
		return
	}
	d.Assessment = a.assess(d)
}

// analysis is the working state of one assessment.
type analysis struct {
	c   *compiled
	d   *ingest.Debrief
	doc *doc
	w   int      // bitset words per sentence
	pos []uint64 // per sentence: lexicons with a hit that is not negated
	any []uint64 // per sentence: lexicons with any hit
	// hits of sentence i are hits[hitAt[i]:hitAt[i+1]]
	hits  []hit
	hitAt []int32
	neg   []bool // per hit: negated
	ruled []bool // per hit: ruled out ("was not the cause")
	// retold: the debrief is one untitled text that never speaks in the
	// first person, someone else's incident told from outside.
	retold bool
	// own holds the words of the debrief's own organisation's name (its
	// "company" metadata): naming it is no third party.
	own map[string]bool
}

func (a *Assessor) assess(d *ingest.Debrief) *ingest.Assessment {
	sc, _ := a.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer func() {
		sc.doc.sections, sc.an.d = nil, nil
		a.scratch.Put(sc)
	}()
	split(d, &sc.lw, &sc.doc)
	an := &sc.an
	an.reset(a.c, d, &sc.doc)
	an.match()
	an.retold = an.isRetelling()
	out := &ingest.Assessment{CatalogVersion: a.version}
	out.Coverage = an.coverage()
	cands := an.factorCands()
	out.Factors = make([]ingest.Factor, len(cands))
	for i := range cands {
		out.Factors[i] = cands[i].f
	}
	out.Depth = an.depth(cands, out.Coverage)
	return out
}

// reset prepares an for a new debrief, keeping its buffers.
func (an *analysis) reset(c *compiled, d *ingest.Debrief, dc *doc) {
	an.c, an.d, an.doc = c, d, dc
	n := len(dc.sentences)
	an.w = (len(c.lexNames) + 63) / 64
	an.pos = grow(an.pos, n*an.w)
	an.any = grow(an.any, n*an.w)
	an.hitAt = grow(an.hitAt, n+1)
	an.hits, an.neg, an.ruled = an.hits[:0], an.neg[:0], an.ruled[:0]
	an.own = ownNames(d)
}

// grow returns s resized to n zeroed elements, reusing its array.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func (an *analysis) match() {
	c := an.c
	c.m.lookup(an.doc.tokens)
	for i := range an.doc.sentences {
		s := &an.doc.sentences[i]
		an.hitAt[i] = int32(len(an.hits))
		an.hits = c.m.find(s.toks, an.hits)
		for j := int(an.hitAt[i]); j < len(an.hits); j++ {
			h := an.hits[j]
			at := an.negator(s.toks, int(h.start))
			neg := at >= 0
			an.neg = append(an.neg, neg)
			// "X was not the cause" rules X out: it is no factor, unlike
			// "no alert", which is one.
			ruledOut := neg && s.toks[at].low == wNot && at+1 < len(s.toks) && ruledOutNext[s.toks[at+1].low] ||
				ruledOutAfter(s.toks, int(h.end))
			an.ruled = append(an.ruled, ruledOut)
			for _, lex := range c.m.phrases[h.pid].lex {
				if !ruledOut {
					an.any[i*an.w+int(lex>>6)] |= 1 << (lex & 63)
				}
				if !neg {
					an.pos[i*an.w+int(lex>>6)] |= 1 << (lex & 63)
				}
			}
		}
		an.hitAt[i+1] = int32(len(an.hits))
		if an.has(i, c.hedge) {
			s.flags |= flagHedged
		}
		if an.has(i, c.placeholder) {
			s.flags |= flagPlaceholder
		}
		if c.imperative >= 0 && an.has(i, c.imperative) {
			if h, ok := an.firstHit(i, c.imperative, false); ok && h.start == 0 {
				s.flags |= flagAction
			}
		}
	}
}

// ruledOutNext are the words after "not" that rule a thing out as a cause
// ("was not the limit", "not related to", "not due to").
var ruledOutNext = map[string]bool{
	"the": true, "a": true, "an": true, "due": true, "related": true, "caused": true,
	"responsible": true, "involved": true, "because": true, "part": true, "our": true,
}

// ruledOutAfter reports "X was not the cause": the words after a cue
// (from token i) deny that it was the problem.
func ruledOutAfter(toks []token, i int) bool {
	if i < len(toks) && copulas[toks[i].low] {
		i++
	}
	if i+1 >= len(toks) || toks[i].low != wNot {
		return false
	}
	switch toks[i+1].low {
	case "the", "a", "an", "responsible", "involved", "related", "at", "to", "part":
		return true
	}
	return false
}

var copulas = map[string]bool{"is": true, "was": true, "were": true, "are": true, "seemed": true, "appeared": true}

// negator returns the index of a negator ("not", "no", "never", "without")
// standing within three words before token i in the same clause, or -1.
func (an *analysis) negator(toks []token, i int) int {
	for k := 0; k < 3; k++ {
		if toks[i].brk {
			return -1
		}
		i--
		if i < 0 {
			return -1
		}
		if toks[i].neg {
			return i
		}
	}
	return -1
}

// has reports a non-negated hit of lexicon lex in sentence i.
func (an *analysis) has(i int, lex int32) bool {
	if lex < 0 {
		return false
	}
	return an.pos[i*an.w+int(lex>>6)]&(1<<(lex&63)) != 0
}

// hasAny reports any hit of lexicon lex in sentence i, negated or not.
func (an *analysis) hasAny(i int, lex int32) bool {
	if lex < 0 {
		return false
	}
	return an.any[i*an.w+int(lex>>6)]&(1<<(lex&63)) != 0
}

// firstHit returns the first hit in sentence i feeding lexicon lex.
func (an *analysis) firstHit(i int, lex int32, allowNeg bool) (hit, bool) {
	for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
		if !allowNeg && an.neg[j] {
			continue
		}
		h := an.hits[j]
		if containsLex(an.c.m.phrases[h.pid].lex, lex) {
			return h, true
		}
	}
	return hit{}, false
}

// hitText is the sentence text a hit covers.
func (an *analysis) hitText(i int, h hit) string {
	s := &an.doc.sentences[i]
	if h.end <= h.start || int(h.end) > len(s.toks) {
		return ""
	}
	a := int(s.toks[h.start].off) - s.off
	b := int(s.toks[h.end-1].end) - s.off
	if a < 0 || b > len(s.text) || a >= b {
		return ""
	}
	return s.text[a:b]
}

func (an *analysis) kind(i int) ingest.SectionKind {
	return an.doc.sections[an.doc.sentences[i].sec].Kind
}

// usable reports whether sentence i may serve as evidence: not a question,
// a template placeholder or a code line.
func (an *analysis) usable(i int) bool {
	return an.doc.sentences[i].flags&(flagQuestion|flagPlaceholder|flagCode) == 0
}

func (an *analysis) evidence(i int, cue string) ingest.Evidence {
	s := &an.doc.sentences[i]
	sec := &an.doc.sections[s.sec]
	part := s.sec
	if len(an.d.Sections) == 0 {
		part = -1 // split took the whole text as one section
	}
	return ingest.Evidence{Sentence: s.text, Section: sec.Kind, Heading: sec.Heading, Cue: cue,
		Part: part, Start: s.off, End: s.off + len(s.text)}
}

// isRetelling reports a debrief told from outside: one untitled text (no
// section has a heading) in which no sentence speaks in the first person
// ("we", "our", "I"). Such a summary tells what a system did; what the
// people involved noticed or decided shows only where it names them.
func (an *analysis) isRetelling() bool {
	for i := range an.doc.sections {
		if an.doc.sections[i].Heading != "" {
			return false
		}
	}
	for i := range an.doc.sentences {
		s := &an.doc.sentences[i]
		if s.flags&flagCode != 0 {
			continue
		}
		for k := range s.toks {
			if firstPerson(s, k) {
				return false
			}
		}
	}
	return true
}

// firstPerson reports whether token k of s is a first-person pronoun:
// "we", "our", "I", but not "US" (a country), nor a part of a name joined
// by punctuation: the "I" of "I/O" or "I-HEARD-YOU", the "us" of
// "us-east-1" or "dynamodb.us-east-1.amazonaws.com".
func firstPerson(s *sentence, k int) bool {
	t := &s.toks[k]
	switch t.low {
	case "we", "our", "ours", "ourselves", "us", "me", "my", "i":
	default:
		return false
	}
	a, b := int(t.off)-s.off, int(t.end)-s.off
	if a < 0 || b > len(s.text) {
		return false
	}
	if joined(s.text, a-1, a-2) || joined(s.text, b, b+1) {
		return false
	}
	surface := s.text[a:b]
	if t.low == "i" {
		return surface == "I"
	}
	return surface != strings.ToUpper(surface)
}

// joined reports that text[at] is punctuation that joins words into one
// name (a host, a path, a region: "." "-" "/" "_" "@" ":") with a word
// character at text[next] on its other side.
func joined(text string, at, next int) bool {
	return at >= 0 && next >= 0 && at < len(text) && next < len(text) &&
		strings.IndexByte(".-/_@:", text[at]) >= 0 && isWordByte(text[next])
}

// namesPerson reports whether sentence i names a person or team: a word
// of the catalog's person lexicon, a role, or a name before a verb only
// people do ("Priya saw").
func (an *analysis) namesPerson(i int) bool {
	c := an.c
	if an.hasAny(i, c.person) || an.hasAny(i, c.roles) {
		return true
	}
	s := &an.doc.sentences[i]
	for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
		h := an.hits[j]
		if containsLex(c.m.phrases[h.pid].lex, c.personVerbs) && an.nameBefore(s, int(h.start)) != "" {
			return true
		}
	}
	return false
}

// scored is a sentence's support for a question category.
type scored struct {
	i     int
	score float64
	rule  int
}

// coverage scores every sentence against every question category's rules.
// A sentence's score for a category is the weight of its best rule, scaled
// by its section's factor; the category is covered when a sentence reaches
// the threshold.
func (an *analysis) coverage() []ingest.Coverage {
	out := make([]ingest.Coverage, 0, len(an.c.questions))
	var best []scored
	for qi := range an.c.questions {
		q := &an.c.questions[qi]
		best = best[:0]
		for i := range an.doc.sentences {
			if !an.usable(i) || an.doc.sentences[i].flags&flagAction != 0 {
				continue
			}
			kind := an.kind(i)
			mult, ok := q.sections[kind]
			if !ok {
				mult = 1
			}
			if mult == 0 {
				continue
			}
			// In a retelling, a category about people counts a sentence
			// that names none only by a rule marked anyone.
			anyoneOnly := q.people && an.retold && !an.namesPerson(i)
			sc, ri := an.ruleScore(i, q, kind, anyoneOnly)
			if sc == 0 {
				continue
			}
			best = append(best, scored{i: i, score: sc * mult, rule: ri})
		}
		sort.SliceStable(best, func(a, b int) bool { return best[a].score > best[b].score })
		cov := ingest.Coverage{Category: q.key}
		var r float64
		if len(best) > 0 {
			r = best[0].score / q.threshold
		}
		if r >= 1 {
			cov.Covered = true
			extra := 0
			for _, b := range best {
				if b.score < q.threshold {
					break
				}
				if len(cov.Evidence) < 3 {
					cov.Evidence = append(cov.Evidence, an.evidence(b.i, an.ruleCue(b.i, &q.rules[b.rule], an.kind(b.i))))
				}
				extra++
			}
			r += 0.25 * float64(min(extra-1, 2))
			cov.Confidence = clamp(1-0.4/r, 0.6, 0.99)
			if an.doc.sentences[best[0].i].flags&flagHedged != 0 {
				cov.Confidence *= 0.9 // "probably", "we think": weaker, not void
			}
		} else {
			cov.Confidence = clamp(1-0.4*r, 0.6, 1)
		}
		cov.Confidence = round2(cov.Confidence)
		out = append(out, cov)
	}
	return out
}

// ruleScore returns the weight of the best rule of q that fires on
// sentence i, and its index; with anyoneOnly, only of rules marked anyone.
func (an *analysis) ruleScore(i int, q *qcat, kind ingest.SectionKind, anyoneOnly bool) (float64, int) {
	var best float64
	bestRule := -1
	hits := an.hitAt[i+1] > an.hitAt[i]
	for ri := range q.rules {
		r := &q.rules[ri]
		if r.weight <= best || r.in != nil && !r.in[kind] || anyoneOnly && !r.anyone || r.inside && an.retold {
			continue
		}
		if len(r.groups) == 0 {
			// A section rule: any sentence of a few words there, unless
			// a veto matches ("we should...": a plan, not a lesson).
			if len(an.doc.sentences[i].toks) < 4 || an.vetoed(i, r) {
				continue
			}
		} else if !hits || !an.fires(i, r) {
			continue
		}
		best, bestRule = r.weight, ri
	}
	return best, bestRule
}

// fires reports whether every group of rule r has a hit in sentence i and
// its veto group none.
func (an *analysis) fires(i int, r *rule) bool {
	for _, g := range r.groups {
		found := false
		for _, lex := range g {
			if an.has(i, lex) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return !an.vetoed(i, r)
}

// vetoed reports a hit of rule r's veto group in sentence i.
func (an *analysis) vetoed(i int, r *rule) bool {
	for _, lex := range r.none {
		if an.has(i, lex) {
			return true
		}
	}
	return false
}

// ruleCue explains which words made rule r fire on sentence i.
func (an *analysis) ruleCue(i int, r *rule, kind ingest.SectionKind) string {
	if len(r.groups) == 0 {
		return r.name + ": in " + string(kind)
	}
	var parts []string
	for _, g := range r.groups {
		for _, lex := range g {
			if h, ok := an.firstHit(i, lex, false); ok {
				parts = append(parts, strings.ToLower(an.hitText(i, h)))
				break
			}
		}
	}
	return r.name + ": " + strings.Join(parts, " + ")
}

func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
