package parse

import (
	"strings"
)

// Markdown is read by a line scanner that follows CommonMark's block
// structure (containers, then leaves) closely enough for what analysis
// needs: headings, paragraphs, list items with their depth, tables, code
// and HTML blocks. It does not build a tree; it emits the block list
// directly, which makes it several times faster than a full Markdown
// parser and keeps its time linear in the input (deeply nested lists make
// full parsers slow down sharply). TestScannerAgreesWithGoldmark checks it
// against goldmark on every fixture and corpus document.

type frameKind uint8

const (
	frameQuote frameKind = iota + 1
	frameItem
)

type frame struct {
	kind frameKind
	// indent is an item's content column, relative to its container.
	indent int
	// first is the index in out of the item's first block (-1: none yet).
	first int
	// list is the index in mdScanner.lists of the list the item is in.
	list int
}

// list is a run of sibling items of one kind, tracked to flag a numbered
// list of a single item.
type list struct {
	depth   int
	typ     byte // '-', '*', '+' or '.', ')'
	ordered bool
	items   int
	first   int // the first item's first block, -1 if none
	closed  bool
}

type leafKind uint8

const (
	leafNone leafKind = iota
	leafPara
	leafFence
	leafCode
	leafHTML
	leafTable
)

type mdScanner struct {
	out    []block
	frames []frame
	leaf   leafKind
	lines  []string // the open leaf's lines
	// fence of the open fenced code block.
	fenceChar   byte
	fenceLen    int
	fenceIndent int
	// htmlEnd is the text that closes the open HTML block ("" for a blank line).
	htmlEnd string
	rows    [][]string
	cols    int
	lists   []list
	inline  inlineRenderer
}

// scanMarkdown reads a Markdown body into blocks.
func scanMarkdown(body string) []block {
	sc := mdScanner{out: make([]block, 0, strings.Count(body, "\n")/2+1)}
	for l := range strings.SplitSeq(body, "\n") {
		sc.line(l)
	}
	sc.closeLeaf()
	sc.closeFrames(0)
	sc.closeLists(0)
	return sc.out
}

// lineCursor walks a line's leading white space in columns (tabs stop at
// multiples of 4). It remembers the white space run it last measured and
// where the line's text ends, so that matching many nested containers
// costs no more than the line's length.
type lineCursor struct {
	s   string
	i   int // byte position
	col int // column at i
	// The white space run [runFrom, runEnd) ends at column runEndCol.
	runFrom, runEnd, runEndCol int
	// last is the index of the last non-space byte (-1: a blank line).
	last int
}

func newCursor(l string) lineCursor {
	last := len(l) - 1
	for last >= 0 && (l[last] == ' ' || l[last] == '\t' || l[last] == '\r') {
		last--
	}
	return lineCursor{s: l, runFrom: -1, last: last}
}

// indent returns the columns of white space at the cursor, without moving.
func (c *lineCursor) indent() int {
	if c.runFrom < 0 || c.i < c.runFrom || c.i > c.runEnd {
		col, j := c.col, c.i
		for ; j < len(c.s); j++ {
			if c.s[j] == ' ' {
				col++
			} else if c.s[j] == '\t' {
				col += 4 - col%4
			} else {
				break
			}
		}
		c.runFrom, c.runEnd, c.runEndCol = c.i, j, col
	}
	return c.runEndCol - c.col
}

// skip moves past up to n columns of white space.
func (c *lineCursor) skip(n int) {
	target := c.col + n
	for c.i < len(c.s) && c.col < target {
		switch c.s[c.i] {
		case ' ':
			c.col++
		case '\t':
			c.col += 4 - c.col%4
		default:
			return
		}
		c.i++
	}
}

// text is the rest of the line from its first non-space byte.
func (c *lineCursor) text() string {
	c.indent()
	return c.s[c.runEnd:]
}

func (c *lineCursor) rest() string { return c.s[c.i:] }

func (c *lineCursor) blank() bool { return c.i > c.last }

