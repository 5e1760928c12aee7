package statuspage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest/remote"
)

// Bounds on one incident: what a status page holds is far below them.
const (
	maxPostmortem = 1 << 20
	maxUpdates    = 1000
	maxComponents = 200
)

// listing is one page of GET /api/v2/incidents.json.
type listing struct {
	PageURL   string // the page's own URL, when it gives a usable one
	Incidents []item
}

// item is one incident as listed: decoded, or identified but unreadable.
type item struct {
	incident
	err error
}

type incident struct {
	ID, Name, Status, Impact, Shortlink string
	Created, Started, Updated, Resolved time.Time
	Components                          []string
	Updates                             []update
	Postmortem                          string
	PostmortemAt                        time.Time
}

type update struct {
	Status, Body string
	At           time.Time // display_at, else created_at
	Updated      time.Time
	Components   []string
}

// decodeListing reads one page. A page that is not an object with an
// incidents array, or an incident without an id, fails the page; other bad
// fields fail only their incident.
func decodeListing(data []byte) (listing, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("null")
		}
		return listing{}, fmt.Errorf("want a JSON object with an incidents array, got %s (%v)", remote.JSONKind(data), err)
	}
	var l listing
	if raw, ok := top["page"]; ok && !isNull(raw) {
		var p struct {
			URL json.RawMessage `json:"url"`
		}
		if json.Unmarshal(raw, &p) == nil {
			if s, err := asString(p.URL); err == nil && isWebURL(s) {
				l.PageURL = strings.TrimRight(s, "/")
			}
		}
	}
	raw, ok := top["incidents"]
	if !ok {
		return listing{}, errors.New("no incidents array in the response")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		return listing{}, fmt.Errorf("incidents: want an array, got %s", remote.JSONKind(raw))
	}
	for i, r := range raws {
		it, err := decodeItem(r)
		if err != nil {
			return listing{}, fmt.Errorf("incident %d: %w", i, err)
		}
		l.Incidents = append(l.Incidents, it)
	}
	return l, nil
}

func decodeItem(raw json.RawMessage) (item, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return item{}, fmt.Errorf("want an incident object, got %s", remote.JSONKind(raw))
	}
	id, err := asString(m["id"])
	if err != nil || id == "" {
		return item{}, errors.New("no id")
	}
	if len(id) > 100 || strings.ContainsAny(id, "/?#%\\ \t\n") {
		return item{}, fmt.Errorf("id %q is not an incident id", clip(id, 40))
	}
	it := item{incident: incident{ID: id}}
	it.err = it.incident.decode(m)
	return it, nil
}

func (in *incident) decode(m map[string]json.RawMessage) error {
	var errs []error
	field := func(name string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"name", &in.Name}, {"status", &in.Status}, {"impact", &in.Impact}, {"shortlink", &in.Shortlink}} {
		*f.dst, err = asString(m[f.name])
		field(f.name, err)
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"created_at", &in.Created}, {"started_at", &in.Started}, {"updated_at", &in.Updated}, {"resolved_at", &in.Resolved}, {"postmortem_published_at", &in.PostmortemAt}} {
		*f.dst, err = timeOf(m[f.name])
		field(f.name, err)
	}
	in.Postmortem, err = asString(m["postmortem_body"])
	field("postmortem_body", err)
	if len(in.Postmortem) > maxPostmortem {
		field("postmortem_body", fmt.Errorf("%d bytes, over the %d-byte limit", len(in.Postmortem), maxPostmortem))
		in.Postmortem = ""
	}
	in.Components, err = names(m["components"])
	field("components", err)
	in.Updates, err = updates(m["incident_updates"])
	field("incident_updates", err)
	return errors.Join(errs...)
}

func updates(raw json.RawMessage) ([]update, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, fmt.Errorf("want an array, got %s", remote.JSONKind(raw))
	}
	if len(arr) > maxUpdates {
		return nil, fmt.Errorf("%d updates, over the limit of %d", len(arr), maxUpdates)
	}
	out := make([]update, 0, len(arr))
	for i, e := range arr {
		var m map[string]json.RawMessage
		if json.Unmarshal(e, &m) != nil || m == nil {
			return nil, fmt.Errorf("%d: want an update object, got %s", i, remote.JSONKind(e))
		}
		var u update
		var err error
		if u.Status, err = asString(m["status"]); err != nil {
			return nil, fmt.Errorf("%d: status: %w", i, err)
		}
		if u.Body, err = asString(m["body"]); err != nil {
			return nil, fmt.Errorf("%d: body: %w", i, err)
		}
		if len(u.Body) > maxPostmortem {
			return nil, fmt.Errorf("%d: body: %d bytes, over the %d-byte limit", i, len(u.Body), maxPostmortem)
		}
		created, err := timeOf(m["created_at"])
		if err != nil {
			return nil, fmt.Errorf("%d: created_at: %w", i, err)
		}
		display, err := timeOf(m["display_at"])
		if err != nil {
			return nil, fmt.Errorf("%d: display_at: %w", i, err)
		}
		if u.Updated, err = timeOf(m["updated_at"]); err != nil {
			return nil, fmt.Errorf("%d: updated_at: %w", i, err)
		}
		u.At = display
		if u.At.IsZero() {
			u.At = created
		}
		if u.Components, err = names(m["affected_components"]); err != nil {
			return nil, fmt.Errorf("%d: affected_components: %w", i, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// names reads an array of objects with a name (components).
func names(raw json.RawMessage) ([]string, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, fmt.Errorf("want an array, got %s", remote.JSONKind(raw))
	}
	var out []string
	for _, e := range arr {
		if isNull(e) {
			continue
		}
		var o struct {
			Name json.RawMessage `json:"name"`
		}
		if json.Unmarshal(e, &o) != nil {
			return nil, fmt.Errorf("want a component object, got %s", remote.JSONKind(e))
		}
		s, err := asString(o.Name)
		if err != nil {
			return nil, fmt.Errorf("component name: %w", err)
		}
		if s = strings.TrimSpace(s); s != "" && len(out) < maxComponents {
			out = append(out, s)
		}
	}
	return out, nil
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

// timeOf reads an RFC 3339 time (Statuspage writes milliseconds and the
// page's offset); absent and null are the zero time.
func timeOf(raw json.RawMessage) (time.Time, error) {
	s, err := asString(raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", clip(s, 40))
	}
	return t.UTC(), nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func isWebURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && len(s) > 8 && !strings.ContainsAny(s, " \t\n\"<>")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
