package assess

import (
	"fmt"
	"math"
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

const maxDepthEvidence = 10

var numberWords = map[string]int{
	"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "both": 2,
	"2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7,
}

// depth computes the indicators of DOMAIN.md, the class and the score.
func (an *analysis) depth(cands []factorCand, cov []ingest.Coverage) ingest.Depth {
	c := an.c
	var d ingest.Depth

	// Root-cause framing, counterfactuals and blame, sentence by sentence.
	stated := 0
	for i := range an.doc.sentences {
		if !an.usable(i) {
			continue
		}
		kind := an.kind(i)
		if kind == ingest.KindActionItems {
			continue
		}
		if len(d.RootCause) < maxDepthEvidence {
			if h, ok := an.firstHit(i, c.rootCause, false); ok {
				d.RootCause = append(d.RootCause, an.evidence(i, strings.ToLower(an.hitText(i, h))))
			} else if h, ok := an.firstHit(i, c.singleCause, false); ok {
				d.RootCause = append(d.RootCause, an.evidence(i, strings.ToLower(an.hitText(i, h))))
			}
		}
		if h, ok := an.firstHit(i, c.counterfactual, false); ok && len(d.Counterfactuals) < maxDepthEvidence {
			d.Counterfactuals = append(d.Counterfactuals, an.evidence(i, strings.ToLower(an.hitText(i, h))))
		}
		if h, ok := an.firstHit(i, c.blame, false); ok && len(d.Blame) < maxDepthEvidence {
			d.Blame = append(d.Blame, an.evidence(i, strings.ToLower(an.hitText(i, h))))
		}
		if h, ok := an.firstHit(i, c.multiCause, false); ok {
			n := 2
			s := &an.doc.sentences[i]
			for t := h.start; t < h.end; t++ {
				if v, ok := numberWords[s.toks[t].low]; ok {
					n = v
				}
			}
			stated = max(stated, n)
		}
		if h, ok := an.firstHit(i, c.factorList, false); ok {
			stated = max(stated, an.listedAfter(i, h))
		}
	}

	// Factors. The core ones (listed under a factor section, or named as
	// lessons) count by distinct key; a listed item that only blames is
	// blame, not another factor. Factors inferred from the narrative count
	// when they bring a category the others did not: causal ones always,
	// those named in a summary's opening after the first (which restates
	// the incident), gaps when no factor is listed or named as a lesson
	// ("the pods did not have resource guarantees" beside "this starved
	// everything"), or when nothing else names a factor.
	var cats, core catMask
	keys := map[string]bool{}
	count := 0
	for _, f := range cands {
		if f.kind != candListed && f.kind != candLesson {
			continue
		}
		core |= f.cats
		if !keys[f.f.Key] {
			keys[f.f.Key] = true
			count++
		}
	}
	cats = core
	for _, f := range cands {
		if f.kind == candBlame {
			cats |= f.cats
			core |= f.cats
		}
	}
	for _, k := range []candKind{candCausal, candSummary, candGap} {
		leads := 0
		for fi, f := range cands {
			if f.kind != k {
				continue
			}
			if f.follows {
				// "It caused the queue to back up", "This led to
				// timeouts": what the cause before it went on to do,
				// one more link of the same chain, not another factor.
				cats |= f.cats
				continue
			}
			if f.cats&^cats == 0 {
				// A cause presented as such is a factor of its own even
				// in a category already named, unless it restates one
				// told before ("introduced a bug in the frontend" and
				// "the root cause was a bug introduced in the frontend").
				// So, in a retelling, is any further cause about
				// something no earlier factor named (its key shares no
				// part with theirs): such summaries tell a chain of
				// causes, each link in its own sentence.
				shared := sharedParts(f, cands[:fi])
				if (f.framed || k == candCausal && an.retold && shared == 0) && core == 0 && !keys[f.f.Key] && shared < restatedParts {
					keys[f.f.Key] = true
					count++
				}
				continue
			}
			cats |= f.cats
			if k == candSummary {
				// The summary's first factor restates the incident; the
				// ones after it add to it. A summary that opened with a
				// cause ("a bad push caused errors") has told the
				// incident already: then its first factor adds too,
				// unless it tells what someone saw ("clients saw
				// errors"), a symptom.
				if leads++; leads == 1 && (f.seen || !anyOfKind(cands[:fi], candCausal)) {
					continue
				}
			}
			if k == candCausal || k == candSummary || count == 0 || core == 0 {
				count++
			}
		}
	}
	if count == 0 && len(cands) > 0 {
		count = 1 // only blame names it
	}
	count = max(count, stated)
	// The organisational factor contributing_factors needs must come from
	// the core factors when there are any.
	orgFrom := core
	if core == 0 {
		orgFrom = cats
	}
	coreOrg := 0
	for ci := range c.factorKeys {
		if orgFrom&(1<<ci) != 0 && c.factorOrg[ci] {
			coreOrg++
		}
	}
	// Counted by the categories each brings, factors told in one
	// sentence count once ("an untested upgrade of the ingress, with no
	// runbook for it"). A debrief that names no root cause and whose
	// factors span four categories or more, one of them organisational,
	// tells at least three.
	if len(d.RootCause) == 0 && popcount(cats) >= 4 && coreOrg >= 1 {
		count = max(count, 3)
	}
	d.FactorCount = count
	d.FactorCategories = an.catKeys(cats)
	for ci := range c.factorKeys {
		if cats&(1<<ci) == 0 {
			continue
		}
		if c.factorOrg[ci] {
			d.Organisational++
		} else {
			d.Technical++
		}
	}

	d.Perspectives = an.perspectives()
	d.Learning = an.learning()

	covered := 0
	for _, cv := range cov {
		if cv.Covered {
			covered++
		}
	}

	// The class, by DOMAIN.md's definitions.
	switch {
	case count >= 3 && popcount(cats) >= 2 && coreOrg >= 1 && len(d.Blame) == 0:
		d.Class = ingest.DepthContributingFactors
	case count <= 1:
		d.Class = ingest.DepthSingleRootCause
	default:
		d.Class = ingest.DepthMultipleCauses
	}

	d.Score, d.Reasons = an.score(&d, covered)
	return d
}

// anyOfKind reports a factor of kind k among cands.
func anyOfKind(cands []factorCand, k candKind) bool {
	for _, f := range cands {
		if f.kind == k {
			return true
		}
	}
	return false
}

// restatedParts is how many parts (concepts or stems) a factor's key
// shares with the key of one told before it when it restates that one.
const restatedParts = 2

// sharedParts is the most parts (concepts or stems) the key of factor f
// shares with the key of any one told before it.
func sharedParts(f factorCand, before []factorCand) int {
	parts := strings.Split(f.f.Key, "/")
	most := 0
	for _, b := range before {
		shared := 0
		for _, p := range strings.Split(b.f.Key, "/") {
			for _, q := range parts {
				if p == q {
					shared++
				}
			}
		}
		most = max(most, shared)
	}
	return most
}

// maxListed caps the factors one sentence's list can state.
const maxListed = 5

// listedAfter counts the items of the list that follows hit h in sentence
// i ("Contributing factors included a manual deploy, no alert on the
// queue, and a stale runbook": three), at least two. Items are separated
// by commas, semicolons or a last "and"; words in brackets are asides.
func (an *analysis) listedAfter(i int, h hit) int {
	s := &an.doc.sentences[i]
	if int(h.end) > len(s.toks) || h.end <= 0 {
		return 2
	}
	rest := s.text[int(s.toks[h.end-1].end)-s.off:]
	n, depth := 1, 0
	for k := 0; k < len(rest); k++ {
		switch ch := rest[k]; {
		case ch == '(' || ch == '[':
			depth++
		case ch == ')' || ch == ']':
			depth = max(depth-1, 0)
		case depth > 0:
		case ch == ',' || ch == ';':
			n++
			// ", and" ends the same separator.
			j := k + 1
			for j < len(rest) && rest[j] == ' ' {
				j++
			}
			if strings.HasPrefix(rest[j:], "and ") || strings.HasPrefix(rest[j:], "or ") {
				k = j + 2
			}
		case ch == ' ' && strings.HasPrefix(rest[k:], " and "):
			n++
			k += 4
		}
	}
	return min(max(n, 2), maxListed)
}

// score applies the formula documented in doc.go and returns the reasons
// behind it in plain words.
func (an *analysis) score(d *ingest.Depth, covered int) (int, []string) {
	w := an.c.score
	var s float64
	var reasons []string

	s += w.PerFactor * float64(min(d.FactorCount, w.MaxFactors))
	if d.Technical > 0 {
		s += w.Technical
	}
	s += w.PerOrganisational * float64(min(d.Organisational, w.MaxOrganisational))
	switch {
	case d.FactorCount == 0:
		reasons = append(reasons, "no contributing factors identified")
	case d.Technical > 0 && d.Organisational > 0:
		reasons = append(reasons, fmt.Sprintf("%s across technical and organisational categories", plural(d.FactorCount, "factor")))
	case d.Organisational > 0:
		reasons = append(reasons, fmt.Sprintf("%s, organisational only", plural(d.FactorCount, "factor")))
	default:
		reasons = append(reasons, fmt.Sprintf("%s, technical only", plural(d.FactorCount, "factor")))
	}

	p := len(d.Perspectives)
	s += w.PerPerspective * float64(min(p, w.MaxPerspectives))
	if p == 0 {
		reasons = append(reasons, "no individual perspectives described")
	} else {
		reasons = append(reasons, plural(p, "perspective"))
	}

	l := d.Learning
	var parts []string
	if l.Timeline {
		s += w.Timeline
		parts = append(parts, "a timeline")
	}
	if l.WentWell || l.Lucky {
		s += w.WentWell
		parts = append(parts, "what went well")
	}
	if l.Surprises {
		s += w.Surprises
		parts = append(parts, "surprises")
	}
	if l.Lessons {
		s += w.Lessons
		parts = append(parts, "lessons")
	}
	if l.OpenQuestions {
		s += w.OpenQuestions
		parts = append(parts, "open questions")
	}
	if len(parts) > 0 {
		reasons = append(reasons, "records "+joinWords(parts))
	}
	if l.ActionsBeyondCareful {
		s += w.ActionsBeyondCareful
	} else {
		reasons = append(reasons, "no remediation beyond reminders to be careful")
	}
	s += w.Coverage * float64(covered) / float64(len(questionCategories))
	reasons = append(reasons, fmt.Sprintf("shows %d of %d kinds of facilitator question", covered, len(questionCategories)))

	if len(d.RootCause) > 0 {
		s += w.RootCauseFraming
		if d.FactorCount <= 1 {
			reasons = append(reasons, "names a single root cause")
		} else {
			reasons = append(reasons, "uses root-cause framing")
		}
	}
	if n := len(d.Counterfactuals); n > 0 {
		s += w.PerCounterfactual * float64(min(n, w.MaxCounterfactuals))
		reasons = append(reasons, plural(n, "counterfactual")+` ("should have", "failed to")`)
	}
	if len(d.Blame) > 0 {
		s += w.Blame
		reasons = append(reasons, fmt.Sprintf("blame language (%q)", d.Blame[0].Cue))
	} else {
		reasons = append(reasons, "no blame language")
	}
	score := int(math.Round(clamp(s, 0, 100)))
	return score, reasons
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func joinWords(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}

// learning reports the learning-review structure from section kinds.
func (an *analysis) learning() ingest.Learning {
	var l ingest.Learning
	has := map[ingest.SectionKind]bool{}
	for i := range an.doc.sentences {
		s := &an.doc.sentences[i]
		if s.flags&(flagPlaceholder|flagCode) != 0 || len(s.toks) < 2 {
			continue
		}
		kind := an.kind(i)
		if kind == ingest.KindOpenQuestions || s.flags&flagQuestion == 0 {
			has[kind] = true
		}
	}
	l.Timeline = has[ingest.KindTimeline] || len(an.d.Timeline) > 0
	l.WentWell = has[ingest.KindWentWell]
	l.Lucky = has[ingest.KindLucky]
	l.Surprises = has[ingest.KindSurprises]
	l.Lessons = has[ingest.KindLessons]
	l.OpenQuestions = has[ingest.KindOpenQuestions]
	for ui := range an.doc.units {
		u := &an.doc.units[ui]
		if an.doc.sections[u.sec].Kind != ingest.KindActionItems {
			continue
		}
		careful, usable := false, false
		for i := u.first; i < u.last; i++ {
			if !an.usable(i) || len(an.doc.sentences[i].toks) < 3 {
				continue
			}
			usable = true
			if an.has(i, an.c.careful) {
				careful = true
			}
		}
		if usable && !careful {
			l.ActionsBeyondCareful = true
			break
		}
	}
	return l
}

// perspectives finds the people and roles whose view, action or words the
// debrief describes: a capitalised name followed by a verb only people do
// ("Priya saw", "Tim asks"), @handles, participants named in the text, the
// roles of the catalog ("the on-call engineer"), and quoted speech.
func (an *analysis) perspectives() []string {
	c := an.c
	var out []string
	seen := map[string]bool{}
	add := func(key, display string) {
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, display)
	}
	speech, hasSpeech := c.lexByKey["@speech"]
	quotedAnon := false
	var roles []string
	for i := range an.doc.sentences {
		kind := an.kind(i)
		if kind == ingest.KindActionItems || kind == ingest.KindPeople || !an.usable(i) {
			continue
		}
		s := &an.doc.sentences[i]
		named := false
		var spans [][2]int32
		for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
			h := an.hits[j]
			lexes := c.m.phrases[h.pid].lex
			if containsLex(lexes, c.personVerbs) {
				if name := an.nameBefore(s, int(h.start)); name != "" {
					add("name:"+strings.ToLower(strings.Fields(name)[0]), name)
					named = true
				}
			}
			if containsLex(lexes, c.roles) {
				spans = mergeSpan(spans, h.start, h.end)
			}
		}
		for _, sp := range spans {
			a, b := sp[0], sp[1]
			for a < b-1 && determiners[s.toks[a].low] {
				a++
			}
			r := strings.ToLower(an.hitText(i, hit{start: a, end: b}))
			roles = appendUnique(roles, r)
		}
		// @handles are people whatever they did: "@aronasorman", not
		// "@1.24.1" or "@posthog/agent".
		for t := range s.toks {
			off := int(s.toks[t].off) - s.off
			end := int(s.toks[t].end) - s.off
			if off == 0 || s.text[off-1] != '@' || s.toks[t].low[0] < 'a' || s.toks[t].low[0] > 'z' {
				continue
			}
			if off > 1 && !isSpaceByte(s.text[off-2]) && s.text[off-2] != '(' {
				continue
			}
			if end < len(s.text) && (s.text[end] == '/' || s.text[end] == '.' && end+1 < len(s.text) && s.text[end+1] != ' ') {
				continue
			}
			h := s.text[off:end]
			add("name:"+strings.ToLower(h), "@"+h)
			named = true
		}
		if !named && s.flags&flagQuote != 0 && hasSpeech && an.has(i, speech) {
			quotedAnon = true
		}
	}
	for _, p := range an.d.Meta.Participants {
		f := strings.Fields(p)
		if len(f) == 0 || seen["name:"+strings.ToLower(f[0])] {
			continue
		}
		if an.mentioned(f[0]) {
			add("name:"+strings.ToLower(f[0]), p)
		}
	}
	// A role is the same as a longer one it ends ("on-call engineer" and
	// "storefront on-call engineer").
	for _, r := range roles {
		dup := false
		for _, o := range roles {
			if o != r && (strings.HasSuffix(o, " "+r) || strings.HasSuffix(o, "-"+r)) {
				dup = true
				break
			}
		}
		if !dup {
			add("role:"+r, r)
		}
	}
	if quotedAnon && len(out) == 0 {
		add("quoted", "a quoted participant")
	}
	return out
}