func (sc *mdScanner) line(l string) {
	c := newCursor(l)
	// Match the open containers.
	matched := 0
	for _, f := range sc.frames {
		if f.kind == frameQuote {
			if c.indent() <= 3 && strings.HasPrefix(c.text(), ">") {
				c.skip(3)
				c.i++ // '>'
				c.col++
				if c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t') {
					c.skip(1)
				}
				matched++
				continue
			}
			break
		}
		if c.blank() {
			matched++
			continue
		}
		if c.indent() >= f.indent {
			c.skip(f.indent)
			matched++
			continue
		}
		break
	}
	all := matched == len(sc.frames)

	// An open fence or HTML block takes every line its containers match.
	if all || sc.leaf == leafFence || sc.leaf == leafHTML {
		switch sc.leaf {
		case leafFence:
			if !all {
				sc.closeLeaf()
				break
			}
			t := c.rest()
			if ind := c.indent(); ind <= 3 {
				tt := strings.TrimLeft(t, " \t")
				n := runOf(tt, sc.fenceChar)
				if n >= sc.fenceLen && strings.TrimSpace(tt[n:]) == "" {
					sc.closeLeaf()
					return
				}
			}
			c.skip(sc.fenceIndent)
			sc.lines = append(sc.lines, c.rest())
			return
		case leafHTML:
			if !all {
				sc.closeLeaf()
				break
			}
			if sc.htmlEnd == "" && c.blank() {
				sc.closeLeaf()
				return
			}
			sc.lines = append(sc.lines, c.rest())
			if sc.htmlEnd != "" && strings.Contains(strings.ToLower(c.rest()), sc.htmlEnd) {
				sc.closeLeaf()
			}
			return
		}
	}

	t := c.rest()
	// A paragraph goes on through lines its containers do not match, as
	// long as the line starts nothing new ("lazy" continuation).
	if !all && sc.leaf == leafPara && !c.blank() && !sc.startsBlock(&c) {
		sc.lines = append(sc.lines, strings.TrimLeft(t, " \t"))
		return
	}
	if !all {
		sc.closeLeaf()
		sc.closeFrames(matched)
	}

	// Open new containers.
	for {
		ind := c.indent()
		if ind > 3 {
			break
		}
		tt := c.text()
		if strings.HasPrefix(tt, ">") {
			sc.closeLeaf()
			c.skip(ind)
			c.i++
			c.col++
			if c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t') {
				c.skip(1)
			}
			sc.frames = append(sc.frames, frame{kind: frameQuote, first: -1})
			continue
		}
		mw, ordered, ok := listMarker(tt)
		if !ok {
			break
		}
		after := tt[mw:]
		emptyItem := strings.TrimSpace(after) == ""
		// A list item interrupts a paragraph only if it has text and, when
		// numbered, starts at 1.
		if sc.leaf == leafPara && (emptyItem || ordered && !strings.HasPrefix(tt, "1")) {
			break
		}
		// "---" and "* * *" are thematic breaks, not items.
		if thematicBreak(tt) {
			break
		}
		sc.closeLeaf()
		c.skip(ind)
		start := c.col
		c.i += mw
		c.col += mw
		sp := c.indent()
		switch {
		case emptyItem:
			sp = 1
		case sp > 4:
			sp = 1
		}
		c.skip(sp)
		sc.frames = append(sc.frames, frame{kind: frameItem, indent: c.col - start + ind, first: -1, list: sc.listFor(tt[mw-1], ordered)})
		if emptyItem {
			return
		}
	}
	sc.leafLine(&c)
}

// startsBlock reports whether the line at c would start a block of its
// own rather than continue a paragraph.
func (sc *mdScanner) startsBlock(c *lineCursor) bool {
	if c.indent() > 3 {
		return false
	}
	t := c.text()
	if t == "" {
		return true
	}
	switch t[0] {
	case '>':
		return true
	case '#':
		_, _, ok := atxHeading(t)
		return ok
	case '`', '~':
		_, ok := fenceOpen(t)
		return ok
	case '<':
		_, ok := htmlStart(t, true)
		return ok
	}
	if thematicBreak(t) {
		return true
	}
	// Outside the paragraph's own container any list marker starts an item
	// (the "1." and non-empty rules only hold within it).
	_, _, ok := listMarker(t)
	return ok
}

