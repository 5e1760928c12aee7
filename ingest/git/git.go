package git

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/utils/merkletrie"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/parse"
)

// DefaultMaxFileSize is the size above which a file is recorded as a
// failure rather than read; the same as the dir source's.
const DefaultMaxFileSize = dir.DefaultMaxFileSize

// Options say which repository to read and which of its files are
// debriefs.
type Options struct {
	// URL is the repository: https://, http://, file:// or a local path
	// (made absolute). SSH (ssh:// or host:path) is not supported. A URL
	// may carry user:password@; it is then used as Username and Password
	// and kept out of the clone's config and of every message.
	URL string
	// Branch is the branch to read ("main", or a full "refs/..." name).
	// Empty means the remote's default branch (its HEAD), asked afresh on
	// every fetch.
	Branch string
	// Subdir is the folder of the repository holding the debriefs,
	// slash-separated ("" for the whole repository). Refs are paths
	// relative to it, as the dir source's are relative to its folder.
	Subdir string
	// Include and Exclude choose files as the dir source's options do
	// (doublestar globs relative to Subdir; the same default skips).
	Include []string
	Exclude []string
	// Dir is where the clone lives (a bare repository), e.g.
	// DATA/git/<source-name>. It is created on first use. A bare clone of
	// another URL found there is deleted and cloned afresh; anything else
	// that is not empty is refused.
	Dir string
	// Username and Password are HTTP basic credentials (a token is a
	// password). Both or neither; only for http(s) URLs.
	Username string
	Password string
	// MaxFileSize caps the size of a file read (0: DefaultMaxFileSize).
	MaxFileSize int64
	// Depth, when positive, fetches only that many commits of history
	// (a shallow clone). Files are read from trees, so 1 is enough.
	Depth int
}

// Source is the git source: debriefs kept as files in a git repository.
type Source struct {
	url       string // what the clone fetches from: no credentials
	shown     string // how messages name the repository
	dir       string
	branch    string // for messages: "branch main", "the default branch"
	refspec   config.RefSpec
	subdir    string // "" or a clean relative path
	filter    dir.Filter
	maxSize   int64
	depth     int
	auth      transport.AuthMethod
	secrets   []string
	selection string // fingerprint of what chooses files, kept in the cursor

	mu sync.Mutex // one pass at a time per clone
}

// headRef is where each fetch stores the branch head in the clone.
const headRef = plumbing.ReferenceName("refs/secondstory/head")

// New checks the options. It does no I/O: the first Fetch clones.
func New(o Options) (*Source, error) {
	s := &Source{depth: o.Depth}
	if err := s.setURL(o); err != nil {
		return nil, err
	}
	if err := s.setBranch(o.Branch); err != nil {
		return nil, err
	}
	sub, err := cleanSubdir(o.Subdir)
	if err != nil {
		return nil, err
	}
	s.subdir = sub
	for _, p := range o.Include {
		if !doublestar.ValidatePattern(p) {
			return nil, fmt.Errorf("git: include pattern %q is not a valid glob", p)
		}
	}
	for _, p := range o.Exclude {
		if !doublestar.ValidatePattern(p) {
			return nil, fmt.Errorf("git: exclude pattern %q is not a valid glob", p)
		}
	}
	if s.filter, err = dir.NewFilter(o.Include, o.Exclude); err != nil {
		return nil, fmt.Errorf("git: %w", err)
	}
	if o.Dir == "" {
		return nil, errors.New("git: dir (where the clone lives) is empty")
	}
	if s.dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, fmt.Errorf("git: dir %s: %w", o.Dir, err)
	}
	switch {
	case o.MaxFileSize < 0:
		return nil, fmt.Errorf("git: max_file_size %d is negative", o.MaxFileSize)
	case o.MaxFileSize == 0:
		s.maxSize = DefaultMaxFileSize
	default:
		s.maxSize = o.MaxFileSize
	}
	if o.Depth < 0 {
		return nil, fmt.Errorf("git: depth %d is negative", o.Depth)
	}
	s.selection = fingerprint(s.subdir, o.Include, o.Exclude, s.maxSize)
	return s, nil
}

