package parse

import (
	"strings"
)

// title picks the title: front matter, the first H1, a "Title:" line, the
// HTML <title>, the file name. It returns a date the title states, and
// whether the title written in the document is a template's placeholder.
func (d *doc) title(h1 string, ni nameInfo, hint int) (title string, st stamp, hasStamp, placeholder bool) {
	var fm, body string
	if d.f.titleSrc == srcFrontMatter {
		fm = d.f.title
	} else {
		body = d.f.title
	}
	placeholder = isPlaceholderTitle(h1) || isPlaceholderTitle(fm)
	for _, c := range []string{plainInline(fm), h1, plainInline(body), d.htmlTitle} {
		c = collapseSpace(c)
		if c == "" {
			continue
		}
		c = strings.TrimSpace(stripShortcodes(stripEmoji(c)))
		t, s, ok := cleanTitle(c, hint)
		if ok && !hasStamp {
			st, hasStamp = s, true
		}
		if isPlaceholderTitle(c) {
			continue
		}
		if t == "" {
			t = c
		}
		return t, st, hasStamp, placeholder
	}
	return ni.title, st, hasStamp, placeholder
}

func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\n\t\r") && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// titleNoise are labels a title may start with that say nothing of what
// happened. Longest first.
var titleNoise = []string{
	"incident postmortem", "incident report", "incident review", "incident date",
	"postmortem report", "post-mortem report", "postmortem", "post-mortem", "post mortem",
	"incident on", "retrospective", "incident", "retro",
}

// cleanTitle strips a leading label and date from a title: "2018-01-11,
// Warning from ..." gives "Warning from ...", "Postmortem: DNS outage" gives
// "DNS outage", "Incident report May 12 2025 - Hub outage" gives "Hub
// outage". It also returns a date the title states, leading or not. A
// title that is only a date comes back as "".
func cleanTitle(t string, hint int) (string, stamp, bool) {
	rest := t
	labelled := false
	lower := strings.ToLower(t)
	for _, n := range titleNoise {
		if !strings.HasPrefix(lower, n) || len(t) == len(n) {
			continue
		}
		c := t[len(n)]
		if c != ':' && c != ' ' && c != '-' {
			continue
		}
		after := strings.TrimLeft(t[len(n):], " ")
		labelled = after != "" && strings.ContainsRune(":-–—", []rune(after)[0])
		rest = strings.TrimLeft(after, ":-–— ")
		break
	}
	toks := tokenize(rest, make([]token, 0, 16))
	p := stampParser{toks: toks, hint: hint}
	if s, j, ok := p.at(0); ok && s.hasDate && s.hasYear {
		after := ""
		if j < len(toks) {
			after = rest[toks[j].pos:]
			if !toks[j].sp && !strings.ContainsAny(toks[j].s, ",:;-–—|") {
				return t, s, true // the date runs into a word: not a prefix
			}
		}
		return strings.TrimSpace(strings.TrimLeft(after, " ,:;-–—|")), s, true
	}
	st, _, _, found := findDate(t, hint)
	if labelled && rest != "" {
		return rest, st, found
	}
	return t, st, found
}

// isPlaceholderTitle reports a title left as a template's placeholder.
func isPlaceholderTitle(t string) bool {
	if strings.Contains(t, "{{") || strings.Contains(t, "}}") {
		return true
	}
	k := normKey(t)
	switch k {
	case "title", "incident title", "issue name", "incident name", "title of the incident",
		"title of incident", "untitled", "postmortem template", "post mortem template",
		"template", "incident report", "postmortem", "post mortem", "name", "metadata",
		"incident report template", "template for reports":
		return true
	}
	for _, p := range []string{"title of the incident", "incident title", "issue name", "title incident"} {
		if strings.HasPrefix(k, p+" ") {
			return true
		}
	}
	lower := strings.ToLower(t)
	return strings.Contains(lower, "dd/mm/yyyy") || strings.Contains(lower, "yyyy-mm-dd") ||
		strings.HasSuffix(k, " template") || strings.HasPrefix(k, "template for ")
}

// plainInline renders a field that may hold Markdown ("*boot.ini*", a
// link) as plain text.
func plainInline(s string) string {
	if !strings.ContainsAny(s, "*_[`<&\\") {
		return s
	}
	return textOf(markdownBlocks(s))
}
