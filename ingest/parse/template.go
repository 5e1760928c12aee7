package parse

import (
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// Templates sit beside real debriefs in most repositories. By name they are
// left to the sources (template.md, templates/); by content a document is a
// template only when it is clearly one: a placeholder title ("Incident
// Title", "{{ incident name }}") over sections that are mostly empty or
// placeholders, or a run of empty sections with next to no text at all.

// looksLikeTemplate judges a built document.
func looksLikeTemplate(placeholderTitle bool, secs []ingest.Section, text string) bool {
	if len(text) > 20000 {
		return false // templates are short
	}
	headed, empty, words := 0, 0, 0
	for _, s := range secs {
		if s.Level == 0 {
			continue
		}
		headed++
		w := len(s.Text) / 6 // long plain sections are plainly filled in
		if len(s.Text) < 300 || strings.ContainsAny(s.Text, "<{") {
			w = realWords(s.Text)
		}
		if w < 4 {
			empty++
		}
		words += w
	}
	if headed < 3 {
		return false
	}
	mostlyEmpty := empty*2 >= headed
	switch {
	case placeholderTitle && (mostlyEmpty || words < 150 || placeholderCount(text) >= 3):
		return true
	case mostlyEmpty && placeholderCount(text) >= 3:
		return true
	case headed >= 5 && empty*10 >= headed*8 && words < 60:
		return true
	}
	return false
}

// realWords counts the words of a section that are not placeholders.
func realWords(s string) int {
	if strings.ContainsAny(s, "<{") {
		s = stripPlaceholders(s)
	}
	n := 0
	for w := range strings.FieldsSeq(s) {
		if len(w) <= 6 && isFiller(w) {
			continue
		}
		n++
	}
	return n
}

func isFiller(w string) bool {
	w = strings.Trim(w, ".,:;-*_()[]")
	if len(w) > 5 {
		return false
	}
	switch strings.ToLower(w) {
	case "", "xxx", "yyy", "zzz", "tbd", "todo", "n/a", "tba", "...", "-", "lorem", "ipsum":
		return true
	}
	return false
}

// stripPlaceholders removes what templates leave to fill in: {{ ... }}
// and <...>.
func stripPlaceholders(s string) string {
	s = cutSpans(s, "{{", "}}")
	return cutSpans(s, "<", ">")
}

func cutSpans(s, open, close string) string {
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+len(open):], close)
		if j < 0 || j > 400 {
			return s
		}
		s = s[:i] + " " + s[i+len(open)+j+len(close):]
	}
}

// placeholderCount counts tokens templates use where values go.
func placeholderCount(text string) int {
	n := 0
	lower := strings.ToLower(text)
	for _, p := range []string{"{{", "yyyy", "dd/mm", "hh:mm", "xxx", "20xx", "<your", "<insert", "lorem ipsum", "[insert", "[link", "tbd"} {
		n += strings.Count(lower, p)
	}
	return n
}
