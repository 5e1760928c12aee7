package confluence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/atlassian"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/remote"
)

// Defaults of Options' zero values.
const (
	DefaultLabel    = "postmortem"
	DefaultPageSize = 50
	DefaultOverlap  = 10 * time.Minute
)

const (
	maxPageSize = 250
	// maxPages bounds one listing; a listing that reaches it fails rather
	// than loop on a server that keeps sending next links.
	maxPages = 10_000
	// maxRetries bounds the pages remembered for another try.
	maxRetries = 10_000
)

// Options configure a Confluence source.
type Options struct {
	// BaseURL is the site. Cloud (Email set): https://acme.atlassian.net,
	// with or without /wiki. Data Center (no Email): the wiki's address
	// with its context path, if any (https://wiki.acme.com,
	// https://acme.com/confluence), the part before /rest/api.
	BaseURL string
	// Email and Token authorize: Basic email:token (Cloud API token) when
	// Email is set, else Bearer Token (a Data Center personal access token).
	Email string
	Token string
	// Label selects pages by label (DefaultLabel when CQL is empty); Space,
	// when set, narrows them to one space key.
	Label string
	Space string
	// CQL, when set, selects pages instead of Label and Space (which must
	// then be empty). It is ANDed with type = page and the incremental
	// clause; an ORDER BY of its own is dropped.
	CQL string
	// TimeZone is the IANA zone in which the server reads CQL dates: the
	// profile time zone of the account the token belongs to (Data Center:
	// the server's). Empty means unknown: the incremental clause then
	// steps back far enough to be right in any zone (about a day).
	TimeZone string
	// Overlap is how far before the watermark each incremental listing
	// starts (0: DefaultOverlap), for the minute precision of CQL dates,
	// clock skew and the search index's lag. Pages listed again cost no
	// body fetch: their hash is unchanged.
	Overlap time.Duration
	// PageSize is the number of results asked per list request
	// (0: DefaultPageSize; at most 250).
	PageSize int
	// Timeout, Retries and MaxWait tune the HTTP client (see
	// remote.Options; zero values take its defaults).
	Timeout time.Duration
	Retries int
	MaxWait time.Duration
}

// Source is the Confluence source: pages found by CQL, their bodies in
// storage format.
type Source struct {
	c        *remote.Client
	root     *url.URL // the wiki's root: https://acme.atlassian.net/wiki
	cloud    bool
	base     string // the selection, without the incremental clause
	loc      *time.Location
	overlap  time.Duration
	pageSize int

	// retry holds pages whose body could not be fetched, with their
	// last-modified time: the next listing starts no later than the
	// oldest, since the watermark has moved past them.
	mu    sync.Mutex
	retry map[string]time.Time
}

// New validates o and returns a source. Errors name the bad field.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("confluence: Token is empty")
	}
	if o.Email != "" && strings.ContainsAny(o.Email, ":\r\n") {
		return nil, errors.New("confluence: Email must not contain a colon or a line break")
	}
	if o.CQL != "" && (o.Label != "" || o.Space != "") {
		return nil, errors.New("confluence: CQL replaces Label and Space: set either CQL or Label/Space")
	}
	if o.PageSize < 0 || o.PageSize > maxPageSize {
		return nil, fmt.Errorf("confluence: PageSize %d: want 0 (default %d) to %d", o.PageSize, DefaultPageSize, maxPageSize)
	}
	if o.Overlap < 0 {
		return nil, fmt.Errorf("confluence: Overlap %s is negative", o.Overlap)
	}
	s := &Source{cloud: o.Email != "", overlap: o.Overlap, pageSize: o.PageSize, retry: map[string]time.Time{}}
	if s.overlap == 0 {
		s.overlap = DefaultOverlap
	}
	if s.pageSize == 0 {
		s.pageSize = DefaultPageSize
	}
	loc, err := atlassian.Zone(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("confluence: TimeZone %q: %v", o.TimeZone, err)
	}
	s.loc = loc
	sel, err := selection(o)
	if err != nil {
		return nil, err
	}
	s.base = sel

	root, err := url.Parse(strings.TrimSpace(o.BaseURL))
	if err != nil || root.Host == "" {
		return nil, fmt.Errorf("confluence: BaseURL %q is not an absolute URL", redact(o.BaseURL))
	}
	root.Path = strings.TrimRight(root.Path, "/")
	root.RawPath = ""
	if s.cloud {
		root.Path = strings.TrimSuffix(root.Path, "/wiki") + "/wiki"
	}
	auth := remote.Bearer(o.Token)
	if s.cloud {
		auth = remote.Basic(o.Email, o.Token)
	}
	c, err := remote.New(remote.Options{BaseURL: root.String(), Authorize: auth,
		Timeout: o.Timeout, Retries: o.Retries, MaxWait: o.MaxWait})
	if err != nil {
		return nil, fmt.Errorf("confluence: %w", err)
	}
	s.c, s.root = c, root
	return s, nil
}