// starters are capitalised words that start a sentence before a name
// ("Then Priya said").
var starters = map[string]bool{
	"then": true, "when": true, "after": true, "before": true, "once": true, "while": true,
	"and": true, "but": true, "so": true, "also": true, "finally": true, "later": true,
	"initially": true, "meanwhile": true, "however": true, "eventually": true, "next": true,
	"first": true, "here": true, "there": true, "now": true, "today": true, "yesterday": true,
}

var determiners = map[string]bool{"the": true, "a": true, "an": true, "our": true, "their": true, "its": true}

// mergeSpan adds [a, b) to spans, merging it with any span it overlaps.
func mergeSpan(spans [][2]int32, a, b int32) [][2]int32 {
	for i := range spans {
		if a < spans[i][1] && b > spans[i][0] {
			spans[i][0] = min(spans[i][0], a)
			spans[i][1] = max(spans[i][1], b)
			return spans
		}
	}
	return append(spans, [2]int32{a, b})
}

// nameBefore returns the capitalised name (one or two words) that ends
// right before token j, if any.
func (an *analysis) nameBefore(s *sentence, j int) string {
	k := j - 1
	if k < 0 {
		return ""
	}
	if !an.nameToken(s, k) {
		return ""
	}
	start := k
	if k > 0 && !s.toks[k].brk {
		switch {
		case an.nameToken(s, k-1):
			start = k - 1
		case s.toks[k-1].cap && !(k-1 == 0 && starters[s.toks[k-1].low]):
			return "" // the end of a product's name: "Grafana Agent ran"
		}
	}
	a := int(s.toks[start].off) - s.off
	b := int(s.toks[k].end) - s.off
	return s.text[a:b]
}

