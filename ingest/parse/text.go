package parse

import (
	"strings"
	"unicode"

	"github.com/secondstory/secondstory/ingest"
)

// PlainText parses a plain text document into a debrief. Headings are
// lines underlined with "===" or "---", ALL-CAPS lines, numbered known
// headings ("3. Root cause") and known "Label:" lines; "-", "*", "•" and
// numbered lines are list items. A short first line standing alone is the
// title.
func PlainText(ref string, data []byte) (ingest.Debrief, error) {
	s, err := checkText(data)
	if err != nil {
		return ingest.Debrief{}, err
	}
	d := newDoc(ref)
	d.blocks = textBlocks(s)
	return d.build()
}

func textBlocks(s string) []block {
	lines := strings.Split(s, "\n")
	var out []block
	var para []line
	flush := func() {
		if len(para) > 0 {
			out = append(out, block{kind: blockPara, lines: para})
			para = nil
		}
	}
	blank := func(i int) bool { return i >= len(lines) || strings.TrimSpace(lines[i]) == "" }
	first := true
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t")
		t := strings.TrimSpace(raw)
		if t == "" {
			flush()
			continue
		}
		isFirst := first
		first = false
		if i+1 < len(lines) && len(para) == 0 {
			if lvl := underline(lines[i+1]); lvl > 0 {
				out = append(out, block{kind: blockHeading, level: lvl, lines: []line{{text: t}}})
				i++
				continue
			}
		}
		if len(para) == 0 && textHeading(t) {
			flush()
			level := 2
			if isFirst {
				level = 1
			}
			out = append(out, block{kind: blockHeading, level: level, lines: []line{{text: t}}})
			continue
		}
		if isFirst && len(para) == 0 && blank(i+1) && titleLine(t) {
			out = append(out, block{kind: blockHeading, level: 1, lines: []line{{text: t}}})
			continue
		}
		if rest, ok := bullet(t); ok {
			flush()
			indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
			item := []line{{text: rest}}
			// Continuation lines are indented and are not bullets themselves.
			for i+1 < len(lines) {
				next := strings.TrimRight(lines[i+1], " \t")
				ni := len(next) - len(strings.TrimLeft(next, " \t"))
				nt := strings.TrimSpace(next)
				if nt == "" || ni <= indent {
					break
				}
				if _, isBullet := bullet(nt); isBullet {
					break
				}
				item = append(item, line{text: nt})
				i++
			}
			out = append(out, block{kind: blockItem, level: indent/2 + 1, lines: item})
			continue
		}
		para = append(para, line{text: t})
	}
	flush()
	return out
}

// underline reports the heading level a line of "=" (1) or "-"/"~" (2)
// gives the line above it.
func underline(l string) int {
	t := strings.TrimSpace(l)
	if len(t) < 3 {
		return 0
	}
	c := t[0]
	if c != '=' && c != '-' && c != '~' {
		return 0
	}
	for i := 1; i < len(t); i++ {
		if t[i] != c {
			return 0
		}
	}
	if c == '=' {
		return 1
	}
	return 2
}

// textHeading reports a line standing alone that reads as a heading: ALL
// CAPS, or a numbered known heading ("3. Root cause").
func textHeading(t string) bool {
	if len(t) > 70 || countWords(t) > 8 {
		return false
	}
	letters, upper := 0, 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= 3 && upper == letters && !strings.HasSuffix(t, ".") {
		return true
	}
	if stripNumbering(t) != t {
		_, exact := kindOf(t)
		return exact
	}
	return false
}

// titleLine reports whether a first line standing alone can be a title: it
// is short, no sentence, no label, no known section heading.
func titleLine(t string) bool {
	if len(t) > 100 || countWords(t) > 14 {
		return false
	}
	if strings.ContainsAny(t[len(t)-1:], ".!?:;,") {
		return false
	}
	if _, _, _, ok := kvLine(line{text: t}, true); ok {
		return false
	}
	return SectionKindOf(t) == ingest.KindOther
}

// bullet reads a list item marker: "- ", "* ", "+ ", "• ", "1. ", "1) ", "a) ".
func bullet(t string) (string, bool) {
	for _, m := range []string{"- ", "* ", "+ ", "• ", "· ", "– "} {
		if rest, ok := strings.CutPrefix(t, m); ok {
			return strings.TrimSpace(rest), true
		}
	}
	i := 0
	for i < len(t) && i < 3 && isDigit(t[i]) {
		i++
	}
	if i == 0 && len(t) > 2 && isASCIILetter(t[0]) && t[1] == ')' {
		i = 1
	}
	if i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && t[i+1] == ' ' {
		return strings.TrimSpace(t[i+2:]), true
	}
	return "", false
}
