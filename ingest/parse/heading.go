package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// kindByHeading maps normalised headings (see matchKey) to canonical kinds.
// The variants come from public templates and corpora (SOURCES.md).
var kindByHeading = map[string]ingest.SectionKind{
	"summary": ingest.KindSummary, "issue summary": ingest.KindSummary,
	"executive summary": ingest.KindSummary, "incident summary": ingest.KindSummary,
	"overview": ingest.KindSummary, "tldr": ingest.KindSummary, "tl dr": ingest.KindSummary,
	"synopsis": ingest.KindSummary, "abstract": ingest.KindSummary,
	"summary of the incident": ingest.KindSummary, "incident overview": ingest.KindSummary,

	"impact": ingest.KindImpact, "customer impact": ingest.KindImpact,
	"affected users": ingest.KindImpact, "end user impact": ingest.KindImpact,
	"infrastructure impact": ingest.KindImpact, "productivity impact": ingest.KindImpact,
	"user impact": ingest.KindImpact, "business impact": ingest.KindImpact,
	"affected customers": ingest.KindImpact, "affected services": ingest.KindImpact,
	"impact on users": ingest.KindImpact, "impact on customers": ingest.KindImpact,
	"summary of impact": ingest.KindImpact, "blast radius": ingest.KindImpact,

	"timeline": ingest.KindTimeline, "incident timeline": ingest.KindTimeline,
	"chain of events": ingest.KindTimeline, "key events": ingest.KindTimeline,
	"leadup": ingest.KindTimeline, "lead up": ingest.KindTimeline,
	"sequence of events": ingest.KindTimeline, "timeline of events": ingest.KindTimeline,
	"chronology": ingest.KindTimeline, "detailed timeline": ingest.KindTimeline,
	"events": ingest.KindTimeline,

	"detection": ingest.KindDetection, "how we noticed": ingest.KindDetection,
	"how did we notice": ingest.KindDetection, "how was it detected": ingest.KindDetection,
	"how we detected it": ingest.KindDetection, "identified": ingest.KindDetection,
	"identification": ingest.KindDetection,

	"trigger": ingest.KindTrigger, "triggers": ingest.KindTrigger,

	"root cause": ingest.KindRootCause, "root causes": ingest.KindRootCause,
	"root cause s": ingest.KindRootCause, "root cause and mitigation": ingest.KindRootCause,
	"what caused the incident": ingest.KindRootCause, "fault": ingest.KindRootCause,
	"five whys": ingest.KindRootCause, "whys": ingest.KindRootCause,
	"root cause analysis": ingest.KindRootCause, "rca": ingest.KindRootCause,
	"cause": ingest.KindRootCause, "causes": ingest.KindRootCause,
	"identified cause": ingest.KindRootCause, "underlying cause": ingest.KindRootCause,
	"what caused it": ingest.KindRootCause,

	"contributing factors":             ingest.KindContributingFactors,
	"contributing factor":              ingest.KindContributingFactors,
	"contributing conditions":          ingest.KindContributingFactors,
	"contributing conditions analysis": ingest.KindContributingFactors,
	"contributing causes":              ingest.KindContributingFactors,
	"process breakdown":                ingest.KindContributingFactors,
	"process breakdowns":               ingest.KindContributingFactors,

	"resolution": ingest.KindResolution, "resolution and recovery": ingest.KindResolution,
	"mitigation": ingest.KindResolution, "mitigation and resolution": ingest.KindResolution,
	"mitigations": ingest.KindResolution, "recovery": ingest.KindResolution,
	"response": ingest.KindResolution, "fix": ingest.KindResolution, "the fix": ingest.KindResolution,
	"how we fixed it": ingest.KindResolution, "remediation steps taken": ingest.KindResolution,

	"lessons learned": ingest.KindLessons, "lessons learnt": ingest.KindLessons,
	"lessons": ingest.KindLessons, "howd we do": ingest.KindLessons,
	"learnings": ingest.KindLessons, "takeaways": ingest.KindLessons,
	"key takeaways": ingest.KindLessons, "what we learned": ingest.KindLessons,

	"what went well": ingest.KindWentWell, "went well": ingest.KindWentWell,
	"what went right": ingest.KindWentWell, "things that went well": ingest.KindWentWell,

	"what went wrong": ingest.KindWentWrong, "what went badly": ingest.KindWentWrong,
	"what could have gone better": ingest.KindWentWrong,
	"what didnt go so well":       ingest.KindWentWrong, "what didnt go well": ingest.KindWentWrong,
	"what did not go well": ingest.KindWentWrong, "went wrong": ingest.KindWentWrong,
	"things that went wrong": ingest.KindWentWrong, "what could be improved": ingest.KindWentWrong,

	"where we got lucky": ingest.KindLucky, "lucky": ingest.KindLucky,
	"where we were lucky": ingest.KindLucky, "what was lucky": ingest.KindLucky,

	"surprises": ingest.KindSurprises, "what surprised us": ingest.KindSurprises,
	"why were we surprised": ingest.KindSurprises, "surprising": ingest.KindSurprises,

	"open questions": ingest.KindOpenQuestions, "questions": ingest.KindOpenQuestions,
	"outstanding questions": ingest.KindOpenQuestions, "unanswered questions": ingest.KindOpenQuestions,
	"questions for follow up": ingest.KindOpenQuestions,

	"responders": ingest.KindPeople, "attendees": ingest.KindPeople,
	"participants": ingest.KindPeople, "people involved": ingest.KindPeople,
	"names of people involved": ingest.KindPeople, "postmortem attendees": ingest.KindPeople,
	"who was involved": ingest.KindPeople, "incident responders": ingest.KindPeople,

	"action items": ingest.KindActionItems, "corrective and preventative measures": ingest.KindActionItems,
	"corrective and preventive measures": ingest.KindActionItems, "next steps": ingest.KindActionItems,
	"follow ups": ingest.KindActionItems, "followups": ingest.KindActionItems,
	"follow up": ingest.KindActionItems, "recommendations": ingest.KindActionItems,
	"remediation": ingest.KindActionItems, "remediations": ingest.KindActionItems,
	"corrective actions": ingest.KindActionItems, "action plan": ingest.KindActionItems,
	"actions": ingest.KindActionItems, "follow up actions": ingest.KindActionItems,
	"preventive measures": ingest.KindActionItems, "preventative measures": ingest.KindActionItems,
	"review actions": ingest.KindActionItems, "future improvements": ingest.KindActionItems,
}