// leafLine handles what is left of a line once containers are open.
func (sc *mdScanner) leafLine(c *lineCursor) {
	if c.blank() {
		if sc.leaf == leafCode {
			sc.lines = append(sc.lines, "")
			return
		}
		sc.closeLeaf()
		return
	}
	ind := c.indent()
	if ind >= 4 && sc.leaf != leafPara && sc.leaf != leafTable {
		if sc.leaf != leafCode {
			sc.closeLeaf()
			sc.openLeaf(leafCode)
		}
		c.skip(4)
		sc.lines = append(sc.lines, c.rest())
		return
	}
	if sc.leaf == leafCode {
		sc.closeLeaf()
	}
	t := c.text()
	if ind <= 3 {
		switch t[0] {
		case '#':
			if level, text, ok := atxHeading(t); ok {
				sc.closeLeaf()
				sc.emit(block{kind: blockHeading, level: level, lines: []line{{text: joinSpace(sc.inline.render(text))}}})
				return
			}
		case '`', '~':
			if n, ok := fenceOpen(t); ok {
				sc.closeLeaf()
				sc.openLeaf(leafFence)
				sc.fenceChar, sc.fenceLen, sc.fenceIndent = t[0], n, ind
				return
			}
		case '<':
			if end, ok := htmlStart(t, sc.leaf != leafPara); ok {
				sc.closeLeaf()
				sc.openLeaf(leafHTML)
				sc.htmlEnd = end
				sc.lines = append(sc.lines, t)
				if end != "" && strings.Contains(strings.ToLower(t[1:]), end) {
					sc.closeLeaf()
				}
				return
			}
		}
		if sc.leaf == leafPara {
			if lvl := setextLevel(t); lvl > 0 {
				sc.setext(lvl)
				return
			}
			if len(sc.lines) == 1 && isDelimiterRow(t) {
				if head := splitRow(sc.lines[0]); len(head) == len(splitRow(t)) && strings.Contains(sc.lines[0], "|") {
					sc.leaf = leafTable
					sc.rows = [][]string{head}
					sc.cols = len(head)
					sc.lines = nil
					return
				}
			}
		}
		if sc.leaf == leafTable {
			if strings.Contains(t, "|") {
				sc.rows = append(sc.rows, splitRow(t))
				return
			}
			sc.closeLeaf()
		}
		if thematicBreak(t) {
			sc.closeLeaf()
			return
		}
	}
	if sc.leaf != leafPara {
		sc.closeLeaf()
		sc.openLeaf(leafPara)
	}
	sc.lines = append(sc.lines, t)
}

func (sc *mdScanner) openLeaf(k leafKind) {
	sc.leaf = k
	sc.lines = sc.lines[:0]
}

// setext turns the open paragraph into a heading.
func (sc *mdScanner) setext(level int) {
	lines := stripLinkDefs(sc.lines)
	sc.leaf, sc.lines = leafNone, nil
	if len(lines) == 0 {
		return
	}
	sc.emit(block{kind: blockHeading, level: level, lines: []line{{text: joinSpace(sc.inline.render(strings.Join(lines, "\n")))}}})
}

// closeLeaf emits the open leaf block.
func (sc *mdScanner) closeLeaf() {
	lines := sc.lines
	switch sc.leaf {
	case leafPara:
		lines = stripLinkDefs(lines)
		if len(lines) > 0 {
			for i := range lines {
				lines[i] = strings.TrimRight(lines[i], " \t")
			}
			ls := sc.inline.render(strings.Join(lines, "\n"))
			switch d := sc.itemDepth(); {
			case len(ls) == 0:
				sc.touch()
			case d > 0:
				sc.emit(block{kind: blockItem, level: d, lines: ls})
			default:
				sc.emit(block{kind: blockPara, lines: ls})
			}
		}
	case leafFence, leafCode:
		for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			lines = lines[:len(lines)-1]
		}
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
		if len(lines) > 0 {
			ls := make([]line, len(lines))
			for i, l := range lines {
				ls[i] = line{text: strings.TrimRight(l, " \t")}
			}
			sc.emit(block{kind: blockCode, lines: ls})
		}
	case leafHTML:
		for _, b := range htmlBlocks(strings.Join(lines, "\n")) {
			sc.emit(b)
		}
	case leafTable:
		b := block{kind: blockTable, header: true}
		for _, r := range sc.rows {
			row := make([]string, sc.cols)
			for i := 0; i < sc.cols && i < len(r); i++ {
				row[i] = joinSpace(sc.inline.render(r[i]))
			}
			b.rows = append(b.rows, row)
		}
		sc.emit(b)
		sc.rows = nil
	}
	sc.leaf = leafNone
	sc.lines = sc.lines[:0]
	sc.htmlEnd = ""
}

// itemDepth is the number of open list items.
func (sc *mdScanner) itemDepth() int {
	n := 0
	for _, f := range sc.frames {
		if f.kind == frameItem {
			n++
		}
	}
	return n
}

