package assess

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/ingest"
)

// Label is the hand label of one debrief, as kept in testdata/labels.
type Label struct {
	Ref              string   `yaml:"ref"`
	Coverage         []string `yaml:"coverage"`
	FactorCategories []string `yaml:"factor_categories"`
	Depth            string   `yaml:"depth"`
	// Holdout marks a debrief kept out of tuning.
	Holdout bool   `yaml:"holdout,omitempty"`
	Notes   string `yaml:"notes,omitempty"`
}

// LoadLabels reads a labels file and checks every key against DOMAIN.md's
// categories and depth classes.
func LoadLabels(path string) ([]Label, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("assess: read labels: %w", err)
	}
	return ParseLabels(path, b)
}

// ParseLabels reads labels from YAML content and checks them as LoadLabels
// does; name is used in error messages.
func ParseLabels(name string, data []byte) ([]Label, error) {
	var labels []Label
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&labels); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("assess: labels %s: %w", name, err)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("assess: labels %s: no labels (a YAML list of entries with ref, coverage, factor_categories and depth)", name)
	}
	var errs []error
	seen := map[string]bool{}
	for i, l := range labels {
		where := fmt.Sprintf("labels %s: entry %d (%s)", name, i+1, l.Ref)
		if l.Ref == "" {
			errs = append(errs, fmt.Errorf("%s: no ref", where))
		}
		if seen[l.Ref] {
			errs = append(errs, fmt.Errorf("%s: duplicate ref", where))
		}
		seen[l.Ref] = true
		for _, k := range l.Coverage {
			if !contains(questionCategories, k) {
				errs = append(errs, fmt.Errorf("%s: unknown coverage category %q", where, k))
			}
		}
		for _, k := range l.FactorCategories {
			if !contains(factorCategories, k) {
				errs = append(errs, fmt.Errorf("%s: unknown factor category %q", where, k))
			}
		}
		switch l.Depth {
		case ingest.DepthSingleRootCause, ingest.DepthMultipleCauses, ingest.DepthContributingFactors:
		default:
			errs = append(errs, fmt.Errorf("%s: unknown depth class %q", where, l.Depth))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("assess: %w", err)
	}
	return labels, nil
}

// CategoryScore is the agreement of predictions with labels for one
// category (or, for a micro average, all of them pooled).
type CategoryScore struct {
	Category   string
	TP, FP, FN int
	Precision  float64
	Recall     float64
	// F1 is NaN when the category was neither labelled nor predicted.
	F1 float64
}