// kindPrefixes are variants that keep their kind when more words follow
// ("Timeline of the outage", "Root Cause Analysis", "Lessons Learned and
// Future Improvements"). Longest first.
var kindPrefixes = []string{
	"corrective and preventative measures", "corrective and preventive measures",
	"contributing conditions", "contributing factors", "contributing causes",
	"resolution and recovery", "what could have gone better", "what went wrong",
	"what went well", "where we got lucky", "what surprised us", "chain of events",
	"lessons learned", "lessons learnt", "open questions", "people involved",
	"action items", "root causes", "root cause", "key events", "follow ups",
	"follow up", "next steps", "resolution", "mitigation", "recovery", "detection",
	"timeline", "summary", "impact", "trigger", "lessons", "recommendations",
	"remediation", "surprises", "questions", "takeaways", "learnings",
}

// kindSuffixes are variants that keep their kind when qualified in front
// ("Incident Impact", "Detailed Timeline"). Words whose meaning changes with
// a qualifier ("DNS resolution") are left out.
var kindSuffixes = []string{
	"summary", "impact", "timeline", "root cause", "root causes", "action items",
	"lessons learned", "lessons learnt", "contributing factors", "recommendations",
	"follow ups", "next steps", "takeaways", "learnings", "attendees", "participants",
	"responders",
}

// fillerPrefixes are words that qualify a heading without changing its kind.
var fillerPrefixes = []string{"incident ", "the ", "our ", "postmortem ", "post mortem ", "brief ", "short ", "detailed ", "final ", "initial "}

// SectionKindOf maps a heading as written to its canonical kind: numbering,
// emoji, parentheticals and trailing ":" or "?" are ignored, case is folded,
// and unknown headings are KindOther.
func SectionKindOf(heading string) ingest.SectionKind {
	k, _ := kindOf(heading)
	return k
}

// kindOf also reports whether the heading matched a variant exactly (after
// normalisation), which promotion of plain lines to headings relies on.
func kindOf(heading string) (ingest.SectionKind, bool) {
	return kindOfKey(matchKey(heading))
}

// kindOfKey is kindOf for a heading already normalised by matchKey.
func kindOfKey(key string) (ingest.SectionKind, bool) {
	if key == "" {
		return ingest.KindOther, false
	}
	if k, ok := kindByHeading[key]; ok {
		return k, true
	}
	for _, f := range fillerPrefixes {
		if rest, ok := strings.CutPrefix(key, f); ok {
			if k, ok := kindByHeading[rest]; ok {
				return k, false
			}
		}
	}
	for _, p := range kindPrefixes {
		if strings.HasPrefix(key, p) && len(key) > len(p) && key[len(p)] == ' ' {
			return kindByHeading[p], false
		}
	}
	for _, s := range kindSuffixes {
		if strings.HasSuffix(key, s) && len(key) > len(s) && key[len(key)-len(s)-1] == ' ' {
			return kindByHeading[s], false
		}
	}
	return ingest.KindOther, false
}

