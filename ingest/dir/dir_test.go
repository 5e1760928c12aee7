package dir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// fetchAll runs one pass and returns the documents in the order emitted.
func fetchAll(t *testing.T, s *Source) ([]ingest.Document, ingest.Fetched) {
	t.Helper()
	var docs []ingest.Document
	res, err := s.Fetch(context.Background(), "", func(d ingest.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return docs, res
}

func refs(docs []ingest.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Ref)
	}
	return out
}

func openTree(t *testing.T, opts Options) *Source {
	t.Helper()
	s, err := Open("testdata/tree", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSelection(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"defaults skip readmes, index pages, templates and hidden files", Options{}, []string{
			"2021-05-01-template-cache-outage.md",
			"2024-01-02-disk-full.md",
			"archive/2019-old-outage.md",
			"nested/2023-05-06-dns.html",
			"notes/export.json",
			"plain.txt",
		}},
		{"exclude a folder", Options{Exclude: []string{"archive/**"}}, []string{
			"2021-05-01-template-cache-outage.md",
			"2024-01-02-disk-full.md",
			"nested/2023-05-06-dns.html",
			"notes/export.json",
			"plain.txt",
		}},
		{"include narrows to Markdown", Options{Include: []string{"**/*.md"}}, []string{
			"2021-05-01-template-cache-outage.md",
			"2024-01-02-disk-full.md",
			"archive/2019-old-outage.md",
		}},
		{"an include naming README and hidden folders overrides the defaults for them", Options{Include: []string{"*.md", "README.md", ".hidden/**"}}, []string{
			".hidden/2022-secret.md",
			"2021-05-01-template-cache-outage.md",
			"2024-01-02-disk-full.md",
			"README.md",
		}},
		{"an include naming templates brings them back", Options{Include: []string{"templates/*.md", "*template*.md"}}, []string{
			"2021-05-01-template-cache-outage.md",
			"incident-template.md",
			"template.md",
			"templates/basic.md",
		}},
		{"exclude wins over include", Options{Include: []string{"**/*.md"}, Exclude: []string{"**/*disk*"}}, []string{
			"2021-05-01-template-cache-outage.md",
			"archive/2019-old-outage.md",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, res := fetchAll(t, openTree(t, tt.opts))
			if !res.Complete {
				t.Errorf("Complete = false, want true")
			}
			if got := refs(docs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("refs =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	docs, _ := fetchAll(t, openTree(t, Options{}))
	titles := map[string][]string{}
	for _, d := range docs {
		if d.Err != nil {
			t.Fatalf("%s: %v", d.Ref, d.Err)
		}
		data, err := os.ReadFile(filepath.Join("testdata/tree", filepath.FromSlash(d.Ref)))
		if err != nil {
			t.Fatal(err)
		}
		f, _ := parse.FormatOf(d.Ref)
		if d.Hash != parse.Hash(f, data) || len(d.Hash) != 64 {
			t.Errorf("%s: Hash = %q, want parse.Hash(%s, bytes)", d.Ref, d.Hash, f)
		}
		ds, err := d.Parse(context.Background())
		if err != nil {
			t.Fatalf("%s: Parse: %v", d.Ref, err)
		}
		for _, x := range ds {
			if x.Document != d.Ref {
				t.Errorf("%s: debrief Document = %q", d.Ref, x.Document)
			}
			titles[x.Ref] = append(titles[x.Ref], x.Title)
		}
	}
	want := map[string][]string{
		"2021-05-01-template-cache-outage.md": {"Template cache outage"},
		"2024-01-02-disk-full.md":             {"Disk full on the build runner"},
		"archive/2019-old-outage.md":          {"Old outage"},
		"nested/2023-05-06-dns.html":          {"Resolver timeouts"},
		"notes/export.json#a1":                {"Queue consumer stuck"},
		"notes/export.json#a2":                {"Slow dashboard"},
		"plain.txt":                           {"Badge printer offline"},
	}
	if !reflect.DeepEqual(titles, want) {
		t.Errorf("titles = %v, want %v", titles, want)
	}
}

func TestNewFS(t *testing.T) {
	fsys := fstest.MapFS{
		"2020-01-01-a.md":  {Data: []byte("# A\n\nAlpha went down.")},
		"sub/b.txt":        {Data: []byte("B\n\nBeta went down.")},
		"sub/README.md":    {Data: []byte("# Readme")},
		"sub/.git/x.md":    {Data: []byte("# X")},
		"sub/picture.jpeg": {Data: []byte{0xff, 0xd8}},
	}
	docs, res := fetchAll(t, NewFS(fsys, Options{}))
	if got, want := refs(docs), []string{"2020-01-01-a.md", "sub/b.txt"}; !reflect.DeepEqual(got, want) || !res.Complete {
		t.Fatalf("refs = %q (complete %v), want %q", got, res.Complete, want)
	}
}

func TestSizeCap(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "big.md", "# Big\n\n"+strings.Repeat("x", 1_234_567))
	write(t, dir, "small.md", "# Small\n\nA small debrief.")
	s, err := Open(dir, Options{MaxFileSize: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	docs, _ := fetchAll(t, s)
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2", len(docs))
	}
	if got, want := errString(docs[0].Err), "file is 1.2 MB, over the 1 MB limit (max_file_size)"; docs[0].Ref != "big.md" || got != want {
		t.Errorf("%s: Err = %q, want %q", docs[0].Ref, got, want)
	}
	if docs[1].Err != nil || docs[1].Parse == nil {
		t.Errorf("small.md: Err = %v", docs[1].Err)
	}
	if got := megabytes(DefaultMaxFileSize); got != "10 MB" {
		t.Errorf("megabytes(default) = %q", got)
	}
}

func TestSymlinks(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, base, "outside.md", "# Outside\n\nSecret text outside the root.")
	write(t, root, "sub/inside.md", "# Inside\n\nA debrief inside the root.")
	links := map[string]string{
		"escape.md": "../outside.md",
		"abs.md":    filepath.Join(base, "outside.md"),
		"inner.md":  "sub/inside.md",
		"broken.md": "nothing-here.md",
		"loop":      ".",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skipf("symbolic links unavailable: %v", err)
		}
	}
	s, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	docs, res := fetchAll(t, s)
	got := map[string]string{}
	for _, d := range docs {
		got[d.Ref] = errString(d.Err)
		if d.Err == nil {
			ds, err := d.Parse(context.Background())
			if err != nil || len(ds) != 1 || strings.Contains(ds[0].Text, "Secret") {
				t.Errorf("%s: Parse = %v, %v", d.Ref, ds, err)
			}
		}
	}
	want := map[string]string{
		"abs.md":        "symbolic link to " + filepath.Join(base, "outside.md") + " points outside the source folder; not followed",
		"broken.md":     "broken symbolic link",
		"escape.md":     "symbolic link to ../outside.md points outside the source folder; not followed",
		"inner.md":      "",
		"sub/inside.md": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents =\n %q\nwant\n %q", got, want)
	}
	if !res.Complete {
		t.Error("Complete = false, want true")
	}
}

// faultyFS lists what its MapFS holds but fails to open or list some paths.
type faultyFS struct {
	fstest.MapFS
	openErr    map[string]error
	readDirErr map[string]error
}

func (f faultyFS) Open(name string) (fs.File, error) {
	if err := f.openErr[name]; err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f.MapFS.Open(name)
}

func (f faultyFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.readDirErr[name]; err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return f.MapFS.ReadDir(name)
}

func TestReadFailures(t *testing.T) {
	fsys := faultyFS{
		MapFS: fstest.MapFS{
			"a.md":        {Data: []byte("# A\n\nAlpha.")},
			"gone.md":     {Data: []byte("# Gone")},
			"locked.md":   {Data: []byte("# Locked")},
			"broken.md":   {Data: []byte("# Broken")},
			"shut/one.md": {Data: []byte("# One")},
		},
		openErr: map[string]error{
			"gone.md":   fs.ErrNotExist,
			"locked.md": fs.ErrPermission,
			"broken.md": errors.New("input/output error"),
		},
		readDirErr: map[string]error{"shut": fs.ErrPermission},
	}
	docs, res := fetchAll(t, NewFS(fsys, Options{}))
	got := map[string]string{}
	for _, d := range docs {
		got[d.Ref] = errString(d.Err)
	}
	want := map[string]string{
		"a.md":      "",
		"broken.md": "cannot read the file: input/output error",
		"gone.md":   "file disappeared while the folder was being read",
		"locked.md": "cannot read the file: permission denied",
		"shut/":     "cannot read folder: permission denied",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents =\n %q\nwant\n %q", got, want)
	}
	if res.Complete {
		t.Error("Complete = true with an unreadable folder; its debriefs would be marked removed")
	}
}

func TestUnreadableRoot(t *testing.T) {
	fsys := faultyFS{MapFS: fstest.MapFS{"a.md": {Data: []byte("# A")}}, readDirErr: map[string]error{".": fs.ErrPermission}}
	_, err := NewFS(fsys, Options{}).Fetch(context.Background(), "", func(ingest.Document) error { return nil })
	if err == nil || err.Error() != "dir: read folder .: readdir .: permission denied" {
		t.Errorf("Fetch on an unreadable root: error = %v", err)
	}
}

func TestRootFailures(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Open(missing, Options{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Open(missing) error = %v, want one naming %s", err, missing)
	}
	if _, err := Open(t.TempDir(), Options{Include: []string{"[a-"}}); err == nil || !strings.Contains(err.Error(), `"[a-"`) {
		t.Errorf("Open with a bad pattern: error = %v", err)
	}

	dir := filepath.Join(t.TempDir(), "debriefs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "a.md", "# A\n\nAlpha.")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Removed after Open: the pass fails and names the folder, rather
	// than listing nothing and having every debrief marked removed.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background(), "", func(ingest.Document) error { return nil })
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Fetch on a removed folder: error = %v, want one naming %s", err, dir)
	}
	// Created again (a fresh checkout): the new folder is read.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "b.md", "# B\n\nBeta.")
	docs, _ := fetchAll(t, s)
	if got := refs(docs); !reflect.DeepEqual(got, []string{"b.md"}) {
		t.Errorf("after re-creating the folder: refs = %q, want [b.md]", got)
	}
	s.Close()
	if _, err := s.Fetch(context.Background(), "", func(ingest.Document) error { return nil }); err == nil {
		t.Error("Fetch after Close succeeded")
	}
}

func TestCancelAndEmitErrors(t *testing.T) {
	s := openTree(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Fetch(ctx, "", func(ingest.Document) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context: error = %v", err)
	}
	stop := errors.New("pass cancelled")
	n := 0
	_, err := s.Fetch(context.Background(), "", func(ingest.Document) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("Fetch returned %v after %d emits, want emit's error as is after 1", err, n)
	}
	docs, _ := fetchAll(t, s)
	if _, err := docs[0].Parse(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Parse with a cancelled context: error = %v", err)
	}
}

func TestSkipRule(t *testing.T) {
	tests := map[string]string{
		"README.md":                           "repository file",
		"docs/readme.markdown":                "repository file",
		"CONTRIBUTING.md":                     "repository file",
		"index.md":                            "repository file",
		"incidents/index.html.md.erb":         "repository file",
		"_index.md":                           "repository file",
		"template.md":                         "template",
		"TEMPLATE.md":                         "template",
		"template-incident-report.md":         "template",
		"postmortem-template-azure.md":        "template",
		"PMyyyy-nnn - Postmortem template.md": "template",
		"templates/whatever.md":               "templates folder",
		".github/ISSUE.md":                    "hidden",
		"a/.draft.md":                         "hidden",
		"2021-05-01-template-cache-outage.md": "",
		"2021-03-04-db-failover.md":           "",
		"indexing-outage.md":                  "",
	}
	for p, want := range tests {
		if _, why := skipRule(p); why != want {
			t.Errorf("skipRule(%q) = %q, want %q", p, why, want)
		}
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// corpusDir holds real public debriefs beside the project (see
// ../shared/corpus/README.md). A fresh clone does not have it.
const corpusDir = "../../../shared/corpus"

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("../shared/corpus not present: " + err.Error())
	}
	s, err := Open(corpusDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	docs, res := fetchAll(t, s)
	if !res.Complete {
		t.Error("Complete = false")
	}
	seen := map[string]bool{}
	debriefs, skipped := 0, 0
	for _, d := range docs {
		seen[d.Ref] = true
		if d.Err != nil {
			t.Errorf("%s: %v", d.Ref, d.Err)
			continue
		}
		ds, err := d.Parse(context.Background())
		switch {
		case errors.Is(err, ingest.ErrSkip):
			skipped++
			t.Errorf("%s: listed, then skipped as a template by content", d.Ref)
		case err != nil:
			t.Errorf("%s: %v", d.Ref, err)
		}
		debriefs += len(ds)
	}
	for _, p := range []string{
		"README.md",
		"mybinder/index.md", "mybinder/template-incident-report.md",
		"posthog/README.md", "posthog/template.md",
		"learningequality/README.md", "learningequality/TEMPLATE.md",
		"moj/index.html.md.erb",
		"dfds/PMyyyy-nnn - Postmortem template.md",
		"templates/postmortem-template-azure.md", "templates/postmortem-template-srebook.md",
		"2i2c/2022-08-30-utoronto-inaccessible.pdf",
	} {
		if seen[p] {
			t.Errorf("%s was listed; it is not a debrief", p)
		}
	}
	for _, p := range []string{
		"mybinder/2018-01-18-ssl-outdated.md", "posthog/2024-02-28-decide is down.md",
		"learningequality/004-sushibar-certificate-expired.md", "moj/2020-02-12.html.md.erb",
		"dfds/PM2021-003 - Flux version bump causing component downtime.md",
	} {
		if !seen[p] {
			t.Errorf("%s was not listed", p)
		}
	}
	t.Logf("corpus: %d documents listed, %d debriefs parsed, %d skipped by content", len(docs), debriefs, skipped)
}
