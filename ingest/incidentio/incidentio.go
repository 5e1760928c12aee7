package incidentio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/remote"
)

// Defaults of Options' zero values.
const (
	DefaultBaseURL  = "https://api.incident.io"
	DefaultPageSize = 250
)

const (
	maxPageSize = 250
	maxPages    = 10_000
	// maxOutcomes bounds the outcomes remembered (see Source.outcomes).
	maxOutcomes = 10_000
	// converterVersion changes whenever the conversion of a document gives
	// different output for the same payloads.
	converterVersion = 1
)

// Options configure an incident.io source.
type Options struct {
	// BaseURL is the API's address (default DefaultBaseURL).
	BaseURL string
	// Token is an API key with read access to post-mortems (Bearer).
	Token string
	// PageSize is page_size per list request (0: DefaultPageSize, the
	// API's maximum).
	PageSize int
	// Timeout, Retries and MaxWait tune the HTTP client (see
	// remote.Options; zero values take its defaults).
	Timeout time.Duration
	Retries int
	MaxWait time.Duration
}

// Source is the incident.io source: post-mortem documents and their
// Markdown content.
type Source struct {
	c        *remote.Client
	pageSize int

	// outcomes remembers, by ref, the hash of a document whose content
	// came to no debrief (a template not yet filled in, an external
	// document the API will not export) and why: the list is read in full
	// every pass, and such a document would otherwise cost a content
	// request every time. A change of the document changes its hash.
	mu       sync.Mutex
	outcomes map[string]outcome
}

type outcome struct {
	hash string
	err  error
}

// New validates o and returns a source. Errors name the bad field.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("incidentio: Token is empty")
	}
	if o.PageSize < 0 || o.PageSize > maxPageSize {
		return nil, fmt.Errorf("incidentio: PageSize %d: want 0 (default %d) to %d", o.PageSize, DefaultPageSize, maxPageSize)
	}
	base := strings.TrimRight(strings.TrimSpace(o.BaseURL), "/")
	if base == "" {
		base = DefaultBaseURL
	}
	c, err := remote.New(remote.Options{BaseURL: base, Authorize: remote.Bearer(o.Token),
		Timeout: o.Timeout, Retries: o.Retries, MaxWait: o.MaxWait})
	if err != nil {
		return nil, fmt.Errorf("incidentio: %w", err)
	}
	s := &Source{c: c, pageSize: o.PageSize, outcomes: map[string]outcome{}}
	if s.pageSize == 0 {
		s.pageSize = DefaultPageSize
	}
	return s, nil
}

// Fetch lists every post-mortem document, one document each. The API
// lists by creation, not by update, so the whole list is read every pass
// (one request per page_size documents: one request for most teams) and
// the listing is Complete: documents deleted in incident.io are marked
// removed. Which documents changed is told by their hash, made of the
// list's fields (updated_at among them): the runner parses, and so
// fetches the content of, only documents that are new or changed. The
// cursor is the newest updated_at seen.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	newest, _ := parseTime(cursor)
	q := url.Values{"page_size": {strconv.Itoa(s.pageSize)}}
	seen := map[string]bool{}
	afters := map[string]bool{}
	for n := 1; ; n++ {
		if n > maxPages {
			return ingest.Fetched{}, fmt.Errorf("incidentio: list post-mortems: stopped after %d pages", maxPages)
		}
		res, err := s.c.Get(ctx, "v1/postmortem_documents", q)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("incidentio: list post-mortems: %w", err)
		}
		lp, err := decodeList(res.Body)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("incidentio: list post-mortems: GET %s: not a post-mortem list: %w", res.URL.EscapedPath(), err)
		}
		for i := range lp.Documents {
			d := &lp.Documents[i]
			doc := s.document(d)
			if seen[doc.Ref] {
				continue
			}
			seen[doc.Ref] = true
			if t, ok := parseTime(d.UpdatedAt); ok && t.After(newest) {
				newest = t
			}
			if err := emit(doc); err != nil {
				return ingest.Fetched{}, err
			}
		}
		after := lp.Meta.After
		// A short page is the last: no request to learn the next is empty.
		if after == "" || len(lp.Documents) == 0 || len(lp.Documents) < s.pageSize {
			break
		}
		if afters[after] {
			return ingest.Fetched{}, errors.New("incidentio: list post-mortems: the server sent the same after cursor twice")
		}
		afters[after] = true
		q.Set("after", after)
	}
	s.mu.Lock()
	for ref := range s.outcomes {
		if !seen[ref] {
			delete(s.outcomes, ref)
		}
	}
	s.mu.Unlock()
	out := ingest.Fetched{Complete: true, Cursor: cursor}
	if !newest.IsZero() {
		out.Cursor = newest.Format(time.RFC3339Nano)
	}
	return out, nil
}

