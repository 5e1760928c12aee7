package parse

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser is built once: a goldmark parser holds only its configuration
// after its first use and is safe for concurrent parsing.
var mdParser = sync.OnceValue(func() parser.Parser {
	return goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()
})

// goldmarkBlocks reads Markdown with goldmark into blocks: the reference
// the scanner is checked against.
func goldmarkBlocks(body string) []block {
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
	w.lb = lineBuilder{}
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
			w.lb.writeBytes(c.Label(w.src))
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
	w.lb.writeBytes(v)
}

func isBreakTag(r *ast.RawHTML, src []byte) bool {
	if r.Segments.Len() != 1 {
		return false
	}
	seg := r.Segments.At(0)
	v := bytes.ToLower(bytes.ReplaceAll(seg.Value(src), []byte(" "), nil))
	return bytes.Equal(v, []byte("<br>")) || bytes.Equal(v, []byte("<br/>"))
}

// blockSummary renders blocks for comparison: kind, level, flags, each
// line's leading bold length and the text with white space collapsed.
func blockSummary(bs []block) []string {
	var out []string
	for i := range bs {
		b := &bs[i]
		t := strings.Join(strings.Fields(blockString(b)), " ")
		if t == "" {
			continue
		}
		lvl := b.level
		if b.kind == blockPara || b.kind == blockTable || b.kind == blockCode {
			lvl = 0
		}
		var bolds []string
		for _, l := range b.lines {
			bolds = append(bolds, strconv.Itoa(l.bold))
		}
		out = append(out, fmt.Sprintf("%d/%d children=%v lone=%v bold=%s %s", b.kind, lvl, b.children, b.lone, strings.Join(bolds, ","), t))
	}
	return out
}

// TestScannerAgreesWithGoldmark reads every Markdown fixture and corpus
// document with the scanner and with goldmark: the blocks must agree.
func TestScannerAgreesWithGoldmark(t *testing.T) {
	var fsyss []fs.FS
	fsyss = append(fsyss, os.DirFS("testdata"))
	if _, err := os.Stat(corpusDir); err == nil {
		fsyss = append(fsyss, os.DirFS(corpusDir))
	} else {
		t.Log("../shared/corpus not present: checking the fixtures only")
	}
	n := 0
	for _, fsys := range fsyss {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if f, ok := FormatOf(p); !ok || f != FormatMarkdown {
				return nil
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s, err := checkText(data)
			if err != nil {
				return nil
			}
			_, body, err := splitFrontMatter(stripERB(s))
			if err != nil {
				return nil
			}
			n++
			a, b := blockSummary(scanMarkdown(body)), blockSummary(goldmarkBlocks(body))
			for i := 0; i < max(len(a), len(b)); i++ {
				var x, y string
				if i < len(a) {
					x = a[i]
				}
				if i < len(b) {
					y = b[i]
				}
				if x != y {
					t.Errorf("%s, block %d:\n scanner:  %s\n goldmark: %s", p, i, x, y)
					break
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d Markdown documents compared", n)
}

// BenchmarkGoldmarkBlocks measures the reference reader, for comparison
// with BenchmarkScanMarkdown.
func BenchmarkGoldmarkBlocks(b *testing.B) {
	doc := string(benchDoc(8 << 10))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		goldmarkBlocks(doc)
	}
}

func BenchmarkScanMarkdown(b *testing.B) {
	doc := string(benchDoc(8 << 10))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		scanMarkdown(doc)
	}
}
