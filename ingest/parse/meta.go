package parse

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/secondstory/secondstory/ingest"
)

// target is the part of a debrief a metadata key fills.
type target uint8

const (
	tNone target = iota
	tTitle
	tSummary
	tURL
	tSeverity
	tStatus
	tServices
	tTeams
	tTags
	tAuthors
	tParticipants
	tStarted
	tDetected
	tResolved
	tPublished
)

func (t target) isList() bool { return t >= tServices && t <= tParticipants }
func (t target) isTime() bool { return t >= tStarted && t <= tPublished }

// fieldKey is a known metadata key; rank orders keys that fill the same
// target (lower wins), so "start_time" beats a generic "date".
type fieldKey struct {
	t    target
	rank int
}

// fieldKeys maps normalised keys (see normKey) of front matter, JSON fields
// and "Key: value" lines to what they fill.
var fieldKeys = map[string]fieldKey{
	"title": {tTitle, 0}, "name": {tTitle, 2}, "subject": {tTitle, 3}, "headline": {tTitle, 3},
	"incident title": {tTitle, 1}, "incident name": {tTitle, 1},

	"summary": {tSummary, 0}, "tldr": {tSummary, 1}, "tl dr": {tSummary, 1},
	"description": {tSummary, 2}, "issue summary": {tSummary, 1}, "incident summary": {tSummary, 1},
	"executive summary": {tSummary, 1},

	"url": {tURL, 0}, "link": {tURL, 2}, "permalink": {tURL, 1}, "html url": {tURL, 1},
	"web url": {tURL, 1}, "source url": {tURL, 1}, "postmortem url": {tURL, 1},

	"severity": {tSeverity, 0}, "sev": {tSeverity, 1}, "incident severity": {tSeverity, 0},
	"severity level": {tSeverity, 0}, "priority": {tSeverity, 3}, "impact level": {tSeverity, 2},
	"sev level": {tSeverity, 1},

	"status": {tStatus, 0}, "report status": {tStatus, 1}, "incident status": {tStatus, 1},
	"postmortem status": {tStatus, 1}, "state": {tStatus, 2},

	"services": {tServices, 0}, "service": {tServices, 0}, "systems": {tServices, 1},
	"system": {tServices, 1}, "components": {tServices, 1}, "component": {tServices, 1},
	"product": {tServices, 2}, "products": {tServices, 2}, "affected services": {tServices, 0},
	"affected systems": {tServices, 1}, "affected components": {tServices, 1},
	"affected service": {tServices, 0}, "affected products": {tServices, 2},

	"teams": {tTeams, 0}, "team": {tTeams, 0}, "owning team": {tTeams, 1},
	"owner team": {tTeams, 1}, "affected teams": {tTeams, 2}, "squad": {tTeams, 2},

	"tags": {tTags, 0}, "tag": {tTags, 0}, "labels": {tTags, 1}, "label": {tTags, 1},
	"categories": {tTags, 2}, "category": {tTags, 2}, "keywords": {tTags, 3},

	"authors": {tAuthors, 0}, "author": {tAuthors, 0}, "owner": {tAuthors, 1},
	"by": {tAuthors, 2}, "written by": {tAuthors, 1}, "postmortem owner": {tAuthors, 1},
	"report author": {tAuthors, 1}, "document owner": {tAuthors, 1},

	"participants": {tParticipants, 0}, "attendees": {tParticipants, 0},
	"responders": {tParticipants, 0}, "people involved": {tParticipants, 0},
	"involved": {tParticipants, 1}, "names": {tParticipants, 2}, "name s": {tParticipants, 2},
	"names of people involved": {tParticipants, 1}, "people": {tParticipants, 2},

	"date": {tStarted, 5}, "started": {tStarted, 1}, "start": {tStarted, 2},
	"start time": {tStarted, 0}, "start date": {tStarted, 1}, "incident date": {tStarted, 1},
	"started at": {tStarted, 0}, "start at": {tStarted, 0}, "incident start": {tStarted, 0},
	"start date time": {tStarted, 1}, "began": {tStarted, 2}, "date of incident": {tStarted, 1},
	"impact started at": {tStarted, 1}, "incident started": {tStarted, 0},
	"created at": {tStarted, 8}, "created": {tStarted, 9}, "occurred at": {tStarted, 1},

	"detected": {tDetected, 0}, "detection time": {tDetected, 0}, "detected at": {tDetected, 0},
	"time detected": {tDetected, 0}, "first detected": {tDetected, 0}, "identified at": {tDetected, 1},
	"detected on": {tDetected, 0},

	"resolved": {tResolved, 1}, "end": {tResolved, 2}, "end time": {tResolved, 0},
	"end date": {tResolved, 1}, "ended": {tResolved, 2}, "recovered": {tResolved, 2},
	"resolved at": {tResolved, 0}, "resolution time": {tResolved, 1}, "end date time": {tResolved, 1},
	"ended at": {tResolved, 1}, "recovered at": {tResolved, 1}, "closed at": {tResolved, 3},
	"incident end": {tResolved, 0}, "incident resolved": {tResolved, 0},

	"published": {tPublished, 1}, "date published": {tPublished, 0}, "published at": {tPublished, 0},
	"publish date": {tPublished, 1}, "source published at": {tPublished, 2},
	"postmortem date": {tPublished, 3}, "publication date": {tPublished, 1},
}