// setURL checks the URL and the credentials and keeps the URL without
// them.
func (s *Source) setURL(o Options) error {
	raw := strings.TrimSpace(o.URL)
	user, pass := o.Username, o.Password
	if raw == "" {
		return errors.New("git: url is empty")
	}
	s.shown = shownURL(raw)
	scheme, _, isURL := strings.Cut(raw, "://")
	switch {
	case isURL:
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("git: url %s is not a valid URL", s.shown)
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
		case "file":
			if u.Host != "" && u.Host != "localhost" {
				return fmt.Errorf("git: url %s: a file URL names no host", s.shown)
			}
		case "ssh", "git+ssh", "ssh+git":
			return fmt.Errorf("git: url %s: ssh is not supported; use an https URL with a token as password", s.shown)
		default:
			return fmt.Errorf("git: url %s: scheme %q is not supported (https, http, file or a local path)", s.shown, scheme)
		}
		if u.User != nil {
			if user != "" || pass != "" {
				return fmt.Errorf("git: url %s carries credentials and username/password are set too; use one", s.shown)
			}
			user = u.User.Username()
			pass, _ = u.User.Password()
			u.User = nil
		}
		if u.Host == "" && u.Scheme != "file" {
			return fmt.Errorf("git: url %s names no host", s.shown)
		}
		s.url = u.String()
	case scpLike(raw):
		return fmt.Errorf("git: url %s: ssh is not supported; use an https URL with a token as password", s.shown)
	default:
		abs, err := filepath.Abs(raw)
		if err != nil {
			return fmt.Errorf("git: url %s: %w", s.shown, err)
		}
		s.url = abs
	}
	s.shown = s.url
	if (user == "") != (pass == "") {
		if user == "" {
			return errors.New("git: password is set without a username (for a token, any name will do for most hosts, e.g. x-access-token)")
		}
		return errors.New("git: username is set without a password")
	}
	if user != "" {
		if !strings.HasPrefix(s.url, "http://") && !strings.HasPrefix(s.url, "https://") {
			return fmt.Errorf("git: url %s: username and password apply to http and https URLs only", s.shown)
		}
		s.auth = &githttp.BasicAuth{Username: user, Password: pass}
		s.secrets = []string{pass, url.QueryEscape(pass), url.PathEscape(pass)}
	}
	return nil
}

