package sample_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/ingest/sample"
)

// nonDebriefs are the files in the corpus that default rules must skip.
var nonDebriefs = map[string]bool{
	"README.md":   true,
	"template.md": true,
	"index.md":    true,
}

const (
	labelsPath   = "../../testdata/labels/sample.yaml"
	publicCorpus = "../../../shared/corpus"
)

// The question coverage categories of DOMAIN.md.
var coverageKeys = set(
	"cues", "assessment", "decisions", "knowledge", "pressures", "normal_work",
	"help", "surprise", "expertise", "anticipation", "handoffs", "learning",
	"resilience",
)

// The contributing factor taxonomy of DOMAIN.md: 14 technical keys, then 8
// organisational ones.
var factorKeys = set(
	"config_change", "code_change", "infra_change", "capacity", "dependency",
	"hardware", "network", "dns", "certificate", "database", "time",
	"software_bug", "data", "security",
	"monitoring", "tooling", "testing", "documentation", "knowledge",
	"communication", "process", "pressure",
)

var depthClasses = set("single_root_cause", "multiple_causes", "contributing_factors")

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

type corpusFile struct {
	name string
	data []byte
}

// debriefFiles reads every debrief file of the sample corpus, sorted by path.
func debriefFiles(t *testing.T) []corpusFile {
	t.Helper()
	fsys := sample.FS()
	var out []corpusFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || nonDebriefs[p] {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, corpusFile{name: p, data: b})
		return nil
	})
	if err != nil {
		t.Fatalf("walk sample corpus: %v", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

var (
	datedName    = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}-|\d{8}-|PM\d{4}-\d{3} - )`)
	boldKeyLine  = regexp.MustCompile(`(?m)^\*\*[A-Z][A-Za-z ]+:\*\* ?\S`)
	tableRow     = regexp.MustCompile(`(?m)^\|.*\|[ \t]*$`)
	firstSection = regexp.MustCompile(`(?m)^##[ \t]`)
)

// markdownShape names how a Markdown debrief carries its metadata.
func markdownShape(f corpusFile) string {
	s := string(f.data)
	switch {
	case strings.HasPrefix(s, "---\n"):
		return "yaml"
	case strings.HasPrefix(s, "+++\n"):
		return "toml"
	}
	head := s
	if loc := firstSection.FindStringIndex(s); loc != nil {
		head = s[:loc[0]]
	}
	switch {
	case boldKeyLine.MatchString(head):
		return "bold"
	case tableRow.MatchString(head):
		return "table"
	case datedName.MatchString(path.Base(f.name)):
		return "dated-name"
	}
	return "plain"
}

func TestFSListsDebriefsInEveryFormat(t *testing.T) {
	files := debriefFiles(t)
	if len(files) < 36 {
		t.Errorf("sample corpus has %d debrief files, want at least 36", len(files))
	}

	fsys := sample.FS()
	for name := range nonDebriefs {
		if _, err := fs.Stat(fsys, name); err != nil {
			t.Errorf("non-debrief %s missing from the corpus: %v", name, err)
		}
	}

	byExt := map[string]int{}
	shapes := map[string]int{}
	jsonArrays := 0
	for _, f := range files {
		ext := path.Ext(f.name)
		byExt[ext]++
		switch ext {
		case ".md":
			shapes[markdownShape(f)]++
		case ".json":
			if bytes.HasPrefix(bytes.TrimSpace(f.data), []byte("[")) {
				jsonArrays++
			}
		}
	}
	for ext, min := range map[string]int{".md": 20, ".txt": 3, ".html": 3, ".json": 2} {
		if byExt[ext] < min {
			t.Errorf("%d %s files, want at least %d", byExt[ext], ext, min)
		}
	}
	for shape, min := range map[string]int{"yaml": 3, "toml": 3, "bold": 3, "table": 3, "dated-name": 3} {
		if shapes[shape] < min {
			t.Errorf("%d Markdown debriefs with %s metadata, want at least %d", shapes[shape], shape, min)
		}
	}
	if jsonArrays < 1 {
		t.Errorf("no JSON file holds an array of debriefs")
	}
	if byExt[".md"]+byExt[".txt"]+byExt[".html"]+byExt[".json"] != len(files) {
		t.Errorf("unexpected extensions in the corpus: %v", byExt)
	}
	t.Logf("debrief files: %d; by extension %v; Markdown metadata shapes %v", len(files), byExt, shapes)
}