func (s *Source) document(d *document) ingest.Document {
	ref := "postmortem/" + d.ID
	hash := docHash(d)
	dc := *d
	return ingest.Document{
		Ref:  ref,
		Hash: hash,
		Parse: func(ctx context.Context) ([]ingest.Debrief, error) {
			s.mu.Lock()
			o, ok := s.outcomes[ref]
			s.mu.Unlock()
			if ok && o.hash == hash {
				return nil, o.err
			}
			deb, final, err := s.parseDocument(ctx, ref, &dc)
			if err != nil {
				if final {
					s.mu.Lock()
					if len(s.outcomes) < maxOutcomes {
						s.outcomes[ref] = outcome{hash: hash, err: err}
					}
					s.mu.Unlock()
				}
				return nil, err
			}
			s.mu.Lock()
			delete(s.outcomes, ref)
			s.mu.Unlock()
			return []ingest.Debrief{deb}, nil
		},
	}
}

func docHash(d *document) string {
	var editors []string
	for _, e := range d.Editors {
		editors = append(editors, e.Name)
	}
	b, _ := json.Marshal([]any{d.ID, d.Title, d.Status, d.Type, d.IncidentID, d.DocumentURL, d.CreatedAt, d.UpdatedAt, editors})
	h := sha256.New()
	fmt.Fprintf(h, "incidentio/%d/parse/%d\x00", converterVersion, parse.Version)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// parseDocument fetches a document's content and converts it. final
// reports whether the failure would recur for the same document (not a
// transient one: a 5xx, a 429, a transport error, a cancelled pass).
func (s *Source) parseDocument(ctx context.Context, ref string, d *document) (ingest.Debrief, bool, error) {
	res, err := s.c.Get(ctx, "v1/postmortem_documents/"+url.PathEscape(d.ID)+"/content", nil)
	if err != nil {
		var se *remote.StatusError
		final := errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests
		if final && (se.Status == http.StatusNotFound || se.Status == http.StatusGone) {
			err = fmt.Errorf("%w (%w)", err, ingest.ErrSkip)
		}
		return ingest.Debrief{}, final, fmt.Errorf("fetch content: %w", err)
	}
	md, err := decodeContent(res.Body)
	if err != nil {
		return ingest.Debrief{}, true, fmt.Errorf("fetch content: GET %s: not post-mortem content: %w", res.URL.EscapedPath(), err)
	}
	deb, err := convert(ref, d, md)
	return deb, true, err
}

// refTitle splits "INC-123: Database is sad" into the incident's reference
// and the title.
var refTitle = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9]*-[0-9]+)\s*[:\-–—|]\s*(\S.*)$`)

// convert turns a document's Markdown into a debrief and fills what the
// list knows better: the title (without the incident reference, which
// goes to Meta.Extra["incident_reference"]), the URL, the document's
// status, its editors as authors when the text names none, and its
// creation as the publication time when the text gives none.
func convert(ref string, d *document, md string) (ingest.Debrief, error) {
	if strings.TrimSpace(md) == "" {
		return ingest.Debrief{}, fmt.Errorf("post-mortem %s has no content: %w", d.ID, ingest.ErrSkip)
	}
	deb, err := parse.Markdown("", []byte(md))
	if err != nil {
		return ingest.Debrief{}, err
	}
	deb.Ref, deb.Document = ref, ref
	title := strings.Join(strings.Fields(d.Title), " ")
	incRef := ""
	if m := refTitle.FindStringSubmatch(title); m != nil {
		incRef, title = m[1], strings.TrimSpace(m[2])
	}
	if title != "" {
		deb.Title = title
	}
	if u, err := url.Parse(d.DocumentURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil {
		deb.URL = d.DocumentURL
	}
	if d.Status != "" {
		deb.Meta.Status = d.Status
	}
	if len(deb.Meta.Authors) == 0 {
		for _, e := range d.Editors {
			if n := strings.TrimSpace(e.Name); n != "" {
				deb.Meta.Authors = append(deb.Meta.Authors, n)
			}
		}
	}
	if t, ok := parseTime(d.CreatedAt); ok && deb.Times.Published.IsZero() {
		deb.Times.Published = t
	}
	if deb.Meta.Extra == nil {
		deb.Meta.Extra = map[string]any{}
	}
	if incRef != "" {
		deb.Meta.Extra["incident_reference"] = incRef
	}
	if d.IncidentID != "" {
		deb.Meta.Extra["incident_id"] = d.IncidentID
	}
	return deb, nil
}
