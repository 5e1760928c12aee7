package parse

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

// corpusDir holds real public debriefs beside the project (see
// ../shared/corpus/README.md). A fresh clone does not have it.
const corpusDir = "../../../shared/corpus"

// notDebrief names corpus files that are not debriefs: READMEs, index
// pages and templates. The dir source leaves them out by name; the parser
// may skip them or read them, but must not fail on them.
func notDebrief(p string) bool {
	base := strings.ToLower(path.Base(p))
	return strings.HasPrefix(p, "templates/") || strings.HasPrefix(base, "readme") ||
		strings.HasPrefix(base, "index.") || strings.Contains(base, "template")
}

var slug = regexp.MustCompile(`^[A-Za-z0-9]+([-_][A-Za-z0-9]+)+$`)

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("../shared/corpus not present: " + err.Error())
	}
	type row struct{ files, debriefs, errs, skipped, titles, dates, timelines, summaries, sections int }
	rows := map[string]*row{}
	var total row
	fsys := os.DirFS(corpusDir)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, ok := FormatOf(p)
		if !ok {
			return nil
		}
		folder, _, found := strings.Cut(p, "/")
		if !found {
			folder = "."
		}
		r := rows[folder]
		if r == nil {
			r = &row{}
			rows[folder] = r
		}
		r.files++
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := Parse(p, f, data)
		switch {
		case errors.Is(err, ingest.ErrSkip):
			r.skipped++
			if !notDebrief(p) {
				t.Errorf("%s: a real debrief was skipped as a template", p)
			}
			return nil
		case err != nil && notDebrief(p):
			t.Errorf("%s: %v (not a debrief, but parsing must not fail)", p, err)
			return nil
		case err != nil:
			r.errs++
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if notDebrief(p) {
			return nil
		}
		ni := fileNameInfo(p)
		stem := strings.TrimSuffix(path.Base(p), path.Ext(p))
		for _, d := range ds {
			r.debriefs++
			checkCorpusDebrief(t, p, d, stem, string(data))
			if d.Title != "" {
				r.titles++
			}
			if !d.Times.Date().IsZero() {
				r.dates++
			} else if ni.hasDate || ni.year > 0 {
				t.Errorf("%s: no date, though the file name gives one", p)
			} else if _, _, _, ok := findDate(d.Summary, 0); ok {
				t.Errorf("%s: no date, though the summary states one: %q", p, d.Summary)
			}
			if len(d.Timeline) > 0 {
				r.timelines++
			}
			if d.Summary != "" {
				r.summaries++
			}
			r.sections += len(d.Sections)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for k := range rows {
		folders = append(folders, k)
	}
	sort.Strings(folders)
	t.Logf("%-18s %6s %8s %6s %7s %6s %6s %9s %9s %8s", "folder", "files", "debriefs", "errors", "skipped", "titles", "dates", "timelines", "summaries", "sections")
	for _, k := range folders {
		r := rows[k]
		t.Logf("%-18s %6d %8d %6d %7d %6d %6d %9d %9d %8d", k, r.files, r.debriefs, r.errs, r.skipped, r.titles, r.dates, r.timelines, r.summaries, r.sections)
		total.files += r.files
		total.debriefs += r.debriefs
		total.errs += r.errs
		total.skipped += r.skipped
		total.titles += r.titles
		total.dates += r.dates
		total.timelines += r.timelines
		total.summaries += r.summaries
		total.sections += r.sections
	}
	r := total
	t.Logf("%-18s %6d %8d %6d %7d %6d %6d %9d %9d %8d", "total", r.files, r.debriefs, r.errs, r.skipped, r.titles, r.dates, r.timelines, r.summaries, r.sections)
	if total.debriefs < 300 {
		t.Errorf("only %d debriefs read from the corpus", total.debriefs)
	}
}

var h1Line = regexp.MustCompile(`(?m)^(?:# |title: *)(\S.*)$`)

func checkCorpusDebrief(t *testing.T, p string, d ingest.Debrief, stem, raw string) {
	t.Helper()
	if strings.TrimSpace(d.Title) == "" {
		t.Errorf("%s: empty title", p)
	}
	if d.Title == stem || slug.MatchString(d.Title) || strings.HasSuffix(d.Title, ".md") {
		t.Errorf("%s: title %q is a file name", p, d.Title)
	}
	// Where the document titles itself, the title must not be made from
	// the file name.
	if m := h1Line.FindStringSubmatch(raw); m != nil && !isPlaceholderTitle(m[1]) && SectionKindOf(m[1]) == ingest.KindOther {
		h := strings.ToLower(strings.TrimSpace(m[1]))
		if nt := fileNameInfo(p).title; nt != "" && d.Title == nt && !strings.HasSuffix(h, strings.ToLower(nt)) {
			t.Errorf("%s: title %q comes from the file name though the document says %q", p, d.Title, m[1])
		}
	}
	for _, s := range d.Sections {
		if !s.Kind.Valid() {
			t.Errorf("%s: section %q has kind %q", p, s.Heading, s.Kind)
		}
	}
	if strings.Contains(d.Text, "<%") || strings.Contains(d.Text, "\n## ") {
		t.Errorf("%s: Markdown or ERB left in the text", p)
	}
}
