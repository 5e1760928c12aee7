package assess

import (
	"slices"
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

// sec is a section of a test debrief.
type sec struct {
	kind ingest.SectionKind
	text string
}

// debrief builds a normalised debrief from sections, the way parse does:
// the text is the headings and section texts separated by blank lines.
func debrief(secs ...sec) *ingest.Debrief {
	d := &ingest.Debrief{Ref: "test.md", Title: "Test"}
	var b strings.Builder
	for _, s := range secs {
		h := string(s.kind)
		d.Sections = append(d.Sections, ingest.Section{Kind: s.kind, Heading: h, Level: 2, Text: s.text})
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(h + "\n\n" + s.text)
	}
	d.Text = b.String()
	return d
}

var testAssessor = New(DefaultCatalog())

// analyse segments and matches d, for tests of the intermediate steps.
func analyse(d *ingest.Debrief) *analysis {
	var lw lowerBuf
	dc := &doc{}
	split(d, &lw, dc)
	an := &analysis{}
	an.reset(testAssessor.c, d, dc)
	an.match()
	return an
}

func assessed(secs ...sec) *ingest.Assessment {
	d := debrief(secs...)
	testAssessor.Assess(d)
	return d.Assessment
}

func coverage(a *ingest.Assessment, cat string) ingest.Coverage {
	for _, c := range a.Coverage {
		if c.Category == cat {
			return c
		}
	}
	return ingest.Coverage{}
}

func TestSentenceSplitting(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "The pool ran out. Checkout failed.", []string{"The pool ran out.", "Checkout failed."}},
		{"abbreviations", "We checked the usual suspects, e.g. the cache and i.e. the pool. Then we stopped. It was A vs. B all along.",
			[]string{"We checked the usual suspects, e.g. the cache and i.e. the pool.", "Then we stopped.", "It was A vs. B all along."}},
		{"abbreviation before a capital", "Dr. Smith joined. We use tools, e.g. Grafana, daily.",
			[]string{"Dr. Smith joined.", "We use tools, e.g. Grafana, daily."}},
		{"decimals and percentages", "Errors fell to 0.2% at 13:45. Latency was 1.5 s.", []string{"Errors fell to 0.2% at 13:45.", "Latency was 1.5 s."}},
		{"versions", "We upgraded to v1.2.3 on Monday. Then v2.0 broke it.", []string{"We upgraded to v1.2.3 on Monday.", "Then v2.0 broke it."}},
		{"initials", "J. Birchall assumes the incident lead role. Comms went out.", []string{"J. Birchall assumes the incident lead role.", "Comms went out."}},
		{"urls", "See https://example.com/a.b. It helped.", []string{"See https://example.com/a.b.", "It helped."}},
		{"question", "What surprised you? The slot stayed.", []string{"What surprised you?", "The slot stayed."}},
		{"quotes", `"It looked like that again." She kept watching.`, []string{`"It looked like that again."`, "She kept watching."}},
		{"list items", "No runbook for the database\nAlert did not page\nKnowledge held by one person", []string{"No runbook for the database", "Alert did not page", "Knowledge held by one person"}},
		{"wrapped line", "At normal weekday traffic ten connections per pod was plenty and\nnothing showed for ten days.", []string{"At normal weekday traffic ten connections per pod was plenty and\nnothing showed for ten days."}},
		{"table row", "18:19\tThe alert pages the on-call engineer.\tdone", []string{"The alert pages the on-call engineer."}},
		{"timeline stamp", "14:02 UTC - Priya sees the warning.", []string{"Priya sees the warning."}},
		{"code line", "kubectl get pods -n prod | grep Evicted", []string{"kubectl get pods -n prod | grep Evicted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			an := analyse(debrief(sec{ingest.KindSummary, tt.text}))
			var got []string
			for _, s := range an.doc.sentences {
				got = append(got, s.text)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("split %q\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSentenceFlags(t *testing.T) {
	tests := []struct {
		name string
		text string
		flag uint16
		want bool
	}{
		{"question", "What surprised you?", flagQuestion, true},
		{"statement", "The slot surprised us.", flagQuestion, false},
		{"bracketed placeholder", "[Describe the impact on customers]", flagPlaceholder, true},
		{"angle placeholder", "Owner: <insert name here>", flagPlaceholder, true},
		{"tbd", "Root cause: TBD", flagPlaceholder, true},
		{"link text is no placeholder", "The fix is in the pull request.", flagPlaceholder, false},
		{"log line", "E0220 10:59:57.797466 1 ssh.go:200] Failed to getAddresses: no preferred addresses found", flagCode, true},
		{"stack frame", `File "/usr/lib/python3.6/runpy.py", line 193, in _run_module_as_main`, flagCode, true},
		{"prose is not code", "The disk had filled with write-ahead log that PostgreSQL kept for a replica.", flagCode, false},
		{"hedge", "The build container probably used up all the memory.", flagHedged, true},
		{"action", "Add an alert on pool wait time.", flagAction, true},
		{"not an action", "An alert on pool wait time was added.", flagAction, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			an := analyse(debrief(sec{ingest.KindOther, tt.text}))
			if len(an.doc.sentences) == 0 {
				t.Fatalf("no sentence in %q", tt.text)
			}
			got := an.doc.sentences[0].flags&tt.flag != 0
			if got != tt.want {
				t.Errorf("%q: flag %b = %v, want %v", tt.text, tt.flag, got, tt.want)
			}
		})
	}
}

// TestLanguageCases covers the cases the issue calls out: negated blame,
// remediations that read like counterfactuals, placeholders, quoted
// questions, cues without what was noticed, negation and hedges.
func TestLanguageCases(t *testing.T) {
	tests := []struct {
		name  string
		secs  []sec
		check func(t *testing.T, a *ingest.Assessment)
	}{
		{"negated blame is not blame", []sec{{ingest.KindRootCause, "This was not human error: the tool hid the value."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Blame) > 0 {
					t.Errorf("blame %v", a.Depth.Blame)
				}
			}},
		{"blame is blame", []sec{{ingest.KindRootCause, "This was human error by the developer who moved the check."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Blame) != 1 {
					t.Errorf("blame %v, want one", a.Depth.Blame)
				}
			}},
		{"no blame stated", []sec{{ingest.KindSummary, "Nobody was careless; there was no blame here."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Blame) > 0 {
					t.Errorf("blame %v", a.Depth.Blame)
				}
			}},
		{"remediation is no counterfactual", []sec{{ingest.KindActionItems, "We should add an alert on cancellations.\nWe should have a runbook for failover."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Counterfactuals) > 0 {
					t.Errorf("counterfactuals %v", a.Depth.Counterfactuals)
				}
			}},
		{"counterfactual about a person", []sec{{ingest.KindRootCause, "The engineer should have tested the change before deploying."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Counterfactuals) != 1 {
					t.Errorf("counterfactuals %v, want one", a.Depth.Counterfactuals)
				}
			}},
		{"a system failing to start is no counterfactual", []sec{{ingest.KindTimeline, "The node failed to start after the upgrade."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Depth.Counterfactuals) > 0 {
					t.Errorf("counterfactuals %v", a.Depth.Counterfactuals)
				}
			}},
		{"a link's words are no cue", []sec{{ingest.KindSummary, "Internal write-up: https://github.com/acme/incident-reviews/pull/12"}},
			func(t *testing.T, a *ingest.Assessment) {
				if hasCategory(a, "dependency") {
					t.Errorf("dependency from a URL: %v", a.Factors)
				}
			}},
		// Three blind readers of 120 public debriefs counted what nobody
		// expected as surprise whether said of a thing or of what
		// happened (DOMAIN.md: what was unexpected); an unexpected error
		// as a symptom still is a cue, and the cue rules take it too.
		{"unexpected, said of a thing or of what happened, is surprise", []sec{
			{ingest.KindTimeline, "The team notices unexpected blocking of requests by the firewall."},
			{ingest.KindSummary, "The expiry warning was unexpected because renewal is automatic."},
		}, func(t *testing.T, a *ingest.Assessment) {
			c := coverage(a, "surprise")
			if !c.Covered || len(c.Evidence) != 2 {
				t.Errorf("surprise %+v, want both sentences", c)
			}
		}},
		{"a system behaving strangely is a symptom, someone noticing it strangely is surprise", []sec{
			{ingest.KindContributingFactors, "The proxy behaved strangely after the restart.\nA header format not expected by the gateway dropped requests."},
			{ingest.KindTimeline, "Noticed that, oddly, every queue emptied at once."},
		}, func(t *testing.T, a *ingest.Assessment) {
			c := coverage(a, "surprise")
			if !c.Covered || len(c.Evidence) != 1 || !strings.Contains(c.Evidence[0].Sentence, "every queue emptied") {
				t.Errorf("surprise %+v, want only the noticed queues", c)
			}
		}},
		{"a lesson that opens with an imperative is a plan, not learning", []sec{{ingest.KindLessons, "Add overflow tests for every integer type."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "learning"); c.Covered {
					t.Errorf("learning covered by %v", c.Evidence)
				}
			}},
		{"a lesson stated as a finding is learning", []sec{{ingest.KindLessons, "Integer types in the ledger code were never checked for overflow."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "learning"); !c.Covered {
					t.Error("learning not covered")
				}
			}},
		{"a program's process is no process factor", []sec{{ingest.KindRootCause, "The replication process stopped when the unsafe query ran."}},
			func(t *testing.T, a *ingest.Assessment) {
				if hasCategory(a, "process") {
					t.Errorf("process factor: %v", a.Factors)
				}
			}},
		{"an assumption in a timeline is normal work", []sec{{ingest.KindTimeline, "The assumption was that the pipeline would deploy the merge commit."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "normal_work"); !c.Covered {
					t.Error("normal_work not covered")
				}
			}},
		// The settled labels count a report that says what the reporter
		// saw; one that only says a report came in is no cue.
		{"what users reported seeing is a cue", []sec{{ingest.KindTimeline, "Users reported in the support channel that they are seeing errors at checkout."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "cues"); !c.Covered {
					t.Error("cues not covered")
				}
			}},
		{"a bare user report is no cue", []sec{{ingest.KindTimeline, "A user reported the problem in the support channel."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "cues"); c.Covered {
					t.Errorf("cues covered by %v", c.Evidence)
				}
			}},
		{"a hedged summary names no factor", []sec{{ingest.KindSummary, "Potential compromise of an employee's account."}},
			func(t *testing.T, a *ingest.Assessment) {
				if hasCategory(a, "security") {
					t.Errorf("security factor: %v", a.Factors)
				}
			}},
		{"a finding in the resolution names a factor", []sec{
			{ingest.KindSummary, "Nodes ran out of disk."},
			{ingest.KindResolution, "The team identified that the launch template had been changed by the module upgrade."},
		}, func(t *testing.T, a *ingest.Assessment) {
			found := false
			for _, f := range a.Factors {
				if f.Evidence.Section == ingest.KindResolution && len(f.Categories) > 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("no factor from the resolution's finding: %v", a.Factors)
			}
		}},
		{"placeholders are no evidence", []sec{
			{ingest.KindSurprises, "[Describe what surprised the team]"},
			{ingest.KindWentWell, "TBD"},
			{ingest.KindLessons, "<insert lessons here>"},
		}, func(t *testing.T, a *ingest.Assessment) {
			for _, c := range a.Coverage {
				if c.Covered {
					t.Errorf("%s covered by %v", c.Category, c.Evidence)
				}
			}
		}},
		{"quoted question is no evidence, its answer is", []sec{{ingest.KindSurprises, "What surprised you?\nThe replica kept its slot after it was deleted."}},
			func(t *testing.T, a *ingest.Assessment) {
				c := coverage(a, "surprise")
				if !c.Covered {
					t.Fatal("surprise not covered")
				}
				for _, e := range c.Evidence {
					if strings.HasSuffix(e.Sentence, "?") {
						t.Errorf("question %q used as evidence", e.Sentence)
					}
				}
			}},
		{"an alert firing is no cue", []sec{{ingest.KindTimeline, "The checkout error-rate alert pages the storefront on-call engineer."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "cues"); c.Covered {
					t.Errorf("cues covered by %v", c.Evidence)
				}
			}},
		{"what was noticed and why it looked wrong is a cue", []sec{{ingest.KindTimeline, "Priya noticed the error rate spike on the checkout dashboard."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "cues"); !c.Covered {
					t.Error("cues not covered")
				}
			}},
		{"negated cue", []sec{{ingest.KindSummary, "Nobody noticed the spike until customers called."}},
			func(t *testing.T, a *ingest.Assessment) {
				if c := coverage(a, "cues"); c.Covered {
					t.Errorf("cues covered by %v", c.Evidence)
				}
			}},
		{"hedge lowers confidence", []sec{{ingest.KindOther, "We were surprised that the replica kept its slot."}, {ingest.KindSummary, "We were probably surprised by the slot."}},
			func(t *testing.T, a *ingest.Assessment) {
				sure := coverage(assessed(sec{ingest.KindOther, "We were surprised that the replica kept its slot."}), "surprise")
				hedged := coverage(assessed(sec{ingest.KindOther, "We were probably surprised by the slot."}), "surprise")
				if !sure.Covered || !hedged.Covered {
					t.Fatalf("covered: sure %v hedged %v", sure.Covered, hedged.Covered)
				}
				if hedged.Confidence >= sure.Confidence {
					t.Errorf("hedged confidence %.2f, sure %.2f", hedged.Confidence, sure.Confidence)
				}
			}},
		{"ruled out is no factor", []sec{{ingest.KindSummary, "The database was not the cause, because it had plenty of connections."}},
			func(t *testing.T, a *ingest.Assessment) {
				for _, f := range a.Factors {
					for _, c := range f.Categories {
						if c == "database" {
							t.Errorf("database factor from %q", f.Text)
						}
					}
				}
			}},
		{"a gap is a factor", []sec{{ingest.KindLessons, "There was no alert on disk usage for the primary."}},
			func(t *testing.T, a *ingest.Assessment) {
				if !hasCategory(a, "monitoring") {
					t.Errorf("no monitoring factor in %+v", a.Factors)
				}
			}},
		{"with no factor section, a summary's opening names the factor", []sec{
			{ingest.KindSummary, "A bug in the health checks kept the version from being updated. The cluster was at its pod quota."},
			{ingest.KindTimeline, "Traffic drops."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if !hasCategory(a, "software_bug") || !hasCategory(a, "capacity") {
				t.Errorf("want software_bug and capacity factors in %+v", a.Factors)
			}
			// Named without causal words, they file categories but do
			// not make the debrief go beyond a single cause.
			if a.Depth.FactorCount > 1 {
				t.Errorf("a summary's opening counted as %d factors for depth", a.Depth.FactorCount)
			}
		}},
		{"with neither a factor section nor a summary, how it was identified names the factor, not the alert", []sec{
			{ingest.KindDetection, "The pingdom alert fired after the ingress controller upgrade dropped support for old TLS versions."},
			{ingest.KindResolution, "The controller was configured again."},
		}, func(t *testing.T, a *ingest.Assessment) {
			// The upgrade is the factor; dropped protocol versions are no
			// certificate problem (the settled labels' convention).
			if !hasCategory(a, "infra_change") {
				t.Errorf("no infra_change factor in %+v", a.Factors)
			}
			if hasCategory(a, "monitoring") {
				t.Errorf("the alert that fired made a monitoring factor in %+v", a.Factors)
			}
		}},
		{"with neither a factor section nor a summary, a context section names the factor, not the alert", []sec{
			{ingest.KindDetection, "Users reported failed logins."},
			{ingest.KindOther, "- A pingdom alert fired at noon.\n- The identity provider's signing certificate had expired."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if !hasCategory(a, "certificate") {
				t.Errorf("no certificate factor in %+v", a.Factors)
			}
			if hasCategory(a, "monitoring") {
				t.Errorf("the alert that fired made a monitoring factor in %+v", a.Factors)
			}
		}},
		{"with a factor section, a summary's opening needs causal words", []sec{
			{ingest.KindSummary, "A bug in the health checks kept the version from being updated."},
			{ingest.KindContributingFactors, "- The cluster was full"},
		}, func(t *testing.T, a *ingest.Assessment) {
			if hasCategory(a, "software_bug") {
				t.Errorf("software_bug factor from the summary in %+v", a.Factors)
			}
		}},
		{"the summary's later sentences need causal words", []sec{
			{ingest.KindSummary, "Launches failed. Users saw errors. The team restarted pods. A bug in the health checks was there."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if hasCategory(a, "software_bug") {
				t.Errorf("software_bug factor from a late summary sentence in %+v", a.Factors)
			}
		}},
		{"steps of a resolution are no factors, whatever introduces them", []sec{
			{ingest.KindResolution, "Due to the unknown scope of the leak, a phased approach was created:\n- Rotate the certificates of every service\n- Rotate the database passwords"},
		}, func(t *testing.T, a *ingest.Assessment) {
			for _, f := range a.Factors {
				if f.Explicit {
					t.Errorf("explicit factor %q from a resolution step", f.Text)
				}
			}
		}},
		{"a plan under lessons is no learning", []sec{
			{ingest.KindLessons, "We should look into monitoring the watch count.\nWe need to be better at following the incident process."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if c := coverage(a, "learning"); c.Covered {
				t.Errorf("learning covered by %v", c.Evidence)
			}
		}},
		{"a lesson is learning", []sec{
			{ingest.KindLessons, "A clean compile after a framework migration does not mean the service works."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if c := coverage(a, "learning"); !c.Covered {
				t.Error("learning not covered")
			}
		}},
		{"the sentence before 'this caused' is the cause", []sec{
			{ingest.KindRootCause, "- Pods went down"},
			{ingest.KindResolution, "When the instance type is changed, the new node group replaces every node at once. This caused the pods to be deleted together."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if !hasCategory(a, "infra_change") {
				t.Errorf("no infra_change factor in %+v", a.Factors)
			}
		}},
		{"the remedy names no factor", []sec{
			{ingest.KindRootCause, "- The clock went backwards"},
			{ingest.KindOther, "The remediation involved a code change that prevented the recording of negative values."},
		}, func(t *testing.T, a *ingest.Assessment) {
			if hasCategory(a, "code_change") {
				t.Errorf("code_change factor from the remedy in %+v", a.Factors)
			}
		}},
		{"action items state no factor", []sec{{ingest.KindActionItems, "Add an alert on disk usage.\nWrite a runbook for failover."}},
			func(t *testing.T, a *ingest.Assessment) {
				if len(a.Factors) > 0 {
					t.Errorf("factors %+v", a.Factors)
				}
			}},
		{"be careful is no real remediation", []sec{{ingest.KindActionItems, "Engineers reminded to be more careful when editing the file."}},
			func(t *testing.T, a *ingest.Assessment) {
				if a.Depth.Learning.ActionsBeyondCareful {
					t.Error("a reminder counted as a remediation")
				}
			}},
		{"a real remediation", []sec{{ingest.KindActionItems, "Engineers reminded to be careful.\nFail the build when a values file sets unknown keys."}},
			func(t *testing.T, a *ingest.Assessment) {
				if !a.Depth.Learning.ActionsBeyondCareful {
					t.Error("remediation not seen")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, assessed(tt.secs...))
		})
	}
}

func hasCategory(a *ingest.Assessment, cat string) bool {
	for _, f := range a.Factors {
		for _, c := range f.Categories {
			if c == cat {
				return true
			}
		}
	}
	return false
}

func factorKey(t *testing.T, text string) string {
	t.Helper()
	a := assessed(sec{ingest.KindContributingFactors, text})
	for _, f := range a.Factors {
		if f.Explicit {
			return f.Key
		}
	}
	t.Fatalf("no explicit factor from %q", text)
	return ""
}

func TestFactorKeyGroupsTheSameFactor(t *testing.T) {
	same := [][2]string{
		{"Connection pool exhausted", "Ran out of database connections in the pool"},
		{"The TLS certificate expired", "The cert lapsed"},
		{"No runbook for the self-managed database", "There was no written procedure for the self-managed database"},
		{"Alerts were noisy and ignored", "Too much noise in the alert channel"},
		{"Staging differs from production", "The QA environment is different from production"},
		{"The runbook was out of date", "The runbook was stale"},
	}
	for _, p := range same {
		t.Run(p[0], func(t *testing.T) {
			a, b := factorKey(t, p[0]), factorKey(t, p[1])
			if a != b {
				t.Errorf("%q -> %s\n%q -> %s\nwant the same key", p[0], a, p[1], b)
			}
		})
	}
	apart := [][2]string{
		{"Connection pool exhausted", "Connection pool size misconfigured"},
		{"The TLS certificate expired", "DNS records were deleted"},
		{"No runbook for the database", "The runbook was out of date"},
		{"Disk full on the primary", "Memory exhausted on the worker nodes"},
		{"No alert on replication lag", "No test of the failover"},
	}
	for _, p := range apart {
		t.Run(p[0]+" vs "+p[1], func(t *testing.T) {
			a, b := factorKey(t, p[0]), factorKey(t, p[1])
			if a == b {
				t.Errorf("%q and %q share key %s", p[0], p[1], a)
			}
		})
	}
}

func TestDepthClass(t *testing.T) {
	tests := []struct {
		name string
		secs []sec
		want string
	}{
		{"single root cause", []sec{{ingest.KindRootCause, "The root cause was an expired certificate on the image domain."}},
			ingest.DepthSingleRootCause},
		{"nothing identified", []sec{{ingest.KindSummary, "Search was down for an hour."}},
			ingest.DepthSingleRootCause},
		{"technical chain", []sec{{ingest.KindRootCause, "The supplier changed its export format.\nThe price parser accepted malformed prices.\nThere was no bound on price changes."}},
			ingest.DepthMultipleCauses},
		{"contributing factors", []sec{{ingest.KindContributingFactors, "A stale replication slot kept WAL after the replica was retired.\nNo runbook for the self-managed database.\nThe disk warning did not page.\nKnowledge of the cluster held by one person."}},
			ingest.DepthContributingFactors},
		{"blame keeps it a chain", []sec{
			{ingest.KindContributingFactors, "A stale replication slot kept WAL after the replica was retired.\nNo runbook for the self-managed database.\nThe disk warning did not page."},
			{ingest.KindSummary, "This was human error by the operator."},
		}, ingest.DepthMultipleCauses},
		{"stated number of causes", []sec{{ingest.KindSummary, "Three causes combined to produce the outage."}, {ingest.KindRootCause, "The pool size dropped."}},
			ingest.DepthMultipleCauses}, // With nothing listed, a gap that names another category is a
		// second factor beside the cause it sits with.
		{"a gap beside a cause, nothing listed", []sec{
			{ingest.KindImpact, "Checkout was slow for an hour."},
			{ingest.KindOther, "The workers ran out of memory because traffic doubled after the launch.\nThe worker pods did not have memory limits set."},
		},
			ingest.DepthMultipleCauses},
		{"an item that goes on to a second cause", []sec{
			{ingest.KindRootCause, "The importer waited on the supplier with no time limit. It hung whenever the supplier did. Separately, the disk filled up because of a leftover debug log level."},
		}, ingest.DepthMultipleCauses},
		{"an explanation that gives a cause of another kind", []sec{
			{ingest.KindRootCause, "The plugin's migrations were left out of the package. Because developers ran a local install, the test suite never met the gap."},
		}, ingest.DepthMultipleCauses},
		{"a summary that names further factors after the first", []sec{
			{ingest.KindSummary, "The payment vendor's API slowed down at noon. The gateway's connection pool filled up. A config change had halved the pool size the week before."},
		}, ingest.DepthMultipleCauses},
		{"a gap beside listed factors adds none", []sec{
			{ingest.KindRootCause, "The supplier changed its export format."},
			{ingest.KindOther, "The worker pods did not have memory limits set."},
		}, ingest.DepthSingleRootCause},
		// Calling one factor contributing, or one cause primary, says
		// there were others.
		{"a contributing factor beside the root cause", []sec{
			{ingest.KindOther, "The root cause was a faulty batch of memory chips from a supplier. A critical contributing factor was the decision to build the servers without error correction."},
		}, ingest.DepthMultipleCauses},
		{"a primary root cause", []sec{
			{ingest.KindOther, "The primary root cause was the loss of cooling in one data hall."},
		}, ingest.DepthMultipleCauses},
		// A list of factors in one sentence counts its items; an aside in
		// brackets is no item.
		{"a sentence listing contributing factors", []sec{
			{ingest.KindOther, "The new release reached every server at once. Contributing factors included a deploy script that skipped version checks (added in a hurry, never reviewed), no alert on mismatched versions, and warnings that nobody read."},
		}, ingest.DepthContributingFactors},
		// A cause presented as such is a factor of its own, even in a
		// category another named; restating one is not.
		{"a root cause beside a cause of the same category", []sec{
			{ingest.KindOther, "The orders database was overloaded because a report ran every minute. The root cause was identified as fragmentation in the database's memory allocator."},
		}, ingest.DepthMultipleCauses},
		{"a restated root cause adds none", []sec{
			{ingest.KindOther, "On Monday a release introduced a bug in the checkout page. The bug caused an error for every shopper. The root cause was a bug introduced in the checkout page on Monday."},
		}, ingest.DepthSingleRootCause},
		// What an error message said is no gap: "no" inside quotes.
		{"a quoted error message is no gap", []sec{
			{ingest.KindOther, "The web servers ran out of memory because traffic doubled. Clients saw \"No DNS answer\" errors for an hour."},
		}, ingest.DepthSingleRootCause},
		{"symptoms listed are no factors", []sec{
			{ingest.KindOther, "Customers saw issues such as timeouts, failed uploads, and slow pages. The root cause was an expired certificate."},
		}, ingest.DepthSingleRootCause},
		// Factors told together in one sentence count once by the
		// categories they bring; without a root cause named, a spread
		// of four categories, one organisational, is three factors.
		{"factors that span four categories", []sec{
			{ingest.KindOther, "The web servers ran out of memory because an untested config change doubled the cache size during the network maintenance. Nobody was watching the memory alerts, which went to an old channel."},
		}, ingest.DepthContributingFactors},
		{"a root cause named is counted as told", []sec{
			{ingest.KindOther, "The web servers ran out of memory. The root cause was an untested config change that doubled the cache size during the network maintenance. Nobody was watching the memory alerts, which went to an old channel."},
		}, ingest.DepthSingleRootCause},
		{"an operational error named as the cause is blame", []sec{
			{ingest.KindContributingFactors, "A stale replication slot kept WAL after the replica was retired.\nNo runbook for the self-managed database.\nThe disk warning did not page."},
			{ingest.KindSummary, "A significant contributing factor was an operational error during the deploy."},
		}, ingest.DepthMultipleCauses},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := assessed(tt.secs...)
			if a.Depth.Class != tt.want {
				t.Errorf("class %s, want %s (factors %d, categories %v, reasons %v)", a.Depth.Class, tt.want, a.Depth.FactorCount, a.Depth.FactorCategories, a.Depth.Reasons)
			}
		})
	}
}

func TestScoreBoundsAndDirection(t *testing.T) {
	rich := []sec{
		{ingest.KindTimeline, "18:35 Priya noticed the disk warning climb on the dashboard.\n19:00 Priya hands over to Ben at the shift change."},
		{ingest.KindContributingFactors, "A stale replication slot kept WAL after the replica was retired.\nNo runbook for the self-managed database.\nThe disk warning did not page.\nKnowledge of the cluster held by one person."},
		{ingest.KindWentWell, "Manual dispatch started within four minutes."},
		{ingest.KindLucky, "Tomasz was reachable on holiday."},
		{ingest.KindSurprises, "Nobody knew that deleting a replica leaves its slot behind."},
		{ingest.KindLessons, "We learned that an inactive slot holds WAL forever."},
		{ingest.KindOpenQuestions, "Should every cluster page on WAL size?"},
		{ingest.KindActionItems, "Write a runbook for the database."},
	}
	tests := []struct {
		name string
		secs []sec
	}{
		{"empty", nil},
		{"one line", []sec{{ingest.KindSummary, "It broke."}}},
		{"rich", rich},
		{"blame", append(append([]sec(nil), rich...), sec{ingest.KindSummary, "This was human error. The operator was careless and should have checked. He failed to follow the runbook."})},
	}
	scores := map[string]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := assessed(tt.secs...)
			if a.Depth.Score < 0 || a.Depth.Score > 100 {
				t.Errorf("score %d out of 0..100", a.Depth.Score)
			}
			if len(a.Depth.Reasons) == 0 {
				t.Error("no reasons")
			}
			if len(a.Coverage) != len(questionCategories) {
				t.Errorf("%d coverage entries, want %d", len(a.Coverage), len(questionCategories))
			}
			for _, c := range a.Coverage {
				if c.Confidence < 0 || c.Confidence > 1 {
					t.Errorf("%s confidence %v", c.Category, c.Confidence)
				}
			}
			scores[tt.name] = a.Depth.Score
		})
	}
	if scores["rich"] <= scores["one line"] {
		t.Errorf("rich review scored %d, one line %d", scores["rich"], scores["one line"])
	}
	if scores["blame"] >= scores["rich"] {
		t.Errorf("blame scored %d, the same review without it %d", scores["blame"], scores["rich"])
	}
}

func TestPerspectives(t *testing.T) {
	a := assessed(
		sec{ingest.KindTimeline, "Priya saw the warning.\nBen calls Tomasz.\nThe on-call engineer finds the pool maximum is 10."},
		sec{ingest.KindOther, `"It looked like vacuum again," Priya said. Grafana reports one node less.`},
	)
	got := strings.Join(a.Depth.Perspectives, ", ")
	for _, want := range []string{"Priya", "Ben", "on-call engineer"} {
		if !strings.Contains(got, want) {
			t.Errorf("perspectives %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "Grafana") {
		t.Errorf("perspectives %q include a product", got)
	}
}

func TestAssessIsDeterministicAndStampsTheVersion(t *testing.T) {
	d1 := debrief(sec{ingest.KindContributingFactors, "No runbook.\nAlert did not page."})
	d2 := debrief(sec{ingest.KindContributingFactors, "No runbook.\nAlert did not page."})
	testAssessor.Assess(d1)
	testAssessor.Assess(d2)
	if d1.Assessment.CatalogVersion != DefaultCatalog().Version() || d1.Assessment.CatalogVersion == "" {
		t.Errorf("catalog version %q", d1.Assessment.CatalogVersion)
	}
	if len(d1.Assessment.Factors) != len(d2.Assessment.Factors) || d1.Assessment.Depth.Score != d2.Assessment.Depth.Score {
		t.Error("two assessments of the same debrief differ")
	}
}

// TestAssessConcurrently runs one Assessor from many goroutines, as the
// runner's workers do; with -race it checks the Assessor shares nothing
// mutable between calls.
func TestAssessConcurrently(t *testing.T) {
	secs := []sec{
		{ingest.KindTimeline, "18:35 Priya noticed the disk warning climb on the dashboard."},
		{ingest.KindContributingFactors, "No runbook for the database.\nThe disk warning did not page.\nKnowledge held by one person."},
	}
	want := assessed(secs...)
	done := make(chan *ingest.Assessment)
	for range 8 {
		go func() {
			var last *ingest.Assessment
			for range 50 {
				d := debrief(secs...)
				testAssessor.Assess(d)
				last = d.Assessment
			}
			done <- last
		}()
	}
	for range 8 {
		got := <-done
		if got.Depth.Score != want.Depth.Score || len(got.Factors) != len(want.Factors) || got.Depth.Class != want.Depth.Class {
			t.Errorf("concurrent assessment differs: %+v vs %+v", got.Depth, want.Depth)
		}
	}
}

// TestRetellingNeedsPeople checks that a debrief told from outside (one
// untitled text, no first person) evidences what people noticed, knew or
// decided only in sentences naming a person or team, while first-person
// and sectioned debriefs keep their telegraphic evidence.
func TestRetellingNeedsPeople(t *testing.T) {
	untitled := func(text string) *ingest.Debrief {
		return &ingest.Debrief{Ref: "retold.md", Title: "Retold", Text: text}
	}
	tests := []struct {
		name      string
		d         *ingest.Debrief
		retold    bool
		covered   []string
		uncovered []string
	}{
		{"system behaviour only", untitled("After the upgrade the cache layer behaved strangely and dropped writes. " +
			"The scheduler was designed to retry forever. Further safeguards were anticipated."),
			true, nil, []string{"surprise", "normal_work", "anticipation"}},
		{"people named", untitled("The on-call engineers noticed the error rate climbing and escalated to the storage team for help."),
			true, []string{"cues", "help"}, nil},
		{"what went right needs no person", untitled("The fallback worked as designed, so the impact stayed small."),
			true, []string{"resilience"}, nil},
		{"help and learning need no person", untitled("The company engaged its cloud provider's support to restore the volumes. " +
			"The incident highlighted how little was known about the replication path."),
			true, []string{"help", "learning"}, nil},
		{"a country and a message name are no first person", untitled("The US region dropped every I-HEARD-YOU message, as the router was designed to drop them."),
			true, nil, []string{"normal_work"}},
		// What an instrument showed is what the people saw, though it
		// names none of them.
		{"an alarm says what it saw", untitled("Alarms went off at 05:15, indicating errors in the write path."),
			true, []string{"cues"}, nil},
		{"traces show the symptom", untitled("Traces revealed that requests were waiting up to 20 seconds for a connection."),
			true, []string{"cues"}, nil},
		{"monitoring says what it saw", untitled("Internal monitoring detected anomalies, including rising latency on the gateway."),
			true, []string{"cues"}, nil},
		// A decision told in the passive has deciders; a company's current
		// plans are no choice made in the incident.
		{"a decision in the passive", untitled("By noon the decision was made to give up on the broken cluster and restore from backup."),
			true, []string{"decisions"}, nil},
		{"a restore held back", untitled("A full restore was held back until Monday to avoid risk during the weekend peak."),
			true, []string{"decisions"}, nil},
		{"options weighed in the passive", untitled("Recovery options considered included a restore from backup and a rebuild from source."),
			true, []string{"decisions"}, nil},
		{"a plan in the present", untitled("The engineering team is now prioritizing a redesign of the cache layer."),
			true, nil, []string{"decisions"}},
		// How work usually goes, and a design set against what it did,
		// need no person; a design alone is no comparison.
		{"how the work usually goes", untitled("Index rebuilds are a routine operation and would normally take an hour."),
			true, []string{"normal_work"}, nil},
		{"a design against the outcome", untitled("The failover automation was designed to promote a replica within a minute, but it stalled for two hours."),
			true, []string{"normal_work"}, nil},
		// A pressure only people or their organisation feel, stated as such.
		{"a pressure stated", untitled("Facing mounting pressure from the press, the vendor replaced every chip."),
			true, []string{"pressures"}, nil},
		{"a cost to cut", untitled("The database was downsized two weeks earlier to cut costs, as the cloud credits were expiring."),
			true, []string{"pressures"}, nil},
		// A judgement told impersonally still has judges.
		{"a judgement in the passive", untitled("The fault first looked like a network problem before it was narrowed down to one zone."),
			true, []string{"assessment"}, nil},
		{"evidence read as pointing somewhere", untitled("The gaps were all the same size, which suggested a systematic fault in the allocator."),
			true, []string{"assessment"}, nil},
		// What limited the harm counts; a retelling's bare scope of impact
		// does not.
		{"drills drawn on", untitled("Drawing on earlier drills, the staff moved all traffic out of the zone in twenty minutes."),
			true, []string{"resilience"}, nil},
		{"narrow access held", untitled("The intruder's reach was constrained by the narrowly scoped access of the support accounts."),
			true, []string{"resilience"}, nil},
		{"a retold scope of impact", untitled("No data was lost, and engineers quickly identified the faulty switch."),
			true, nil, []string{"resilience"}},
		// People named by their work are people.
		{"people by their work", untitled("The technicians noticed the cabinet temperature climbing all afternoon."),
			true, []string{"cues"}, nil},
		// In a retelling, engineers who identified the cause tell how it
		// was resolved, not how they judged it.
		{"a retold finding", untitled("Engineers identified the faulty route table and reverted it within the hour."),
			true, nil, []string{"assessment"}},
		{"practice drawn on", untitled("Services were restarted slowly, drawing on experience from regular failover exercises."),
			true, []string{"knowledge"}, nil},
		{"first person", untitled("We noticed the error rate spike after the deploy. The scheduler was designed to retry forever."),
			false, []string{"cues", "normal_work"}, nil},
		{"sectioned telegraphic notes", debrief(sec{ingest.KindTimeline, "Noticed that error rates spiked on all nodes."}),
			false, []string{"cues"}, nil},
		// Pronouns inside names joined by punctuation are no one speaking.
		{"a region and a host", untitled("The us-east-1 endpoint dynamodb.us-east-1.amazonaws.com lost its record, and I/O errors followed on the disks."),
			true, nil, nil},
		{"first person before a colon", untitled("The record vanished, and finding it took us: six hours in all."),
			false, nil, nil},
		{"first person at the end", untitled("The record vanished, as the logs showed us."),
			false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analyse(tt.d).isRetelling(); got != tt.retold {
				t.Errorf("retelling %v, want %v", got, tt.retold)
			}
			testAssessor.Assess(tt.d)
			for _, k := range tt.covered {
				if !coverage(tt.d.Assessment, k).Covered {
					t.Errorf("%s not covered", k)
				}
			}
			for _, k := range tt.uncovered {
				if c := coverage(tt.d.Assessment, k); c.Covered {
					t.Errorf("%s covered by %v", k, c.Evidence)
				}
			}
		})
	}
}

// TestCoverageConcepts checks, one sentence at a time, the general ways
// teams write each question category that the catalog recognises (and a
// few it must not take for one).
func TestCoverageConcepts(t *testing.T) {
	tests := []struct {
		cat  string
		kind ingest.SectionKind
		text string
		want bool
	}{
		{"knowledge", ingest.KindTimeline, "A researcher submitted a report through the bug bounty describing the overflow.", true},
		{"knowledge", ingest.KindTimeline, "We first tried the same mitigation approach as in the March outage.", true},
		{"knowledge", ingest.KindResolution, "The vendor confirmed the key had not been used by anyone else.", true},
		{"cues", ingest.KindTimeline, "Developers reporting timeouts when pushing images.", true},
		{"cues", ingest.KindTimeline, "The on-call engineer noticed that the job exceeded its memory limit.", true},
		{"cues", ingest.KindTimeline, "She saw a sign-in from an unrecognised device.", true},
		{"assessment", ingest.KindTimeline, "Found that the replica had been behind for days.", true},
		{"assessment", ingest.KindResolution, "The reason for this was a stale record in the zone.", true},
		{"assessment", ingest.KindTimeline, "Ops reviewed the access logs and found two unknown clients.", true},
		{"assessment", ingest.KindTimeline, "We found no evidence that the token was used.", true},
		{"decisions", ingest.KindResolution, "Restarting every pod was disruptive, but it was the quickest way to recover.", true},
		{"decisions", ingest.KindResolution, "The fix had to strike a balance between speed and safety.", true},
		{"normal_work", ingest.KindContributingFactors, "The change went out outside of business hours.", true},
		{"resilience", ingest.KindTimeline, "By coincidence, a patch for the scheduler had shipped the day before.", true},
		{"resilience", ingest.KindResolution, "The effect on the network was very limited.", true},
		{"surprise", ingest.KindTimeline, "Error rates remained high even after the rollback.", true},
		{"handoffs", ingest.KindTimeline, "The engineer forwarded the warning to the platform team.", true},
		{"handoffs", ingest.KindTimeline, "A security lead reported the compromise to the rest of the company.", true},
		{"help", ingest.KindResolution, "Engineers from the storage team helped restore the volumes.", true},
		{"help", ingest.KindResolution, "We engaged AWS support to raise the quota.", true},
		{"help", ingest.KindTimeline, "The whole operations team was paged for the recovery.", true},
		{"cues", ingest.KindTimeline, "The gateway pod was showing many connection errors.", true},
		{"cues", ingest.KindTimeline, "A developer says he sees no queue metrics in the dashboard.", true},
		{"surprise", ingest.KindSummary, "The hash collision led to unexpected behaviour in the repository.", true},
		{"surprise", ingest.KindContributingFactors, "The flag was thought to be off, but was instead set by the chart.", true},
		{"normal_work", ingest.KindSummary, "We use a controller to renew the certificates of every subdomain.", true},
		{"resilience", ingest.KindTimeline, "No successful login occurred: the second factor blocked the attacker.", true},
		{"normal_work", ingest.KindSummary, "The failover happens from time to time on the older nodes.", true},
		{"normal_work", ingest.KindContributingFactors, "Running out of subnet addresses was a known limitation of the design.", true},
		{"expertise", ingest.KindResolution, "She recognised the pattern of the slow disk from an earlier outage.", true},
		// Any search is no expertise, nor is realising a fact.
		{"expertise", ingest.KindSummary, "The scheduler would stop looking for more jobs once the batch was full.", false},
		{"expertise", ingest.KindSummary, "Three outages required us to recognise that the pool was too small.", false},
		// The impact counts someone's noticing and judging like any section.
		{"cues", ingest.KindImpact, "Some users noticed that new containers took a long time to start and that health checks were failing.", true},
		{"assessment", ingest.KindImpact, "The audit found that only two repositories were affected.", true},
		{"resilience", ingest.KindImpact, "Staff had a second browser as a fallback, so few reported it.", true},
		// Retold summaries: what nobody meant or had seen before, outside
		// help named by its role, an alarm that says what it saw.
		{"surprise", ingest.KindSummary, "The schema change met a novel failure mode in the replicas.", true},
		{"surprise", ingest.KindSummary, "The policy change inadvertently blocked access to the bucket.", true},
		{"surprise", ingest.KindSummary, "An extremely rare fault of the storage array took the volume down.", true},
		{"help", ingest.KindResolution, "The team rebuilt the volumes with AWS support.", true},
		{"help", ingest.KindResolution, "Recovery needed close collaboration with the hosting provider.", true},
		{"help", ingest.KindResolution, "The company engaged a forensic firm to investigate.", true},
		{"cues", ingest.KindTimeline, "Alarms fired at 05:15, indicating errors in the write path.", true},
		{"cues", ingest.KindTimeline, "Users were reporting connection problems in the app.", true},
		{"surprise", ingest.KindSummary, "An engineer unintentionally deleted the production namespace.", true},
		{"decisions", ingest.KindTimeline, "The team stopped every instance in the account as a precautionary measure.", true},
		{"decisions", ingest.KindTimeline, "To avoid reverting another large deploy, only the hub image was pinned.", true},
		{"expertise", ingest.KindResolution, "Such scans hit every public address and do not indicate a targeted attack.", true},
		{"knowledge", ingest.KindTimeline, "The vendor's team suggested checking the audit trail of both accounts.", true},
		{"learning", ingest.KindResolution, "Now that we know the old nodes lose their addresses, we recycle them monthly.", true},
		{"knowledge", ingest.KindTimeline, "An upstream issue described the same crash on start-up.", true},
		{"normal_work", ingest.KindSummary, "The signature check guarantees that only the owner can spend the coin.", true},
		// Customers reaching out is communication, a quick fix a stopgap, an
		// unintended change a description, a vendor's support help (not a
		// hand-off), taking a role no assumption about how work goes.
		{"help", ingest.KindTimeline, "A customer reached out to say their checkout page was failing.", false},
		{"resilience", ingest.KindTimeline, "The scrape timeout was raised as a quick fix.", false},
		{"surprise", ingest.KindSummary, "An unintended version update removed the log shipper.", false},
		{"anticipation", ingest.KindContributingFactors, "Detection took long, but this could have been a lot worse.", false},
		{"handoffs", ingest.KindTimeline, "The security team coordinated with the vendor's support to trace the address.", false},
		{"normal_work", ingest.KindTimeline, "Sam assumes the incident lead and scribe roles.", false},
		// A system overwhelmed is load, not a person's state of mind; a
		// counterfactual lesson is hindsight; a reading of a quota is no
		// source of knowledge; fixes that eliminate a risk judge nothing.
		{"pressures", ingest.KindTimeline, "A burst of requests arrived, overwhelming connection pool and proxy.", false},
		{"learning", ingest.KindLessons, "Asking the users for details earlier could have led to a quicker recovery.", false},
		{"knowledge", ingest.KindTimeline, "At this point the cluster is full according to its pod quota.", false},
		{"assessment", ingest.KindResolution, "The engineers deployed fixes to eliminate the risk of recurrence.", false},
		// Options that were considered are a decision's weighing, not
		// advice to consider something.
		{"decisions", ingest.KindResolution, "Two options were considered, a restore or a rebuild, and the team chose the rebuild because it was faster.", true},
		// A system's coordination is no hand-off, a practice no lesson, a
		// backlog that came back no recovery, rare impact no surprise.
		{"handoffs", ingest.KindSummary, "The scheduler relies on etcd for coordination between its replicas.", false},
		{"handoffs", ingest.KindTimeline, "The storage team coordinated the reboots with the network engineers.", true},
		{"learning", ingest.KindSummary, "The outage highlighted the importance of load testing after big changes.", false},
		{"resilience", ingest.KindTimeline, "A failover gave some relief, but the queued jobs quickly returned.", false},
		{"surprise", ingest.KindSummary, "Customers saw slow writes and, in rare cases, lost data.", false},
		// A signal that alarmed, a worry voiced about a mismatch, attention
		// given to a symptom.
		{"cues", ingest.KindTimeline, "Network managers observed an alarming number of red warning lights.", true},
		{"cues", ingest.KindSummary, "The flight team raised concerns about a discrepancy in the figures.", true},
		{"cues", ingest.KindTimeline, "Operators initially focused on the internal DNS errors.", true},
		{"cues", ingest.KindTimeline, "The engineers chased CORS errors and recent deploys for an hour.", true},
		// The other way taken, a change tried on a part first.
		{"decisions", ingest.KindResolution, "They rolled back to the previous image instead.", true},
		{"decisions", ingest.KindResolution, "Engineers switched the feature off in one region to confirm its effect, then everywhere.", true},
		// A plan, advice to customers and a promised date are no account
		// of how work usually goes.
		{"normal_work", ingest.KindResolution, "The provider is now implementing a program for regularly testing its recovery steps.", false},
		{"normal_work", ingest.KindSummary, "Customers were advised to assume their keys had leaked.", false},
		{"normal_work", ingest.KindSummary, "The vendor expected to fix the fault for every customer within months.", false},
		// Haste is a pressure; a system freezing ids, a database
		// overwhelmed and a pipe's pressure are not.
		{"pressures", ingest.KindSummary, "The replacement images were hastily tested before release.", true},
		{"pressures", ingest.KindSummary, "Routine vacuuming freezes old transaction ids.", false},
		{"pressures", ingest.KindSummary, "Under the read load the database was overwhelmed and queries timed out.", false},
		{"pressures", ingest.KindSummary, "Hospitals reported a loss of pressure in the water supply.", false},
		// A step that did not behave as meant, a command that did what
		// nobody intended.
		{"surprise", ingest.KindSummary, "One of the cleanup jobs did not behave as expected and the table stayed locked.", true},
		{"surprise", ingest.KindSummary, "A command intended to measure the link capacity unintentionally took every link down.", true},
		// Earlier drills drawn on are a source of knowledge; advice given
		// to customers is not the team's.
		{"knowledge", ingest.KindResolution, "Thanks to earlier game days, they knew which region could take the traffic.", true},
		{"knowledge", ingest.KindSummary, "Customers were advised to rotate their tokens.", false},
		// A practice named and lessons being put to use are no new learning.
		{"learning", ingest.KindSummary, "The team also highlighted their use of chaos testing in every region.", false},
		{"learning", ingest.KindSummary, "These lessons learned are being incorporated into capacity planning.", false},
		// Working with partners on future safeguards is a plan, not help
		// sought; an undo that made things worse looks back, not ahead.
		{"help", ingest.KindSummary, "The company is collaborating with partner services on safeguards against similar incidents.", false},
		{"anticipation", ingest.KindTimeline, "The engineers removed the new code, which made things worse.", false},
		// Lost tools that hampered diagnosis judge nothing; a known bug
		// triggered is a fault, not how work goes; a system built to heal
		// itself is no account of what went right.
		{"assessment", ingest.KindSummary, "The outage broke the tools and hampered the engineers' ability to diagnose the fault.", false},
		{"normal_work", ingest.KindSummary, "The failover triggered a known bug in the API servers.", false},
		{"resilience", ingest.KindSummary, "A simple defect brought down a system designed with self-healing features.", false},
		// Lessons that open with an imperative, an adverb first, are plans.
		{"learning", ingest.KindLessons, "Acquire hands-on experience with the admission controller.", false},
		{"learning", ingest.KindLessons, "Quickly address the actions of earlier postmortems.", false},
		// Work divided among people is coordination.
		{"handoffs", ingest.KindTimeline, "For the patch, tasks were assigned to three engineers by noon.", true},
		{"handoffs", ingest.KindTimeline, "One engineer was tasked with pulling the logs while another called the vendor.", true},
		// A program called a puzzle is no puzzlement.
		{"surprise", ingest.KindSummary, "Each coin carries a puzzle that runs when the coin is spent.", false},
		// Finding that an outsider made is not how the team judged.
		{"assessment", ingest.KindSummary, "An outside researcher identified that a token had leaked.", false},
		// Not knowing a thing is a gap in awareness, not a surprise.
		{"surprise", ingest.KindSummary, "The operators were unaware of the limit on open files.", false},
		// A service that saw more errors is a symptom; people who saw them
		// noticed a cue.
		{"cues", ingest.KindSummary, "The storage gateway saw increased write errors for two hours.", false},
		{"cues", ingest.KindTimeline, "We saw increased write errors on the gateway.", true},
		// A contributing factor is a condition, not what someone noticed.
		{"cues", ingest.KindContributingFactors, "A dashboard showed the queue growing, but no alert was set on it.", false},
		// Engineers who identified or confirmed a thing report the
		// resolution, in any debrief; finding that something was so is a
		// judgement.
		{"assessment", ingest.KindResolution, "Engineers identified the faulty route table and reverted it within the hour.", false},
		{"assessment", ingest.KindTimeline, "The team confirmed the incident was resolved.", false},
		{"assessment", ingest.KindResolution, "The team found that the route table had been replaced.", true},
		// Discovering what was wrong is a finding, not a cue.
		{"cues", ingest.KindTimeline, "We discovered the exporter was using the wrong port.", false},
	}
	for _, tt := range tests {
		t.Run(tt.cat+": "+tt.text, func(t *testing.T) {
			c := coverage(assessed(sec{tt.kind, tt.text}), tt.cat)
			if c.Covered != tt.want {
				t.Errorf("%s covered = %v, want %v (evidence %+v)", tt.cat, c.Covered, tt.want, c.Evidence)
			}
		})
	}
}

// TestFactorCategoryCues checks the categories a factor statement files,
// and the ones it must not.
func TestFactorCategoryCues(t *testing.T) {
	tests := []struct {
		name      string
		secs      []sec
		want, not []string
	}{
		{"a floating version is configuration, not a lock in a data store",
			[]sec{{ingest.KindContributingFactors, "- No version lock on the deploy agent"}},
			[]string{"config_change"}, []string{"database"}},
		{"too little testing", []sec{{ingest.KindContributingFactors, "- Lack of testing of the new controller"}},
			[]string{"testing"}, nil},
		{"a leaked token is security, not a memory leak",
			[]sec{{ingest.KindRootCause, "- An access token with push rights was leaked from the build server."}},
			[]string{"security"}, []string{"software_bug", "capacity"}},
		{"a size set from one value to another",
			[]sec{{ingest.KindRootCause, "- The node group was updated from 30 to 12 machines."}},
			[]string{"config_change"}, nil},
		{"a deleted node is an infrastructure change",
			[]sec{{ingest.KindRootCause, "- After days of odd errors, a node was deleted."}},
			[]string{"infra_change"}, nil},
		{"outgrown memory", []sec{{ingest.KindRootCause, "- With the growing number of tenants the server needed more memory."}},
			[]string{"capacity"}, nil},
		{"one person left to debug is staffing",
			[]sec{{ingest.KindWentWrong, "- Only one person available to debug it through the night."}},
			[]string{"pressure"}, nil},
		{"logs that said nothing are an observability gap",
			[]sec{{ingest.KindWentWrong, "- There were no clear errors in the logs of the workers."}},
			[]string{"monitoring"}, nil},
		{"a third party's package, SDK, API or registry",
			[]sec{{ingest.KindContributingFactors, "- An npm package we use was hijacked.\n- The AWS SDK changed how it loads settings.\n- Pulls failed with timeouts from Docker Hub."}},
			[]string{"dependency"}, nil},
		{"a value in a format the reader did not expect",
			[]sec{{ingest.KindRootCause, "- The proxy got a secret in a format not expected by its parser."}},
			[]string{"config_change"}, nil},
		{"a check taken out of the code",
			[]sec{{ingest.KindRootCause, "- The size check had been removed from the queue code in the last version."}},
			[]string{"code_change"}, nil},
		{"resource problems are capacity",
			[]sec{{ingest.KindContributingFactors, "- Resource contention between the two indexers."}},
			[]string{"capacity"}, nil},
		{"early signs taken for normal are a detection gap",
			[]sec{{ingest.KindRootCause, "- Timeouts began an hour before the outage. They were thought to be normal during the sale and nobody looked further."}},
			[]string{"monitoring"}, nil},
		{"a change bundled with another is a process factor",
			[]sec{{ingest.KindContributingFactors, "- An unintended change to the agents went out with the proxy fix."}},
			[]string{"process"}, nil},
		{"a component's restart policy is no procedure",
			[]sec{{ingest.KindRootCause, "- The platform's restart policy added long pauses between restarts."}},
			nil, []string{"process"}},
		{"a service that processes work is no procedure",
			[]sec{{ingest.KindRootCause, "- Nodes stall until they process the latest block."}},
			nil, []string{"process"}},
		{"a lesson warning what a condition will cause names it",
			[]sec{{ingest.KindLessons, "- The indexer will go on causing node instability in the future unless its resource contention is solved."}},
			[]string{"capacity"}, nil},
		{"a message queue is no backlog, a full set is no exhaustion",
			[]sec{{ingest.KindRootCause, "- A malformed message in the event queue made the handler panic. It did not pass the full set of options on."}},
			[]string{"software_bug"}, []string{"capacity"}},
		{"work queued up is load",
			[]sec{{ingest.KindRootCause, "- Builds queued for hours as the queue grew past the workers."}},
			[]string{"capacity"}, nil},
		{"the primary engineer is no primary database",
			[]sec{{ingest.KindWentWrong, "- The primary engineer had no contextual cues that the shell pointed at production."}},
			[]string{"tooling"}, []string{"database"}},
		{"a consumer offset is no clock, a network freeze no time pressure",
			[]sec{{ingest.KindRootCause, "- Nobody knew how to reset the consumer offset.\n- The switch upgrade caused a network freeze of ninety seconds."}},
			[]string{"knowledge"}, []string{"time", "pressure"}},
		{"a code freeze is change control",
			[]sec{{ingest.KindContributingFactors, "- The controller was not upgraded because of the code freeze."}},
			[]string{"process"}, []string{"pressure"}},
		{"CPU pressure is load, not time pressure",
			[]sec{{ingest.KindContributingFactors, "- Pods failed to start under CPU pressure on small nodes."}},
			nil, []string{"pressure"}},
		{"a service that was unavailable is no person away",
			[]sec{{ingest.KindRootCause, "- Writes were unavailable because the webhook timed out."}},
			nil, []string{"pressure"}},
		{"a handler that did not catch a panic is no test gap",
			[]sec{{ingest.KindRootCause, "- The recover block did not catch panics in child goroutines."}},
			nil, []string{"testing"}},
		{"what tests did not catch",
			[]sec{{ingest.KindRootCause, "- It was a breaking change we did not catch in the migration."}},
			[]string{"testing"}, nil},
		{"a cool-off period is no cooling",
			[]sec{{ingest.KindRootCause, "- The restart policy added cool-off periods between restarts."}},
			nil, []string{"hardware"}},
		{"a step that was skipped is process, an import that skips files is not",
			[]sec{{ingest.KindRootCause, "- Two checks of the plan were skipped.\n- The importer skips files dated in the future."}},
			[]string{"process"}, nil},
		{"dropped TLS versions are no certificate problem, an expired TLS certificate is",
			[]sec{{ingest.KindRootCause, "- After the proxy upgrade, support for old TLS versions was dropped."}},
			[]string{"infra_change"}, []string{"certificate"}},
		{"an expiring SSL certificate",
			[]sec{{ingest.KindRootCause, "- The SSL certificate of the docs site was going to expire."}},
			[]string{"certificate"}, nil},
		{"alerts a fault set off are its effect",
			[]sec{{ingest.KindRootCause, "- Teams ran one ingress replica, causing health check alerts when nodes cycled."}},
			nil, []string{"monitoring"}},
		{"a chart that deploys something is no deploy",
			[]sec{{ingest.KindContributingFactors, "- No memory limits were set on the chart that deploys the exporter."}},
			nil, []string{"code_change"}},
		{"a slow process or a bug in one is no procedure",
			[]sec{{ingest.KindRootCause, "- A bug in the storage deployment process deleted the share.\n- Restoring it was a time-consuming process."}},
			[]string{"software_bug"}, []string{"process"}},
		{"knowing the fix is no knowledge gap",
			[]sec{{ingest.KindContributingFactors, "- We had seen this before and knew the fix, but the patch had not been applied to this cluster."}},
			nil, []string{"knowledge"}},
		{"a network freeze and a split brain",
			[]sec{{ingest.KindRootCause, "- The switch upgrade caused a network freeze.\n- Both nodes of the pair took the active role in a split brain."}},
			[]string{"network", "database"}, nil},
		{"a hosting platform's policy is someone else's",
			[]sec{{ingest.KindRootCause, "- Heroku's restart policy kept the crashed workers down for minutes."}},
			[]string{"dependency"}, nil},
		{"a poison message is bad data",
			[]sec{{ingest.KindRootCause, "- A poison pill message on the topic crashed every consumer."}},
			[]string{"data"}, nil},
		{"a firewall's detection of attacks is no monitoring",
			[]sec{{ingest.KindRootCause, "- The new ruleset improved the detection of malicious requests and blocked real users."}},
			nil, []string{"monitoring"}},
		{"traffic sent to the wrong place and a VPN exit are network factors",
			[]sec{{ingest.KindContributingFactors, "- The new rule redirected inbound traffic for /api to the dashboard.\n- Logins came from the VPN exit in another country."}},
			[]string{"network"}, nil},
		{"a summary that opens with background opens at its first paragraph naming a factor",
			[]sec{{ingest.KindSummary, "Our ledger runs small programs. Each program is charged per step. Every node checks the charge.\n\nA malformed request hit a race condition in the validator."}},
			[]string{"software_bug"}, nil},
		{"failing health checks are a symptom, not a detection gap",
			[]sec{{ingest.KindRootCause, "- The pods restarted in a loop because their liveness probes failed while the cache warmed up."}},
			nil, []string{"monitoring"}},
		{"a setting too tight is configuration",
			[]sec{{ingest.KindRootCause, "- The launch timeout was far too short for big images."}},
			[]string{"config_change"}, nil},
		{"hindsight in lessons names a factor",
			[]sec{{ingest.KindLessons, "- The new tool should not have been rushed to production."}},
			[]string{"pressure"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := assessed(tt.secs...)
			for _, c := range tt.want {
				if !hasCategory(a, c) {
					t.Errorf("no %s factor in %+v", c, a.Factors)
				}
			}
			for _, c := range tt.not {
				if hasCategory(a, c) {
					t.Errorf("%s factor in %+v", c, a.Factors)
				}
			}
		})
	}
}

// TestRetoldFactorCues checks factor categories that retold summaries
// state in passing.
func TestRetoldFactorCues(t *testing.T) {
	for _, tt := range []struct {
		text      string
		want, not string
	}{
		{"The trigger exposed a latent flaw in the client back-off code.", "software_bug", ""},
		{"The problematic router rule specified an impossible packet length.", "config_change", ""},
		{"The disruption was triggered by a policy change.", "config_change", "process"},
		// The service being down is the impact, not people out of reach.
		{"The service was unavailable for two hours.", "", "pressure"},
		{"The on-call engineer was unavailable that night.", "pressure", ""},
		// Automation acting on its own is tooling; a pipeline of data or a
		// UI customers could not reach is not.
		{"A package manager run undid the manual change, which caused the node loss.", "tooling", ""},
		{"An automated nightly cleanup job deleted the base images, which broke every build.", "tooling", ""},
		{"Trades went on for an hour due to the lack of a kill switch.", "tooling", ""},
		{"The backlog blocked the independent archive pipelines, leading to wider delays.", "", "tooling"},
		{"The outage led to failures accessing the user interface for customers.", "", "tooling"},
		{"A misleading comment in the firewall rules led to a bad edit.", "documentation", "tooling"},
		// A status page that could not be updated is communication;
		// machines talking to each other are not.
		{"Updating the status page was delayed because it depended on the failed login service.", "communication", ""},
		{"CPU exhaustion led to network communication failures between the nodes.", "", "communication"},
		{"The bad config removed every prefix from the BGP announcements, which caused the outage.", "", "communication"},
		// A fragile code path or a limit passed is no attack.
		{"The bad record triggered the vulnerable code path, causing a crash loop.", "", "security"},
		{"The thread limit breach prevented the routing maps from being built.", "", "security"},
		{"There was no evidence of data corruption after the failover, which caused the delay.", "", "data"},
		{"Despite following the existing runbook, a typo caused more servers to be removed.", "", "documentation"},
		// A slow code path, retries that piled up or a design that could
		// not cope is a software defect.
		{"A burst of updates exposed an inefficient code path, which caused the queue to stall.", "software_bug", ""},
		{"A new caller that retried on timeouts caused the write latency to climb.", "software_bug", ""},
		{"The scheduler misread slow replies as dead hosts, which triggered a storm of moves.", "software_bug", ""},
		{"The throttles were misfiring under normal load, which caused the backlog.", "software_bug", ""},
		{"An unnecessary transaction around each request caused the pool to run dry.", "software_bug", ""},
		// Another party's work or product is a dependency; an intruder or
		// the apps that use our API are not.
		{"The contractor's module sent values in the wrong units, which caused the failure.", "dependency", ""},
		{"A known bug in the hosted cache's failover code caused the second outage.", "dependency", ""},
		{"The stall was caused by a deadlock deep in the MySQL internals.", "dependency", ""},
		{"An unauthorized third party used the stolen session, which led to the breach.", "", "dependency"},
		// A status page that could not be updated is no monitoring gap.
		{"Posting to the service health dashboard was impaired due to the storage outage.", "", "monitoring"},
		// A defect brought in by a change, a software update, a feature
		// launch or a later deploy is a code change.
		{"The race was in a one-line defect introduced during an upgrade, which caused the resets.", "code_change", ""},
		{"A software update on the ground station caused every receiver to get bad data.", "code_change", ""},
		{"The launch of the sharing feature doubled the requests, which led to the session limit being hit.", "code_change", ""},
		{"A subsequent deployment skipped the pinned artifacts, which caused the crashes to resume.", "code_change", ""},
		// The devices and rules that carry and filter traffic are network.
		{"A half-failed switch in the core caused inconsistent traffic between the sites.", "network", ""},
		{"The proxy rewrote the iptables rules badly, which caused requests to vanish.", "network", ""},
		{"A new edge rule began blocking legitimate traffic, which caused the errors.", "network", ""},
		{"The health check failures led to every web server being taken out of rotation.", "network", ""},
		// A feature or mode switched on, a field left blank, is a change of
		// configuration; a timeout passed under load is not.
		{"Enabling the game for all users led to a surge of requests.", "config_change", ""},
		{"A policy with blank fields caused the control plane to crash.", "config_change", ""},
		{"The load caused response times to exceed the timeout values.", "", "config_change"},
		// A partner's automation is its own; a pipeline gone around is
		// process, not a tool that got in the way.
		{"A cleanup job run by a partner service deleted our resource group, which caused the outage.", "", "tooling"},
		{"An operator changed the firewall outside of the deploy pipeline, which caused the blocking.", "", "tooling"},
		// Rollout practice set aside, no plan to recover, a deploy by hand
		// are process; a technical push or test process is not.
		{"Instead of following the usual practice of small batches, the change went everywhere, which caused the outage.", "process", ""},
		{"The lack of a disaster recovery plan led to a long downtime.", "process", ""},
		{"A manual deployment to eight servers caused the version mismatch.", "process", ""},
		{"A second bug kept the verdict from reaching the push process, which caused the rollout.", "", "process"},
		{"The canary deployment timed out, which caused every change to queue.", "", "process"},
		// What failed in a data centre is hardware; a data centre named as
		// the place is not. A move the provider made on its own, a library
		// upgrade and a rebuild from backups are no infrastructure change.
		{"A bad firewall change was applied to the proxy in the London data center, which caused the errors.", "", "hardware"},
		{"The primary cache node was migrated automatically by the provider, which caused it to drop offline.", "", "infra_change"},
		{"A library upgrade in the scheduler caused a lock to be held far longer.", "dependency", "infra_change"},
		{"The volumes were rebuilt from backup snapshots because the disks were lost.", "", "infra_change"},
		// Data half moved, written back empty or deleted is bad data; a
		// packet filter's corrupted rules are not.
		{"The autoscaler read partially migrated records, which caused it to remove hosts.", "data", ""},
		{"The write stored empty strings in place of the secrets, which caused the logins to fail.", "data", ""},
		{"A maintenance job deleted state data for the balancers, which led to bad routing.", "data", ""},
		{"The version skew led to corrupted iptables rulesets on the nodes.", "", "data"},
		// Alerts set up wrong, logs that dropped what was needed and
		// failures that told no one are detection gaps; a bug that went
		// undetected until it fired is not.
		{"The team learnt late, largely because of incorrectly configured alerts on the routers.", "monitoring", ""},
		{"The nightly dumps stopped working due to a silent backup failure.", "monitoring", ""},
		{"Debugging was slow due to log buffering that dropped the stack traces.", "monitoring", ""},
		{"The change exposed a previously undetected bug, which caused an infinite loop.", "", "monitoring"},
		// What a number type can hold and a tool that manages capacity are
		// no load factor.
		{"The conversion overflowed because the value exceeded the 16-bit integer's capacity.", "", "capacity"},
		{"The root cause was an internal tool used for capacity management.", "", "capacity"},
		// Haste and caution weighed against harm are pressures; a network
		// "compromised" by a fault is no attack.
		{"The replacement images were hastily tested, which led to broken builds.", "pressure", ""},
		{"Recovery was delayed due to a cautious approach to avoid affecting running workloads.", "pressure", ""},
		{"Due to the compromised network, the fencing commands were not delivered.", "", "security"},
		// A cache's time to live is no name lookup, DNS errors customers
		// saw are the effect; a store machines use for coordination is not
		// people coordinating.
		{"A shorter cache TTL for user settings led to a surge of writes.", "", "dns"},
		{"The cleared headers resulted in DNS errors observed by clients.", "", "dns"},
		{"The read-only store hit the cluster manager, which relies on the store for coordination, causing failovers.", "", "communication"},
		{"An accidental N+1 join caused thousands of duplicate calls to the partner.", "software_bug", ""},
		{"A known firmware issue kept the servers from seeing their drives, which caused the long recovery.", "software_bug", ""},
	} {
		d := debrief(sec{ingest.KindOther, tt.text})
		testAssessor.Assess(d)
		got := map[string]bool{}
		for _, f := range d.Assessment.Factors {
			for _, c := range f.Categories {
				got[c] = true
			}
		}
		if tt.want != "" && !got[tt.want] || tt.not != "" && got[tt.not] {
			t.Errorf("%q: categories %v, want %q and not %q", tt.text, got, tt.want, tt.not)
		}
	}
}

// TestFaultsStateAFactor: later in a summary, past its opening, a defect
// or flaw named as such states a factor without causal words.
func TestFaultsStateAFactor(t *testing.T) {
	opening := "The store went read-only for an hour. Writes queued behind it. Staff moved reads to a replica. "
	for _, tt := range []struct {
		text, want string
	}{
		{"However, a defect in the cluster manager required a rebuild of every replica.", "software_bug"},
		{"A flaw in the retry code then kept the queue from draining.", "software_bug"},
	} {
		d := debrief(sec{ingest.KindSummary, opening + tt.text})
		testAssessor.Assess(d)
		found := false
		for _, f := range d.Assessment.Factors {
			if strings.Contains(tt.text, f.Evidence.Sentence) && slices.Contains(f.Categories, tt.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: factors %+v, want one filed under %q", tt.text, d.Assessment.Factors, tt.want)
		}
	}
}

// TestRemedyPurposeNamesNoFactor: work done so that it does not happen
// again ("to prevent a recurrence") is the remedy, not a factor, whatever
// it names.
func TestRemedyPurposeNamesNoFactor(t *testing.T) {
	opening := "The queue stalled for an hour. Writes piled up behind it. "
	for _, tt := range []struct {
		kind ingest.SectionKind
		text string
	}{
		{ingest.KindSummary, "The team then tightened the config of the broker to prevent a recurrence."},
		{ingest.KindResolution, "Afterwards the retry config was changed to prevent similar stalls."},
		{ingest.KindSummary, "The operators are now reviewing the rollout procedures to prevent future outages."},
	} {
		d := debrief(sec{ingest.KindSummary, opening}, sec{tt.kind, tt.text})
		testAssessor.Assess(d)
		for _, f := range d.Assessment.Factors {
			if strings.Contains(tt.text, f.Evidence.Sentence) {
				t.Errorf("%q: factor %+v from the remedy", tt.text, f)
			}
		}
	}
}

// TestSummaryOpeningWithCause: a summary's first factor named without
// causal words restates the incident, unless a cause came before it: a
// summary that opens "X caused Y" has told the incident, and each factor
// it names after that adds to it.
func TestSummaryOpeningWithCause(t *testing.T) {
	for _, tt := range []struct {
		text string
		want string
	}{
		{"A bad config push caused the checkout service to return errors for an hour. Engineers were under time pressure to finish the release before the holiday.", ingest.DepthMultipleCauses},
		{"The checkout service ran out of memory on Friday. A config push had caused the memory limit to drop.", ingest.DepthSingleRootCause},
		// A sentence that points back at the one before tells what it
		// went on to do, however far its words are from "caused".
		{"The checkout service failed on Friday because a new release shipped a bug. It caused every order that shoppers placed over the next two hours on the site to fail with a database deadlock.", ingest.DepthSingleRootCause},
	} {
		d := &ingest.Debrief{Ref: "summary.md", Title: "Summary", Text: tt.text, Sections: []ingest.Section{
			{Kind: ingest.KindSummary, Heading: "Summary", Text: tt.text},
			{Kind: ingest.KindTimeline, Heading: "Timeline", Text: "- 10:00 we rolled back the change"},
		}}
		testAssessor.Assess(d)
		if got := d.Assessment.Depth.Class; got != tt.want {
			t.Errorf("%q: class %s, want %s (factors %+v)", tt.text, got, tt.want, d.Assessment.Factors)
		}
	}
}

// TestRetoldFurtherCauses: in a retelling (one untitled text told from
// outside) with no factor section, a later cause about something no
// earlier factor named is another factor, even in a category already
// named; one that goes on about the same thing is not.
func TestRetoldFurtherCauses(t *testing.T) {
	for _, tt := range []struct {
		text string
		want string
	}{
		{"The store went down for two hours. The direct cause was a malformed record that triggered high CPU use in the parser. Hours later the cache nodes ran out of memory because of a leak in the session code.", ingest.DepthMultipleCauses},
		{"The store went down for two hours. The incident was triggered by a bug in the tool that generates configs. The bad config was then pushed to every server, causing errors.", ingest.DepthSingleRootCause},
		// A sentence that points back at the cause before it tells what
		// that cause went on to do: the same chain.
		{"The store went down for two hours. A bad config push caused the web servers to crash. This led to the database connection pool filling up.", ingest.DepthSingleRootCause},
	} {
		d := &ingest.Debrief{Ref: "retold.md", Title: "Retold", Text: tt.text, Sections: []ingest.Section{{Kind: ingest.KindOther, Text: tt.text}}}
		testAssessor.Assess(d)
		if got := d.Assessment.Depth.Class; got != tt.want {
			t.Errorf("%q: class %s, want %s (factors %+v)", tt.text, got, tt.want, d.Assessment.Factors)
		}
	}
}

// TestTimelineReasons: a timeline entry tells an event, and names a factor
// only in the reason it gives ("due to", "because of"), unless hedged.
func TestTimelineReasons(t *testing.T) {
	for _, tt := range []struct {
		entry, want string
	}{
		{"10:02 The log agent was still down due to a newly applied memory quota.", "capacity"},
		{"10:04 Builds kept failing because of a misconfigured proxy setting.", "config_change"},
		{"10:06 The team raised the memory quota of the log agent.", ""},
		{"10:08 We suspect this is due to a misconfigured proxy setting.", ""},
	} {
		d := debrief(sec{ingest.KindTimeline, tt.entry})
		testAssessor.Assess(d)
		var got []string
		for _, f := range d.Assessment.Factors {
			got = append(got, f.Categories...)
		}
		if tt.want == "" && len(got) > 0 || tt.want != "" && !slices.Contains(got, tt.want) {
			t.Errorf("%q: categories %v, want %q", tt.entry, got, tt.want)
		}
	}
}

func TestStemKeepsWordsApart(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"they", "the"}, {"here", "her"}, {"busy", "bus"}, {"plane", "plan"}, {"note", "not"},
	} {
		if stem(tt.a) == stem(tt.b) {
			t.Errorf("%q and %q share the stem %q", tt.a, tt.b, stem(tt.a))
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"retries", "retry"}, {"noticed", "notice"}, {"planes", "plane"}, {"deploying", "deploy"},
	} {
		if stem(tt.a) != stem(tt.b) {
			t.Errorf("%q (%q) and %q (%q) should share a stem", tt.a, stem(tt.a), tt.b, stem(tt.b))
		}
	}
}

// TestTopicsNeedAGapOutsideFactorSections checks that what a factor is
// about (alerts, dashboards) files it in a factor section, and elsewhere
// only where the sentence says something fell short.
func TestTopicsNeedAGapOutsideFactorSections(t *testing.T) {
	for _, tt := range []struct {
		kind ingest.SectionKind
		text string
		want bool
	}{
		{ingest.KindOther, "Alarms fired at 05:15 and the team rolled the deploy back, which caused a second restart.", false},
		{ingest.KindOther, "The outage caused health check failures across the load balancers.", false},
		{ingest.KindOther, "There was no alert on the queue depth, so the backlog grew for hours.", true},
		{ingest.KindOther, "A defect in the cleanup job masked the leak, preventing alerts from firing.", true},
		{ingest.KindContributingFactors, "- Alerting thresholds on the queue", true},
	} {
		d := debrief(sec{tt.kind, tt.text})
		testAssessor.Assess(d)
		got := false
		for _, f := range d.Assessment.Factors {
			got = got || slices.Contains(f.Categories, "monitoring")
		}
		if got != tt.want {
			t.Errorf("%s %q: monitoring %v, want %v (factors %+v)", tt.kind, tt.text, got, tt.want, d.Assessment.Factors)
		}
	}
}

// TestOwnOrganisationIsNoThirdParty: a review of GitHub's own outage names
// no vendor when it says "GitHub had an outage"; anyone else's does.
func TestOwnOrganisationIsNoThirdParty(t *testing.T) {
	tests := []struct {
		name, company string
		want          bool
	}{
		{"someone else's review", "Acme Corp", true},
		{"no company given", "", true},
		{"the company's own review", "GitHub, Inc.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := debrief(sec{ingest.KindRootCause, "- A GitHub outage stopped the merges for two hours."})
			if tt.company != "" {
				d.Meta.Extra = map[string]any{"company": tt.company}
			}
			testAssessor.Assess(d)
			if got := hasCategory(d.Assessment, "dependency"); got != tt.want {
				t.Errorf("dependency factor %v, want %v in %+v", got, tt.want, d.Assessment.Factors)
			}
		})
	}
}