// detailHeadings name sections that hold "Key: value" lines or a key/value
// table rather than prose.
var detailHeadings = map[string]bool{
	"stats": true, "metadata": true, "details": true, "incident details": true,
	"incident information": true, "important information": true, "key information": true,
	"info": true, "incident info": true, "facts": true, "key facts": true,
	"incident data": true, "incident metadata": true, "properties": true,
}

// normKey normalises a metadata key: lower case, "_", "-", "/" and other
// punctuation read as spaces, spaces collapsed, parentheticals dropped.
func normKey(k string) string { return matchKey(k) }

func lookupField(key string) fieldKey { return fieldKeys[normKey(key)] }

// Sources of fields, strongest first: a field from front matter is not
// replaced by a "Key: value" line in the body.
const (
	srcFrontMatter = iota
	srcBody
	srcSection
)

type timeCand struct {
	t    time.Time
	rank int
	src  int
	set  bool
}

// fields gathers what metadata says, whatever its shape.
type fields struct {
	title, summary, url string
	titleSrc, sumRank   int
	meta                ingest.Metadata
	times               [4]timeCand // started, detected, resolved, published
}

// addMap adds front matter or JSON fields, in an order that does not
// depend on map iteration.
func (f *fields) addMap(m map[string]any, src int) {
	type ranked struct {
		key  string
		rank int
	}
	keys := make([]ranked, 0, len(m))
	for k := range m {
		keys = append(keys, ranked{k, lookupField(k).rank})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].rank != keys[j].rank {
			return keys[i].rank < keys[j].rank
		}
		return keys[i].key < keys[j].key
	})
	for _, k := range keys {
		f.add(k.key, m[k.key], src)
	}
}

// add records one key and its value.
func (f *fields) add(key string, v any, src int) {
	fk := lookupField(key)
	switch {
	case fk.t == tTitle:
		if s := scalarString(v); s != "" && f.title == "" {
			f.title, f.titleSrc = s, src
		}
		return
	case fk.t == tSummary:
		if s := scalarString(v); s != "" && (f.summary == "" || fk.rank < f.sumRank && src == srcFrontMatter) {
			f.summary, f.sumRank = s, fk.rank
		}
		return
	case fk.t == tURL:
		if s := scalarString(v); isURL(s) {
			if f.url == "" {
				f.url = s
			}
			return
		}
	case fk.t == tSeverity:
		if s := scalarString(v); s != "" {
			if f.meta.Severity == "" {
				f.meta.Severity = s
			}
			return
		}
	case fk.t == tStatus:
		if s := scalarString(v); s != "" {
			if f.meta.Status == "" {
				f.meta.Status = s
			}
			return
		}
	case fk.t.isList():
		if vals := listStrings(v, fk.t == tAuthors || fk.t == tParticipants); len(vals) > 0 {
			dst := f.list(fk.t)
			for _, s := range vals {
				*dst = appendUnique(*dst, s)
			}
			return
		}
	case fk.t.isTime():
		if t, ok := timeValue(v); ok {
			c := &f.times[fk.t-tStarted]
			if !c.set || src == c.src && fk.rank < c.rank {
				*c = timeCand{t: t, rank: fk.rank, src: src, set: true}
			}
			return
		}
	}
	if v == nil {
		return
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		return
	}
	if f.meta.Extra == nil {
		f.meta.Extra = map[string]any{}
	}
	if _, dup := f.meta.Extra[key]; !dup {
		f.meta.Extra[key] = jsonSafe(v, 0)
	}
}

