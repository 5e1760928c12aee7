package assess

import (
	"sort"
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// catMask is a set of factor categories, one bit per index of
// compiled.factorKeys (22 categories).
type catMask uint32

// categories returns the factor categories sentence i names. Factor cues
// count even when negated ("no alert on pool wait" is a monitoring
// factor), but not when ruled out ("the database was not the limit").
// Concepts add their categories only when concepts is set: inside a
// factor section a concept names the factor; elsewhere a category needs
// its own cue.
func (an *analysis) categories(i int, concepts bool) catMask {
	return an.categoriesNear(i, nil, 0, concepts)
}

// categoriesNear is categories restricted to cues starting within window
// tokens of one of the positions in near (all cues when near is nil).
func (an *analysis) categoriesNear(i int, near []int32, window int32, concepts bool) catMask {
	c := an.c
	var m catMask
	var gaps []int32
	gapsRead := false
	for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
		if an.ruled[j] {
			continue
		}
		h := an.hits[j]
		if near != nil && !closeTo(h, near, window) {
			continue
		}
		for _, lex := range c.m.phrases[h.pid].lex {
			if ci := c.catByLex[lex]; ci >= 0 && !(ci == c.dependency && an.namesOwn(i, h)) {
				m |= 1 << ci
			}
			if ci := c.topicByLex[lex]; ci >= 0 {
				// A topic outside a factor section files its category
				// only beside a gap: "no alert on pool wait".
				if !concepts && !gapsRead {
					gaps, gapsRead = an.gapStarts(i), true
				}
				if concepts || closeTo(h, gaps, 4) {
					m |= 1 << ci
				}
			}
			if k := c.conceptByLex[lex]; k >= 0 && concepts {
				for _, ci := range c.concepts[k].cats {
					m |= 1 << ci
				}
			}
		}
	}
	for ci, not := range c.factorNot {
		if not >= 0 && m&(1<<ci) != 0 && an.hasAny(i, not) {
			m &^= 1 << ci
		}
	}
	return m
}

// namesOwn reports a hit that names the debrief's own organisation
// ("GitHub experienced an outage" in GitHub's own review): an outage or
// bug of its own is no third party's.
func (an *analysis) namesOwn(i int, h hit) bool {
	if len(an.own) == 0 {
		return false
	}
	s := &an.doc.sentences[i]
	for t := h.start; t < h.end; t++ {
		if an.own[s.toks[t].low] {
			return true
		}
	}
	return false
}

// ownNames are the words of the organisation a debrief is about, from its
// "company" metadata, that are long enough to name it.
func ownNames(d *ingest.Debrief) map[string]bool {
	v, _ := d.Meta.Extra["company"].(string)
	var out map[string]bool
	for _, w := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if len(w) < 3 || ownNoise[w] {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[w] = true
	}
	return out
}

// ownNoise are words of company names that name no one in particular.
var ownNoise = map[string]bool{"inc": true, "ltd": true, "llc": true, "corp": true, "the": true, "and": true, "company": true, "group": true, "cloud": true, "code": true, "repository": true}

// statedCategories are the categories a sentence states as a cause or a
// gap: named around causal words ("caused by a small bug", "due to a newly
// applied limit") or next to a deficiency ("no alert on pool wait").
func (an *analysis) statedCategories(i int, concepts bool) catMask {
	c := an.c
	var m catMask
	if an.has(i, c.causal) {
		m |= an.categoriesNear(i, an.starts(i, c.causal), 12, concepts)
	}
	if near := an.gapStarts(i); len(near) > 0 {
		m |= an.categoriesNear(i, near, 4, concepts)
	}
	return m
}

// gapStarts lists where sentence i states a gap, less the words of a
// quoted message: "no space left on device" or "No route to host" is
// what an error said, not a gap.
func (an *analysis) gapStarts(i int) []int32 {
	near := an.starts(i, an.c.deficiency)
	s := &an.doc.sentences[i]
	if !strings.ContainsAny(s.text, "\"“”") {
		return near
	}
	out := near[:0:0]
	for _, p := range near {
		if k := int(s.toks[p].off) - s.off; k < 0 || k > len(s.text) || !quotedAt(s.text[:k]) {
			out = append(out, p)
		}
	}
	return out
}

