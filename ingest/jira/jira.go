package jira

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	nethtml "golang.org/x/net/html"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/atlassian"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/remote"
)

// Defaults of Options' zero values.
const (
	DefaultLabel    = "postmortem"
	DefaultPageSize = 100
	DefaultOverlap  = 10 * time.Minute
)

const (
	maxPageSize = 5000
	maxPages    = 10_000
	// converterVersion changes whenever the conversion of an issue gives
	// different output for the same payload.
	converterVersion = 1
	searchFields     = "summary,description,created,updated,resolutiondate,labels,priority,components,status"
)

// Options configure a Jira source.
type Options struct {
	// BaseURL is the site, https://acme.atlassian.net.
	BaseURL string
	// Email and Token authorize: Basic email:token (Cloud API token) when
	// Email is set, else Bearer Token.
	Email string
	Token string
	// Project (a project key) and Label select issues; Label is
	// DefaultLabel when JQL is empty.
	Project string
	Label   string
	// JQL, when set, selects issues instead of Project and Label (which
	// must then be empty). It is ANDed with the incremental clause; an
	// ORDER BY of its own is dropped. It must be bounded (restrict
	// something), as the search API requires.
	JQL string
	// TimeZone is the IANA zone in which Jira reads JQL dates: the profile
	// time zone of the account the token belongs to. Empty means unknown:
	// the incremental clause then steps back far enough to be right in
	// any zone (about a day).
	TimeZone string
	// Overlap is how far before the watermark each incremental search
	// starts (0: DefaultOverlap), for the minute precision of JQL dates,
	// clock skew and the index's lag. Issues listed again cost no parsing:
	// their hash is unchanged.
	Overlap time.Duration
	// PageSize is maxResults per request (0: DefaultPageSize).
	PageSize int
	// Timeout, Retries and MaxWait tune the HTTP client (see
	// remote.Options; zero values take its defaults).
	Timeout time.Duration
	Retries int
	MaxWait time.Duration
}

// Source is the Jira source: issues found by JQL, their descriptions as
// debriefs.
type Source struct {
	c        *remote.Client
	site     string // https://acme.atlassian.net, for browse URLs
	base     string // the selection, without the incremental clause
	loc      *time.Location
	overlap  time.Duration
	pageSize int
}

// New validates o and returns a source. Errors name the bad field.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("jira: Token is empty")
	}
	if strings.ContainsAny(o.Email, ":\r\n") {
		return nil, errors.New("jira: Email must not contain a colon or a line break")
	}
	if o.JQL != "" && (o.Project != "" || o.Label != "") {
		return nil, errors.New("jira: JQL replaces Project and Label: set either JQL or Project/Label")
	}
	if o.PageSize < 0 || o.PageSize > maxPageSize {
		return nil, fmt.Errorf("jira: PageSize %d: want 0 (default %d) to %d", o.PageSize, DefaultPageSize, maxPageSize)
	}
	if o.Overlap < 0 {
		return nil, fmt.Errorf("jira: Overlap %s is negative", o.Overlap)
	}
	s := &Source{overlap: o.Overlap, pageSize: o.PageSize}
	if s.overlap == 0 {
		s.overlap = DefaultOverlap
	}
	if s.pageSize == 0 {
		s.pageSize = DefaultPageSize
	}
	loc, err := atlassian.Zone(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("jira: TimeZone %q: %v", o.TimeZone, err)
	}
	s.loc = loc
	sel, err := selection(o)
	if err != nil {
		return nil, err
	}
	s.base = sel
	auth := remote.Bearer(o.Token)
	if o.Email != "" {
		auth = remote.Basic(o.Email, o.Token)
	}
	c, err := remote.New(remote.Options{BaseURL: strings.TrimRight(strings.TrimSpace(o.BaseURL), "/"), Authorize: auth,
		Timeout: o.Timeout, Retries: o.Retries, MaxWait: o.MaxWait})
	if err != nil {
		return nil, fmt.Errorf("jira: %w", err)
	}
	s.c = c
	s.site = strings.TrimRight(strings.TrimSpace(o.BaseURL), "/")
	return s, nil
}

