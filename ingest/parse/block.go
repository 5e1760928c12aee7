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
// Its buffer is reused from line to line; each line's text is one string.
type lineBuilder struct {
	lines []line
	buf   []byte
	// bolding is set while a bold run that opened the line is open.
	bolding bool
	curBold int
}

func (lb *lineBuilder) write(s string)      { lb.buf = append(lb.buf, s...) }
func (lb *lineBuilder) writeBytes(b []byte) { lb.buf = append(lb.buf, b...) }

// atLineStart reports whether nothing but spaces was written on the line.
func (lb *lineBuilder) atLineStart() bool {
	for _, c := range lb.buf {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func (lb *lineBuilder) startBold() {
	if lb.curBold == 0 && lb.atLineStart() {
		lb.bolding = true
	}
}

func (lb *lineBuilder) endBold() {
	if lb.bolding {
		lb.curBold = len(lb.buf)
		lb.bolding = false
	}
}

func (lb *lineBuilder) newline() {
	b := lb.buf
	lead := 0
	for lead < len(b) && (b[lead] == ' ' || b[lead] == '\t') {
		lead++
	}
	end := len(b)
	for end > lead && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	bold := min(max(lb.curBold-lead, 0), end-lead)
	lb.lines = append(lb.lines, line{text: string(b[lead:end]), bold: bold})
	lb.buf = lb.buf[:0]
	lb.curBold = 0
	lb.bolding = false
}

// take returns the gathered lines, dropping blank ones at either end, and
// resets the builder.
func (lb *lineBuilder) take() []line {
	if len(lb.buf) > 0 {
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
