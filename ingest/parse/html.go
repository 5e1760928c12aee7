package parse

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/secondstory/secondstory/ingest"
)

// HTML parses one HTML page (a wiki export, a Confluence page body) into
// a debrief. The title is the first <h1>, else <title>; metadata comes from
// definition lists or two-column tables before the first section, and from
// <meta name="description|keywords|author">.
func HTML(ref string, data []byte) (ingest.Debrief, error) {
	s, err := checkText(data)
	if err != nil {
		return ingest.Debrief{}, err
	}
	root, err := html.Parse(strings.NewReader(stripERB(s)))
	if err != nil {
		return ingest.Debrief{}, fmt.Errorf("html: %w", err)
	}
	w := newHTMLWalker()
	w.walk(root)
	w.flush()
	d := newDoc(ref)
	d.addFields(w.meta, srcFrontMatter)
	d.htmlTitle = w.title
	d.blocks = w.out
	return d.build()
}

// htmlBlocks reads an HTML fragment (a raw HTML block in Markdown).
func htmlBlocks(s string) []block {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return nil
	}
	w := newHTMLWalker()
	for _, n := range nodes {
		w.walk(n)
	}
	w.flush()
	return w.out
}

type htmlWalker struct {
	out   []block
	lb    lineBuilder
	title string
	meta  map[string]any
	// depth is the list nesting; item is the depth of the list item whose
	// text is being gathered (0: none).
	depth, item int
	// inline > 0 while gathering a heading's or a cell's text: block
	// elements inside only break lines.
	inline int
	space  bool // white space is pending before the next word
}

func newHTMLWalker() *htmlWalker { return &htmlWalker{lb: lineBuilder{}, space: true} }

// skipped elements hold no document text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Canvas: true,
	atom.Button: true, atom.Select: true, atom.Input: true, atom.Textarea: true, atom.Img: true,
	atom.Video: true, atom.Audio: true, atom.Map: true, atom.Math: true, atom.Link: true,
}

