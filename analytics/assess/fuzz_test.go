package assess

import (
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

// fuzzDebrief turns fuzz input into a debrief: its first line is also
// the company metadata; text before the first "\n## " is the untitled
// opening section; each "## heading" starts a section whose kind cycles
// through the canonical kinds.
func fuzzDebrief(body string) *ingest.Debrief {
	d := &ingest.Debrief{Ref: "fuzz.md", Title: "fuzz", Text: body}
	// The first line names the organisation, as front matter would.
	company, _, _ := strings.Cut(body, "\n")
	d.Meta.Extra = map[string]any{"company": company}
	parts := strings.Split(body, "\n## ")
	for i, p := range parts {
		heading, text := "", p
		if i > 0 {
			heading, text, _ = strings.Cut(p, "\n")
		}
		kind := ingest.SectionKinds[i%len(ingest.SectionKinds)]
		d.Sections = append(d.Sections, ingest.Section{Kind: kind, Heading: heading, Level: 2, Text: text})
	}
	return d
}

func FuzzAssess(f *testing.F) {
	for _, s := range []string{
		"",
		"The root cause was an expired certificate.",
		"## Contributing factors\n- No runbook\n- Alert did not page\n\n## Surprises\nWhat surprised you?\nThe slot stayed.",
		"## Timeline\n14:02\tPriya noticed the spike.\tdone\n\n## Action items\nWe should add an alert.",
		"This was not human error. e.g. v1.2.3 at 13:45 vs. 0.2%... \"quoted?\" [describe] TBD <insert>",
		"didn't shouldn't can't won't should've we'll it's ’t n’t '",
		"\t\t\n\n\x00\xff\xfe—–“”‘’",
		"After the US upgrade the I-HEARD-YOU router behaved strangely. Engineers escalated to the storage team. -I- I-",
	} {
		f.Add(s)
	}
	a := New(DefaultCatalog())
	f.Fuzz(func(t *testing.T, body string) {
		d := fuzzDebrief(body)
		a.Assess(d)
		as := d.Assessment
		if as == nil {
			t.Fatal("no assessment")
		}
		in := func(what, s string) {
			if s == "" || strings.TrimSpace(s) != s || !strings.Contains(body, s) {
				t.Fatalf("%s %q is not trimmed text of the debrief", what, s)
			}
		}
		at := func(what string, e ingest.Evidence) {
			in(what, e.Sentence)
			if got := locate(d, e); got != e.Sentence {
				t.Fatalf("%s %q is not at its place (part %d [%d:%d]: %q)", what, e.Sentence, e.Part, e.Start, e.End, got)
			}
		}
		if len(as.Coverage) != len(questionCategories) {
			t.Fatalf("%d coverage entries", len(as.Coverage))
		}
		for _, c := range as.Coverage {
			if c.Confidence < 0 || c.Confidence > 1 || len(c.Evidence) > 3 || c.Covered != (len(c.Evidence) > 0) {
				t.Fatalf("coverage %+v", c)
			}
			for _, e := range c.Evidence {
				at("coverage evidence", e)
			}
		}
		for _, fc := range as.Factors {
			in("factor text", fc.Text)
			at("factor evidence", fc.Evidence)
			if fc.Key == "" {
				t.Fatal("factor without key")
			}
		}
		dp := as.Depth
		for _, l := range [][]ingest.Evidence{dp.RootCause, dp.Counterfactuals, dp.Blame} {
			for _, e := range l {
				at("depth evidence", e)
			}
		}
		switch dp.Class {
		case ingest.DepthSingleRootCause, ingest.DepthMultipleCauses, ingest.DepthContributingFactors:
		default:
			t.Fatalf("class %q", dp.Class)
		}
		if dp.Score < 0 || dp.Score > 100 {
			t.Fatalf("score %d", dp.Score)
		}
	})
}

// FuzzPhrase compiles a catalog phrase (the syntax a user's catalog may
// use) and runs it over a sentence: a phrase is either rejected or
// matches only within the sentence's tokens, and a phrase of plain words
// always finds its own text.
func FuzzPhrase(f *testing.F) {
	for _, s := range [][2]string{
		{"noticed", "We noticed the queue growing."},
		{"{started|began} ~ seeing", "They began slowly seeing timeouts."},
		{"misconfigur* _ =setting", "A misconfigured cache setting."},
		{"{a|{b|c}} d", "a d c d"},
		{"{unclosed", "x"},
		{"~ ~ ~", "one two three four"},
		{"=", "="},
		{"didn't see", "we did not see it"},
		{"ab*", "abc"},
		{"é* über", "éclair über"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, phrase, sentence string) {
		m := newMatcher()
		m.negator("not")
		if err := m.add(phrase, 0); err != nil {
			return // the catalog adds the line and the rule to the message
		}
		check := func(text string) []hit {
			var lw lowerBuf
			toks := tokenize(nil, text, lw.lower(text), 0, len(text))
			m.lookup(toks)
			hits := m.find(toks, nil)
			for _, h := range hits {
				if h.start < 0 || h.start >= h.end || int(h.end) > len(toks) || int(h.pid) >= len(m.phrases) {
					t.Fatalf("hit %+v out of %d tokens, %d phrases", h, len(toks), len(m.phrases))
				}
			}
			return hits
		}
		check(sentence)
		if plainWords(phrase) && len(check(phrase)) == 0 {
			t.Fatalf("phrase %q does not find itself", phrase)
		}
	})
}

// plainWords says whether s is lower-case ASCII words separated by single
// spaces: a phrase with no syntax.
func plainWords(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for _, c := range []byte(s) {
		if c != ' ' && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// FuzzParseLabels reads labels files: anything is either rejected with an
// error naming the file or gives labels whose refs are set and unique and
// whose keys are all known.
func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{
		"- ref: a.md\n  coverage: [cues, help]\n  factor_categories: [dns]\n  depth: multiple_causes\n  holdout: true\n",
		"- ref: \"b c.md\"\n  coverage: []\n  factor_categories: []\n  depth: single_root_cause\n  notes: x\n",
		"- ref: a.md\n  depth: deep\n",
		"[]",
		"",
		"- {ref: a.md, coverage: [cues], factor_categories: [process], depth: contributing_factors}\n- {ref: a.md, depth: multiple_causes}",
		"ref: a.md",
		"- ref: a.md\n  coverage: &x [cues]\n- ref: b.md\n  coverage: *x\n  depth: multiple_causes\n",
	} {
		f.Add([]byte(s))
	}
	factors := append(TechnicalFactors(), OrganisationalFactors()...)
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ParseLabels("fuzz.yaml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, l := range labels {
			if l.Ref == "" || seen[l.Ref] {
				t.Fatalf("ref %q empty or repeated", l.Ref)
			}
			seen[l.Ref] = true
			for _, k := range l.Coverage {
				if !contains(questionCategories, k) {
					t.Fatalf("coverage key %q", k)
				}
			}
			for _, k := range l.FactorCategories {
				if !contains(factors, k) {
					t.Fatalf("factor key %q", k)
				}
			}
			if !contains(depthClasses, l.Depth) {
				t.Fatalf("depth %q", l.Depth)
			}
		}
	})
}
