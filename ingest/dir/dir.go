package dir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// DefaultMaxFileSize is the size above which a file is recorded as a
// failure rather than read.
const DefaultMaxFileSize int64 = 10_000_000

// Options choose which files of the folder are debriefs.
type Options struct {
	// Include lists glob patterns (doublestar syntax, "**" for any depth)
	// matched against slash-separated paths relative to the root. Empty
	// means every file with a supported extension (.md, .markdown, .html,
	// .htm, .txt, .json, and templated names like .html.md.erb).
	Include []string
	// Exclude lists patterns of files and folders to leave out; it wins
	// over Include.
	Exclude []string
	// MaxFileSize caps the size of a file read (0: DefaultMaxFileSize).
	MaxFileSize int64
}

// Source is the dir source: the debriefs kept as files in a folder.
//
// By default it leaves out what sits beside debriefs but is not one:
// READMEs and other repository files (CONTRIBUTING, CHANGELOG, LICENSE,
// CODE_OF_CONDUCT, SECURITY), index pages (index.md, _index.md, index.html, ...),
// templates (template.md, TEMPLATE.md, names with "template" in them that
// do not start with a date, anything under a templates/ folder) and hidden
// files and folders. An Include pattern that spells out the skipped name
// overrides this for the files it matches: "**/README.md", "templates/**",
// ".postmortems/**", "**/*template*.md".
type Source struct {
	fsys   fs.FS
	path   string // the folder on disk; "" for an fs.FS
	opts   Options
	mu     sync.Mutex
	root   *os.Root
	closed bool
}

// Open opens a folder on disk. Symbolic links are followed only within
// the folder; a link that leads outside is recorded as a failure.
func Open(root string, opts Options) (*Source, error) {
	if err := validate(opts); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("dir: open folder %s: %w", root, err)
	}
	return &Source{path: root, opts: opts, root: r, fsys: r.FS()}, nil
}

// NewFS reads debriefs from an fs.FS, such as an embedded sample corpus.
// Pattern errors are reported by Fetch.
func NewFS(fsys fs.FS, opts Options) *Source {
	return &Source{fsys: fsys, opts: opts}
}

// Close releases the folder. Fetch fails after Close.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.root != nil {
		err := s.root.Close()
		s.root = nil
		return err
	}
	return nil
}

func validate(opts Options) error {
	for _, p := range opts.Include {
		if !doublestar.ValidatePattern(p) {
			return fmt.Errorf("dir: include pattern %q is not a valid glob", p)
		}
	}
	for _, p := range opts.Exclude {
		if !doublestar.ValidatePattern(p) {
			return fmt.Errorf("dir: exclude pattern %q is not a valid glob", p)
		}
	}
	if opts.MaxFileSize < 0 {
		return fmt.Errorf("dir: max_file_size %d is negative", opts.MaxFileSize)
	}
	return nil
}

// current returns the file system to walk. A folder on disk that was
// replaced since Open (deleted and created again, as checkouts do) is
// opened afresh, so that the walk does not list a deleted directory.
func (s *Source) current() (fs.FS, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("dir: source is closed")
	}
	if s.path == "" {
		return s.fsys, nil
	}
	onDisk, err := os.Stat(s.path)
	if err != nil {
		return nil, fmt.Errorf("dir: folder %s: %w", s.path, err)
	}
	if !onDisk.IsDir() {
		return nil, fmt.Errorf("dir: %s is not a folder", s.path)
	}
	held, err := s.root.Stat(".")
	if err != nil || !os.SameFile(held, onDisk) {
		r, err := os.OpenRoot(s.path)
		if err != nil {
			return nil, fmt.Errorf("dir: open folder %s: %w", s.path, err)
		}
		s.root.Close()
		s.root, s.fsys = r, r.FS()
	}
	return s.fsys, nil
}

// name is the root as error messages name it: its path on disk, or "."
// for an fs.FS.
func (s *Source) name() string {
	if s.path != "" {
		return s.path
	}
	return "."
}

// entry is a file found by the walk, or a failure to record.
type entry struct {
	ref  string
	size int64
	link bool
	err  error
}

// Fetch lists every matching file, in path order, emitting one document
// each. It always lists everything (the cursor is not used) and reports
// Complete unless a folder could not be read.
func (s *Source) Fetch(ctx context.Context, _ string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	if err := validate(s.opts); err != nil {
		return ingest.Fetched{}, err
	}
	fsys, err := s.current()
	if err != nil {
		return ingest.Fetched{}, err
	}
	entries, complete, err := s.list(ctx, fsys)
	if err != nil {
		return ingest.Fetched{}, err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return ingest.Fetched{}, err
		}
		doc := s.document(fsys, e)
		if err := emit(doc); err != nil {
			return ingest.Fetched{}, err
		}
	}
	return ingest.Fetched{Complete: complete}, nil
}

