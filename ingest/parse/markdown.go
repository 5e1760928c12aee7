package parse

import (
	"bytes"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/secondstory/secondstory/ingest"
)

// mdParser is built once: a goldmark parser holds only its configuration
// after its first use and is safe for concurrent parsing.
var mdParser = sync.OnceValue(func() parser.Parser {
	return goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()
})

// Markdown parses one Markdown document (optionally with YAML or TOML front
// matter and ERB tags) into a debrief.
func Markdown(ref string, data []byte) (ingest.Debrief, error) {
	s, err := checkText(data)
	if err != nil {
		return ingest.Debrief{}, err
	}
	fm, body, err := splitFrontMatter(stripERB(s))
	if err != nil {
		return ingest.Debrief{}, err
	}
	d := newDoc(ref)
	d.addFields(fm, srcFrontMatter)
	d.blocks = markdownBlocks(body)
	return d.build()
}

// markdownBlocks reads Markdown into the block list the builder works on.
func markdownBlocks(body string) []block {
	src := []byte(body)
	root := mdParser().Parse(text.NewReader(src))
	w := mdWalker{src: src}
	w.container(root, 0)
	return w.out
}

type mdWalker struct {
	src []byte
	out []block
	lb  lineBuilder
}

// container appends the blocks of n's children; depth is the list depth.
func (w *mdWalker) container(n ast.Node, depth int) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.node(c, depth, false)
	}
}

// node appends the blocks of one block node. asItem makes a paragraph a
// list item's text.
func (w *mdWalker) node(n ast.Node, depth int, asItem bool) {
	switch n := n.(type) {
	case *ast.Heading:
		ls := w.inline(n)
		if len(ls) == 0 {
			return
		}
		w.out = append(w.out, block{kind: blockHeading, level: n.Level, lines: []line{{text: joinSpace(ls)}}})
	case *ast.Paragraph, *ast.TextBlock:
		ls := w.inline(n)
		if len(ls) == 0 {
			return
		}
		if asItem || depth > 0 {
			w.out = append(w.out, block{kind: blockItem, level: max(depth, 1), lines: ls})
			return
		}
		w.out = append(w.out, block{kind: blockPara, lines: ls})
	case *ast.List:
		start := len(w.out)
		for it := n.FirstChild(); it != nil; it = it.NextSibling() {
			w.item(it, depth+1)
		}
		if n.IsOrdered() && n.ChildCount() == 1 && len(w.out) == start+1 && w.out[start].kind == blockItem {
			w.out[start].lone = true
		}
	case *ast.Blockquote:
		w.container(n, depth)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		w.code(n)
	case *ast.HTMLBlock:
		w.html(n)
	case *east.Table:
		w.table(n)
	case *ast.ThematicBreak:
	default:
		w.container(n, depth)
	}
}

func (w *mdWalker) item(it ast.Node, depth int) {
	first := it.FirstChild()
	if first == nil {
		return
	}
	start := len(w.out)
	w.node(first, depth, true)
	if len(w.out) > start && first.NextSibling() != nil && w.out[start].kind == blockItem {
		w.out[start].children = true
	}
	for c := first.NextSibling(); c != nil; c = c.NextSibling() {
		w.node(c, depth, true)
	}
}

func (w *mdWalker) code(n ast.Node) {
	var sb strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		sb.Write(seg.Value(w.src))
	}
	s := strings.TrimRight(sb.String(), "\n ")
	if strings.TrimSpace(s) == "" {
		return
	}
	var lines []line
	for l := range strings.SplitSeq(s, "\n") {
		lines = append(lines, line{text: strings.TrimRight(l, " \t")})
	}
	w.out = append(w.out, block{kind: blockCode, lines: lines})
}

func (w *mdWalker) html(n *ast.HTMLBlock) {
	var sb strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		sb.Write(seg.Value(w.src))
	}
	if n.HasClosure() {
		sb.Write(n.ClosureLine.Value(w.src))
	}
	w.out = append(w.out, htmlBlocks(sb.String())...)
}

func (w *mdWalker) table(t *east.Table) {
	b := block{kind: blockTable, header: true}
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var row []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			row = append(row, joinSpace(w.inline(c)))
		}
		b.rows = append(b.rows, row)
	}
	if len(b.rows) > 0 {
		w.out = append(w.out, b)
	}
}

// inline gathers the plain text lines of an inline container.
func (w *mdWalker) inline(n ast.Node) []line {
	w.lb = newLineBuilder()
	w.inlines(n, false)
	return w.lb.take()
}

func (w *mdWalker) inlines(n ast.Node, code bool) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			w.writeText(c.Segment.Value(w.src), code)
			if c.SoftLineBreak() || c.HardLineBreak() {
				w.lb.newline()
			}
		case *ast.String:
			w.writeText(c.Value, code)
		case *ast.CodeSpan:
			w.inlines(c, true)
		case *ast.Emphasis:
			if c.Level >= 2 {
				w.lb.startBold()
			}
			w.inlines(c, code)
			if c.Level >= 2 {
				w.lb.endBold()
			}
		case *ast.AutoLink:
			w.lb.cur.Write(c.Label(w.src))
		case *ast.Image, *east.TaskCheckBox:
		case *ast.RawHTML:
			if isBreakTag(c, w.src) {
				w.lb.newline()
			}
		default:
			w.inlines(c, code)
		}
	}
}

func (w *mdWalker) writeText(v []byte, code bool) {
	if !code {
		if bytes.IndexByte(v, '\\') >= 0 {
			v = util.UnescapePunctuations(v)
		}
		if bytes.IndexByte(v, '&') >= 0 {
			v = util.ResolveEntityNames(util.ResolveNumericReferences(v))
		}
	}
	w.lb.cur.Write(v)
}

func isBreakTag(r *ast.RawHTML, src []byte) bool {
	if r.Segments.Len() != 1 {
		return false
	}
	seg := r.Segments.At(0)
	v := bytes.ToLower(bytes.ReplaceAll(seg.Value(src), []byte(" "), nil))
	return bytes.Equal(v, []byte("<br>")) || bytes.Equal(v, []byte("<br/>"))
}

func joinSpace(ls []line) string {
	if len(ls) == 1 {
		return ls[0].text
	}
	var sb strings.Builder
	for i, l := range ls {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

// stripERB removes ERB tags (<% %>, <%= %>, <%# %>) that templated Markdown
// carries; an unclosed tag is left as text.
func stripERB(s string) string {
	if !strings.Contains(s, "<%") {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for {
		i := strings.Index(s, "<%")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "%>")
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		s = s[i+2+j+2:]
	}
	sb.WriteString(s)
	return sb.String()
}