func TestFilesAreTextAndWellFormed(t *testing.T) {
	fsys := sample.FS()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			t.Errorf("%s is empty", p)
		}
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8", p)
		}
		if bytes.Contains(b, []byte("\r")) {
			t.Errorf("%s has carriage returns", p)
		}
		if path.Ext(p) == ".json" && !json.Valid(b) {
			t.Errorf("%s is not valid JSON", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type label struct {
	Ref              string   `yaml:"ref"`
	Coverage         []string `yaml:"coverage"`
	FactorCategories []string `yaml:"factor_categories"`
	Depth            string   `yaml:"depth"`
	Notes            string   `yaml:"notes"`
}

func readLabels(t *testing.T) []label {
	t.Helper()
	b, err := os.ReadFile(labelsPath)
	if err != nil {
		t.Fatalf("read labels: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var labels []label
	if err := dec.Decode(&labels); err != nil {
		t.Fatalf("parse %s: %v", labelsPath, err)
	}
	return labels
}

// debriefRefs lists the ref of every debrief in the corpus: the file path,
// or "file.json#id" for each element of a JSON array.
func debriefRefs(t *testing.T) []string {
	t.Helper()
	var refs []string
	for _, f := range debriefFiles(t) {
		trimmed := bytes.TrimSpace(f.data)
		if path.Ext(f.name) != ".json" || !bytes.HasPrefix(trimmed, []byte("[")) {
			refs = append(refs, f.name)
			continue
		}
		var items []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(trimmed, &items); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		for i, it := range items {
			if it.ID == "" {
				t.Errorf("%s: element %d has no id", f.name, i)
				continue
			}
			refs = append(refs, f.name+"#"+it.ID)
		}
	}
	return refs
}

func TestEveryDebriefHasValidLabels(t *testing.T) {
	labels := readLabels(t)
	refs := debriefRefs(t)
	if len(labels) < 30 {
		t.Errorf("%d labels, want at least 30", len(labels))
	}

	labelled := map[string]bool{}
	for _, l := range labels {
		if labelled[l.Ref] {
			t.Errorf("%s labelled twice", l.Ref)
		}
		labelled[l.Ref] = true
		for _, k := range l.Coverage {
			if !coverageKeys[k] {
				t.Errorf("%s: unknown coverage key %q", l.Ref, k)
			}
		}
		if len(l.FactorCategories) == 0 {
			t.Errorf("%s: no factor categories", l.Ref)
		}
		for _, k := range l.FactorCategories {
			if !factorKeys[k] {
				t.Errorf("%s: unknown factor category %q", l.Ref, k)
			}
		}
		if !depthClasses[l.Depth] {
			t.Errorf("%s: unknown depth class %q", l.Ref, l.Depth)
		}
		if strings.TrimSpace(l.Notes) == "" {
			t.Errorf("%s: no notes", l.Ref)
		}
	}

	exists := map[string]bool{}
	for _, r := range refs {
		exists[r] = true
		if !labelled[r] {
			t.Errorf("debrief %s has no label entry in %s", r, labelsPath)
		}
	}
	for _, l := range labels {
		if !exists[l.Ref] {
			t.Errorf("label for %s matches no debrief in the corpus", l.Ref)
		}
	}
}

// shingleLen is the length of a word run that counts as a shared sentence.
const shingleLen = 12

var (
	sentenceBreak = regexp.MustCompile(`[.!?]+(\s|$)|\n[ \t]*\n|[|<>]`)
	word          = regexp.MustCompile(`[\p{L}\p{N}]+(?:['’][\p{L}]+)*`)
)

// shingles returns every run of shingleLen consecutive words that lies
// within one sentence of text, lower-cased and space-joined.
func shingles(text string) []string {
	var out []string
	for _, sentence := range sentenceBreak.Split(strings.ToLower(text), -1) {
		words := word.FindAllString(sentence, -1)
		for i := 0; i+shingleLen <= len(words); i++ {
			out = append(out, strings.Join(words[i:i+shingleLen], " "))
		}
	}
	return out
}

func TestNoSentenceSharedWithPublicCorpus(t *testing.T) {
	if _, err := os.Stat(publicCorpus); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("public corpus %s not present; skipping the overlap check", publicCorpus)
	}
	seen := map[string]string{}
	err := filepath.WalkDir(publicCorpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return nil // PDFs and other binaries
		}
		for _, s := range shingles(string(b)) {
			if _, ok := seen[s]; !ok {
				seen[s] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk public corpus: %v", err)
	}

	fsys := sample.FS()
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		for _, s := range shingles(string(b)) {
			if src, ok := seen[s]; ok {
				t.Errorf("%s shares %q with %s", p, s, src)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
