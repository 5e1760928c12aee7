package statuspage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/remote"
)

const (
	listPath = "/api/v2/incidents.json"
	// pageSize is how many incidents the public endpoint lists at most
	// (the 50 most recent): a page this full may have older ones after it.
	pageSize = 50
	// maxPages bounds a pass (a page that ignores the page parameter is
	// caught sooner, when a page repeats).
	maxPages = 40
	// hashVersion changes when the debriefs made from the same payload change.
	hashVersion = "statuspage/1"
)

// Options choose the status page and which of its incidents are debriefs.
type Options struct {
	// BaseURL is the status page: https://status.example.com or
	// https://NAME.statuspage.io. A trailing /api/v2/... is dropped.
	BaseURL string
	// AllIncidents also takes incidents without a postmortem, as debriefs
	// made of their public updates. By default (false) only incidents
	// with a published postmortem are taken.
	AllIncidents bool
	// HTTP tunes the client (timeouts, retries, body cap, transport);
	// its BaseURL is set from the field above.
	HTTP remote.Options
}

// Source is the statuspage source.
type Source struct {
	c        *remote.Client
	base     string
	all      bool
	pageSize int
}

// New checks o and returns the source. Errors name the bad field.
func New(o Options) (*Source, error) {
	base := strings.TrimSpace(o.BaseURL)
	if base == "" {
		return nil, fmt.Errorf("statuspage: BaseURL is empty: want the status page, like https://status.example.com")
	}
	if i := strings.Index(base, "/api/v2"); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, "/")
	h := o.HTTP
	h.BaseURL = base
	c, err := remote.New(h)
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	return &Source{c: c, base: base, all: o.AllIncidents, pageSize: pageSize}, nil
}

// Fetch lists the page's incidents and emits those updated after cursor
// (all of them when cursor is "").
//
// The endpoint has no since parameter: the listing is read whole each
// pass and compared with the cursor, the newest updated_at seen (RFC 3339
// with the milliseconds Statuspage gives). Incidents no newer than it are
// not emitted, so an unchanged page costs one request and no parsing.
// Incidents updated since that are no longer debriefs (their postmortem
// was taken down) are reported Removed.
//
// The public endpoint lists the 50 most recent incidents. A full page is
// followed by ?page=2 and so on while the page parameter brings new
// incidents: on a first pass always, on later passes only while every
// incident of the page is newer than the cursor. A first pass that saw the
// end of the listing is Complete; one that stopped early (a page repeated,
// or maxPages) is not, so incidents beyond the 50 are never marked removed.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339Nano, cursor)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("statuspage: stored cursor %q is not an RFC 3339 time: %w", clip(cursor, 60), err)
		}
		since = t.UTC()
	}
	newest := since
	seen := map[string]bool{}
	var removed []string
	exhaustive := false
	for page := 1; page <= maxPages; page++ {
		var q url.Values
		if page > 1 {
			q = url.Values{"page": {strconv.Itoa(page)}}
		}
		res, err := s.c.Get(ctx, listPath, q)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("statuspage: list incidents of %s, page %d: %w", s.base, page, err)
		}
		l, err := decodeListing(res.Body)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("statuspage: list incidents of %s, page %d: %w", s.base, page, err)
		}
		fresh, allNewer := 0, true
		for _, it := range l.Incidents {
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			fresh++
			changed := it.changedAt()
			if changed.After(newest) {
				newest = changed
			}
			if !since.IsZero() && !changed.After(since) {
				allNewer = false
				continue
			}
			doc, ok := s.document(l.PageURL, it)
			if !ok {
				removed = append(removed, doc.Ref)
				continue
			}
			if err := emit(doc); err != nil {
				return ingest.Fetched{}, err
			}
		}
		if len(l.Incidents) < s.pageSize {
			exhaustive = fresh == len(l.Incidents)
			break
		}
		if fresh == 0 || !allNewer {
			break // the page parameter is ignored, or nothing older changed
		}
	}
	out := ingest.Fetched{Cursor: cursor, Complete: cursor == "" && exhaustive}
	if newest.After(since) {
		out.Cursor = newest.Format(time.RFC3339Nano)
	}
	if cursor != "" {
		out.Removed = removed
	}
	return out, nil
}

// changedAt is when the incident last changed: updated_at, else the
// newest time it carries.
func (in *incident) changedAt() time.Time {
	t := in.Updated
	later := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	if t.IsZero() {
		later(in.Created)
		later(in.Resolved)
		later(in.PostmortemAt)
		for _, u := range in.Updates {
			later(u.At)
			later(u.Updated)
		}
	}
	return t
}

// document makes the incident's document; ok is false when the incident
// is not a debrief (a maintenance, or no postmortem when only those are
// wanted).
func (s *Source) document(pageURL string, it item) (ingest.Document, bool) {
	ref := "incidents/" + it.ID
	if it.err != nil {
		return ingest.Document{Ref: ref, Err: fmt.Errorf("statuspage: incident %s: %w", it.ID, it.err)}, true
	}
	in := it.incident
	if in.maintenance() || !s.all && in.postmortem() == "" {
		return ingest.Document{Ref: ref}, false
	}
	base := pageURL
	if base == "" {
		base = s.base
	}
	link := base + "/incidents/" + url.PathEscape(in.ID)
	return ingest.Document{
		Ref:   ref,
		Hash:  hashIncident(&in, link),
		Parse: func(ctx context.Context) ([]ingest.Debrief, error) { return debrief(ref, link, &in) },
	}, true
}

// maintenance reports whether the incident is a scheduled maintenance
// rather than an incident.
func (in *incident) maintenance() bool {
	switch in.Status {
	case "scheduled", "in_progress", "verifying", "completed":
		return true
	}
	return in.Impact == "maintenance"
}

// postmortem is the incident's postmortem text: postmortem_body where the
// API gives it, else the updates posted with the status "postmortem".
func (in *incident) postmortem() string {
	if strings.TrimSpace(in.Postmortem) != "" {
		return in.Postmortem
	}
	var parts []string
	for i := len(in.Updates) - 1; i >= 0; i-- { // listed newest first
		if u := in.Updates[i]; u.Status == "postmortem" && strings.TrimSpace(u.Body) != "" {
			parts = append(parts, u.Body)
		}
	}
	return strings.Join(parts, "\n\n")
}

// hashIncident hashes what the debrief is made of; updated_at is left out.
func hashIncident(in *incident, link string) string {
	c := *in
	c.Updated = time.Time{}
	ups := make([]update, len(c.Updates))
	for i, u := range c.Updates {
		u.Updated = time.Time{}
		ups[i] = u
	}
	c.Updates = ups
	b, _ := json.Marshal([]any{hashVersion, parse.Version, link, c})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
