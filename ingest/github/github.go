package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/remote"
)

// Defaults of Options.
const (
	DefaultBaseURL = "https://api.github.com"
	DefaultLabel   = "postmortem"
)

// maxPages bounds one pass. The listing is sorted by update time, oldest
// first, so a pass that stops here has still moved the watermark, and the
// next pass goes on from it.
const maxPages = 100

// hashVersion changes when the debriefs made from the same payload change.
const hashVersion = "github/1"

// Options choose the repository and its postmortem issues.
type Options struct {
	// BaseURL is the REST API root: https://api.github.com (the default),
	// or https://HOST/api/v3 for GitHub Enterprise Server.
	BaseURL string
	// Owner and Repo name the repository (github.com/Owner/Repo).
	Owner, Repo string
	// Label selects the postmortem issues ("": DefaultLabel).
	Label string
	// Token is a personal access or app token, sent as a Bearer token.
	// Optional for public repositories (at 60 requests an hour).
	Token string
	// HTTP tunes the client (timeouts, retries, body cap, transport).
	// BaseURL and Authorize are set from the fields above.
	HTTP remote.Options
}

// Source is the github source.
type Source struct {
	c           *remote.Client
	owner, repo string
	label       string
}

// New checks o and returns the source. Errors name the bad field.
func New(o Options) (*Source, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(o.BaseURL); err == nil && strings.EqualFold(u.Hostname(), "github.com") {
		return nil, fmt.Errorf("github: BaseURL %s is the web site; the API is %s", o.BaseURL, DefaultBaseURL)
	}
	if !validName(o.Owner, false) {
		return nil, fmt.Errorf("github: Owner %q: want a user or organisation name (letters, digits, '-')", o.Owner)
	}
	if !validName(o.Repo, true) {
		return nil, fmt.Errorf("github: Repo %q: want a repository name (letters, digits, '-', '_', '.')", o.Repo)
	}
	label := strings.TrimSpace(o.Label)
	if label == "" {
		label = DefaultLabel
	}
	if strings.Contains(label, ",") {
		// The API reads a comma as "all of these labels".
		return nil, fmt.Errorf("github: Label %q: one label, no commas", o.Label)
	}
	h := o.HTTP
	h.BaseURL = o.BaseURL
	token := o.Token
	h.Authorize = func(r *http.Request) {
		r.Header.Set("Accept", "application/vnd.github+json")
		r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
	}
	c, err := remote.New(h)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	return &Source{c: c, owner: o.Owner, repo: o.Repo, label: label}, nil
}

func validName(s string, repo bool) bool {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' ||
			repo && (r == '_' || r == '.')
		if !ok {
			return false
		}
	}
	return true
}

// Fetch lists the labelled issues updated since cursor (all of them when
// cursor is ""), oldest update first, and emits each as a document.
//
// The cursor is the newest updated_at seen (RFC 3339). GitHub's since is
// inclusive, so the issue at the watermark is listed again next pass: it
// costs no parsing (same hash), and an issue updated in the same second
// after this pass read the page is not lost.
//
// Only a first pass (no cursor) lists everything, so only it is Complete:
// issues that lost the label or were deleted are then marked removed.
// Incremental passes cannot see an issue that lost its label (the label
// filter hides it); they never remove anything.
//
// The pages are offset pages: an issue updated while we page moves to the
// end, shifting the rest back by one, so one issue may be skipped. We
// notice (the moved issue shows up twice), and then the pass keeps the old
// cursor and does not claim to be complete, so the next pass sees all.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("github: stored cursor %q is not an RFC 3339 time: %w", clip(cursor, 60), err)
		}
		since = t.UTC()
	}
	ref := "/repos/" + url.PathEscape(s.owner) + "/" + url.PathEscape(s.repo) + "/issues"
	q := url.Values{
		"labels": {s.label}, "state": {"all"}, "sort": {"updated"}, "direction": {"asc"}, "per_page": {"100"},
	}
	if !since.IsZero() {
		q.Set("since", since.Format(time.RFC3339))
	}
	newest := since
	seen := map[int64]bool{}
	shifted, capped := false, false
	for page := 1; ; page++ {
		if page > maxPages {
			capped = true
			break
		}
		res, err := s.c.Get(ctx, ref, q)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("github: list issues of %s/%s, page %d: %w", s.owner, s.repo, page, err)
		}
		items, err := decodePage(res.Body)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("github: list issues of %s/%s, page %d: %w", s.owner, s.repo, page, err)
		}
		for _, it := range items {
			if it.Updated.After(newest) {
				newest = it.Updated
			}
			if it.pull {
				continue
			}
			if seen[it.Number] {
				shifted = true
				continue
			}
			seen[it.Number] = true
			if err := emit(s.document(it)); err != nil {
				return ingest.Fetched{}, err
			}
		}
		next := remote.NextLink(res.Header)
		if next == "" {
			break
		}
		ref, q = next, nil
	}
	out := ingest.Fetched{Cursor: cursor, Complete: cursor == "" && !shifted && !capped}
	if !shifted && newest.After(since) {
		out.Cursor = newest.Format(time.RFC3339)
	}
	return out, nil
}

func (s *Source) document(it item) ingest.Document {
	ref := "issues/" + strconv.FormatInt(it.Number, 10)
	if it.err != nil {
		return ingest.Document{Ref: ref, Err: fmt.Errorf("github: issue #%d: %w", it.Number, it.err)}
	}
	is := it.issue
	return ingest.Document{
		Ref:   ref,
		Hash:  hashIssue(&is),
		Parse: func(ctx context.Context) ([]ingest.Debrief, error) { return debrief(ref, &is) },
	}
}

// hashIssue hashes the fields a debrief is made from; updated_at is left
// out, so that a new comment or reaction costs no parsing.
func hashIssue(is *issue) string {
	b, _ := json.Marshal([]any{hashVersion, parseVersion(), is.Number, is.Title, is.Body, is.HTMLURL,
		is.State, is.Labels, is.Author, is.Created})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
