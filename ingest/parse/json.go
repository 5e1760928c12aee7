package parse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// JSON parses a JSON document holding one debrief object or an array of
// them (or an object whose only list is of them, as API payloads wrap
// them). Field names are matched loosely: title/name, summary/description,
// body/content/markdown/text/postmortem_body (read as Markdown),
// started_at/start/created_at, detected_at, resolved_at, published_at,
// severity, services, teams, tags, authors, url, id, timeline
// [{time|at, text|event|message}], sections [{heading|title, text|body}].
// Each debrief of an array gets the ref "ref#<id>" (or "ref#<n>", counting
// from 1).
func JSON(ref string, data []byte) ([]ingest.Debrief, error) {
	s, err := checkText(data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("json: %s", jsonMessage(s, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(s, int(dec.InputOffset()))
		return nil, fmt.Errorf("json: line %d, column %d: more data after the document", line, col)
	}
	if obj, ok := v.(map[string]any); ok {
		if list, ok := wrappedList(obj); ok {
			v = list
		} else {
			d, err := jsonDebrief(ref, obj)
			if err != nil {
				return nil, err
			}
			d.Ref, d.Document = ref, ref
			return []ingest.Debrief{d}, nil
		}
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("json: the document is %s, not an object or an array of objects", jsonKind(v))
	}
	if len(list) == 0 {
		return nil, errors.New("json: an empty array holds no debriefs")
	}
	out := make([]ingest.Debrief, 0, len(list))
	seen := map[string]bool{}
	for i, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("json: element %d is %s, not an object", i+1, jsonKind(x))
		}
		key := scalarString(field(obj, "id", "uuid", "key", "number", "slug"))
		if key == "" || seen[key] || strings.ContainsAny(key, "#/ \n") {
			key = strconv.Itoa(i + 1)
		}
		seen[key] = true
		sub := ref + "#" + key
		d, err := jsonDebrief(sub, obj)
		if errors.Is(err, ingest.ErrSkip) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("json: element %d: %w", i+1, err)
		}
		d.Ref, d.Document = sub, ref
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, ingest.ErrSkip
	}
	return out, nil
}

// wrappedList finds the debriefs in {"data": [...]}-style payloads: an
// object with no debrief fields and one array of objects.
func wrappedList(obj map[string]any) ([]any, bool) {
	if field(obj, "title", "name", "body", "content", "markdown", "text", "summary", "description", "postmortem_body") != nil {
		return nil, false
	}
	var found []any
	for _, v := range obj {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			continue
		}
		if _, ok := list[0].(map[string]any); !ok {
			continue
		}
		if found != nil {
			return nil, false
		}
		found = list
	}
	return found, found != nil
}

// field returns the first of the named fields present, matching names
// without regard to case, "_" or "-".
func field(obj map[string]any, names ...string) any {
	for _, n := range names {
		if v, ok := obj[n]; ok && v != nil {
			return v
		}
	}
	for _, n := range names {
		nn := normKey(n)
		for k, v := range obj {
			if v != nil && normKey(k) == nn {
				return v
			}
		}
	}
	return nil
}

var (
	bodyFields     = []string{"body", "content", "markdown", "text", "postmortem_body", "postmortem", "body_markdown", "document", "content_markdown"}
	timelineFields = []string{"timeline", "events", "timeline_events"}
	sectionFields  = []string{"sections", "fields", "questions"}
)

