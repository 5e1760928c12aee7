package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest/remote"
)

// maxIssueBody bounds the body we parse. GitHub caps issue bodies at
// 65,536 characters; anything much larger is not a GitHub issue.
const maxIssueBody = 1 << 20

// issue is what we use of one item of the issues listing.
type issue struct {
	Number  int64
	Title   string
	Body    string
	HTMLURL string
	State   string
	Labels  []string
	Author  string
	Created time.Time
	Updated time.Time
}

// item is one decoded element of a listing page: an issue, a pull
// request to drop, or an issue we could identify but not read.
type item struct {
	issue
	pull bool
	err  error
}

// decodePage reads one page of GET /repos/{o}/{r}/issues. A page that is
// not an array, or an element without an issue number, fails the page: we
// cannot say which issue it is. Other bad fields fail only their issue.
func decodePage(data []byte) ([]item, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		return nil, fmt.Errorf("want a JSON array of issues, got %s", remote.JSONKind(data))
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("decode the issues array: %w", err)
	}
	items := make([]item, 0, len(raws))
	for i, raw := range raws {
		it, err := decodeItem(raw)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		items = append(items, it)
	}
	return items, nil
}

func decodeItem(raw json.RawMessage) (item, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return item{}, fmt.Errorf("want an issue object, got %s", remote.JSONKind(raw))
	}
	var it item
	n, err := number(m["number"])
	if err != nil {
		return item{}, fmt.Errorf("number: %w", err)
	}
	it.Number = n
	if pr, ok := m["pull_request"]; ok && !isNull(pr) {
		it.pull = true
		// A pull request's updated_at still moves the watermark.
		it.Updated, _ = timeField(m, "updated_at")
		return it, nil
	}
	it.err = it.issue.decode(m)
	return it, nil
}

func (is *issue) decode(m map[string]json.RawMessage) error {
	var err error
	var errs []error
	field := func(name string, e error) {
		if e != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, e))
		}
	}
	is.Updated, err = timeField(m, "updated_at")
	field("updated_at", err)
	is.Created, err = timeField(m, "created_at")
	if errors.Is(err, errMissing) {
		err = nil // the body or updated_at date will do
	}
	field("created_at", err)
	is.Title, err = stringField(m, "title")
	field("title", err)
	is.Body, err = stringField(m, "body")
	field("body", err)
	if len(is.Body) > maxIssueBody {
		field("body", fmt.Errorf("%d bytes, over the %d-byte limit", len(is.Body), maxIssueBody))
		is.Body = ""
	}
	is.State, err = stringField(m, "state")
	field("state", err)
	u, err := stringField(m, "html_url")
	field("html_url", err)
	if pu, perr := url.Parse(u); perr == nil && (pu.Scheme == "https" || pu.Scheme == "http") && pu.Host != "" {
		is.HTMLURL = u
	}
	is.Labels, err = labels(m["labels"])
	field("labels", err)
	if raw, ok := m["user"]; ok && !isNull(raw) {
		var u struct {
			Login json.RawMessage `json:"login"`
		}
		if json.Unmarshal(raw, &u) != nil {
			field("user", fmt.Errorf("want an object, got %s", remote.JSONKind(raw)))
		} else if s, err := asString(u.Login); err == nil {
			is.Author = s
		} else {
			field("user.login", err)
		}
	}
	return errors.Join(errs...)
}

var errMissing = errors.New("missing")

func number(raw json.RawMessage) (int64, error) {
	if raw == nil || isNull(raw) {
		return 0, errMissing
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive integer, got %s", clipJSON(raw))
	}
	return n, nil
}

func stringField(m map[string]json.RawMessage, name string) (string, error) {
	return asString(m[name])
}

// asString reads a JSON string; absent and null are "".
func asString(raw json.RawMessage) (string, error) {
	if raw == nil || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("want a string, got %s", remote.JSONKind(raw))
	}
	return s, nil
}

func timeField(m map[string]json.RawMessage, name string) (time.Time, error) {
	s, err := asString(m[name])
	if err != nil {
		return time.Time{}, err
	}
	if s == "" {
		return time.Time{}, errMissing
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", clip(s, 40))
	}
	return t.UTC(), nil
}

// labels reads the labels array: objects with a name, or (as the REST
// schema also allows) plain strings.
func labels(raw json.RawMessage) ([]string, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, fmt.Errorf("want an array, got %s", remote.JSONKind(raw))
	}
	var out []string
	for _, e := range arr {
		var name string
		if s, err := asString(e); err == nil {
			name = s
		} else {
			var o struct {
				Name json.RawMessage `json:"name"`
			}
			if json.Unmarshal(e, &o) != nil {
				return nil, fmt.Errorf("want a label object or name, got %s", remote.JSONKind(e))
			}
			if name, err = asString(o.Name); err != nil {
				return nil, fmt.Errorf("label name: %w", err)
			}
		}
		if name = strings.TrimSpace(name); name != "" && len(out) < 100 {
			out = append(out, name)
		}
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func clipJSON(raw []byte) string { return clip(string(bytes.TrimSpace(raw)), 40) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