// scpLike reports the host:path form of an ssh address ("git@host:o/r").
// A Windows drive ("C:\x") is a path.
func scpLike(raw string) bool {
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return false
	}
	if colon == 1 && len(raw) > 2 && (raw[2] == '\\' || raw[2] == '/') {
		return false
	}
	slash := strings.IndexAny(raw, `/\`)
	return slash < 0 || colon < slash
}

// shownURL is the URL as messages may show it: without anything between
// "://" and the last "@" of the host part.
func shownURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

func (s *Source) setBranch(b string) error {
	switch {
	case b == "":
		s.branch = "the default branch"
		s.refspec = config.RefSpec("+HEAD:" + string(headRef))
		return nil
	case strings.HasPrefix(b, "refs/"):
		s.branch = b
	default:
		s.branch = "branch " + b
		b = "refs/heads/" + b
	}
	name := plumbing.ReferenceName(b)
	if err := name.Validate(); err != nil || strings.ContainsAny(b, "*:") {
		return fmt.Errorf("git: branch %q is not a valid branch name", strings.TrimPrefix(b, "refs/heads/"))
	}
	s.refspec = config.RefSpec("+" + b + ":" + string(headRef))
	if err := s.refspec.Validate(); err != nil {
		return fmt.Errorf("git: branch %q: %w", b, err)
	}
	return nil
}

func cleanSubdir(sub string) (string, error) {
	if sub == "" {
		return "", nil
	}
	c := path.Clean(strings.ReplaceAll(sub, `\`, "/"))
	if c == "." {
		return "", nil
	}
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("git: subdir %q must be a path inside the repository", sub)
	}
	return c, nil
}

// fingerprint names what chooses the files, so that a cursor left by a
// pass with other options is not trusted for an incremental listing.
func fingerprint(subdir string, include, exclude []string, max int64) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q\x00%q\x00%q\x00%d", subdir, include, exclude, max)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// The cursor is "<commit>@<selection>": the commit whose files the last
// committed pass saw, and the fingerprint of the options that chose them.
func (s *Source) cursor(head plumbing.Hash) string { return head.String() + "@" + s.selection }

func parseCursor(c string) (commit plumbing.Hash, selection string, ok bool) {
	h, sel, found := strings.Cut(c, "@")
	if !found || !plumbing.IsHash(h) {
		return plumbing.ZeroHash, "", false
	}
	return plumbing.NewHash(h), sel, true
}

// entry is a file of the tree to emit.
type entry struct {
	ref  string
	mode filemode.FileMode
	hash plumbing.Hash
}

// Fetch brings the clone up to date and lists the files of the branch
// head. With a cursor from an earlier pass (the commit it saw, chosen by
// the same options) it lists only the files changed since and reports
// the ones deleted; with none, or one it cannot use (history rewritten
// and the commit gone, other options), it lists everything.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (f ingest.Fetched, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fromEmit error // returned as is
	defer func() {
		if err != fromEmit {
			err = s.tidy(err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return ingest.Fetched{}, err
	}
	repo, err := s.repository()
	if err != nil {
		return ingest.Fetched{}, err
	}
	head, err := s.fetch(ctx, repo)
	if err != nil {
		return ingest.Fetched{}, err
	}
	next := s.cursor(head.Hash)
	if next == cursor {
		return ingest.Fetched{Cursor: next}, nil
	}
	headTree, err := s.tree(head)
	if err != nil {
		return ingest.Fetched{}, err
	}
	if headTree == nil {
		return ingest.Fetched{}, fmt.Errorf("git: %s: subdir %q is not in %s at commit %s", s.shown, s.subdir, s.branch, head.Hash)
	}
	var entries []entry
	var removed []string
	complete := true
	if old, ok := s.base(repo, cursor); ok {
		entries, removed, err = s.changed(ctx, old, headTree)
		complete = false
	} else {
		entries, err = s.all(ctx, headTree)
	}
	if err != nil {
		return ingest.Fetched{}, err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return ingest.Fetched{}, err
		}
		if err := emit(s.document(repo, e)); err != nil {
			fromEmit = err
			return ingest.Fetched{}, err
		}
	}
	return ingest.Fetched{Cursor: next, Complete: complete, Removed: removed}, nil
}

// base returns the Subdir tree of the cursor's commit when the cursor can
// serve an incremental listing: same options, and the commit is in the
// clone. A cursor commit without Subdir gives an empty tree.
func (s *Source) base(repo *gogit.Repository, cursor string) (*object.Tree, bool) {
	h, sel, ok := parseCursor(cursor)
	if !ok || sel != s.selection {
		return nil, false
	}
	c, err := repo.CommitObject(h)
	if err != nil {
		return nil, false
	}
	t, err := s.tree(c)
	if err != nil {
		return nil, false
	}
	if t == nil {
		t = &object.Tree{}
	}
	return t, true
}

// tree returns the commit's Subdir tree, or nil when it has no Subdir.
func (s *Source) tree(c *object.Commit) (*object.Tree, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("git: %s: read the tree of commit %s: %w", s.shown, c.Hash, err)
	}
	if s.subdir == "" {
		return t, nil
	}
	sub, err := t.Tree(s.subdir)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("git: %s: read subdir %q of commit %s: %w", s.shown, s.subdir, c.Hash, err)
	}
	return sub, nil
}

// listed reports whether a tree entry is a document of this source.
// Symbolic links are listed (and reported as not followed); submodules
// are not files.
func (s *Source) listed(p string, mode filemode.FileMode) bool {
	return mode.IsFile() && s.filter.Match(p)
}

// all lists every document of the tree, in path order.
func (s *Source) all(ctx context.Context, t *object.Tree) ([]entry, error) {
	w := object.NewTreeWalker(t, true, nil)
	w.SkipPathValidation() // names are refs here, never written to disk
	defer w.Close()
	var out []entry
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name, e, err := w.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("git: %s: list files: %w", s.shown, err)
		}
		if s.listed(name, e.Mode) {
			out = append(out, entry{ref: name, mode: e.Mode, hash: e.Hash})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref < out[j].ref })
	return out, nil
}

// changed lists the documents added or modified from old to head and the
// refs of those deleted (or no longer chosen by the filters).
func (s *Source) changed(ctx context.Context, old, head *object.Tree) ([]entry, []string, error) {
	changes, err := object.DiffTreeWithOptions(ctx, old, head, &object.DiffTreeOptions{DetectRenames: false})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("git: %s: compare trees: %w", s.shown, err)
	}
	var out []entry
	var removed []string
	for _, c := range changes {
		action, err := c.Action()
		if err != nil {
			return nil, nil, fmt.Errorf("git: %s: compare trees: %w", s.shown, err)
		}
		from, to := c.From, c.To
		switch {
		case action != merkletrie.Delete && s.listed(to.Name, to.TreeEntry.Mode):
			out = append(out, entry{ref: to.Name, mode: to.TreeEntry.Mode, hash: to.TreeEntry.Hash})
		case action != merkletrie.Insert && s.listed(from.Name, from.TreeEntry.Mode):
			removed = append(removed, from.Name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref < out[j].ref })
	sort.Strings(removed)
	return out, removed, nil
}

// document reads one blob into a Document.
func (s *Source) document(repo *gogit.Repository, e entry) ingest.Document {
	if e.mode == filemode.Symlink {
		return ingest.Document{Ref: e.ref, Err: errors.New("symbolic link; a git source does not follow links")}
	}
	blob, err := repo.BlobObject(e.hash)
	if err != nil {
		return ingest.Document{Ref: e.ref, Err: fmt.Errorf("cannot read the file from the clone: %w", err)}
	}
	if blob.Size > s.maxSize {
		return ingest.Document{Ref: e.ref, Err: tooBig(blob.Size, s.maxSize)}
	}
	r, err := blob.Reader()
	if err != nil {
		return ingest.Document{Ref: e.ref, Err: fmt.Errorf("cannot read the file from the clone: %w", err)}
	}
	data, err := io.ReadAll(io.LimitReader(r, s.maxSize+1))
	r.Close()
	if err != nil {
		return ingest.Document{Ref: e.ref, Err: fmt.Errorf("cannot read the file from the clone: %w", err)}
	}
	if int64(len(data)) > s.maxSize {
		return ingest.Document{Ref: e.ref, Err: tooBig(int64(len(data)), s.maxSize)}
	}
	f, _ := parse.FormatOf(e.ref)
	ref := e.ref
	return ingest.Document{
		Ref:  ref,
		Hash: parse.Hash(f, data),
		Parse: func(ctx context.Context) ([]ingest.Debrief, error) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return parse.Parse(ref, f, data)
		},
	}
}

func tooBig(size, max int64) error {
	return fmt.Errorf("file is %s, over the %s limit (max_file_size)", megabytes(size), megabytes(max))
}

// megabytes writes a size in MB (10^6 bytes) with one decimal, dropping
// ".0", as the dir source does.
func megabytes(n int64) string {
	v := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	return strings.TrimSuffix(v, ".0") + " MB"
}

// repository opens the clone in Dir, creating it on first use. A bare
// repository there that fetches from another URL is replaced.
func (s *Source) repository() (*gogit.Repository, error) {
	repo, err := gogit.PlainOpen(s.dir)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		if err := emptyOrMissing(s.dir); err != nil {
			return nil, err
		}
		return s.initClone()
	}
	if err != nil {
		return nil, fmt.Errorf("git: open the clone in %s: %w", s.dir, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("git: read the config of the clone in %s: %w", s.dir, err)
	}
	if rc, ok := cfg.Remotes["origin"]; ok && len(rc.URLs) == 1 && rc.URLs[0] == s.url {
		return repo, nil
	}
	if !cfg.Core.IsBare {
		return nil, fmt.Errorf("git: dir %s holds a git work tree, not this source's clone of %s; refusing to replace it", s.dir, s.shown)
	}
	// A clone of another repository: the URL was changed. Start afresh;
	// the old cursor's commit is gone with it, so the next listing is
	// complete.
	if err := os.RemoveAll(s.dir); err != nil {
		return nil, fmt.Errorf("git: remove the clone of another repository in %s: %w", s.dir, err)
	}
	return s.initClone()
}

func emptyOrMissing(d string) error {
	f, err := os.Open(d)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("git: dir %s: %w", d, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err == io.EOF || (err == nil && len(names) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("git: dir %s: %w", d, err)
	}
	return fmt.Errorf("git: dir %s is not empty and holds no git clone; refusing to use it", d)
}

func (s *Source) initClone() (*gogit.Repository, error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("git: create dir %s: %w", s.dir, err)
	}
	repo, err := gogit.PlainInit(s.dir, true)
	if err != nil {
		return nil, fmt.Errorf("git: create a clone in %s: %w", s.dir, err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{s.url}}); err != nil {
		return nil, fmt.Errorf("git: create a clone in %s: %w", s.dir, err)
	}
	return repo, nil
}

// fetch brings the branch head into the clone and returns its commit.
func (s *Source) fetch(ctx context.Context, repo *gogit.Repository) (*object.Commit, error) {
	remote, err := repo.Remote("origin")
	if err != nil {
		return nil, fmt.Errorf("git: clone in %s: %w", s.dir, err)
	}
	err = remote.FetchContext(ctx, &gogit.FetchOptions{
		RefSpecs: []config.RefSpec{s.refspec},
		Auth:     s.auth,
		Depth:    s.depth,
		Tags:     gogit.NoTags,
		Force:    true,
	})
	var noMatch gogit.NoMatchingRefSpecError
	switch {
	case err == nil || errors.Is(err, gogit.NoErrAlreadyUpToDate):
	case ctx.Err() != nil:
		return nil, fmt.Errorf("git: fetch %s: %w", s.shown, ctx.Err())
	case errors.As(err, &noMatch), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil, fmt.Errorf("git: fetch %s: %s not found (an empty repository, or a misspelt branch?): %w", s.shown, s.branch, err)
	default:
		return nil, fmt.Errorf("git: fetch %s: %w", s.shown, err)
	}
	ref, err := repo.Reference(headRef, true)
	if err != nil {
		return nil, fmt.Errorf("git: fetch %s: %s was not stored: %w", s.shown, s.branch, err)
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("git: %s: %s is not a commit (%s): %w", s.shown, s.branch, ref.Hash(), err)
	}
	return c, nil
}

// tidied is an error whose message was made fit to show: credentials cut
// out, on one line, of bounded length.
type tidied struct {
	msg string
	err error
}

func (e *tidied) Error() string { return e.msg }
func (e *tidied) Unwrap() error { return e.err }

// maxMessage bounds an error message: a remote's reply to a failed fetch
// (an HTML error page, say) ends up in it.
const maxMessage = 400

// tidy cuts the password out of an error message, should a library have
// echoed it, puts the message on one line and clips it. The error still
// unwraps to the original.
func (s *Source) tidy(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := msg
	for _, sec := range s.secrets {
		if sec != "" {
			clean = strings.ReplaceAll(clean, sec, "***")
		}
	}
	clean = strings.Join(strings.Fields(clean), " ")
	clean = strings.TrimSuffix(clean, ":")
	if len(clean) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(clean[cut]) {
			cut--
		}
		clean = clean[:cut] + "…"
	}
	if clean == msg {
		return err
	}
	return &tidied{msg: clean, err: err}
}

var _ ingest.Source = (*Source)(nil)