// jsonDebrief builds a debrief from one object.
func jsonDebrief(ref string, obj map[string]any) (ingest.Debrief, error) {
	d := newDoc(ref)
	rest := make(map[string]any, len(obj))
	used := map[string]bool{}
	mark := func(names []string) {
		for k := range obj {
			nk := normKey(k)
			for _, n := range names {
				if nk == normKey(n) {
					used[k] = true
				}
			}
		}
	}
	body := bodyText(field(obj, bodyFields...))
	mark(bodyFields)
	if body == "" {
		// No body field: a description is the body rather than a summary.
		if desc, ok := field(obj, "description").(string); ok {
			body = desc
			mark([]string{"description"})
		}
	}
	if body != "" {
		b := stripERB(body)
		fm, md, err := splitFrontMatter(b)
		if err != nil {
			return ingest.Debrief{}, err
		}
		d.addFields(fm, srcFrontMatter)
		d.blocks = markdownBlocks(md)
	}
	if secs, ok := field(obj, sectionFields...).([]any); ok {
		mark(sectionFields)
		for _, x := range secs {
			sec, ok := x.(map[string]any)
			if !ok {
				continue
			}
			h := scalarString(field(sec, "heading", "title", "name", "label", "question"))
			t := bodyText(field(sec, "text", "body", "content", "value", "markdown", "answer"))
			if h != "" {
				d.blocks = append(d.blocks, block{kind: blockHeading, level: 2, lines: []line{{text: h}}})
			}
			if t != "" {
				d.blocks = append(d.blocks, markdownBlocks(t)...)
			}
		}
	}
	if tl, ok := field(obj, timelineFields...).([]any); ok {
		mark(timelineFields)
		d.timeline, d.hasTimeline = jsonTimeline(tl), true
	}
	for k, v := range obj {
		if !used[k] {
			rest[k] = v
		}
	}
	// Title and times from the object come first; a body's own front
	// matter and lines only fill what the object left empty.
	var f fields
	f.addMap(rest, srcFrontMatter)
	f.merge(d.f)
	d.f = f
	// A title given only in the object leaves no H1 to take over the body:
	// the object's fields are authoritative.
	return d.build()
}

// merge fills what f lacks from g.
func (f *fields) merge(g fields) {
	if f.title == "" {
		f.title, f.titleSrc = g.title, g.titleSrc
	}
	if f.summary == "" {
		f.summary = g.summary
	}
	if f.url == "" {
		f.url = g.url
	}
	if f.meta.Severity == "" {
		f.meta.Severity = g.meta.Severity
	}
	if f.meta.Status == "" {
		f.meta.Status = g.meta.Status
	}
	for _, t := range []target{tServices, tTeams, tTags, tAuthors, tParticipants} {
		dst := f.list(t)
		for _, s := range *g.list(t) {
			*dst = appendUnique(*dst, s)
		}
	}
	for i := range f.times {
		if !f.times[i].set {
			f.times[i] = g.times[i]
		}
	}
	for k, v := range g.meta.Extra {
		if f.meta.Extra == nil {
			f.meta.Extra = map[string]any{}
		}
		if _, ok := f.meta.Extra[k]; !ok {
			f.meta.Extra[k] = v
		}
	}
}

// bodyText reads a body that is a string, or an object holding one.
func bodyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if s, ok := field(v, "markdown", "content", "text", "body", "value", "html").(string); ok {
			return s
		}
	}
	return ""
}

func jsonTimeline(list []any) []ingest.TimelineItem {
	var out []ingest.TimelineItem
	for _, x := range list {
		e, ok := x.(map[string]any)
		if !ok {
			continue
		}
		when := scalarString(field(e, "time", "at", "timestamp", "occurred_at", "date", "when", "created_at"))
		text := scalarString(field(e, "text", "event", "message", "description", "body", "title", "summary"))
		if text == "" {
			continue
		}
		it := ingest.TimelineItem{When: when, Text: text}
		if t, ok := ParseTime(when); ok {
			it.At = t
		}
		out = append(out, it)
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonMessage turns a decoder error into one that says where.
func jsonMessage(s string, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(s, int(se.Offset)-1)
		return fmt.Sprintf("line %d, column %d: %s", line, col, se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the document ends before the JSON value does"
	}
	return err.Error()
}

func lineCol(s string, off int) (int, int) {
	off = min(max(off, 0), len(s))
	line := 1 + strings.Count(s[:off], "\n")
	col := off - strings.LastIndexByte(s[:off], '\n')
	return line, col
}
