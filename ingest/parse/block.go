package parse

import "strings"

// Every format is first read into the same flat list of blocks; one
// builder then finds headings, metadata, sections and the timeline in it.

type blockKind uint8

const (
	blockHeading blockKind = iota + 1
	blockPara
	blockItem // one list item's text; level is its nesting depth
	blockTable
	blockCode
)

// line is one line of plain text. bold is the byte length of the bold run
// the line starts with (0 when it does not start in bold).
type line struct {
	text string
	bold int
}

type block struct {
	kind blockKind
	// level is the heading level (1 for "#"), or the list depth of an item.
	level int
	// pseudo marks a heading promoted from a bold line, a "Label:" line or a
	// bold list item rather than written as a heading.
	pseudo bool
	// children marks a list item with nested content after its first line.
	children bool
	// lone marks the only item of a numbered list: "3. Surprises" alone
	// is a numbered heading that Markdown reads as a list.
	lone  bool
	lines []line
	// rows of a table, the header first when header is set.
	rows   [][]string
	header bool
}

// text is the block's plain text: lines joined by newlines, table rows by
// newlines with cells separated by tabs.
func (b *block) text() string {
	if b.kind == blockTable {
		var sb strings.Builder
		for i, r := range b.rows {
			if i > 0 {
				sb.WriteByte('\n')
			}
			sb.WriteString(strings.Join(r, "\t"))
		}
		return sb.String()
	}
	if len(b.lines) == 1 {
		return b.lines[0].text
	}
	var sb strings.Builder
	for i, l := range b.lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

// isEmpty reports whether the block holds no text.
func (b *block) isEmpty() bool {
	if b.kind == blockTable {
		for _, r := range b.rows {
			for _, c := range r {
				if strings.TrimSpace(c) != "" {
					return false
				}
			}
		}
		return true
	}
	for _, l := range b.lines {
		if strings.TrimSpace(l.text) != "" {
			return false
		}
	}
	return true
}

// lineBuilder gathers inline text into lines, noting a leading bold run.
type lineBuilder struct {
	lines []line
	cur   strings.Builder
	// boldAt is where an open bold run started on the current line (-1: none).
	boldAt  int
	curBold int
}

func newLineBuilder() lineBuilder { return lineBuilder{boldAt: -1} }

func (lb *lineBuilder) write(s string) { lb.cur.WriteString(s) }

// atLineStart reports whether nothing but spaces was written on the line.
func (lb *lineBuilder) atLineStart() bool {
	return strings.TrimSpace(lb.cur.String()) == ""
}

func (lb *lineBuilder) startBold() {
	if lb.curBold == 0 && lb.atLineStart() {
		lb.boldAt = lb.cur.Len()
	}
}

func (lb *lineBuilder) endBold() {
	if lb.boldAt >= 0 {
		lb.curBold = lb.cur.Len()
		lb.boldAt = -1
	}
}

func (lb *lineBuilder) newline() {
	s := lb.cur.String()
	bold := lb.curBold
	t := strings.TrimLeft(s, " \t")
	if bold > 0 {
		bold -= len(s) - len(t)
	}
	t = strings.TrimRight(t, " \t")
	if bold > len(t) {
		bold = len(t)
	}
	if bold < 0 {
		bold = 0
	}
	lb.lines = append(lb.lines, line{text: t, bold: bold})
	lb.cur.Reset()
	lb.curBold = 0
	lb.boldAt = -1
}

// take returns the gathered lines, dropping blank ones at either end, and
// resets the builder.
func (lb *lineBuilder) take() []line {
	if lb.cur.Len() > 0 {
		lb.newline()
	}
	ls := lb.lines
	lb.lines = nil
	for len(ls) > 0 && ls[0].text == "" {
		ls = ls[1:]
	}
	for len(ls) > 0 && ls[len(ls)-1].text == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}