func (s *CategoryScore) finish() {
	s.Precision = ratio(s.TP, s.TP+s.FP)
	s.Recall = ratio(s.TP, s.TP+s.FN)
	if s.TP+s.FP+s.FN == 0 {
		s.F1 = math.NaN()
		return
	}
	s.F1 = ratio(2*s.TP, 2*s.TP+s.FP+s.FN)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Scores are the per-category figures of one kind of label, with micro
// (pooled counts) and macro (mean of defined per-category F1) averages.
type Scores struct {
	Categories []CategoryScore
	Micro      CategoryScore
	MacroF1    float64
}

// Report is the outcome of an evaluation.
type Report struct {
	// Debriefs is the number of labelled debriefs that had a result.
	Debriefs int
	// Missing lists labelled refs with no assessment (not found or failed
	// to parse); they are left out of every figure.
	Missing  []string
	Coverage Scores
	Factors  Scores
	// DepthCorrect of Debriefs had the labelled depth class.
	DepthCorrect  int
	DepthAccuracy float64
	// Confusion counts debriefs by labelled class, then predicted class.
	Confusion map[string]map[string]int
}

// DepthClasses returns the depth classes in the order reports show them.
func DepthClasses() []string { return append([]string(nil), depthClasses...) }

var depthClasses = []string{ingest.DepthSingleRootCause, ingest.DepthMultipleCauses, ingest.DepthContributingFactors}

// Evaluate compares assessments with labels. A debrief's factor
// categories are the union of its factors' categories; its coverage is the
// set of categories marked covered.
func Evaluate(labels []Label, results map[string]*ingest.Assessment) Report {
	cov := newTally(questionCategories)
	fac := newTally(factorCategories)
	r := Report{Confusion: map[string]map[string]int{}}
	for _, c := range depthClasses {
		r.Confusion[c] = map[string]int{}
	}
	for _, l := range labels {
		a := results[l.Ref]
		if a == nil {
			r.Missing = append(r.Missing, l.Ref)
			continue
		}
		r.Debriefs++
		covered := map[string]bool{}
		for _, c := range a.Coverage {
			if c.Covered {
				covered[c.Category] = true
			}
		}
		cov.add(set(l.Coverage), covered)
		cats := map[string]bool{}
		for _, f := range a.Factors {
			for _, c := range f.Categories {
				cats[c] = true
			}
		}
		fac.add(set(l.FactorCategories), cats)
		if r.Confusion[l.Depth] == nil {
			r.Confusion[l.Depth] = map[string]int{}
		}
		r.Confusion[l.Depth][a.Depth.Class]++
		if a.Depth.Class == l.Depth {
			r.DepthCorrect++
		}
	}
	r.Coverage = cov.scores()
	r.Factors = fac.scores()
	r.DepthAccuracy = ratio(r.DepthCorrect, r.Debriefs)
	return r
}

type tally struct {
	keys   []string
	counts map[string]*CategoryScore
}

func newTally(keys []string) *tally {
	t := &tally{keys: keys, counts: map[string]*CategoryScore{}}
	for _, k := range keys {
		t.counts[k] = &CategoryScore{Category: k}
	}
	return t
}

func (t *tally) add(want, got map[string]bool) {
	for _, k := range t.keys {
		c := t.counts[k]
		switch {
		case want[k] && got[k]:
			c.TP++
		case got[k]:
			c.FP++
		case want[k]:
			c.FN++
		}
	}
}

func (t *tally) scores() Scores {
	var s Scores
	s.Micro.Category = "micro"
	var sum float64
	n := 0
	for _, k := range t.keys {
		c := *t.counts[k]
		c.finish()
		s.Categories = append(s.Categories, c)
		s.Micro.TP += c.TP
		s.Micro.FP += c.FP
		s.Micro.FN += c.FN
		if !math.IsNaN(c.F1) {
			sum += c.F1
			n++
		}
	}
	s.Micro.finish()
	s.MacroF1 = math.NaN()
	if n > 0 {
		s.MacroF1 = sum / float64(n)
	}
	return s
}

func set(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Write prints the report as plain-text tables.
func (r Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "debriefs evaluated: %d\n", r.Debriefs)
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "missing (no assessment): %s\n", strings.Join(r.Missing, ", "))
	}
	for _, part := range []struct {
		name string
		s    Scores
	}{{"question coverage", r.Coverage}, {"factor categories", r.Factors}} {
		fmt.Fprintf(w, "\n%s\n", part.name)
		fmt.Fprintln(tw, "category\tlabelled\tTP\tFP\tFN\tprecision\trecall\tF1\t")
		for _, c := range part.s.Categories {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t\n", c.Category, c.TP+c.FN, c.TP, c.FP, c.FN,
				fig(c.Precision, c.TP+c.FP), fig(c.Recall, c.TP+c.FN), fig(c.F1, 1))
		}
		m := part.s.Micro
		fmt.Fprintf(tw, "micro\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", m.TP+m.FN, m.TP, m.FP, m.FN, m.Precision, m.Recall, m.F1)
		fmt.Fprintf(tw, "macro F1\t\t\t\t\t\t\t%s\t\n", fig(part.s.MacroF1, 1))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\ndepth class accuracy: %.3f (%d of %d)\n", r.DepthAccuracy, r.DepthCorrect, r.Debriefs)
	fmt.Fprintln(tw, "labelled \\ predicted\t"+strings.Join(depthClasses, "\t")+"\t")
	classes := append([]string(nil), depthClasses...)
	for c := range r.Confusion {
		if !contains(classes, c) {
			classes = append(classes, c)
		}
	}
	sort.SliceStable(classes[len(depthClasses):], func(a, b int) bool {
		return classes[len(depthClasses)+a] < classes[len(depthClasses)+b]
	})
	for _, c := range classes {
		row := r.Confusion[c]
		if len(row) == 0 && !contains(depthClasses, c) {
			continue
		}
		fmt.Fprint(tw, c)
		for _, p := range depthClasses {
			fmt.Fprintf(tw, "\t%d", row[p])
		}
		fmt.Fprintln(tw, "\t")
	}
	return tw.Flush()
}

