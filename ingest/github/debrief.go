package github

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

func parseVersion() int { return parse.Version }

// debrief reads one issue: its Markdown body through package parse, then
// what the API knows better than the text.
func debrief(ref string, is *issue) ([]ingest.Debrief, error) {
	body := cleanBody(is.Body)
	if !hasText(body) {
		// A labelled issue with nothing written yet (or an issue form left
		// blank) is a placeholder, not a debrief.
		return nil, ingest.ErrSkip
	}
	doc := body
	withTitle := is.Title != "" && !strings.HasPrefix(body, "---") && !strings.HasPrefix(body, "+++") && !strings.HasPrefix(body, ";;;")
	if withTitle {
		// The title goes in as JSON front matter, so that the parser cleans
		// it ("Postmortem: ...") and reads a date it starts with.
		fm, _ := json.Marshal(map[string]string{"title": is.Title})
		doc = ";;;\n" + string(fm) + "\n;;;\n" + body
	}
	// No name: "issues/2019" would read as the year 2019, and a made-up
	// file name would become the title of an issue without one.
	d, err := parse.Markdown("", []byte(doc))
	if err != nil {
		return nil, fmt.Errorf("github: issue #%d: %w", is.Number, err)
	}
	d.Ref, d.Document = ref, ref
	if is.HTMLURL != "" {
		d.URL = is.HTMLURL
	}
	if !withTitle && is.Title != "" || d.Title == "" {
		d.Title = is.Title
	}
	if d.Title == "" {
		d.Title = fmt.Sprintf("Issue #%d", is.Number)
	}
	fillTimes(&d, is.Created)
	for _, l := range is.Labels {
		if !containsFold(d.Meta.Tags, l) {
			d.Meta.Tags = append(d.Meta.Tags, l)
		}
		if d.Meta.Severity == "" {
			if m := sevLabel.FindStringSubmatch(l); m != nil {
				d.Meta.Severity = m[1]
			}
		}
	}
	if len(d.Meta.Authors) == 0 && is.Author != "" {
		d.Meta.Authors = []string{is.Author}
	}
	if is.State != "" {
		if d.Meta.Extra == nil {
			d.Meta.Extra = map[string]any{}
		}
		d.Meta.Extra["issue_state"] = is.State
	}
	return []ingest.Debrief{d}, nil
}

// sevLabel matches severity labels: "sev1", "SEV-2", "severity: high".
var sevLabel = regexp.MustCompile(`(?i)^sev(?:erity)?[\s:/_-]*([a-z0-9]+)$`)

// fillTimes keeps the dates the body states; with none, the incident
// started when the issue was created. The issue's creation is when the
// debrief was published, unless the body says otherwise. A body that gives only a month or a year is made precise by
// the creation time when that falls within it.
func fillTimes(d *ingest.Debrief, created time.Time) {
	if created.IsZero() {
		return
	}
	noDate := d.Times.Date().IsZero()
	if d.Times.Published.IsZero() {
		d.Times.Published = created
	}
	switch prec, _ := d.Meta.Extra["date_precision"].(string); {
	case noDate:
		d.Times.Started = created
	case prec == "month" && sameMonth(d.Times.Started, created), prec == "year" && d.Times.Started.Year() == created.Year():
		d.Times.Started = created
		delete(d.Meta.Extra, "date_precision")
		if len(d.Meta.Extra) == 0 {
			d.Meta.Extra = nil
		}
	}
}

func sameMonth(a, b time.Time) bool {
	b = b.In(a.Location())
	return a.Year() == b.Year() && a.Month() == b.Month()
}

// cleanBody drops what issue forms write for fields left empty, so that
// an empty field is an empty section.
func cleanBody(s string) string {
	if !strings.Contains(s, "_No response_") {
		return s
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) == "_No response_" {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// hasText reports whether s holds anything beyond headings, rules and
// unticked checkboxes.
func hasText(s string) bool {
	for l := range strings.SplitSeq(s, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "", strings.HasPrefix(t, "#"), strings.Trim(t, "-*_= ") == "", strings.HasPrefix(t, "- [ ]"):
			continue
		}
		return true
	}
	return false
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