func selection(o Options) (string, error) {
	if o.JQL != "" {
		q := strings.TrimSpace(atlassian.DropOrderBy(o.JQL))
		if q == "" {
			return "", errors.New("jira: JQL holds nothing but an ORDER BY")
		}
		return "(" + q + ")", nil
	}
	label := o.Label
	if label == "" {
		label = DefaultLabel
	}
	q := "labels = " + atlassian.Quote(label)
	if o.Project != "" {
		q = "project = " + atlassian.Quote(o.Project) + " AND " + q
	}
	return q, nil
}

// Fetch searches the issues the JQL selects that were updated since the
// cursor (all of them on the first pass), oldest first, one document per
// issue. The search returns the description with the issue, so a pass
// costs one request per page of results and an unchanged issue (same
// hash) costs nothing more. The cursor is the newest updated time seen
// (RFC 3339). The first pass, which lists everything, is Complete.
func (s *Source) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	mark, hasMark := atlassian.ParseTime(cursor)
	var since time.Time
	if hasMark {
		since = mark.Add(-s.overlap)
	}
	q := url.Values{
		"jql":        {atlassian.Since(s.base, "updated", since, s.loc)},
		"fields":     {searchFields},
		"expand":     {"renderedFields"},
		"maxResults": {strconv.Itoa(s.pageSize)},
	}
	newest := mark
	seen := map[string]bool{}
	tokens := map[string]bool{}
	for n := 1; ; n++ {
		if n > maxPages {
			return ingest.Fetched{}, fmt.Errorf("jira: search issues: stopped after %d result pages", maxPages)
		}
		res, err := s.c.Get(ctx, "rest/api/3/search/jql", q)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("jira: search issues: %w", err)
		}
		sp, err := decodeSearch(res.Body)
		if err != nil {
			return ingest.Fetched{}, fmt.Errorf("jira: search issues: GET %s: not a JQL search result: %w", res.URL.EscapedPath(), err)
		}
		for i := range sp.Issues {
			is := &sp.Issues[i]
			doc := s.document(is)
			if seen[doc.Ref] {
				continue
			}
			seen[doc.Ref] = true
			if t, ok := atlassian.ParseTime(is.Fields.Updated); ok && t.After(newest) {
				newest = t
			}
			if err := emit(doc); err != nil {
				return ingest.Fetched{}, err
			}
		}
		next := sp.NextPageToken
		if sp.IsLast != nil && *sp.IsLast || next == "" || len(sp.Issues) == 0 {
			break
		}
		if tokens[next] {
			return ingest.Fetched{}, errors.New("jira: search issues: the server sent the same nextPageToken twice")
		}
		tokens[next] = true
		q.Set("nextPageToken", next)
	}
	out := ingest.Fetched{Complete: !hasMark, Cursor: cursor}
	if !newest.IsZero() {
		out.Cursor = newest.UTC().Format(time.RFC3339Nano)
	}
	return out, nil
}

func (s *Source) document(is *issue) ingest.Document {
	ref := "issue/" + is.ID
	copyIs := *is
	return ingest.Document{
		Ref:  ref,
		Hash: issueHash(is),
		Parse: func(context.Context) ([]ingest.Debrief, error) {
			d, err := convertIssue(ref, s.site, &copyIs)
			if err != nil {
				return nil, err
			}
			return []ingest.Debrief{d}, nil
		},
	}
}