// emit appends a block, noting it in the open items: an item's first
// block starts it, any later one means it has nested content.
func (sc *mdScanner) emit(b block) {
	idx := len(sc.out)
	sc.out = append(sc.out, b)
	for i := range sc.frames {
		f := &sc.frames[i]
		if f.kind != frameItem {
			continue
		}
		if f.first < 0 {
			f.first = idx
			if l := &sc.lists[f.list]; l.items == 1 && l.first < 0 && b.kind == blockItem {
				l.first = idx
			}
		} else if f.first < len(sc.out) && sc.out[f.first].kind == blockItem {
			sc.out[f.first].children = true
		}
	}
	// A block outside a list's depth ends the list.
	sc.closeLists(sc.itemDepth())
}

// touch notes content that rendered to nothing (an image alone): the open
// items still have content after their first block.
func (sc *mdScanner) touch() {
	for i := range sc.frames {
		if f := &sc.frames[i]; f.kind == frameItem && f.first >= 0 && sc.out[f.first].kind == blockItem {
			sc.out[f.first].children = true
		}
	}
}

// listFor returns the list a new item at the next depth belongs to: the
// open list at that depth if the marker is of its kind, else a new one.
func (sc *mdScanner) listFor(marker byte, ordered bool) int {
	depth := sc.itemDepth() + 1
	sc.closeLists(depth)
	for i := len(sc.lists) - 1; i >= 0; i-- {
		l := &sc.lists[i]
		if l.closed || l.depth != depth {
			continue
		}
		if l.typ == marker {
			l.items++
			return i
		}
		l.closed = true
		sc.finishList(l)
		break
	}
	sc.lists = append(sc.lists, list{depth: depth, typ: marker, ordered: ordered, items: 1, first: -1})
	return len(sc.lists) - 1
}

// closeLists ends the lists deeper than depth.
func (sc *mdScanner) closeLists(depth int) {
	for i := len(sc.lists) - 1; i >= 0; i-- {
		l := &sc.lists[i]
		if l.closed {
			continue
		}
		if l.depth <= depth {
			// Lists at or above depth stay open; older ones were closed
			// before these were opened.
			continue
		}
		l.closed = true
		sc.finishList(l)
	}
}

// finishList flags the only item of a numbered list ("3. Surprises"
// alone), which the builder may read as a numbered heading.
func (sc *mdScanner) finishList(l *list) {
	if l.ordered && l.items == 1 && l.first >= 0 {
		sc.out[l.first].lone = true
	}
}

func (sc *mdScanner) closeFrames(n int) {
	if n < len(sc.frames) {
		sc.closeLeaf()
		sc.frames = sc.frames[:n]
	}
}

// listMarker reads "- ", "* ", "+ ", "1. ", "1) " (or the marker alone at
// the end of the line) and returns its width.
func listMarker(t string) (int, bool, bool) {
	if t == "" {
		return 0, false, false
	}
	switch t[0] {
	case '-', '*', '+':
		if len(t) == 1 || t[1] == ' ' || t[1] == '\t' {
			return 1, false, true
		}
		return 0, false, false
	}
	i := 0
	for i < len(t) && i < 9 && isDigit(t[i]) {
		i++
	}
	if i == 0 || i >= len(t) || t[i] != '.' && t[i] != ')' {
		return 0, false, false
	}
	if i+1 == len(t) || t[i+1] == ' ' || t[i+1] == '\t' {
		return i + 1, true, true
	}
	return 0, false, false
}