// redact drops user:password from a URL for an error message.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

// selection builds the CQL that selects the pages, without the
// incremental clause.
func selection(o Options) (string, error) {
	if o.CQL != "" {
		q := strings.TrimSpace(atlassian.DropOrderBy(o.CQL))
		if q == "" {
			return "", errors.New("confluence: CQL holds nothing but an ORDER BY")
		}
		return "type = page AND (" + q + ")", nil
	}
	label := o.Label
	if label == "" {
		label = DefaultLabel
	}
	q := "type = page AND label = " + atlassian.Quote(label)
	if o.Space != "" {
		q += " AND space = " + atlassian.Quote(o.Space)
	}
	return q, nil
}

// Fetch lists the pages the CQL selects that were modified since the
// cursor (all of them on the first pass), oldest first, emitting one
// document per page. The listing costs one request per page of results;
// a page's body is fetched by its document's Parse, which the runner
// calls only for pages whose hash (version number, last-modified time,
// title, labels) changed. The cursor is the newest last-modified time
// seen (RFC 3339). The first pass, which lists everything, is Complete.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	mark, hasMark := atlassian.ParseTime(cursor)
	var since time.Time
	if hasMark {
		since = mark.Add(-s.overlap)
		s.mu.Lock()
		for _, t := range s.retry {
			if t.Add(-s.overlap).Before(since) {
				since = t.Add(-s.overlap)
			}
		}
		s.mu.Unlock()
	}
	q := url.Values{
		"cql":    {atlassian.Since(s.base, "lastmodified", since, s.loc)},
		"limit":  {strconv.Itoa(s.pageSize)},
		"expand": {"version,metadata.labels"},
	}
	ref := "rest/api/content/search"
	newest := mark
	seen := map[string]bool{}
	links := map[string]bool{}
	for n := 1; ; n++ {
		if n > maxPages {
			return ingest.Fetched{}, fmt.Errorf("confluence: list pages: stopped after %d result pages", maxPages)
		}
		res, err := s.c.Get(ctx, ref, q)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("confluence: list pages: %w", err)
		}
		sp, err := decodeSearch(res.Body)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("confluence: list pages: GET %s: not a content search result: %w", res.URL.EscapedPath(), err)
		}
		for i := range sp.Results {
			r := &sp.Results[i]
			if r.Type != "" && r.Type != "page" || r.Status != "" && r.Status != "current" {
				continue
			}
			doc := s.document(r)
			if seen[doc.Ref] {
				continue
			}
			seen[doc.Ref] = true
			if r.Version != nil {
				if t, ok := atlassian.ParseTime(r.Version.When); ok && t.After(newest) {
					newest = t
				}
			}
			if err := emit(doc); err != nil {
				return ingest.Fetched{}, err
			}
		}
		next := strings.TrimSpace(sp.Links.Next)
		if next == "" || len(sp.Results) == 0 {
			break
		}
		if links[next] {
			return ingest.Fetched{}, errors.New("confluence: list pages: the server sent the same next link twice")
		}
		links[next] = true
		// The link carries the query and its cursor; expand is set again in
		// case a server leaves it out, since without versions every page
		// would look changed.
		ref, q = s.nextRef(next, sp.Links.Base), url.Values{"expand": q["expand"]}
	}
	// A page waiting for another try that this listing, which started
	// before it, no longer returns was deleted or relabelled.
	s.mu.Lock()
	for r, t := range s.retry {
		if !seen[r] && !t.Before(since) {
			delete(s.retry, r)
		}
	}
	s.mu.Unlock()

	out := ingest.Fetched{Complete: !hasMark, Cursor: cursor}
	if !newest.IsZero() {
		out.Cursor = newest.UTC().Format(time.RFC3339Nano)
	}
	return out, nil
}

// nextRef resolves a next link: against _links.base when it is on our
// origin, else against the configured root (the client refuses other
// hosts either way).
func (s *Source) nextRef(next, base string) string {
	if u, err := url.Parse(next); err == nil && u.IsAbs() {
		return next
	}
	if b, err := url.Parse(strings.TrimRight(base, "/")); err == nil && b.IsAbs() &&
		strings.EqualFold(b.Host, s.root.Host) && strings.EqualFold(b.Scheme, s.root.Scheme) {
		if b.Path != "" && strings.HasPrefix(next, b.Path+"/") {
			return b.Scheme + "://" + b.Host + next // already under the base's path
		}
		return b.String() + "/" + strings.TrimLeft(next, "/")
	}
	return next
}