// issueHash hashes the fields a debrief is made of (not updated, which
// changes with every comment).
func issueHash(is *issue) string {
	var comps []string
	for _, c := range is.Fields.Components {
		comps = append(comps, c.Name)
	}
	labels := append([]string(nil), is.Fields.Labels...)
	sort.Strings(labels)
	sort.Strings(comps)
	var prio, status string
	if is.Fields.Priority != nil {
		prio = is.Fields.Priority.Name
	}
	if is.Fields.Status != nil {
		status = is.Fields.Status.Name
	}
	b, _ := json.Marshal([]any{is.Key, is.Fields.Summary, is.Fields.Description, is.RenderedFields.Description,
		is.Fields.Created, is.Fields.ResolutionDate, labels, comps, prio, status})
	h := sha256.New()
	fmt.Fprintf(h, "jira/%d/parse/%d\x00", converterVersion, parse.Version)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// convertIssue turns an issue into a debrief: its description (rendered
// HTML when the search gave it, else Atlassian Document Format) under the
// summary as <h1>, read by parse.HTML; then the issue's fields fill what
// the text does not state: severity from the priority, status, services
// from the components, tags from the labels, started from created and
// resolved from the resolution date. An issue without a description is
// not a debrief (yet).
func convertIssue(ref, site string, is *issue) (ingest.Debrief, error) {
	body, err := descriptionHTML(is)
	if err != nil {
		return ingest.Debrief{}, err
	}
	if !hasText(body) {
		return ingest.Debrief{}, fmt.Errorf("issue %s has no description: %w", is.Key, ingest.ErrSkip)
	}
	summary := strings.Join(strings.Fields(is.Fields.Summary), " ")
	doc := "<h1>" + html.EscapeString(summary) + "</h1>\n" + body
	d, err := parse.HTML("", []byte(doc))
	if err != nil {
		return ingest.Debrief{}, err
	}
	d.Ref, d.Document = ref, ref
	if d.Title == "" {
		d.Title = summary
	}
	d.URL = site + "/browse/" + url.PathEscape(is.Key)
	f := &is.Fields
	if d.Meta.Severity == "" && f.Priority != nil {
		d.Meta.Severity = strings.TrimSpace(f.Priority.Name)
	}
	if d.Meta.Status == "" && f.Status != nil {
		d.Meta.Status = strings.TrimSpace(f.Status.Name)
	}
	for _, c := range f.Components {
		d.Meta.Services = appendUnique(d.Meta.Services, c.Name)
	}
	for _, l := range f.Labels {
		d.Meta.Tags = appendUnique(d.Meta.Tags, l)
	}
	if t, ok := atlassian.ParseTime(f.Created); ok && d.Times.Started.IsZero() {
		d.Times.Started = t
	}
	if t, ok := atlassian.ParseTime(f.ResolutionDate); ok && d.Times.Resolved.IsZero() {
		d.Times.Resolved = t
	}
	if d.Meta.Extra == nil {
		d.Meta.Extra = map[string]any{}
	}
	d.Meta.Extra["issue_key"] = is.Key
	return d, nil
}

// descriptionHTML is the description as HTML: rendered, else converted
// from ADF, else (a plain string) as paragraphs.
func descriptionHTML(is *issue) (string, error) {
	if h := is.renderedDescription(); strings.TrimSpace(h) != "" {
		return h, nil
	}
	raw := trimRaw(is.Fields.Description)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("issue %s: description: %w", is.Key, err)
		}
		var sb strings.Builder
		for p := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			sb.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(p), "\n", "<br>") + "</p>\n")
		}
		return sb.String(), nil
	}
	doc, err := decodeADF(raw)
	if err != nil {
		return "", fmt.Errorf("issue %s: %w", is.Key, err)
	}
	return adfHTML(doc), nil
}

func trimRaw(r json.RawMessage) []byte {
	return []byte(strings.TrimSpace(string(r)))
}

// hasText reports whether HTML holds any text a reader would see.
func hasText(s string) bool {
	z := nethtml.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return false
		case nethtml.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			}
		case nethtml.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			}
		case nethtml.TextToken:
			if skip == 0 && strings.TrimSpace(string(z.Text())) != "" {
				return true
			}
		}
	}
}

func appendUnique(list []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}
