package git

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/secondstory/secondstory/ingest"
)

// upstream is a repository built in the test, standing for the remote.
type upstream struct {
	t    testing.TB
	path string
	repo *gogit.Repository
	wt   *gogit.Worktree
	n    int // commits made, for distinct timestamps
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upstream")
	repo, err := gogit.PlainInitWithOptions(p, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &upstream{t: t, path: p, repo: repo, wt: wt}
}

// fixture returns one of the debriefs in testdata/debriefs.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "debriefs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (u *upstream) write(p, content string) {
	u.t.Helper()
	full := filepath.Join(u.path, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		u.t.Fatal(err)
	}
	if _, err := u.wt.Add(p); err != nil {
		u.t.Fatal(err)
	}
}

func (u *upstream) remove(p string) {
	u.t.Helper()
	if _, err := u.wt.Remove(p); err != nil {
		u.t.Fatal(err)
	}
}

func (u *upstream) commit(msg string) plumbing.Hash {
	u.t.Helper()
	u.n++
	when := time.Date(2024, 6, 1, 12, 0, u.n, 0, time.UTC)
	h, err := u.wt.Commit(msg, &gogit.CommitOptions{
		Author:            &object.Signature{Name: "Test", Email: "test@example.invalid", When: when},
		AllowEmptyCommits: true,
	})
	if err != nil {
		u.t.Fatal(err)
	}
	return h
}

// checkout switches the upstream work tree to a branch, creating it at
// the current commit when asked.
func (u *upstream) checkout(branch string, create bool) {
	u.t.Helper()
	if err := u.wt.Checkout(&gogit.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create}); err != nil {
		u.t.Fatal(err)
	}
}

// standard fills the upstream with a small postmortem repository.
func (u *upstream) standard() plumbing.Hash {
	u.write("README.md", "# Postmortems\n\nOne file per incident.\n")
	u.write("postmortems/2024-02-11-basket-latency.md", fixture(u.t, "2024-02-11-basket-latency.md"))
	u.write("postmortems/2024-03-05-ledger-replica-lag.md", fixture(u.t, "2024-03-05-ledger-replica-lag.md"))
	u.write("postmortems/offices/2024-04-19-badge-printer-outage.md", fixture(u.t, "2024-04-19-badge-printer-outage.md"))
	u.write("postmortems/templates/basic.md", "# Title\n\n## Summary\n\n## Action Items\n")
	u.write("postmortems/README.md", "Write debriefs here.\n")
	u.write("tools/notes.txt", "Not a debrief folder.\n")
	return u.commit("the first debriefs")
}

type pass struct {
	docs []ingest.Document
	res  ingest.Fetched
}

func (p pass) refs() []string {
	out := []string{}
	for _, d := range p.docs {
		out = append(out, d.Ref)
	}
	return out
}

func (p pass) hash(ref string) string {
	for _, d := range p.docs {
		if d.Ref == ref {
			return d.Hash
		}
	}
	return ""
}

func fetch(t *testing.T, s *Source, cursor string) pass {
	t.Helper()
	var p pass
	res, err := s.Fetch(context.Background(), cursor, func(d ingest.Document) error {
		p.docs = append(p.docs, d)
		return nil
	})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	p.res = res
	return p
}

