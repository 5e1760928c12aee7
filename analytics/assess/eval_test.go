package assess

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

func TestEvaluateCounts(t *testing.T) {
	labels := []Label{
		{Ref: "a.md", Coverage: []string{"cues", "help"}, FactorCategories: []string{"dns"}, Depth: ingest.DepthSingleRootCause},
		{Ref: "b.md", Coverage: []string{"cues"}, FactorCategories: []string{"dns", "monitoring"}, Depth: ingest.DepthContributingFactors},
		{Ref: "missing.md", Depth: ingest.DepthMultipleCauses},
	}
	cov := func(covered ...string) []ingest.Coverage {
		var out []ingest.Coverage
		for _, k := range questionCategories {
			out = append(out, ingest.Coverage{Category: k, Covered: contains(covered, k)})
		}
		return out
	}
	results := map[string]*ingest.Assessment{
		"a.md": {Coverage: cov("cues", "surprise"), Factors: []ingest.Factor{{Categories: []string{"dns"}}},
			Depth: ingest.Depth{Class: ingest.DepthSingleRootCause}},
		"b.md": {Coverage: cov("cues"), Factors: []ingest.Factor{{Categories: []string{"dns"}}, {Categories: []string{"process"}}},
			Depth: ingest.Depth{Class: ingest.DepthMultipleCauses}},
	}
	r := Evaluate(labels, results)
	if r.Debriefs != 2 || len(r.Missing) != 1 || r.Missing[0] != "missing.md" {
		t.Fatalf("debriefs %d, missing %v", r.Debriefs, r.Missing)
	}
	// Coverage: cues TP 2; help FN 1; surprise FP 1.
	if m := r.Coverage.Micro; m.TP != 2 || m.FP != 1 || m.FN != 1 {
		t.Errorf("coverage micro %+v", m)
	}
	if got := r.Coverage.Micro.F1; math.Abs(got-4.0/6.0) > 1e-9 {
		t.Errorf("coverage micro F1 %v, want 2/3", got)
	}
	// Factors: dns TP 2; monitoring FN 1; process FP 1.
	if m := r.Factors.Micro; m.TP != 2 || m.FP != 1 || m.FN != 1 {
		t.Errorf("factor micro %+v", m)
	}
	for _, c := range r.Factors.Categories {
		if c.Category == "hardware" && !math.IsNaN(c.F1) {
			t.Errorf("hardware, never labelled nor predicted, has F1 %v", c.F1)
		}
	}
	if r.DepthCorrect != 1 || r.DepthAccuracy != 0.5 {
		t.Errorf("depth %d, %v", r.DepthCorrect, r.DepthAccuracy)
	}
	if r.Confusion[ingest.DepthContributingFactors][ingest.DepthMultipleCauses] != 1 {
		t.Errorf("confusion %v", r.Confusion)
	}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"question coverage", "factor categories", "micro", "macro F1", "depth class accuracy: 0.500", "missing.md"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestLoadLabelsRejectsUnknownKeys(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"coverage", "- ref: a.md\n  coverage: [cue]\n  factor_categories: []\n  depth: multiple_causes\n", `unknown coverage category "cue"`},
		{"factor", "- ref: a.md\n  coverage: []\n  factor_categories: [dnss]\n  depth: multiple_causes\n", `unknown factor category "dnss"`},
		{"depth", "- ref: a.md\n  coverage: []\n  factor_categories: []\n  depth: deep\n", `unknown depth class "deep"`},
		{"duplicate", "- ref: a.md\n  depth: multiple_causes\n- ref: a.md\n  depth: multiple_causes\n", "duplicate ref"},
		{"field", "- ref: a.md\n  depht: multiple_causes\n", "depht"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "labels.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadLabels(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMajority(t *testing.T) {
	l := func(ref string, cov, fac []string, depth string) Label {
		return Label{Ref: ref, Coverage: cov, FactorCategories: fac, Depth: depth}
	}
	single, multiple, cf := ingest.DepthSingleRootCause, ingest.DepthMultipleCauses, ingest.DepthContributingFactors
	r1 := []Label{
		l("a.md", []string{"cues", "help"}, []string{"dns"}, single),
		l("b.md", nil, []string{"process", "tooling"}, cf),
	}
	r2 := []Label{
		l("b.md", []string{"learning"}, []string{"tooling"}, multiple),
		l("a.md", []string{"cues"}, []string{"dns", "network"}, single),
	}
	r3 := []Label{
		l("a.md", []string{"help", "surprise"}, []string{"network"}, cf),
		l("b.md", []string{"learning"}, []string{"process", "tooling", "pressure"}, single),
	}
	r3[1].Holdout = true
	got, err := Majority(r1, r2, r3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Label{
		// Two of three marked cues, help, dns and network (kept in the
		// taxonomy's order); depth two to one.
		{Ref: "a.md", Coverage: []string{"cues", "help"}, FactorCategories: []string{"network", "dns"}, Depth: single},
		// Three classes: the median; held out because one reader held it out.
		{Ref: "b.md", Coverage: []string{"learning"}, FactorCategories: []string{"tooling", "process"}, Depth: multiple, Holdout: true},
	}
	for i := range want {
		want[i].Notes = "majority of 3 readers"
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("majority\n got %+v\nwant %+v", got, want)
	}

	for _, tt := range []struct {
		name    string
		readers [][]Label
		want    string
	}{
		{"two readers", [][]Label{r1, r2}, "three readers or more"},
		{"a debrief one reader left out", [][]Label{r1, r2, r3[:1]}, "reader 3 labelled 1 debriefs"},
		{"another debrief", [][]Label{r1, r2, {r3[0], l("c.md", nil, nil, single)}}, "reader 3 did not label b.md"},
		{"unknown class", [][]Label{r1, r2, {r3[0], l("b.md", nil, nil, "deep")}}, `unknown depth class "deep"`},
	} {
		if _, err := Majority(tt.readers...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// floor is a figure a regression must not fall below: what the assessment
// achieved when the floors were last set, minus a small margin.
type floor struct {
	coverage, factors, depth float64
}

func checkFloors(t *testing.T, name string, r Report, f floor) {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", name, b.String())
	if len(r.Missing) > 0 {
		t.Errorf("%s: no assessment for %v", name, r.Missing)
	}
	if got := r.Coverage.Micro.F1; got < f.coverage {
		t.Errorf("%s: coverage micro-F1 %.3f, below %.3f", name, got, f.coverage)
	}
	if got := r.Factors.Micro.F1; got < f.factors {
		t.Errorf("%s: factor-category micro-F1 %.3f, below %.3f", name, got, f.factors)
	}
	if got := r.DepthAccuracy; got < f.depth {
		t.Errorf("%s: depth-class accuracy %.3f, below %.3f", name, got, f.depth)
	}
}

// assessLabelled assesses the documents labels name, under root.
func assessLabelled(t *testing.T, root string, labels []Label) map[string]*ingest.Assessment {
	t.Helper()
	a := New(DefaultCatalog())
	out := map[string]*ingest.Assessment{}
	done := map[string]bool{}
	for _, l := range labels {
		doc, _, _ := strings.Cut(l.Ref, "#")
		if done[doc] {
			continue
		}
		done[doc] = true
		rs, err := a.AssessFile(context.Background(), root, filepath.Join(root, filepath.FromSlash(doc)))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Err != nil {
				t.Errorf("%s: %v", r.Ref, r.Err)
				continue
			}
			out[r.Ref] = r.Debrief.Assessment
		}
	}
	return out
}

// TestSampleEvaluation measures the assessment on the bundled sample
// debriefs against their hand labels.
func TestSampleEvaluation(t *testing.T) {
	labels, err := LoadLabels(sampleLabels)
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(labels, assessLabelled(t, sampleDir, labels))
	checkFloors(t, "sample set", r, floor{coverage: 0.87, factors: 0.79, depth: 0.90})
}

// logTargets logs a holdout's figures against the targets.
func logTargets(t *testing.T, name string, r Report) {
	t.Helper()
	for _, target := range []struct {
		what      string
		got, want float64
	}{
		{"coverage micro-F1", r.Coverage.Micro.F1, 0.80},
		{"factor-category micro-F1", r.Factors.Micro.F1, 0.75},
		{"depth-class accuracy", r.DepthAccuracy, 0.80},
	} {
		verdict := "meets"
		if target.got < target.want {
			verdict = "is below"
		}
		t.Logf("%s %s %.3f %s the issue's target %.2f", name, target.what, target.got, verdict, target.want)
	}
}

// TestCorpusEvaluation measures the assessment on real public debriefs
// labelled by hand (testdata/labels/corpus.yaml and fresh.yaml). Their
// holdout documents were kept from tuning until, their figures read many
// times, every debrief of these files (and of adjudicated.yaml) was given
// to tuning; their floors now only catch regressions, and the estimate for
// debriefs nobody has seen is TestUnseenHoldout's.
func TestCorpusEvaluation(t *testing.T) {
	needCorpus(t)
	labels, err := LoadLabels(corpusLabels)
	if err != nil {
		t.Fatal(err)
	}
	var tuning, holdout []Label
	for _, l := range labels {
		if l.Holdout {
			holdout = append(holdout, l)
		} else {
			tuning = append(tuning, l)
		}
	}
	results := assessLabelled(t, corpusDir, labels)
	// Floors are the figures measured when they were set, minus a margin:
	// they catch regressions. The tuning floors were last set at 0.832,
	// 0.690 and 0.735 (83 documents; 0.802, 0.675 and 0.711 before that
	// round). A later round for generality (retellings need people, cues
	// that were one document's wording removed) lowered the tuning figures
	// to 0.834, 0.682 and 0.711, still above these floors. The holdout
	// floors (40 documents) were set at 0.661, 0.623 and 0.800 and left
	// there; after the first round the holdout measured 0.641, 0.628 and
	// 0.825, after the second 0.635, 0.628 and 0.825. The targets for unseen
	// debriefs (coverage 0.80, factor categories 0.75, depth 0.80) are
	// logged against the holdouts, not asserted: their figures are an
	// estimate to report, not something to tune until it passes. A round
	// towards the settled labels (adjudicated.yaml), whose convention
	// counts a report that says what the reporter saw as a cue, took the
	// holdout coverage against this first reader just under 0.63 (seen
	// only as that failing floor's message); its floor is that figure
	// minus 0.02. A round on factor categories towards the settled labels
	// (gaps count as factors when nothing is listed) took the tuning depth
	// against this first reader to 0.699; its floor is that minus 0.02.
	// After both rounds the holdout measured 0.630, 0.625 and 0.750 against
	// this first reader (depth 0.825 before: the settled labels count
	// factors differently, and against them the held-out depth rose from
	// 0.646 to 0.696); its depth floor is 0.750 minus 0.02. A round for
	// coverage recall on half the settled labels took the holdout coverage
	// against this first reader to 0.667 and the fresh batch's to 0.565;
	// their coverage floors are those minus 0.02 (from 0.61 and 0.44). A
	// round on factor categories and depth from the whole settled set (its
	// halves A and B) took the tuning figures to 0.733 and 0.723 and the
	// holdout's to 0.684 and 0.750; the factor floors are those minus 0.02
	// and the tuning depth floor 0.723 minus 0.02. The settled labels are
	// the better measure: TestLabellersAgree holds their floors.
	t.Run("tuning", func(t *testing.T) {
		checkFloors(t, "corpus tuning documents", Evaluate(tuning, results), floor{coverage: 0.80, factors: 0.71, depth: 0.70})
	})
	t.Run("holdout", func(t *testing.T) {
		r := Evaluate(holdout, results)
		checkFloors(t, "corpus holdout documents", r, floor{coverage: 0.647, factors: 0.66, depth: 0.73})
		logTargets(t, "holdout", r)
	})
	// A third batch (testdata/labels/fresh.yaml, 39 documents) was labelled
	// by another person after the tuning above, blind to the assessment,
	// and measured once: 0.486, 0.541 and 0.667 (the code before that
	// round of tuning: 0.483, 0.536, 0.641), then once more after a round
	// that made the rules more general (retellings need people, 82 cue
	// phrases of one document removed): 0.470, 0.549, 0.692, and after the
	// rounds towards the settled labels 0.465, 0.548, 0.718. Its floors
	// are the first figures minus a margin.
	t.Run("fresh", func(t *testing.T) {
		fresh, err := LoadLabels(freshLabels)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(fresh, assessLabelled(t, corpusDir, fresh))
		checkFloors(t, "fresh holdout documents", r, floor{coverage: 0.545, factors: 0.50, depth: 0.62})
		logTargets(t, "fresh holdout", r)
	})
	// testdata/labels/fresh3: 40 retold summaries (icco) labelled blind by
	// three readers, measured once as unseen with the code of 2d02fef
	// (0.305, 0.559, 0.450 against their majority) and then used for
	// tuning. A round on retold coverage (rules that need no person named:
	// what an alarm showed, decisions and judgements told in the passive,
	// how work usually goes, pressures stated as such) took its coverage
	// from 0.562 to 0.752, and one on factor categories from the readers'
	// notes (their front-matter summaries now read too) its factors to
	// 0.744; the floors are those minus 0.02 (from 0.28 and 0.53). Later
	// rounds took it to 0.780, 0.757 and 0.650; the floors are those minus
	// 0.02 to 0.03 (from 0.73, 0.72 and 0.42).
	t.Run("fresh3", func(t *testing.T) {
		_, majority := loadBatch(t, tuningBatch)
		r := Evaluate(majority, assessLabelled(t, corpusDir, majority))
		checkFloors(t, "fresh3 (tuning, majority of three readers)", r, floor{coverage: 0.76, factors: 0.73, depth: 0.62})
	})
	t.Run("all", func(t *testing.T) {
		r := Evaluate(labels, results)
		var b bytes.Buffer
		if err := r.Write(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("all labelled corpus debriefs:\n%s", b.String())
	})
}

// asAssessments makes one reader's labels the "assessment" another
// reader's labels are scored against.
func asAssessments(labels []Label) map[string]*ingest.Assessment {
	out := map[string]*ingest.Assessment{}
	for _, l := range labels {
		a := &ingest.Assessment{Depth: ingest.Depth{Class: l.Depth}}
		for _, c := range l.Coverage {
			a.Coverage = append(a.Coverage, ingest.Coverage{Category: c, Covered: true})
		}
		for _, c := range l.FactorCategories {
			a.Factors = append(a.Factors, ingest.Factor{Categories: []string{c}})
		}
		out[l.Ref] = a
	}
	return out
}

// TestLabellersAgree measures how far two people labelling the same
// corpus debriefs agree, in the same figures as the assessment: the
// ceiling an assessment can be expected to reach. Every debrief of
// corpus.yaml and fresh.yaml (the first reader) was read again, blind to
// those labels and to the assessment (testdata/labels/second-reader.yaml),
// and a third person settled each disagreement from the document
// (adjudicated.yaml). When measured, on all 162 (and the 79 held out):
// the second reader against the first, coverage micro-F1 0.809 (0.804),
// factor categories 0.884 (0.892), depth 0.802 (0.797); the first reader
// against the settled labels 0.853, 0.917, 0.821 (0.835, 0.930, 0.823);
// the assessment against the settled labels 0.669, 0.612, 0.636 (0.544,
// 0.592, 0.646; coverage precision 0.658, recall 0.464 on the held out:
// it misses more than it invents), and after a round for recall on the
// settled tuning labels (coverage 0.779 to 0.828 there) 0.701, 0.612,
// 0.636 (0.553, 0.592, 0.646; precision 0.646, recall 0.483), and after a
// round on factor categories (settled tuning factors 0.634 to 0.686,
// depth 0.627 to 0.651) 0.701, 0.637, 0.673 (0.553, 0.594, 0.696), and
// after a round for coverage recall chosen on half the settled labels
// (coverage on all 162 from precision 0.785, recall 0.633 to 0.846, 0.734)
// 0.786, 0.637, 0.673 (0.685, 0.594, 0.696; precision 0.766, recall
// 0.619). The settled labels side with the second reader, the more
// inclusive, in most disagreements.
func TestLabellersAgree(t *testing.T) {
	needCorpus(t)
	load := func(path string) ([]Label, map[string]Label) {
		t.Helper()
		ls, err := LoadLabels(path)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]Label{}
		for _, l := range ls {
			by[l.Ref] = l
		}
		return ls, by
	}
	_, byRef := load(corpusLabels)
	_, freshBy := load(freshLabels)
	maps.Copy(byRef, freshBy)
	second, _ := load(secondLabels)
	_, settledBy := load(adjudicatedLabels)
	var same []Label
	for _, l := range second {
		f, ok := byRef[l.Ref]
		if !ok {
			t.Fatalf("%s: the second reader labelled a debrief the first did not", l.Ref)
		}
		same = append(same, f)
	}
	results := assessLabelled(t, corpusDir, same)
	for _, holdoutOnly := range []bool{false, true} {
		var firsts, seconds, thirds []Label
		for i, l := range same {
			a, ok := settledBy[l.Ref]
			if !ok {
				t.Fatalf("%s: not adjudicated", l.Ref)
			}
			if !holdoutOnly || l.Holdout {
				firsts, seconds, thirds = append(firsts, l), append(seconds, second[i]), append(thirds, a)
			}
		}
		for _, c := range []struct {
			name   string
			labels []Label
			got    map[string]*ingest.Assessment
		}{
			{"second reader against the first", firsts, asAssessments(seconds)},
			{"first reader against the adjudicated labels", thirds, asAssessments(firsts)},
			{"second reader against the adjudicated labels", thirds, asAssessments(seconds)},
			{"assessment against the first reader", firsts, results},
			{"assessment against the second reader", seconds, results},
			{"assessment against the adjudicated labels", thirds, results},
		} {
			r := Evaluate(c.labels, c.got)
			if r.Debriefs != len(c.labels) || len(r.Missing) > 0 {
				t.Fatalf("%s: %d debriefs compared of %d, missing %v", c.name, r.Debriefs, len(c.labels), r.Missing)
			}
			which := "all"
			if holdoutOnly {
				which = "holdout"
			}
			t.Logf("%s (%d debriefs, %s): coverage micro-F1 %.3f (precision %.3f, recall %.3f), factor categories %.3f, depth accuracy %.3f",
				c.name, r.Debriefs, which, r.Coverage.Micro.F1, r.Coverage.Micro.Precision, r.Coverage.Micro.Recall, r.Factors.Micro.F1, r.DepthAccuracy)
			if holdoutOnly && c.name == "assessment against the adjudicated labels" {
				// Floors: the figures when set (0.553, 0.594, 0.696)
				// minus a margin; coverage after a round for recall on
				// half the settled labels (0.685) minus 0.02; factors and
				// depth after the round on them (0.686 and 0.734) minus
				// 0.02.
				checkFloors(t, "settled holdout", r, floor{coverage: 0.665, factors: 0.66, depth: 0.71})
				logTargets(t, "settled holdout", r)
			}
		}
	}
}

// loadBatch reads a folder of three readers' labels and their majority.
func loadBatch(t *testing.T, dir string) (readers [][]Label, majority []Label) {
	t.Helper()
	readers = make([][]Label, 3)
	for i := range readers {
		ls, err := LoadLabels(filepath.Join(dir, fmt.Sprintf("reader%d.yaml", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		readers[i] = ls
	}
	majority, err := Majority(readers...)
	if err != nil {
		t.Fatal(err)
	}
	return readers, majority
}

// TestReaderGroupsAgree measures how far two groups of three blind
// readers, given the same instructions, agree on the same 40 debriefs
// (testdata/labels/fresh3 and fresh5: readers 1-3 and 4-6), majority
// against majority: how stable the labels the assessment is scored
// against are.
func TestReaderGroupsAgree(t *testing.T) {
	for _, batch := range []string{tuningBatch, "../../testdata/labels/fresh5"} {
		var groups [2][][]Label
		for i := range 6 {
			ls, err := LoadLabels(filepath.Join(batch, fmt.Sprintf("reader%d.yaml", i+1)))
			if err != nil {
				t.Fatal(err)
			}
			groups[i/3] = append(groups[i/3], ls)
		}
		first, err := Majority(groups[0]...)
		if err != nil {
			t.Fatal(err)
		}
		second, err := Majority(groups[1]...)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(first, asAssessments(second))
		if r.Debriefs != len(first) || len(r.Missing) > 0 {
			t.Fatalf("%s: %d debriefs compared of %d, missing %v", batch, r.Debriefs, len(first), r.Missing)
		}
		var b bytes.Buffer
		if err := r.Write(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s, readers 4-6 against readers 1-3 (majorities): coverage micro-F1 %.3f (precision %.3f, recall %.3f), factor categories %.3f, depth accuracy %.3f\n%s",
			filepath.Base(batch), r.Coverage.Micro.F1, r.Coverage.Micro.Precision, r.Coverage.Micro.Recall, r.Factors.Micro.F1, r.DepthAccuracy, b.String())
		// When labelled, both batches agreed at coverage 0.921, factor
		// categories 0.961 and 0.949, depth 1.000 and 0.925: a label file
		// edited by mistake falls below these.
		checkFloors(t, filepath.Base(batch)+" reader groups", r, floor{coverage: 0.88, factors: 0.92, depth: 0.90})
	}
}

// TestUnseenHoldout measures the assessment on public debriefs that three
// people labelled blind and independently after every earlier label set
// had been used for tuning (testdata/labels/fresh2 and fresh4, 40 each,
// and fresh6, 30):
// against their majority, and, for the ceiling, each reader against each
// other one and the assessment against each reader. When labelled, the
// readers of fresh2 agreed pairwise at coverage micro-F1 0.80-0.90,
// factor categories 0.90-0.94 and depth 0.93-0.98.
func TestUnseenHoldout(t *testing.T) {
	needCorpus(t)
	var all []Label
	results := map[string]*ingest.Assessment{}
	for _, batch := range unseenBatches {
		readers, majority := loadBatch(t, batch)
		all = append(all, majority...)
		maps.Copy(results, assessLabelled(t, corpusDir, majority))
		name := filepath.Base(batch)
		line := func(what string, r Report) {
			t.Helper()
			if r.Debriefs != len(majority) || len(r.Missing) > 0 {
				t.Fatalf("%s %s: %d debriefs compared of %d, missing %v", name, what, r.Debriefs, len(majority), r.Missing)
			}
			t.Logf("%s, %s: coverage micro-F1 %.3f (precision %.3f, recall %.3f), factor categories %.3f, depth accuracy %.3f",
				name, what, r.Coverage.Micro.F1, r.Coverage.Micro.Precision, r.Coverage.Micro.Recall, r.Factors.Micro.F1, r.DepthAccuracy)
		}
		for i := range readers {
			for j := i + 1; j < len(readers); j++ {
				line(fmt.Sprintf("reader %d against reader %d", j+1, i+1), Evaluate(readers[i], asAssessments(readers[j])))
			}
			line(fmt.Sprintf("assessment against reader %d", i+1), Evaluate(readers[i], results))
		}
		line("assessment against the majority", Evaluate(majority, results))
	}
	r := Evaluate(all, results)
	// The first measurement, with the code of 2d02fef before any tuning on
	// the 162 earlier debriefs as a whole: fresh2 0.440, 0.608, 0.500;
	// fresh4 0.232, 0.564, 0.475; fresh6 0.300, 0.577, 0.400; all 110
	// 0.327, 0.582, 0.464. After the day's rounds (tuning on the 162, on
	// fresh3 and fresh5; measured once, at the end): all 110 0.439, 0.634,
	// 0.509 (fresh2 0.475, 0.643, 0.600; fresh4 0.441, 0.634, 0.475; fresh6
	// 0.369, 0.626, 0.433; the 20 in-house debriefs 0.533, 0.532, 0.650;
	// the 90 retold summaries 0.417, 0.647, 0.478). After a further day of
	// rounds whose every change had to carry from the tuning batch that
	// suggested it to the other three (measured once, at the end): all 110
	// 0.442, 0.644, 0.545 (fresh2 0.483, 0.648, 0.575; fresh4 0.451, 0.644,
	// 0.550; fresh6 0.349, 0.640, 0.500; in-house 0.542, 0.532, 0.650;
	// retold 0.419, 0.658, 0.522); after one more round on depth that
	// raised the tuning batches by up to 0.025, depth was 0.545 again
	// (fresh4 0.525, fresh6 0.533, in-house 0.600, retold 0.533). Floors:
	// those minus a margin (from 0.41, 0.60 and 0.48).
	checkFloors(t, "unseen holdouts, majority of three readers", r, floor{coverage: 0.42, factors: 0.62, depth: 0.52})
	logTargets(t, "unseen holdouts", r)
}
