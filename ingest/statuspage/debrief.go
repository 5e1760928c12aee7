package statuspage

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// debrief turns an incident into a debrief: the postmortem text (Markdown,
// or HTML when it is markup) through package parse, then what the API
// knows better: the name, the times, the components, the impact, and the
// public updates as the timeline.
func debrief(ref, link string, in *incident) ([]ingest.Debrief, error) {
	var d ingest.Debrief
	if pm := in.postmortem(); pm != "" {
		var err error
		if looksHTML(pm) {
			d, err = parse.HTML("", []byte(pm))
		} else {
			d, err = parse.Markdown("", []byte(pm))
		}
		if err != nil {
			return nil, fmt.Errorf("statuspage: incident %s: postmortem: %w", in.ID, err)
		}
	}
	d.Ref, d.Document, d.URL = ref, ref, link
	if in.Name != "" || d.Title == "" {
		d.Title = strings.TrimSpace(in.Name)
	}
	if d.Title == "" {
		d.Title = "Incident " + in.ID
	}

	// Updates, oldest first, without the postmortem posted as one.
	var ups []update
	for i := len(in.Updates) - 1; i >= 0; i-- {
		if u := in.Updates[i]; u.Status != "postmortem" && strings.TrimSpace(u.Body) != "" {
			ups = append(ups, u)
		}
	}
	slices.SortStableFunc(ups, func(a, b update) int { return a.At.Compare(b.At) })
	if len(ups) > 0 {
		d.Timeline = d.Timeline[:0]
		var lines []string
		for _, u := range ups {
			when := ""
			if !u.At.IsZero() {
				when = u.At.UTC().Format("2006-01-02 15:04 UTC")
			}
			text := statusLabel(u.Status) + ": " + strings.Join(strings.Fields(u.Body), " ")
			d.Timeline = append(d.Timeline, ingest.TimelineItem{At: u.At, When: when, Text: text})
			lines = append(lines, strings.TrimSpace(when+" "+text))
		}
		if !slices.ContainsFunc(d.Sections, func(s ingest.Section) bool { return s.Kind == ingest.KindTimeline }) {
			body := strings.Join(lines, "\n")
			d.Sections = append(d.Sections, ingest.Section{Kind: ingest.KindTimeline, Heading: "Updates", Level: 2, Text: body})
			if d.Text != "" {
				d.Text += "\n\n"
			}
			d.Text += "Updates\n\n" + body
		}
		if d.Summary == "" {
			d.Summary = strings.Join(strings.Fields(ups[0].Body), " ")
		}
	}
	if d.Text == "" {
		return nil, fmt.Errorf("statuspage: incident %s: neither a postmortem nor updates with text", in.ID)
	}
	if !strings.HasPrefix(d.Text, d.Title) {
		d.Text = d.Title + "\n\n" + d.Text
	}

	// Times: the API's, which the postmortem text can only approximate.
	started := in.Started
	if started.IsZero() {
		started = in.Created
		if n := len(ups); n > 0 && !ups[0].At.IsZero() && (started.IsZero() || ups[0].At.Before(started)) {
			started = ups[0].At
		}
	}
	if !started.IsZero() {
		d.Times.Started = started
		if d.Meta.Extra != nil {
			delete(d.Meta.Extra, "date_precision")
		}
	}
	if !in.Resolved.IsZero() {
		d.Times.Resolved = in.Resolved
	}
	if !in.PostmortemAt.IsZero() {
		d.Times.Published = in.PostmortemAt
	}

	if d.Meta.Severity == "" && in.Impact != "" && in.Impact != "none" {
		d.Meta.Severity = in.Impact
	}
	if d.Meta.Status == "" {
		d.Meta.Status = in.Status
	}
	services := slices.Clone(in.Components)
	for _, u := range in.Updates {
		services = append(services, u.Components...)
	}
	for _, s := range services {
		if !slices.ContainsFunc(d.Meta.Services, func(x string) bool { return strings.EqualFold(x, s) }) {
			d.Meta.Services = append(d.Meta.Services, s)
		}
	}
	if d.Meta.Extra == nil {
		d.Meta.Extra = map[string]any{}
	}
	if in.Impact != "" {
		d.Meta.Extra["impact"] = in.Impact
	}
	if in.Shortlink != "" {
		d.Meta.Extra["shortlink"] = in.Shortlink
	}
	if len(d.Meta.Extra) == 0 {
		d.Meta.Extra = nil
	}
	return []ingest.Debrief{d}, nil
}

// looksHTML reports whether a postmortem is markup rather than Markdown:
// it starts with a tag and closes block elements.
func looksHTML(s string) bool {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "<") {
		return false
	}
	l := strings.ToLower(t)
	for _, tag := range []string{"</p>", "</div>", "</h1>", "</h2>", "</h3>", "</ul>", "</ol>", "</table>", "<br"} {
		if strings.Contains(l, tag) {
			return true
		}
	}
	return false
}

func statusLabel(s string) string {
	switch s {
	case "":
		return "Update"
	case "in_progress":
		return "In progress"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + strings.ReplaceAll(s[n:], "_", " ")
}