func (s *Source) document(r *searchResult) ingest.Document {
	ref := "page/" + r.ID
	var labels []string
	for _, l := range r.Metadata.Labels.Results {
		if n := strings.TrimSpace(l.Name); n != "" {
			labels = append(labels, n)
		}
	}
	sort.Strings(labels)
	var modified time.Time
	hash := ""
	if r.Version != nil && r.Version.Number > 0 {
		modified, _ = atlassian.ParseTime(r.Version.When)
		// Without a version the list cannot tell a change: an empty hash
		// has the runner parse (and fetch) the page every time.
		hash = docHash(r.ID, strconv.Itoa(r.Version.Number), r.Version.When, r.Title, strings.Join(labels, ","), r.Links.WebUI)
	}
	id, title, webui := r.ID, r.Title, r.Links.WebUI
	return ingest.Document{
		Ref:  ref,
		Hash: hash,
		Parse: func(ctx context.Context) ([]ingest.Debrief, error) {
			d, err := s.parsePage(ctx, ref, id, title, webui, labels, modified)
			if err != nil {
				return nil, err
			}
			return []ingest.Debrief{d}, nil
		},
	}
}

func docHash(parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "confluence/%d/parse/%d", converterVersion, parse.Version)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// parsePage fetches a page's storage body and converts it.
func (s *Source) parsePage(ctx context.Context, ref, id, title, webui string, labels []string, modified time.Time) (ingest.Debrief, error) {
	body, err := s.fetchBody(ctx, id)
	if err != nil {
		var se *remote.StatusError
		if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone) {
			// Deleted (or hidden from us) since the listing.
			s.forget(ref)
			return ingest.Debrief{}, fmt.Errorf("page %s is gone: %w", id, ingest.ErrSkip)
		}
		if ctx.Err() == nil {
			s.remember(ref, modified)
		}
		return ingest.Debrief{}, err
	}
	s.forget(ref)
	if strings.TrimSpace(body.Storage) == "" {
		return ingest.Debrief{}, fmt.Errorf("page %s is empty: %w", id, ingest.ErrSkip)
	}
	if body.Title != "" {
		title = body.Title
	}
	if body.WebUI != "" {
		webui = body.WebUI
	}
	return convert(ref, page{ID: id, Title: title, URL: s.pageURL(body.Base, webui), Storage: body.Storage,
		Created: body.Created, Labels: labels})
}

func (s *Source) fetchBody(ctx context.Context, id string) (*pageBody, error) {
	if s.cloud {
		res, err := s.c.Get(ctx, "api/v2/pages/"+url.PathEscape(id), url.Values{"body-format": {"storage"}})
		if err != nil {
			return nil, fmt.Errorf("fetch page body: %w", err)
		}
		p, err := decodePageV2(res.Body)
		if err != nil {
			return nil, fmt.Errorf("fetch page body: GET %s: not a page: %w", res.URL.EscapedPath(), err)
		}
		return p, nil
	}
	res, err := s.c.Get(ctx, "rest/api/content/"+url.PathEscape(id), url.Values{"expand": {"body.storage,version,history"}})
	if err != nil {
		return nil, fmt.Errorf("fetch page body: %w", err)
	}
	p, err := decodeContentV1(res.Body)
	if err != nil {
		return nil, fmt.Errorf("fetch page body: GET %s: not a page: %w", res.URL.EscapedPath(), err)
	}
	return p, nil
}

// pageURL is where a page is read: webui under the site's base.
func (s *Source) pageURL(base, webui string) string {
	if webui == "" {
		return ""
	}
	if u, err := url.Parse(webui); err == nil && u.IsAbs() {
		if u.Scheme == "https" || u.Scheme == "http" {
			return webui
		}
		return ""
	}
	b := s.root.String()
	if u, err := url.Parse(base); err == nil && u.IsAbs() && (u.Scheme == "https" || u.Scheme == "http") && u.User == nil {
		b = strings.TrimRight(base, "/")
	}
	return b + "/" + strings.TrimLeft(webui, "/")
}

func (s *Source) remember(ref string, modified time.Time) {
	if modified.IsZero() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.retry) < maxRetries {
		s.retry[ref] = modified
	}
}

func (s *Source) forget(ref string) {
	s.mu.Lock()
	delete(s.retry, ref)
	s.mu.Unlock()
}
