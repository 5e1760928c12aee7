package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
)

type assessFlags struct {
	catalog string
	format  string
}

func (f *assessFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.catalog, "catalog", "", "catalog `file` replacing the embedded one")
	fs.StringVar(&f.format, "format", "jsonl", "output `format`: jsonl (one JSON object per debrief)")
}

// assessCommand assesses files and folders without a data directory and
// prints one JSON line per debrief.
func assessCommand(ctx context.Context, env *environment, args []string) error {
	var f assessFlags
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.format != "jsonl" {
		return &usageError{msg: fmt.Sprintf("--format %q: the only format is jsonl", f.format)}
	}
	if fs.NArg() == 0 {
		return &usageError{msg: "give the files or folders to assess"}
	}
	a, err := newAssessor(f.catalog)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetEscapeHTML(false)
	for _, p := range fs.Args() {
		results, err := assessPath(ctx, a, p)
		if err != nil {
			return err
		}
		for _, r := range results {
			if err := enc.Encode(assessLine(r)); err != nil {
				return err
			}
		}
	}
	return nil
}

func newAssessor(catalog string) (*assess.Assessor, error) {
	if catalog == "" {
		return assess.New(nil), nil
	}
	c, err := assess.LoadCatalog(catalog)
	if err != nil {
		return nil, fmt.Errorf("--catalog: %s", strings.TrimPrefix(err.Error(), "assess: "))
	}
	return assess.New(c), nil
}

// assessPath assesses a file, or every debrief a folder holds (with the
// dir source's rules for READMEs, templates and hidden files). Refs are
// relative to the path given.
func assessPath(ctx context.Context, a *assess.Assessor, p string) ([]assess.Result, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
	}
	if !st.IsDir() {
		return a.AssessFile(ctx, filepath.Dir(p), p)
	}
	src, err := dir.Open(p, dir.Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return a.AssessSource(ctx, src)
}

// The JSON line of one debrief: what an evaluation script reads.
type (
	assessedLine struct {
		Ref              string                  `json:"ref"`
		Error            string                  `json:"error,omitempty"`
		Title            string                  `json:"title,omitempty"`
		FactorCategories []string                `json:"factor_categories"`
		Factors          []factorLine            `json:"factors"`
		Coverage         map[string]coverageLine `json:"coverage,omitempty"`
		Depth            *depthLine              `json:"depth,omitempty"`
	}
	factorLine struct {
		Text       string          `json:"text"`
		Key        string          `json:"key"`
		Categories []string        `json:"categories"`
		Explicit   bool            `json:"explicit"`
		Evidence   ingest.Evidence `json:"evidence"`
	}
	coverageLine struct {
		Covered    bool              `json:"covered"`
		Confidence float64           `json:"confidence"`
		Evidence   []ingest.Evidence `json:"evidence"`
	}
	depthLine struct {
		Class             string   `json:"class"`
		Score             int      `json:"score"`
		RootCauseMentions int      `json:"root_cause_mentions"`
		Counterfactuals   int      `json:"counterfactuals"`
		Blame             int      `json:"blame"`
		Perspectives      int      `json:"perspectives"`
		FactorCount       int      `json:"factor_count"`
		Reasons           []string `json:"reasons"`
	}
)

func assessLine(r assess.Result) assessedLine {
	if r.Err != nil || r.Debrief == nil || r.Debrief.Assessment == nil {
		msg := "no assessment"
		if r.Err != nil {
			msg = r.Err.Error()
		}
		return assessedLine{Ref: r.Ref, Error: msg}
	}
	a := r.Debrief.Assessment
	l := assessedLine{
		Ref: r.Ref, Title: r.Debrief.Title,
		FactorCategories: nonNilStrings(a.FactorCategories()),
		Factors:          []factorLine{},
		Coverage:         map[string]coverageLine{},
		Depth: &depthLine{
			Class: a.Depth.Class, Score: a.Depth.Score,
			RootCauseMentions: len(a.Depth.RootCause), Counterfactuals: len(a.Depth.Counterfactuals),
			Blame: len(a.Depth.Blame), Perspectives: len(a.Depth.Perspectives),
			FactorCount: a.Depth.FactorCount, Reasons: nonNilStrings(a.Depth.Reasons),
		},
	}
	for _, f := range a.Factors {
		l.Factors = append(l.Factors, factorLine{Text: f.Text, Key: f.Key, Categories: nonNilStrings(f.Categories), Explicit: f.Explicit, Evidence: f.Evidence})
	}
	for _, c := range a.Coverage {
		ev := c.Evidence
		if ev == nil {
			ev = []ingest.Evidence{}
		}
		l.Coverage[c.Category] = coverageLine{Covered: c.Covered, Confidence: c.Confidence, Evidence: ev}
	}
	return l
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type evalFlags struct {
	labels  fileList
	catalog string
}

// fileList is a flag given once per file.
type fileList []string

func (l *fileList) String() string { return strings.Join(*l, ",") }

func (l *fileList) Set(s string) error {
	if s == "" {
		return errors.New("empty file name")
	}
	*l = append(*l, s)
	return nil
}

// evalCommand measures the assessment against hand labels.
func evalCommand(ctx context.Context, env *environment, args []string) error {
	var f evalFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	registerEvalFlags(&f, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch len(f.labels) {
	case 0:
		return &usageError{msg: "--labels is required"}
	case 2:
		return &usageError{msg: "two --labels files have no majority where they disagree: give one file, or three or more (one per reader)"}
	}
	if fs.NArg() == 0 {
		return &usageError{msg: "give the folders (or files) the labels' refs are relative to"}
	}
	readers := make([][]assess.Label, len(f.labels))
	for i, p := range f.labels {
		ls, err := assess.LoadLabels(p)
		if err != nil {
			return err
		}
		readers[i] = ls
	}
	labels := readers[0]
	what := "labels " + f.labels[0]
	if len(readers) > 1 {
		var err error
		if labels, err = assess.Majority(readers...); err != nil {
			return err
		}
		what = fmt.Sprintf("majority of %d readers' labels (%s)", len(readers), strings.Join(f.labels, ", "))
	}
	a, err := newAssessor(f.catalog)
	if err != nil {
		return err
	}
	var results []assess.Result
	for _, p := range fs.Args() {
		rs, err := assessPath(ctx, a, p)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	r := assess.Evaluate(labels, assess.Assessments(results))
	fmt.Fprintf(env.stdout, "catalog %s, %s\n", a.Version(), what)
	if err := r.Write(env.stdout); err != nil {
		return err
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(env.stderr, "%d labelled debriefs were not found or did not parse: %s\n", len(r.Missing), strings.Join(r.Missing, ", "))
	}
	return nil
}

func registerEvalFlags(f *evalFlags, fs *flag.FlagSet) {
	fs.Var(&f.labels, "labels", "hand labels `file` (YAML; see testdata/labels); give it once per reader, three or more, to score against their majority")
	fs.StringVar(&f.catalog, "catalog", "", "catalog `file` replacing the embedded one")
}