func (an *analysis) nameToken(s *sentence, k int) bool {
	t := &s.toks[k]
	if !t.cap || len(t.low) < 2 || an.c.notNames[t.low] {
		return false
	}
	if k == 0 && an.lowerElsewhere(t.low) {
		return false // "Hubs moved...": a common word starting a sentence
	}
	surface := s.text[int(t.off)-s.off : int(t.end)-s.off]
	upper := 0
	for i := 0; i < len(surface); i++ {
		c := surface[i]
		if c >= '0' && c <= '9' {
			return false
		}
		if c >= 'A' && c <= 'Z' {
			upper++
		}
	}
	return upper < 2 // acronyms and CamelCase product names are not people
}

// lowerElsewhere reports whether the word appears in lower case somewhere
// in the debrief, which names never do.
func (an *analysis) lowerElsewhere(low string) bool {
	for i := range an.doc.tokens {
		t := &an.doc.tokens[i]
		if !t.cap && t.low == low {
			return true
		}
	}
	return false
}

// mentioned reports whether word appears capitalised in the debrief's body.
func (an *analysis) mentioned(word string) bool {
	for i := range an.doc.sentences {
		s := &an.doc.sentences[i]
		if an.kind(i) == ingest.KindPeople {
			continue
		}
		for t := range s.toks {
			if s.toks[t].cap && strings.EqualFold(s.toks[t].low, word) {
				return true
			}
		}
	}
	return false
}