// quotedAt reports that the text after prefix is inside double quotes.
func quotedAt(prefix string) bool {
	open := false
	for _, r := range prefix {
		switch r {
		case '"':
			open = !open
		case '“':
			open = true
		case '”':
			open = false
		}
	}
	return open
}

func closeTo(h hit, near []int32, window int32) bool {
	for _, p := range near {
		if h.start >= p-window && h.start <= p+window {
			return true
		}
	}
	return false
}

// starts lists the token positions where lexicon lex has hits in sentence i.
func (an *analysis) starts(i int, lex int32) []int32 { return an.bounds(i, lex, false) }

// ends lists the token positions just past the hits of lexicon lex in
// sentence i.
func (an *analysis) ends(i int, lex int32) []int32 { return an.bounds(i, lex, true) }

func (an *analysis) bounds(i int, lex int32, end bool) []int32 {
	var out []int32
	for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
		if h := an.hits[j]; containsLex(an.c.m.phrases[h.pid].lex, lex) {
			if end {
				out = append(out, h.end)
			} else {
				out = append(out, h.start)
			}
		}
	}
	return out
}

func (an *analysis) catKeys(m catMask) []string {
	var out []string
	for ci, k := range an.c.factorKeys {
		if m&(1<<ci) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// factorCand is a factor with the bookkeeping depth needs.
type factorCand struct {
	f    ingest.Factor
	cats catMask
	// kind is how the factor was found, which decides how much it
	// counts towards the depth class.
	kind candKind
	// framed: the sentence presents what it names as a cause of the
	// incident ("the root cause was", "a contributing factor was"), not
	// as one link of a chain ("this led to").
	framed bool
	// seen: a summary's sentence that tells what someone saw ("clients
	// saw errors"), a symptom rather than a cause.
	seen bool
	// follows: a sentence named in an opening, or in a retelling a
	// causal one, that opens by pointing back at the one before and
	// says what it caused ("It caused...", "This led to..."): what that
	// cause went on to do. (In a debrief of sections, a causal sentence
	// that points back often brings a factor of its own: "This went
	// unnoticed and caused...")
	follows bool
}

type candKind uint8

const (
	candListed  candKind = iota // under a factor section or a list of causes
	candBlame                   // a listed item that only blames ("This was human error")
	candLesson                  // named in lessons or surprises
	candCausal                  // a sentence elsewhere with causal words
	candGap                     // a sentence elsewhere naming a gap
	candSummary                 // named in the opening of a summary, without causal words
)

// Sections whose sentences never state a factor: what was done about the
// incident, what went right, who took part.
var noInferred = map[ingest.SectionKind]bool{
	ingest.KindActionItems:   true,
	ingest.KindWentWell:      true,
	ingest.KindLucky:         true,
	ingest.KindImpact:        true,
	ingest.KindPeople:        true,
	ingest.KindOpenQuestions: true,
}

// factorCands finds explicit factors (each item or paragraph under a
// factor section) and inferred ones (sentences elsewhere with a causal or
// deficiency cue and a factor category).
func (an *analysis) factorCands() []factorCand {
	c := an.c
	var out []factorCand
	listed := an.introducedLists()
	for ui := range an.doc.units {
		u := &an.doc.units[ui]
		kind := an.doc.sections[u.sec].Kind
		if !c.factorSections[kind] && !listed[ui] {
			continue
		}
		var usable []int
		var mask catMask
		best, bestN := -1, -1
		meta := true
		// later sentences of a paragraph that state another cause, and
		// the categories they state
		var further []int
		var furtherCats []catMask
		for i := u.first; i < u.last; i++ {
			if !an.usable(i) {
				continue
			}
			usable = append(usable, i)
			var m catMask
			if len(usable) <= 2 {
				// The lead and its first explanation name the factor;
				// an explanation that gives a cause of another kind
				// ("Because developers used a local install, tests
				// never saw it") is a factor too.
				m = an.categories(i, true)
				if len(usable) == 2 && mask != 0 {
					if st := an.statedCategories(i, true); st&^mask != 0 {
						further, furtherCats = append(further, i), append(furtherCats, st)
					}
				}
			} else {
				// Later sentences tell the factor's story; they add
				// categories only where they state a cause or a gap.
				m = an.statedCategories(i, true)
				if m&^mask != 0 {
					further, furtherCats = append(further, i), append(furtherCats, m)
				}
			}
			mask |= m
			if n := popcount(m); n > bestN {
				best, bestN = i, n
			}
			if !an.has(i, c.multiCause) && !an.has(i, c.singleCause) || m != 0 {
				meta = false
			}
		}
		if len(usable) == 0 || meta {
			continue
		}
		if mask == 0 && (u.flags&flagList == 0 || kind == ingest.KindWentWrong || kind == ingest.KindTrigger) && kind != ingest.KindContributingFactors {
			continue // explanation without a factor in it
		}
		text := u.text
		sents := usable
		if len(usable) > 2 || len(text) > 300 {
			text = an.doc.sentences[usable[0]].text
			sents = usable[:1]
		}
		ev := an.evidence(best, "")
		if an.doc.sentences[best].flags&flagLead == 0 && len(sents) == 1 {
			ev = an.evidence(sents[0], "")
		}
		ev.Cue = "listed under " + string(kind)
		ck := candListed
		for _, i := range usable[:min(len(usable), 2)] {
			if an.has(i, c.blame) {
				ck = candBlame
			}
		}
		out = append(out, factorCand{
			kind: ck,
			cats: mask,
			f: ingest.Factor{
				Text:       text,
				Key:        an.key(sents),
				Categories: orEmpty(an.catKeys(mask)),
				Explicit:   true,
				Evidence:   ev,
			},
		})
		// An item may go on, past its lead and explanation, to another
		// cause of another kind: "...Separately, the disk filled up
		// because of a leftover debug log level." That is a factor too.
		for fi, i := range further {
			m := furtherCats[fi]
			ev := an.evidence(i, "listed under "+string(kind))
			out = append(out, factorCand{
				kind: candListed,
				cats: m,
				f: ingest.Factor{
					Text:       an.doc.sentences[i].text,
					Key:        an.key([]int{i}),
					Categories: an.catKeys(m),
					Explicit:   true,
					Evidence:   ev,
				},
			})
		}
	}
	explicit := len(out)
	// What went wrong in the response is no statement of the causes: with
	// only that, the summary still says what went wrong.
	causes := 0
	for i := range out {
		if out[i].f.Evidence.Section != ingest.KindWentWrong {
			causes++
		}
	}
	// With neither a factor section nor a summary, how the problem was
	// identified is where a debrief says what went wrong.
	leadKind := ingest.KindSummary
	if explicit == 0 && !an.hasKind(ingest.KindSummary) {
		leadKind = ingest.KindDetection
	}
	// A debrief that is one untitled text is all summary.
	onlyOther := ingest.KindSummary
	if len(an.doc.sections) == 1 {
		onlyOther = ingest.KindOther
	}
	seen := map[string]bool{}
	for i := range out {
		seen[out[i].f.Key] = true
	}
	inList := func(i int) bool { return listed[an.doc.sentences[i].unit] }
	// With neither a factor section nor a summary, an untitled or context
	// section ("Context", "Background") says what went wrong as much as
	// how it was identified does.
	isOpening := func(kind ingest.SectionKind) bool {
		return kind == ingest.KindSummary || kind == onlyOther || kind == leadKind ||
			kind == ingest.KindOther && leadKind == ingest.KindDetection
	}
	// Where opening sentences stand is needed only while no factor section
	// states causes.
	var ranks []int
	if causes == 0 {
		ranks = an.openingRanks(isOpening)
	}
	for i := range an.doc.sentences {
		kind := an.kind(i)
		fl := an.doc.sentences[i].flags
		causal := an.has(i, c.causal)
		timeline := kind == ingest.KindTimeline || fl&flagTimeline != 0
		var reasons []int32
		if timeline && fl&flagHedged == 0 {
			reasons = an.ends(i, c.reason)
		}
		if c.factorSections[kind] || noInferred[kind] || timeline && len(reasons) == 0 || !an.usable(i) || inList(i) ||
			fl&flagAction != 0 {
			continue // timelines tell events, actions plan work
		}
		var mask catMask
		lead := false // named in a summary's opening, without causal words
		// Hindsight ("it should not have been rushed", "should have been
		// tested") tells what happened, not what to do: it names a factor.
		hindsight := an.has(i, c.counterfactual)
		// A lesson that warns what a condition will cause ("it is likely to
		// cause instability in the future unless...") names it.
		warning := (kind == ingest.KindLessons || kind == ingest.KindSurprises) && causal
		if planning(an.doc.sections[an.doc.sentences[i].sec].Heading) || an.has(i, c.prescriptive) && !hindsight && !warning || an.has(i, c.remedy) {
			continue // "Lessons and future improvements", "we should...", "the fix was a code change that..."
		}
		opening := isOpening(kind)
		switch {
		case timeline:
			// An entry of a timeline names a factor only in the reason
			// it gives: "the agent was down due to a newly applied limit".
			mask = an.categoriesNear(i, reasons, 5, false)
		case kind == ingest.KindLessons || kind == ingest.KindSurprises:
			// What a review learned or was surprised by names factors
			// without causal words: "Knowledge of useful metrics haven't
			// been shared with the team".
			mask = an.categories(i, false)
		case kind == ingest.KindResolution:
			// How it was fixed names a factor only with its reason: "reason
			// for this is the TXT records were set with the wrong owner".
			if causal {
				mask = an.categoriesNear(i, an.starts(i, c.causal), 8, false)
			}
			if an.has(i, c.finding) {
				// "Team identified that the disk space was reduced..."
				mask |= an.categories(i, false)
			}
		case opening:
			// With no factor section, the summary is where a debrief says
			// what went wrong: "a bug in the health checks kept the
			// version from updating".
			if causes == 0 && ranks[i] < 3 && an.doc.sentences[i].flags&flagHedged == 0 {
				mask = an.categories(i, false)
				stated := an.statedCategories(i, false)
				switch {
				case kind == ingest.KindDetection:
					// How it was detected names the alert that fired,
					// which is no monitoring gap.
					mask &^= an.catBit("monitoring")
				case an.has(i, c.perceive) || kind == ingest.KindOther && leadKind == ingest.KindDetection:
					// So does a summary's "the team saw an alert", and a
					// context's, unless it says the alert fell short.
					mask &^= an.catBit("monitoring") &^ stated
				}
				lead = mask != 0 && stated == 0
			} else {
				mask = an.statedCategories(i, false)
			}
		default:
			mask = an.statedCategories(i, false)
		}
		// "The instance type change recycles every node. This caused the
		// pods to go at once": the sentence before "this caused" is the
		// cause, whatever words it uses.
		thisCaused := ""
		if kind != ingest.KindLessons && kind != ingest.KindSurprises {
			if h, ok := an.anaphoricCause(i + 1); ok {
				if m := an.categories(i, false); m&^mask != 0 {
					mask |= m
					thisCaused = strings.ToLower(an.hitText(i+1, h))
				}
			}
		}
		if mask == 0 {
			continue
		}
		k := an.key([]int{i})
		if seen[k] {
			continue
		}
		seen[k] = true
		cue, ck := "gap", candGap
		if kind == ingest.KindLessons || kind == ingest.KindSurprises {
			cue, ck = "named in "+string(kind), candLesson
		} else if thisCaused != "" {
			cue, ck = "cause: the next sentence says "+thisCaused, candCausal
		} else if lead {
			cue, ck = "named in "+string(kind), candSummary
		} else if h, ok := an.firstHit(i, c.causal, false); ok && causal {
			cue, ck = "cause: "+strings.ToLower(an.hitText(i, h)), candCausal
			if kind == ingest.KindResolution || timeline {
				ck = candGap // a reason given in passing
			}
		} else if h, ok := an.firstHit(i, c.deficiency, true); ok {
			cue = "gap: " + strings.ToLower(an.hitText(i, h))
		}
		out = append(out, factorCand{
			kind:    ck,
			cats:    mask,
			framed:  ck == candCausal && an.has(i, c.namesCause) && an.doc.sentences[i].flags&flagHedged == 0,
			seen:    ck == candSummary && an.has(i, c.perceive),
			follows: (ck == candSummary || ck == candCausal && an.retold && thisCaused == "") && an.followsCause(i),
			f: ingest.Factor{
				Text:       an.doc.sentences[i].text,
				Key:        k,
				Categories: an.catKeys(mask),
				Evidence:   an.evidence(i, cue),
			},
		})
	}
	return out
}

// introducedLists finds lists outside factor sections that a sentence
// introduces as causes ("This was caused by two factors:", "The outage
// resulted from three compounding factors:"): their items are explicit
// factors too. It returns the units of those items.
func (an *analysis) introducedLists() map[int]bool {
	c := an.c
	var out map[int]bool
	for ui := 0; ui < len(an.doc.units); ui++ {
		u := &an.doc.units[ui]
		if k := an.doc.sections[u.sec].Kind; c.factorSections[k] || noFactorList[k] || !strings.HasSuffix(u.text, ":") {
			continue
		}
		last := u.last - 1
		if !an.has(last, c.multiCause) && !an.has(last, c.rootCause) && !an.has(last, c.causal) {
			continue
		}
		// The items: following units of the same section, in the next
		// block or the rest of this one, while they are list items.
		for k := ui + 1; k < len(an.doc.units); k++ {
			v := &an.doc.units[k]
			if v.sec != u.sec || v.flags&flagList == 0 && v.block != u.block+1 {
				break
			}
			if k > ui+1 && v.block != an.doc.units[k-1].block {
				break
			}
			if out == nil {
				out = map[int]bool{}
			}
			out[k] = true
		}
	}
	return out
}

// Sections whose lists are steps taken or planned, never causes, whatever
// their introduction says ("Due to the unknown scope, a phased approach
// was created:").
var noFactorList = map[ingest.SectionKind]bool{
	ingest.KindResolution:  true,
	ingest.KindActionItems: true,
	ingest.KindWentWell:    true,
	ingest.KindLucky:       true,
}

// planning reports a heading that announces plans rather than findings
// ("Lessons Learned and Future Improvements", "Next steps").
func planning(heading string) bool {
	h := strings.ToLower(heading)
	for _, w := range [...]string{"improvement", "action", "next step", "follow-up", "follow up", "recommendation", "remediation", "prevent"} {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func popcount(m catMask) int {
	n := 0
	for m != 0 {
		m &= m - 1
		n++
	}
	return n
}

// key normalises a factor for grouping across debriefs. It is the sorted
// set of catalog concepts the factor's sentences name ("connection-pool",
// "exhausted"), so differently worded statements of the same factor meet.
// With fewer than two concepts, the longest remaining content-word stems
// fill in (one concept: two stems; none: four), so unrelated factors that
// share one concept stay apart.
func (an *analysis) key(sents []int) string {
	c := an.c
	var concepts []string
	var residual []string
	for _, i := range sents {
		s := &an.doc.sentences[i]
		covered := make([]bool, len(s.toks))
		for j := an.hitAt[i]; j < an.hitAt[i+1]; j++ {
			h := an.hits[j]
			isConcept := false
			for _, lex := range c.m.phrases[h.pid].lex {
				if ci := c.conceptByLex[lex]; ci >= 0 {
					isConcept = true
					concepts = appendUnique(concepts, c.concepts[ci].id)
				}
			}
			if isConcept {
				for t := h.start; t < h.end; t++ {
					covered[t] = true
				}
			}
		}
		for t := range s.toks {
			if covered[t] {
				continue
			}
			st := s.toks[t].stem
			if len(st) < 3 || c.stopwords[st] || digits(st) == len(st) || st[0] >= '0' && st[0] <= '9' {
				continue
			}
			residual = appendUnique(residual, st)
		}
	}
	sort.Strings(concepts)
	want := 0
	switch len(concepts) {
	case 0:
		want = 4
	case 1:
		want = 2
	}
	if want > 0 && len(residual) > 0 {
		sort.SliceStable(residual, func(a, b int) bool {
			if len(residual[a]) != len(residual[b]) {
				return len(residual[a]) > len(residual[b])
			}
			return residual[a] < residual[b]
		})
		if len(residual) > want {
			residual = residual[:want]
		}
		sort.Strings(residual)
		for _, r := range residual {
			concepts = append(concepts, "~"+r)
		}
	}
	if len(concepts) == 0 {
		return "unspecified"
	}
	return strings.Join(concepts, "/")
}

func appendUnique(l []string, s string) []string {
	for _, v := range l {
		if v == s {
			return l
		}
	}
	return append(l, s)
}

// openingRanks gives, for each sentence, how many usable sentences of its
// section come before it, leaving out whole paragraphs before it that
// name no factor category: a summary that opens with background ("The
// chain uses a coin model. Each coin has a program.") opens, for factors,
// at the first paragraph that names one. Only sections opening tells are
// counted; the other sentences rank 0.
func (an *analysis) openingRanks(opening func(ingest.SectionKind) bool) []int {
	ranks := make([]int, len(an.doc.sentences))
	for ui := 0; ui < len(an.doc.units); {
		sec := an.doc.units[ui].sec
		if !opening(an.doc.sections[sec].Kind) {
			for ui < len(an.doc.units) && an.doc.units[ui].sec == sec {
				ui++
			}
			continue
		}
		n := 0 // counted sentences of the section before this unit
		for ; ui < len(an.doc.units) && an.doc.units[ui].sec == sec; ui++ {
			u := &an.doc.units[ui]
			inUnit, named := 0, false
			for i := u.first; i < u.last; i++ {
				ranks[i] = n + inUnit
				if an.usable(i) {
					inUnit++
					if !named && an.categories(i, false) != 0 {
						named = true
					}
				}
			}
			if named {
				n += inUnit
			}
		}
	}
	return ranks
}

// anaphoricWords start a sentence that points back at the one before.
var anaphoricWords = map[string]bool{"this": true, "that": true, "these": true, "which": true, "it": true}

// anaphoricCause reports that sentence i, in the same section as the one
// before it, opens by saying that sentence caused something ("This caused",
// "This, in turn, meant that"), and returns the causal hit.
func (an *analysis) anaphoricCause(i int) (hit, bool) {
	if i <= 0 || i >= len(an.doc.sentences) {
		return hit{}, false
	}
	s := &an.doc.sentences[i]
	if s.sec != an.doc.sentences[i-1].sec || len(s.toks) == 0 || !anaphoricWords[s.toks[0].low] || !an.usable(i) {
		return hit{}, false
	}
	h, ok := an.firstHit(i, an.c.causal, false)
	if !ok || h.start > 4 {
		return hit{}, false
	}
	return h, true
}

// followsCause reports that sentence i opens by pointing back at the one
// before and says what it caused.
func (an *analysis) followsCause(i int) bool {
	_, ok := an.anaphoricCause(i)
	return ok
}

// hasKind reports a section of kind k with text.
func (an *analysis) hasKind(k ingest.SectionKind) bool {
	for _, sec := range an.doc.sections {
		if sec.Kind == k && strings.TrimSpace(sec.Text) != "" {
			return true
		}
	}
	return false
}

// catBit is the mask of factor category key.
func (an *analysis) catBit(key string) catMask {
	for ci, k := range an.c.factorKeys {
		if k == key {
			return 1 << ci
		}
	}
	return 0
}