// matchKey normalises a heading for matching: cleaned (see cleanHeading),
// parentheticals dropped, lower case, "&" read as "and", apostrophes dropped,
// other punctuation turned to spaces, spaces collapsed.
func matchKey(heading string) string { return keyOfClean(cleanHeading(heading)) }

// keyOfClean is matchKey for a heading cleanHeading has already cleaned.
func keyOfClean(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	depth := 0
	space := true
	for _, r := range h {
		switch {
		case r == '(' || r == '[':
			depth++
			continue
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
			continue
		case depth > 0:
			continue
		case r == '\'' || r == '’' || r == '‘':
			continue
		case r == '&':
			if !space {
				b.WriteByte(' ')
			}
			b.WriteString("and ")
			space = true
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// cleanHeading removes what decorates a heading: emoji and shortcodes,
// leading numbering ("3.", "3.1", "III.", "a)"), trailing ":" and "?", and
// surrounding emphasis marks.
func cleanHeading(h string) string {
	h = stripEmoji(h)
	h = strings.TrimSpace(h)
	h = strings.Trim(h, "*_ \t")
	h = stripShortcodes(h)
	h = stripNumbering(h)
	for {
		t := strings.TrimRight(h, " \t:?：")
		t = strings.TrimRight(t, "*_ ")
		if t == h {
			break
		}
		h = t
	}
	return strings.TrimSpace(h)
}

func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x1F1E6 && r <= 0x1F1FF, r == 0xFE0F, r == 0xFE0E, r == 0x200D, r == 0x20E3,
		r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return r >= utf8.RuneSelf && unicode.Is(unicode.So, r)
}

func stripEmoji(s string) string {
	clean := true
	for _, r := range s {
		if r >= utf8.RuneSelf && isEmoji(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isEmoji(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripShortcodes removes ":fire:"-style emoji codes at either end.
func stripShortcodes(s string) string {
	for {
		t := s
		if strings.HasPrefix(t, ":") {
			if i := strings.IndexByte(t[1:], ':'); i > 0 && isShortcode(t[1:i+1]) {
				t = strings.TrimSpace(t[i+2:])
			}
		}
		if strings.HasSuffix(t, ":") && len(t) > 1 {
			if i := strings.LastIndexByte(t[:len(t)-1], ':'); i >= 0 && isShortcode(t[i+1:len(t)-1]) {
				t = strings.TrimSpace(t[:i])
			}
		}
		if t == s {
			return s
		}
		s = t
	}
}

func isShortcode(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// stripNumbering removes "3.", "3.1", "3.1.", "3)", "(3)", "III.", "a)" and
// "Step 3:"-free numbering from the start of a heading. A bare number
// followed by a word ("5 Whys") is kept: it is part of the heading.
func stripNumbering(h string) string {
	i := 0
	if i < len(h) && h[i] == '(' {
		i++
	}
	start := i
	for i < len(h) && (h[i] >= '0' && h[i] <= '9' || h[i] == '.' && i > start) {
		i++
	}
	if i > start {
		multi := strings.Contains(h[start:i], ".")
		if i < len(h) && (h[i] == ')' || h[i] == ':') {
			i++
			multi = true
		}
		if multi && (i == len(h) || h[i] == ' ' || h[i] == '\t') {
			return strings.TrimSpace(h[i:])
		}
		return h
	}
	// Roman numerals and single letters: "IV. Impact", "b) Timeline".
	j := start
	for j < len(h) && strings.IndexByte("IVXLivxl", h[j]) >= 0 {
		j++
	}
	if j == start && j < len(h) && isASCIILetter(h[j]) {
		j++
	}
	if j > start && j < len(h) && (h[j] == '.' || h[j] == ')') && j+1 < len(h) && h[j+1] == ' ' {
		return strings.TrimSpace(h[j+1:])
	}
	return h
}

// isDateHeading reports whether a heading only names a moment ("May 12",
// "2018-01-19 11:00", "09:14 UTC"), as timeline subheadings do.
func isDateHeading(h string, hint int) bool {
	if hint == 0 {
		hint = 2000 // any leap year would do; only the shape matters here
	}
	_, ok := parseStamp(h, hint)
	return ok
}