// blockElems break the flow of text into a new paragraph.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Nav: true, atom.Blockquote: true,
	atom.Figure: true, atom.Figcaption: true, atom.Details: true, atom.Summary: true,
	atom.Center: true, atom.Address: true, atom.Fieldset: true, atom.Form: true,
	atom.Hgroup: true, atom.Caption: true, atom.Body: true, atom.Html: true, atom.Dt: true, atom.Dd: true,
	atom.Legend: true,
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (w *htmlWalker) text(s string) {
	if s == "" {
		return
	}
	for i, f := range strings.Fields(s) {
		if (i > 0 || w.space || isSpaceByte(s[0])) && !w.lb.atLineStart() {
			w.lb.write(" ")
		}
		w.lb.write(f)
		w.space = false
	}
	if isSpaceByte(s[len(s)-1]) {
		w.space = true
	}
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

func (w *htmlWalker) newline() {
	w.lb.newline()
	w.space = true
}

// flush ends the current paragraph or list item.
func (w *htmlWalker) flush() {
	if w.inline > 0 {
		w.newline()
		return
	}
	ls := w.lb.take()
	w.space = true
	if len(ls) == 0 {
		return
	}
	if w.item > 0 {
		w.out = append(w.out, block{kind: blockItem, level: w.item, lines: ls})
		return
	}
	w.out = append(w.out, block{kind: blockPara, lines: ls})
}

func (w *htmlWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.DocumentNode:
		w.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	a := n.DataAtom
	switch {
	case skipped[a] || strings.HasPrefix(n.Data, "ac:parameter") || strings.HasPrefix(n.Data, "ri:"):
		return
	case a == atom.Head:
		w.head(n)
	case a == atom.Br:
		w.newline()
	case a == atom.Hr:
		w.flush()
	case headingLevel(a) > 0 && w.inline == 0:
		w.flush()
		ls := w.gather(n)
		if len(ls) > 0 {
			w.out = append(w.out, block{kind: blockHeading, level: headingLevel(a), lines: []line{{text: joinSpace(ls)}}})
		}
	case (a == atom.Ul || a == atom.Ol || a == atom.Menu) && w.inline == 0:
		w.flush()
		w.depth++
		w.children(n)
		w.depth--
		w.flush()
	case a == atom.Li && w.inline == 0:
		w.flush()
		saved := w.item
		w.item = max(w.depth, 1)
		start := len(w.out)
		w.children(n)
		w.flush()
		if len(w.out) > start+1 && w.out[start].kind == blockItem {
			w.out[start].children = true
		}
		w.item = saved
	case a == atom.Table && w.inline == 0:
		w.flush()
		w.table(n)
	case a == atom.Dl && w.inline == 0:
		w.flush()
		w.dl(n)
	case a == atom.Pre && w.inline == 0:
		w.flush()
		if t := strings.TrimRight(textContent(n), "\n "); strings.TrimSpace(t) != "" {
			var ls []line
			for l := range strings.SplitSeq(t, "\n") {
				ls = append(ls, line{text: strings.TrimRight(l, " \t")})
			}
			w.out = append(w.out, block{kind: blockCode, lines: ls})
		}
	case a == atom.Strong || a == atom.B:
		w.lb.startBold()
		w.children(n)
		w.lb.endBold()
	case blockElems[a] || headingLevel(a) > 0 || a == atom.Li || a == atom.Tr || a == atom.Pre:
		w.flush()
		w.children(n)
		w.flush()
	default:
		w.children(n)
	}
}

// gather returns the text lines of an element read inline (a heading, a
// table cell), block elements inside only breaking lines.
func (w *htmlWalker) gather(n *html.Node) []line {
	saved := w.lb
	w.lb = lineBuilder{}
	w.space = true
	w.inline++
	w.children(n)
	w.inline--
	ls := w.lb.take()
	w.lb = saved
	w.space = true
	return ls
}

func (w *htmlWalker) head(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Title:
			if w.title == "" {
				w.title = strings.Join(strings.Fields(textContent(c)), " ")
			}
		case atom.Meta:
			name, content := "", ""
			for _, at := range c.Attr {
				switch strings.ToLower(at.Key) {
				case "name", "property":
					name = strings.ToLower(at.Val)
				case "content":
					content = at.Val
				}
			}
			var key string
			switch name {
			case "description", "og:description":
				key = "description"
			case "keywords", "author":
				key = name
			case "article:published_time", "date":
				key = "published"
			}
			if key != "" && strings.TrimSpace(content) != "" {
				if w.meta == nil {
					w.meta = map[string]any{}
				}
				w.meta[key] = content
			}
		}
	}
}

func (w *htmlWalker) table(n *html.Node) {
	b := block{kind: blockTable}
	var rows func(*html.Node, bool)
	rows = func(p *html.Node, head bool) {
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Thead:
				rows(c, true)
			case atom.Tbody, atom.Tfoot:
				rows(c, false)
			case atom.Tr:
				var row []string
				allTH := true
				for cell := c.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type != html.ElementNode || cell.DataAtom != atom.Td && cell.DataAtom != atom.Th {
						continue
					}
					if cell.DataAtom != atom.Th {
						allTH = false
					}
					row = append(row, joinSpace(w.gather(cell)))
				}
				if len(row) == 0 {
					continue
				}
				if len(b.rows) == 0 && (head || allTH) {
					b.header = true
				}
				b.rows = append(b.rows, row)
			}
		}
	}
	rows(n, false)
	if len(b.rows) > 0 {
		w.out = append(w.out, b)
	}
}

// dl reads a definition list as a two-column table of terms and
// definitions.
func (w *htmlWalker) dl(n *html.Node) {
	b := block{kind: blockTable}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Dt:
			b.rows = append(b.rows, []string{joinSpace(w.gather(c)), ""})
		case atom.Dd:
			t := joinSpace(w.gather(c))
			if len(b.rows) == 0 {
				b.rows = append(b.rows, []string{"", ""})
			}
			r := b.rows[len(b.rows)-1]
			if r[1] != "" {
				t = r[1] + "; " + t
			}
			r[1] = t
		case atom.Div: // <div><dt/><dd/></div> groups
			sub := htmlWalker{lb: lineBuilder{}}
			sub.dl(c)
			for _, x := range sub.out {
				b.rows = append(b.rows, x.rows...)
			}
		}
	}
	if len(b.rows) > 0 {
		w.out = append(w.out, b)
	}
}

func textContent(n *html.Node) string {
	var sb strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && skipped[n.DataAtom] {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			sb.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return sb.String()
}