func (f *fields) list(t target) *[]string {
	switch t {
	case tServices:
		return &f.meta.Services
	case tTeams:
		return &f.meta.Teams
	case tTags:
		return &f.meta.Tags
	case tAuthors:
		return &f.meta.Authors
	default:
		return &f.meta.Participants
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

func isURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \n")
}

// scalarString renders a scalar (or an object's name) as a trimmed string.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case map[string]any:
		for _, k := range []string{"name", "label", "title", "value", "slug", "summary"} {
			if s := scalarString(v[k]); s != "" {
				return s
			}
		}
	}
	return ""
}

// listStrings reads a YAML/JSON list, or a comma- or semicolon-separated
// string. People lists also split on " and " and "&".
func listStrings(v any, people bool) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if s := scalarString(x); s != "" {
				out = append(out, s)
			}
		}
	case []string:
		for _, s := range v {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		s := scalarString(v)
		if s == "" {
			return nil
		}
		out = splitList(s, people)
	}
	return out
}

func splitList(s string, people bool) []string {
	seps := func(r rune) bool { return r == ',' || r == ';' || r == '\n' }
	var out []string
	for _, part := range strings.FieldsFunc(s, seps) {
		if people {
			for _, p := range splitAnd(part) {
				if p = trimListItem(p); p != "" {
					out = append(out, p)
				}
			}
			continue
		}
		if part = trimListItem(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func splitAnd(s string) []string {
	s = strings.ReplaceAll(s, " & ", " and ")
	return strings.Split(s, " and ")
}

func trimListItem(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "and ")
	return strings.Trim(s, " \t.-*•")
}

// timeValue reads a moment from a field value.
func timeValue(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		if y := v.Year(); y < minYear || y > maxYear {
			return time.Time{}, false
		}
		return v.UTC(), true
	case string:
		return ParseTime(v)
	case fmt.Stringer:
		// TOML local dates and times.
		return ParseTime(v.String())
	}
	return time.Time{}, false
}

// jsonSafe turns a decoded YAML, TOML or JSON value into one that always
// marshals to JSON: maps with string keys, finite numbers, times as text.
func jsonSafe(v any, depth int) any {
	if depth > 20 {
		return nil
	}
	switch v := v.(type) {
	case nil, bool, string, json.Number, int, int64, uint64:
		return v
	case int8, int16, int32, uint, uint8, uint16, uint32:
		return fmt.Sprint(v)
	case float32:
		return jsonSafe(float64(v), depth)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprint(v)
		}
		return v
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonSafe(x, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonSafe(x, depth+1)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = jsonSafe(x, depth+1)
		}
		return out
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// kvLine splits a "Key: value" line: "**Key:** value", "**Key**: value" or,
// when plain is set, "Key: value" with a short key that starts with a
// letter. bold reports the bold forms.
func kvLine(l line, plain bool) (key, value string, bold, ok bool) {
	t := l.text
	if l.bold > 0 && l.bold <= len(t) {
		b, rest := t[:l.bold], t[l.bold:]
		switch {
		case strings.HasSuffix(strings.TrimSpace(b), ":"):
			key = strings.TrimSuffix(strings.TrimSpace(b), ":")
			value = rest
		case strings.HasPrefix(strings.TrimLeft(rest, " "), ":"):
			key = b
			value = strings.TrimLeft(rest, " ")[1:]
		default:
			return "", "", false, false
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" || value == "" || len(key) > 60 || countWords(key) > 8 {
			return "", "", false, false
		}
		return key, value, true, true
	}
	if !plain {
		return "", "", false, false
	}
	i := strings.IndexByte(t, ':')
	if i < 1 || i > 40 || i+1 >= len(t) || t[i+1] != ' ' && t[i+1] != '\t' {
		return "", "", false, false
	}
	key = strings.TrimSpace(t[:i])
	value = strings.TrimSpace(t[i+1:])
	if key == "" || value == "" || !plainKey(key) {
		return "", "", false, false
	}
	return key, value, false, true
}

func plainKey(k string) bool {
	r0 := []rune(k)[0]
	if !unicode.IsLetter(r0) || countWords(k) > 5 {
		return false
	}
	for _, r := range k {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -_/&()'.#", r)) {
			return false
		}
	}
	return true
}

func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}