func thematicBreak(t string) bool {
	t = strings.TrimSpace(t)
	if len(t) < 3 {
		return false
	}
	c := t[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// atxHeading reads "## Heading ##".
func atxHeading(t string) (int, string, bool) {
	n := runOf(t, '#')
	if n == 0 || n > 6 || n < len(t) && t[n] != ' ' && t[n] != '\t' {
		return 0, "", false
	}
	text := strings.TrimSpace(t[n:])
	// A closing run of '#' preceded by a space is not part of the text.
	if k := strings.TrimRight(text, "#"); len(k) < len(text) && (k == "" || k[len(k)-1] == ' ' || k[len(k)-1] == '\t') {
		text = strings.TrimSpace(k)
	}
	return n, text, true
}

// fenceOpen reads "```lang" or "~~~".
func fenceOpen(t string) (int, bool) {
	c := t[0]
	n := runOf(t, c)
	if n < 3 {
		return 0, false
	}
	if c == '`' && strings.IndexByte(t[n:], '`') >= 0 {
		return 0, false
	}
	return n, true
}

func runOf(t string, c byte) int {
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	return n
}

func setextLevel(t string) int {
	t = strings.TrimRight(t, " \t")
	if t == "" {
		return 0
	}
	c := t[0]
	if c != '=' && c != '-' || runOf(t, c) != len(t) {
		return 0
	}
	if c == '=' {
		return 1
	}
	return 2
}

// htmlBlockTags are the tags that start an HTML block (CommonMark type 6).
var htmlBlockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "base": true, "basefont": true, "blockquote": true,
	"body": true, "caption": true, "center": true, "col": true, "colgroup": true, "dd": true,
	"details": true, "dialog": true, "dir": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true, "form": true, "frame": true,
	"frameset": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"head": true, "header": true, "hr": true, "html": true, "iframe": true, "legend": true,
	"li": true, "link": true, "main": true, "menu": true, "menuitem": true, "nav": true,
	"noframes": true, "ol": true, "optgroup": true, "option": true, "p": true, "param": true,
	"search": true, "section": true, "summary": true, "table": true, "tbody": true, "td": true,
	"tfoot": true, "th": true, "thead": true, "title": true, "tr": true, "track": true, "ul": true,
}

// htmlStart reports whether a line starts an HTML block and what ends it:
// "" for a blank line, or a closing text. Blocks of any other tag standing
// alone on the line start only where no paragraph is open (standalone).
func htmlStart(t string, standalone bool) (string, bool) {
	if len(t) < 2 || t[0] != '<' {
		return "", false
	}
	if strings.HasPrefix(t, "<!--") {
		return "-->", true
	}
	lower := strings.ToLower(t)
	for _, tag := range []string{"script", "pre", "style", "textarea"} {
		if strings.HasPrefix(lower[1:], tag) {
			rest := lower[1+len(tag):]
			if rest == "" || rest[0] == ' ' || rest[0] == '>' || rest[0] == '\t' {
				return "</" + tag + ">", true
			}
		}
	}
	j := 1
	if j < len(t) && t[j] == '/' {
		j++
	}
	k := j
	for k < len(t) && (isASCIILetter(t[k]) || k > j && (isDigit(t[k]) || t[k] == '-')) {
		k++
	}
	if k == j {
		return "", false
	}
	name := lower[j:k]
	if htmlBlockTags[name] && (k == len(t) || t[k] == ' ' || t[k] == '\t' || t[k] == '>' || strings.HasPrefix(t[k:], "/>")) {
		return "", true
	}
	if standalone {
		if n := htmlTag(t); n > 0 && strings.TrimSpace(t[n:]) == "" {
			return "", true
		}
	}
	return "", false
}

func isDelimiterRow(t string) bool {
	t = strings.TrimSpace(t)
	if !strings.ContainsAny(t, "-") {
		return false
	}
	cells := splitRow(t)
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		c = strings.TrimSpace(c)
		c = strings.TrimPrefix(c, ":")
		c = strings.TrimSuffix(c, ":")
		if c == "" || runOf(c, '-') != len(c) {
			return false
		}
	}
	return strings.Contains(t, "|") || len(cells) > 1
}

// splitRow splits a table row on "|" that are not escaped or in code.
func splitRow(t string) []string {
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, "\\|") {
		t = t[:len(t)-1]
	}
	var cells []string
	start, code := 0, 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case '`':
			code ^= 1
		case '|':
			if code == 0 {
				cells = append(cells, strings.TrimSpace(strings.ReplaceAll(t[start:i], "\\|", "|")))
				start = i + 1
			}
		}
	}
	return append(cells, strings.TrimSpace(strings.ReplaceAll(t[start:], "\\|", "|")))
}

// stripLinkDefs drops link reference definitions ("[1]: https://...")
// from the start of a paragraph.
func stripLinkDefs(lines []string) []string {
	for len(lines) > 0 {
		l := lines[0]
		end := strings.Index(l, "]:")
		if !strings.HasPrefix(l, "[") || end < 2 || strings.ContainsAny(l[1:end], "[]") {
			return lines
		}
		rest := strings.Fields(l[end+2:])
		switch {
		case len(rest) == 0:
			return lines // the destination on the next line: rare, kept as text
		case len(rest) > 1:
			title := strings.Join(rest[1:], " ")
			if !(title[0] == '"' && title[len(title)-1] == '"' || title[0] == '\'' && title[len(title)-1] == '\'' || title[0] == '(' && title[len(title)-1] == ')') || len(title) < 2 {
				return lines
			}
		}
		lines = lines[1:]
	}
	return lines
}
