package assess

import (
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

// fuzzDebrief turns fuzz input into a debrief: text before the first
// "\n## " is the untitled opening section; each "## heading" starts a
// section whose kind cycles through the canonical kinds.
func fuzzDebrief(body string) *ingest.Debrief {
	d := &ingest.Debrief{Ref: "fuzz.md", Title: "fuzz", Text: body}
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