func newSource(t *testing.T, o Options) *Source {
	t.Helper()
	if o.Dir == "" {
		o.Dir = filepath.Join(t.TempDir(), "clone")
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestIncremental(t *testing.T) {
	u := newUpstream(t)
	u.standard()
	s := newSource(t, Options{URL: u.path, Subdir: "postmortems"})

	first := fetch(t, s, "")
	want := []string{"2024-02-11-basket-latency.md", "2024-03-05-ledger-replica-lag.md", "offices/2024-04-19-badge-printer-outage.md"}
	if !first.res.Complete || !reflect.DeepEqual(first.refs(), want) || len(first.res.Removed) != 0 {
		t.Fatalf("first pass: refs %q complete %v removed %q; want %q, complete", first.refs(), first.res.Complete, first.res.Removed, want)
	}
	for _, d := range first.docs {
		if d.Err != nil || d.Hash == "" {
			t.Fatalf("%s: err %v, hash %q", d.Ref, d.Err, d.Hash)
		}
		debriefs, err := d.Parse(context.Background())
		if err != nil || len(debriefs) != 1 || debriefs[0].Title == "" || len(debriefs[0].Sections) < 3 {
			t.Fatalf("%s: parsed %d debriefs (%+v), err %v", d.Ref, len(debriefs), debriefs, err)
		}
	}
	cursor := first.res.Cursor
	if cursor == "" {
		t.Fatal("first pass returned no cursor")
	}

	steps := []struct {
		name        string
		change      func()
		wantRefs    []string
		wantRemoved []string
	}{
		{"nothing new", nil, []string{}, []string{}},
		{"a commit adding one file", func() {
			u.write("postmortems/2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
		}, []string{"2024-05-30-search-shard-eviction.md"}, []string{}},
		{"a commit modifying one file", func() {
			u.write("postmortems/2024-03-05-ledger-replica-lag.md", fixture(t, "2024-03-05-ledger-replica-lag.md")+"\nUpdated after the review.\n")
		}, []string{"2024-03-05-ledger-replica-lag.md"}, []string{}},
		{"a commit deleting one file", func() {
			u.remove("postmortems/2024-02-11-basket-latency.md")
		}, []string{}, []string{"2024-02-11-basket-latency.md"}},
		{"a rename is a removal and an addition", func() {
			u.remove("postmortems/offices/2024-04-19-badge-printer-outage.md")
			u.write("postmortems/2024/2024-04-19-badge-printer-outage.md", fixture(t, "2024-04-19-badge-printer-outage.md"))
		}, []string{"2024/2024-04-19-badge-printer-outage.md"}, []string{"offices/2024-04-19-badge-printer-outage.md"}},
		{"changes to files that are not debriefs or outside subdir", func() {
			u.write("README.md", "# Postmortems\n\nOne file per incident, named by date.\n")
			u.write("postmortems/templates/basic.md", "# Title\n\n## Summary\n\n## Timeline\n")
			u.write("tools/2024-06-01-not-here.md", fixture(t, "2024-02-11-basket-latency.md"))
		}, []string{}, []string{}},
		{"a file moved into a skipped folder stops matching", func() {
			u.remove("postmortems/2024-05-30-search-shard-eviction.md")
			u.write("postmortems/templates/2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
		}, []string{}, []string{"2024-05-30-search-shard-eviction.md"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.change != nil {
				st.change()
				u.commit(st.name)
			}
			p := fetch(t, s, cursor)
			if p.res.Complete {
				t.Errorf("Complete = true on an incremental pass")
			}
			if got := p.refs(); !reflect.DeepEqual(got, st.wantRefs) {
				t.Errorf("emitted %q, want %q", got, st.wantRefs)
			}
			if got := nonNil(p.res.Removed); !reflect.DeepEqual(got, st.wantRemoved) {
				t.Errorf("removed %q, want %q", got, st.wantRemoved)
			}
			if st.change == nil && p.res.Cursor != cursor {
				t.Errorf("cursor moved from %s to %s with nothing new", cursor, p.res.Cursor)
			}
			if st.change != nil && p.res.Cursor == cursor {
				t.Errorf("cursor did not move after a commit")
			}
			for _, d := range p.docs {
				if d.Err != nil {
					t.Errorf("%s: %v", d.Ref, d.Err)
				} else if d.Hash == first.hash(d.Ref) {
					t.Errorf("%s: hash unchanged by a modification", d.Ref)
				}
			}
			cursor = p.res.Cursor
		})
	}

	// After the steps, a complete listing of the same head (a new clone)
	// agrees with what the incremental passes left.
	full := fetch(t, newSource(t, Options{URL: u.path, Subdir: "postmortems"}), "")
	wantFull := []string{"2024-03-05-ledger-replica-lag.md", "2024/2024-04-19-badge-printer-outage.md"}
	if !reflect.DeepEqual(full.refs(), wantFull) || full.res.Cursor != cursor {
		t.Errorf("fresh listing: %q at %s, want %q at %s", full.refs(), full.res.Cursor, wantFull, cursor)
	}
}

func TestSelection(t *testing.T) {
	u := newUpstream(t)
	u.standard()
	u.write("postmortems/2024-05-30-search-shard-eviction.html", "<html><head><title>Search shards evicted</title></head><body><h2>Summary</h2><p>Shards moved at once.</p></body></html>")
	u.write(".github/2024-01-01-hidden.md", fixture(t, "2024-02-11-basket-latency.md"))
	u.commit("more files")
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"whole repository with the default skips", Options{}, []string{
			"postmortems/2024-02-11-basket-latency.md",
			"postmortems/2024-03-05-ledger-replica-lag.md",
			"postmortems/2024-05-30-search-shard-eviction.html",
			"postmortems/offices/2024-04-19-badge-printer-outage.md",
			"tools/notes.txt",
		}},
		{"subdir", Options{Subdir: "postmortems"}, []string{
			"2024-02-11-basket-latency.md",
			"2024-03-05-ledger-replica-lag.md",
			"2024-05-30-search-shard-eviction.html",
			"offices/2024-04-19-badge-printer-outage.md",
		}},
		{"nested subdir written with a trailing slash", Options{Subdir: "postmortems/offices/"}, []string{
			"2024-04-19-badge-printer-outage.md",
		}},
		{"include narrows to Markdown", Options{Subdir: "postmortems", Include: []string{"**/*.md"}}, []string{
			"2024-02-11-basket-latency.md",
			"2024-03-05-ledger-replica-lag.md",
			"offices/2024-04-19-badge-printer-outage.md",
		}},
		{"exclude a folder", Options{Subdir: "postmortems", Exclude: []string{"offices"}}, []string{
			"2024-02-11-basket-latency.md",
			"2024-03-05-ledger-replica-lag.md",
			"2024-05-30-search-shard-eviction.html",
		}},
		{"exclude wins over include", Options{Subdir: "postmortems", Include: []string{"*.md"}, Exclude: []string{"*ledger*"}}, []string{
			"2024-02-11-basket-latency.md",
		}},
		{"an include naming templates brings them back", Options{Subdir: "postmortems", Include: []string{"templates/*.md"}}, []string{
			"templates/basic.md",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = u.path
			p := fetch(t, newSource(t, tt.opts), "")
			if !p.res.Complete {
				t.Error("Complete = false on a first pass")
			}
			if got := p.refs(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("refs =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}

	t.Run("a subdir missing at the head fails the pass", func(t *testing.T) {
		s := newSource(t, Options{URL: u.path, Subdir: "postmortem"})
		_, err := s.Fetch(context.Background(), "", func(ingest.Document) error { return nil })
		if err == nil || !strings.Contains(err.Error(), `subdir "postmortem" is not in the default branch`) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBranch(t *testing.T) {
	u := newUpstream(t)
	u.write("2024-02-11-basket-latency.md", fixture(t, "2024-02-11-basket-latency.md"))
	mainHead := u.commit("main")
	u.checkout("release", true)
	u.write("2024-03-05-ledger-replica-lag.md", fixture(t, "2024-03-05-ledger-replica-lag.md"))
	releaseHead := u.commit("release")
	u.checkout("main", false)

	tests := []struct {
		name   string
		branch string
		want   []string
		head   plumbing.Hash
	}{
		{"default branch", "", []string{"2024-02-11-basket-latency.md"}, mainHead},
		{"named branch", "release", []string{"2024-02-11-basket-latency.md", "2024-03-05-ledger-replica-lag.md"}, releaseHead},
		{"full reference name", "refs/heads/main", []string{"2024-02-11-basket-latency.md"}, mainHead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fetch(t, newSource(t, Options{URL: u.path, Branch: tt.branch}), "")
			if got := p.refs(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("refs = %q, want %q", got, tt.want)
			}
			if !strings.HasPrefix(p.res.Cursor, tt.head.String()+"@") {
				t.Errorf("cursor %s is not at %s", p.res.Cursor, tt.head)
			}
		})
	}

	t.Run("the default branch is asked afresh on every fetch", func(t *testing.T) {
		s := newSource(t, Options{URL: u.path})
		first := fetch(t, s, "")
		if err := u.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("release"))); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			u.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main")))
		})
		p := fetch(t, s, first.res.Cursor)
		if got := p.refs(); !reflect.DeepEqual(got, []string{"2024-03-05-ledger-replica-lag.md"}) {
			t.Errorf("after HEAD moved to release: emitted %q", got)
		}
	})

	t.Run("a missing branch fails clearly", func(t *testing.T) {
		s := newSource(t, Options{URL: u.path, Branch: "nope"})
		_, err := s.Fetch(context.Background(), "", func(ingest.Document) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "branch nope not found") || !strings.Contains(err.Error(), u.path) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestHistoryRewrite(t *testing.T) {
	u := newUpstream(t)
	u.standard()
	s := newSource(t, Options{URL: u.path, Subdir: "postmortems"})
	first := fetch(t, s, "")

	t.Run("a cursor whose commit is not in the clone gives a complete listing", func(t *testing.T) {
		for _, c := range []string{
			strings.Repeat("ab", 20) + "@" + s.selection, // unknown commit
			"not a cursor",
			first.res.Cursor[:40], // no selection part
		} {
			p := fetch(t, s, c)
			if !p.res.Complete || len(p.refs()) != 3 || p.res.Cursor != first.res.Cursor {
				t.Errorf("cursor %q: complete %v, refs %q, cursor %s", c, p.res.Complete, p.refs(), p.res.Cursor)
			}
		}
	})

	t.Run("a cursor from other options gives a complete listing", func(t *testing.T) {
		narrow := newSource(t, Options{URL: u.path, Subdir: "postmortems", Exclude: []string{"offices/**"}})
		p := fetch(t, narrow, first.res.Cursor)
		if !p.res.Complete || len(p.refs()) != 2 {
			t.Errorf("complete %v, refs %q", p.res.Complete, p.refs())
		}
	})

	t.Run("a force-push", func(t *testing.T) {
		// Replace the head commit with another made on the same parent.
		base := u.commit("base")
		u.write("postmortems/2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
		u.commit("to be dropped")
		mid := fetch(t, s, first.res.Cursor)
		if got := mid.refs(); !reflect.DeepEqual(got, []string{"2024-05-30-search-shard-eviction.md"}) {
			t.Fatalf("before the rewrite: emitted %q", got)
		}
		if err := u.wt.Reset(&gogit.ResetOptions{Commit: base, Mode: gogit.HardReset}); err != nil {
			t.Fatal(err)
		}
		u.remove("postmortems/2024-02-11-basket-latency.md")
		u.commit("rewritten")

		// The dropped commit is still in this clone: the trees are compared.
		p := fetch(t, s, mid.res.Cursor)
		if p.res.Complete || len(p.refs()) != 0 || !reflect.DeepEqual(p.res.Removed, []string{"2024-02-11-basket-latency.md", "2024-05-30-search-shard-eviction.md"}) {
			t.Errorf("same clone: complete %v, refs %q, removed %q", p.res.Complete, p.refs(), p.res.Removed)
		}
		// A fresh clone never saw it: everything is listed.
		fresh := newSource(t, Options{URL: u.path, Subdir: "postmortems"})
		p = fetch(t, fresh, mid.res.Cursor)
		want := []string{"2024-03-05-ledger-replica-lag.md", "offices/2024-04-19-badge-printer-outage.md"}
		if !p.res.Complete || !reflect.DeepEqual(p.refs(), want) {
			t.Errorf("fresh clone: complete %v, refs %q, want %q", p.res.Complete, p.refs(), want)
		}
	})
}

func TestSubdirAppearing(t *testing.T) {
	u := newUpstream(t)
	u.write("README.md", "nothing yet\n")
	u.commit("empty")
	u.write("postmortems/README.md", "here\n")
	u.commit("folder")
	s := newSource(t, Options{URL: u.path, Subdir: "postmortems"})
	first := fetch(t, s, "")
	if len(first.docs) != 0 || !first.res.Complete {
		t.Fatalf("first pass: %q", first.refs())
	}
	// A cursor at a commit without the subdir compares with an empty tree.
	u.write("postmortems/2024-02-11-basket-latency.md", fixture(t, "2024-02-11-basket-latency.md"))
	u.commit("first debrief")
	p := fetch(t, s, first.res.Cursor)
	if !reflect.DeepEqual(p.refs(), []string{"2024-02-11-basket-latency.md"}) || p.res.Complete {
		t.Errorf("refs %q complete %v", p.refs(), p.res.Complete)
	}
}

func TestDocuments(t *testing.T) {
	u := newUpstream(t)
	u.write("2024-02-11-basket-latency.md", fixture(t, "2024-02-11-basket-latency.md"))
	u.write("2024-03-05-ledger-replica-lag.md", fixture(t, "2024-03-05-ledger-replica-lag.md")+strings.Repeat("More notes.\n", 200))
	if err := os.Symlink("2024-02-11-basket-latency.md", filepath.Join(u.path, "latest.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := u.wt.Add("latest.md"); err != nil {
		t.Fatal(err)
	}
	u.commit("files")
	p := fetch(t, newSource(t, Options{URL: u.path, MaxFileSize: 1000}), "")
	got := map[string]string{}
	for _, d := range p.docs {
		if d.Err != nil {
			got[d.Ref] = d.Err.Error()
		} else {
			got[d.Ref] = "ok"
		}
	}
	want := map[string]string{
		"2024-02-11-basket-latency.md":     "ok",
		"2024-03-05-ledger-replica-lag.md": "file is 0 MB, over the 0 MB limit (max_file_size)",
		"latest.md":                        "symbolic link; a git source does not follow links",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents = %q, want %q", got, want)
	}
}

func TestDepth(t *testing.T) {
	u := newUpstream(t)
	u.standard()
	u.write("postmortems/2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
	u.commit("second")
	s := newSource(t, Options{URL: "file://" + u.path, Subdir: "postmortems", Depth: 1})
	first := fetch(t, s, "")
	if len(first.docs) != 4 {
		t.Fatalf("first pass: %q", first.refs())
	}
	u.remove("postmortems/2024-02-11-basket-latency.md")
	u.write("postmortems/2024-03-05-ledger-replica-lag.md", "# Ledger replica lag\n\n## Summary\n\nRewritten.\n")
	u.commit("third")
	p := fetch(t, s, first.res.Cursor)
	if p.res.Complete || !reflect.DeepEqual(p.refs(), []string{"2024-03-05-ledger-replica-lag.md"}) || !reflect.DeepEqual(p.res.Removed, []string{"2024-02-11-basket-latency.md"}) {
		t.Errorf("shallow incremental: complete %v refs %q removed %q", p.res.Complete, p.refs(), p.res.Removed)
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnreachable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-repo")
	addr := closedPort(t)
	tests := []struct {
		name     string
		opts     Options
		contains []string
	}{
		{"a path that does not exist", Options{URL: missing}, []string{"git: fetch " + missing, "repository not found"}},
		{"a closed port", Options{URL: "http://" + addr + "/team/postmortems.git"}, []string{"git: fetch http://" + addr + "/team/postmortems.git", "connection refused"}},
		{"a closed port with credentials in the URL", Options{URL: "http://robot:s3cr3t-t0ken@" + addr + "/p.git"}, []string{"git: fetch http://" + addr + "/p.git", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSource(t, tt.opts)
			_, err := s.Fetch(context.Background(), "", func(ingest.Document) error {
				t.Error("emitted a document")
				return nil
			})
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			for _, c := range tt.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("err = %q, want it to contain %q", err, c)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "robot") {
				t.Errorf("err %q shows credentials", err)
			}
		})
	}
}

// gitHTTP serves the upstream over smart HTTP with git http-backend,
// behind basic auth.
func gitHTTP(t *testing.T, u *upstream, user, pass string) *httptest.Server {
	t.Helper()
	backend := "/usr/lib/git-core/git-http-backend"
	if out, err := execPath(); err == nil {
		backend = filepath.Join(out, "git-http-backend")
	}
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git http-backend not available (%v): skipping the HTTP test", err)
	}
	h := &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + filepath.Dir(u.path), "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gu, gp, ok := r.BasicAuth(); !ok || gu != user || gp != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func execPath() (string, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	return strings.TrimSpace(string(out)), err
}

func TestHTTP(t *testing.T) {
	u := newUpstream(t)
	u.standard()
	const secret = "tok-5ecret-Value"
	srv := gitHTTP(t, u, "robot", secret)
	repoURL := srv.URL + "/upstream"

	t.Run("basic auth from the options", func(t *testing.T) {
		s := newSource(t, Options{URL: repoURL, Subdir: "postmortems", Username: "robot", Password: secret})
		first := fetch(t, s, "")
		if len(first.docs) != 3 || !first.res.Complete {
			t.Fatalf("refs %q", first.refs())
		}
		u.write("postmortems/2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
		u.commit("over http")
		p := fetch(t, s, first.res.Cursor)
		if !reflect.DeepEqual(p.refs(), []string{"2024-05-30-search-shard-eviction.md"}) {
			t.Errorf("incremental over HTTP: %q", p.refs())
		}
	})

	t.Run("credentials in the URL stay out of the clone", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "clone")
		withCreds := strings.Replace(repoURL, "http://", "http://robot:"+secret+"@", 1)
		s := newSource(t, Options{URL: withCreds, Dir: dir})
		if p := fetch(t, s, ""); len(p.docs) == 0 {
			t.Fatal("nothing listed")
		}
		cfg, err := os.ReadFile(filepath.Join(dir, "config"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(cfg), secret) || !strings.Contains(string(cfg), repoURL) {
			t.Errorf("clone config:\n%s", cfg)
		}
	})

	tests := []struct {
		name string
		opts Options
	}{
		{"no credentials", Options{URL: repoURL}},
		{"a wrong password", Options{URL: repoURL, Username: "robot", Password: "wrong-" + secret}},
		{"a wrong password in the URL", Options{URL: strings.Replace(repoURL, "http://", "http://robot:wrong-"+secret+"@", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" fails without echoing it", func(t *testing.T) {
			s := newSource(t, tt.opts)
			_, err := s.Fetch(context.Background(), "", func(ingest.Document) error { return nil })
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, "git: fetch "+repoURL) || !strings.Contains(msg, "authentication required") {
				t.Errorf("err = %q", msg)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("err %q shows the password", msg)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	u := newUpstream(t)
	u.standard()

	t.Run("a cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newSource(t, Options{URL: u.path}).Fetch(ctx, "", func(ingest.Document) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("cancelled while the remote answers", func(t *testing.T) {
		started := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-started
			cancel()
		}()
		_, err := newSource(t, Options{URL: srv.URL + "/r.git"}).Fetch(ctx, "", func(ingest.Document) error { return nil })
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), srv.URL) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("an error from emit is returned as is", func(t *testing.T) {
		stop := errors.New("pass cancelled")
		n := 0
		_, err := newSource(t, Options{URL: u.path}).Fetch(context.Background(), "", func(ingest.Document) error {
			n++
			return stop
		})
		if err != stop || n != 1 {
			t.Errorf("err = %v after %d documents", err, n)
		}
	})
}

func TestCloneDir(t *testing.T) {
	a := newUpstream(t)
	a.standard()
	b := newUpstream(t)
	b.write("2024-05-30-search-shard-eviction.md", fixture(t, "2024-05-30-search-shard-eviction.md"))
	b.commit("b")

	t.Run("a clone of another URL is replaced", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "clone")
		first := fetch(t, newSource(t, Options{URL: a.path, Dir: dir}), "")
		p := fetch(t, newSource(t, Options{URL: b.path, Dir: dir}), first.res.Cursor)
		if !p.res.Complete || !reflect.DeepEqual(p.refs(), []string{"2024-05-30-search-shard-eviction.md"}) {
			t.Errorf("complete %v refs %q", p.res.Complete, p.refs())
		}
		repo, err := gogit.PlainOpen(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := repo.CommitObject(plumbing.NewHash(first.res.Cursor[:40])); err == nil {
			t.Error("the old clone's commits are still there")
		}
	})

	t.Run("a reused clone fetches only what is new", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "clone")
		first := fetch(t, newSource(t, Options{URL: a.path, Dir: dir}), "")
		// A new Source over the same Dir, as after a restart.
		p := fetch(t, newSource(t, Options{URL: a.path, Dir: dir}), first.res.Cursor)
		if len(p.docs) != 0 || p.res.Cursor != first.res.Cursor {
			t.Errorf("after a restart: refs %q cursor %s", p.refs(), p.res.Cursor)
		}
	})

	refused := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"a folder with other files", func(t *testing.T, dir string) {
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
		}, "is not empty and holds no git clone"},
		{"a git work tree", func(t *testing.T, dir string) {
			if _, err := gogit.PlainInit(dir, false); err != nil {
				t.Fatal(err)
			}
		}, "holds a git work tree"},
	}
	for _, tt := range refused {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "clone")
			tt.setup(t, dir)
			_, err := newSource(t, Options{URL: a.path, Dir: dir}).Fetch(context.Background(), "", func(ingest.Document) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("err = %v", err)
			}
			if _, err := os.Stat(dir); err != nil {
				t.Errorf("the folder was touched: %v", err)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no url", Options{Dir: dir}, "url is empty"},
		{"ssh url", Options{URL: "ssh://git@example.invalid/p.git", Dir: dir}, "ssh is not supported"},
		{"scp-like ssh", Options{URL: "git@example.invalid:team/p.git", Dir: dir}, "ssh is not supported"},
		{"unknown scheme", Options{URL: "ftp://example.invalid/p.git", Dir: dir}, `scheme "ftp" is not supported`},
		{"no host", Options{URL: "https:///p.git", Dir: dir}, "names no host"},
		{"credentials twice", Options{URL: "https://a:b@example.invalid/p.git", Username: "c", Password: "d", Dir: dir}, "carries credentials and username/password are set too"},
		{"password alone", Options{URL: "https://example.invalid/p.git", Password: "x", Dir: dir}, "password is set without a username"},
		{"username alone", Options{URL: "https://example.invalid/p.git", Username: "x", Dir: dir}, "username is set without a password"},
		{"credentials on a path", Options{URL: "/srv/p", Username: "u", Password: "p", Dir: dir}, "apply to http and https URLs only"},
		{"bad branch", Options{URL: "/srv/p", Branch: "a..b", Dir: dir}, `branch "a..b" is not a valid branch name`},
		{"branch with a colon", Options{URL: "/srv/p", Branch: "a:b", Dir: dir}, `branch "a:b"`},
		{"subdir outside", Options{URL: "/srv/p", Subdir: "../etc", Dir: dir}, `subdir "../etc" must be a path inside`},
		{"absolute subdir", Options{URL: "/srv/p", Subdir: "/etc", Dir: dir}, `subdir "/etc"`},
		{"bad include", Options{URL: "/srv/p", Include: []string{"[a"}, Dir: dir}, `include pattern "[a"`},
		{"bad exclude", Options{URL: "/srv/p", Exclude: []string{"b["}, Dir: dir}, `exclude pattern "b["`},
		{"no dir", Options{URL: "/srv/p"}, "dir (where the clone lives) is empty"},
		{"negative size", Options{URL: "/srv/p", Dir: dir, MaxFileSize: -1}, "max_file_size -1"},
		{"negative depth", Options{URL: "/srv/p", Dir: dir, Depth: -2}, "depth -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if tt.opts.Password != "" && strings.Contains(err.Error(), tt.opts.Password) && len(tt.opts.Password) > 1 {
				t.Errorf("err %q shows the password", err)
			}
		})
	}
	for _, ok := range []string{"https://example.invalid/p.git", "http://127.0.0.1:9/p", "file:///srv/p", "/srv/p", "relative/p", `C:\repos\p`} {
		if _, err := New(Options{URL: ok, Dir: dir}); err != nil {
			t.Errorf("New(%q): %v", ok, err)
		}
	}
}

func TestShownURL(t *testing.T) {
	tests := map[string]string{
		"https://u:p@example.invalid/a.git":      "https://example.invalid/a.git",
		"https://u:p@x@example.invalid/a@b.git":  "https://example.invalid/a@b.git",
		"https://example.invalid/a@b.git":        "https://example.invalid/a@b.git",
		"http://tok@127.0.0.1:8080/a?x=1":        "http://127.0.0.1:8080/a?x=1",
		"/srv/repos/a":                           "/srv/repos/a",
		"https://u:p%zz@example.invalid/bad-esc": "https://example.invalid/bad-esc",
	}
	keys := make([]string, 0, len(tests))
	for k := range tests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, in := range keys {
		if got := shownURL(in); got != tests[in] {
			t.Errorf("shownURL(%q) = %q, want %q", in, got, tests[in])
		}
	}
}

func TestTidy(t *testing.T) {
	s := newSource(t, Options{URL: "https://example.invalid/p.git", Username: "robot", Password: "p@ss word"})
	base := errors.New("Get \"https://robot:p%40ss+word@example.invalid\":\n  refused\n\n")
	err := s.tidy(base)
	if got, want := err.Error(), `Get "https://robot:***@example.invalid": refused`; got != want {
		t.Errorf("tidy = %q, want %q", got, want)
	}
	if !errors.Is(err, base) {
		t.Error("the tidied error does not unwrap to the original")
	}
	long := s.tidy(errors.New(strings.Repeat("é", 1000)))
	if n := len(long.Error()); n > maxMessage+len("…") || !strings.HasSuffix(long.Error(), "…") || !utf8.ValidString(long.Error()) {
		t.Errorf("a long message is %d bytes: %q", n, long.Error()[:20])
	}
	if plain := errors.New("git: fetch x: refused"); s.tidy(plain) != plain {
		t.Error("a clean message was wrapped")
	}

	// An error from emit is returned as is, even one tidy would change.
	u := newUpstream(t)
	u.standard()
	odd := errors.New("stop:\n  now")
	_, got := newSource(t, Options{URL: u.path}).Fetch(context.Background(), "", func(ingest.Document) error { return odd })
	if got != odd {
		t.Errorf("emit's error came back as %q", got)
	}
}