// fig formats a figure, or "-" when it has no support.
func fig(x float64, support int) string {
	if support == 0 || math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}

// Majority merges the labels of several people who labelled the same
// debriefs independently into one set: a coverage or factor category is
// kept when more than half of the readers marked it, and the depth class
// is the median of theirs in the order single_root_cause,
// multiple_causes, contributing_factors (the class most chose whenever
// more than half agree). A debrief is held out when any reader held it
// out. It needs three readers or more, each with the same debriefs, so
// that every disagreement has a majority; the result keeps the first
// reader's order.
func Majority(readers ...[]Label) ([]Label, error) {
	if len(readers) < 3 {
		return nil, fmt.Errorf("assess: a majority needs three readers or more, got %d", len(readers))
	}
	byRef := make([]map[string]Label, len(readers))
	for i, r := range readers {
		byRef[i] = make(map[string]Label, len(r))
		for _, l := range r {
			byRef[i][l.Ref] = l
		}
		if len(byRef[i]) != len(readers[0]) {
			return nil, fmt.Errorf("assess: reader %d labelled %d debriefs, reader 1 labelled %d", i+1, len(byRef[i]), len(readers[0]))
		}
	}
	rank := map[string]int{}
	for i, c := range depthClasses {
		rank[c] = i
	}
	out := make([]Label, 0, len(readers[0]))
	for _, first := range readers[0] {
		votes := make([]Label, len(readers))
		for i := range readers {
			l, ok := byRef[i][first.Ref]
			if !ok {
				return nil, fmt.Errorf("assess: reader %d did not label %s", i+1, first.Ref)
			}
			if _, ok := rank[l.Depth]; !ok {
				return nil, fmt.Errorf("assess: reader %d: %s: unknown depth class %q", i+1, l.Ref, l.Depth)
			}
			votes[i] = l
		}
		m := Label{Ref: first.Ref, Notes: fmt.Sprintf("majority of %d readers", len(readers))}
		var cov, fac [][]string
		depths := make([]string, len(votes))
		for i, v := range votes {
			cov, fac = append(cov, v.Coverage), append(fac, v.FactorCategories)
			depths[i] = v.Depth
			m.Holdout = m.Holdout || v.Holdout
		}
		m.Coverage = moreThanHalf(questionCategories, cov)
		m.FactorCategories = moreThanHalf(factorCategories, fac)
		sort.Slice(depths, func(a, b int) bool { return rank[depths[a]] < rank[depths[b]] })
		m.Depth = depths[(len(depths)-1)/2]
		out = append(out, m)
	}
	return out, nil
}

// moreThanHalf returns, in keys' order, the keys more than half of the
// lists hold.
func moreThanHalf(keys []string, lists [][]string) []string {
	out := []string{}
	for _, k := range keys {
		n := 0
		for _, l := range lists {
			if contains(l, k) {
				n++
			}
		}
		if 2*n > len(lists) {
			out = append(out, k)
		}
	}
	return out
}