// list walks the folder and returns the files to read, sorted by path.
// complete is false when a folder inside could not be read.
func (s *Source) list(ctx context.Context, fsys fs.FS) ([]entry, bool, error) {
	var out []entry
	complete := true
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == "." {
				return fmt.Errorf("dir: read folder %s: %w", s.name(), err)
			}
			// An unreadable folder: record it, and do not claim the listing
			// is complete, so that its debriefs are not marked removed.
			complete = false
			out = append(out, entry{ref: p + "/", err: fmt.Errorf("cannot read folder: %w", unwrapPath(err))})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if d.IsDir() {
			if s.excluded(p) || s.skipped(p+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !s.wanted(p) {
			return nil
		}
		e := entry{ref: p}
		if d.Type()&fs.ModeSymlink != 0 {
			e.link = true
			fi, err := fs.Stat(fsys, p)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				e.err = errors.New("broken symbolic link")
			case err != nil && errors.Is(err, fs.ErrPermission):
				e.err = fmt.Errorf("cannot read: %w", unwrapPath(err))
			case err != nil:
				e.err = fmt.Errorf("symbolic link%s points outside the source folder; not followed", linkTarget(fsys, p))
			case !fi.Mode().IsRegular():
				return nil // a link to a folder: not followed, not a document
			default:
				e.size = fi.Size()
			}
			out = append(out, e)
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			e.size = fi.Size()
		} else {
			e.err = readError(err)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref < out[j].ref })
	return out, complete, nil
}

func linkTarget(fsys fs.FS, p string) string {
	if t, err := fs.ReadLink(fsys, p); err == nil {
		return " to " + t
	}
	return ""
}

// document reads one file into a Document.
func (s *Source) document(fsys fs.FS, e entry) ingest.Document {
	if e.err != nil {
		return ingest.Document{Ref: e.ref, Err: e.err}
	}
	f, _ := parse.FormatOf(e.ref)
	max := s.opts.MaxFileSize
	if max == 0 {
		max = DefaultMaxFileSize
	}
	if e.size > max {
		return ingest.Document{Ref: e.ref, Err: tooBig(e.size, max)}
	}
	data, err := readLimited(fsys, e.ref, max)
	if err != nil {
		return ingest.Document{Ref: e.ref, Err: err}
	}
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

func readLimited(fsys fs.FS, p string, max int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(data)) > max {
		// The file grew past the cap after it was listed.
		return nil, tooBig(int64(len(data)), max)
	}
	return data, nil
}

func readError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("file disappeared while the folder was being read")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("cannot read the file: permission denied")
	}
	return fmt.Errorf("cannot read the file: %w", unwrapPath(err))
}

// unwrapPath drops the operation and path a PathError repeats: the
// document's ref already names the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func tooBig(size, max int64) error {
	return fmt.Errorf("file is %s, over the %s limit (max_file_size)", megabytes(size), megabytes(max))
}

// megabytes writes a size in MB (10^6 bytes) with one decimal, dropping
// ".0": "12.3 MB", "10 MB".
func megabytes(n int64) string {
	s := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " MB"
}

// wanted reports whether a file is a document of this source.
func (s *Source) wanted(p string) bool {
	if _, ok := parse.FormatOf(p); !ok {
		return false
	}
	if s.excluded(p) {
		return false
	}
	if len(s.opts.Include) > 0 && !matchAny(s.opts.Include, p) {
		return false
	}
	return !s.skipped(p)
}

func (s *Source) excluded(p string) bool { return matchAny(s.opts.Exclude, p) }

func matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if ok, _ := doublestar.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// skipped reports whether a default rule leaves p out (a folder path ends
// in "/"), unless an Include pattern that names the skipped part matches.
func (s *Source) skipped(p string) bool {
	name, why := skipRule(p)
	if why == "" {
		return false
	}
	for _, pat := range s.opts.Include {
		if !strings.Contains(strings.ToLower(pat), name) {
			continue
		}
		if strings.HasSuffix(p, "/") {
			// A folder is walked when some file under it could match.
			return false
		}
		if ok, _ := doublestar.Match(pat, p); ok {
			return false
		}
	}
	return true
}

// repoFiles are the files repositories carry that are not debriefs.
var repoFiles = map[string]bool{
	"readme": true, "contributing": true, "changelog": true, "license": true,
	"code_of_conduct": true, "security": true, "index": true, "_index": true,
	"template": true, "_template": true,
}

// skipRule names the part of p a default rule leaves out ("readme",
// "template", ".git", "templates") and why, or returns "" for none.
func skipRule(p string) (name, why string) {
	dir := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	parts := strings.Split(p, "/")
	for i, part := range parts {
		last := i == len(parts)-1 && !dir
		if strings.HasPrefix(part, ".") {
			return strings.ToLower(part), "hidden"
		}
		if !last && strings.EqualFold(part, "templates") {
			return "templates", "templates folder"
		}
	}
	if dir {
		return "", ""
	}
	base := strings.ToLower(parts[len(parts)-1])
	stem := base
	if i := strings.IndexByte(stem, '.'); i > 0 {
		stem = stem[:i]
	}
	if repoFiles[stem] {
		if strings.Contains(stem, "template") {
			return "template", "template"
		}
		return strings.TrimPrefix(stem, "_"), "repository file"
	}
	// "incident-template.md", "template-incident-report.md", "PMyyyy-nnn -
	// Postmortem template.md"; a dated name ("2021-05-01-template-cache-
	// outage.md") is an incident about templates.
	if strings.Contains(stem, "template") && !datedName(stem) {
		return "template", "template"
	}
	return "", ""
}

// datedName reports whether a file name starts with a date or a year.
func datedName(stem string) bool {
	if len(stem) < 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if stem[i] < '0' || stem[i] > '9' {
			return false
		}
	}
	y, _ := strconv.Atoi(stem[:4])
	return y >= 1970 && y <= 2199
}

var _ ingest.Source = (*Source)(nil)
