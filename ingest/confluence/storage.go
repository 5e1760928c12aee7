package confluence

import (
	"bytes"
	"html"
	"strings"
	"time"

	nethtml "golang.org/x/net/html"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// converterVersion changes whenever the storage converter gives different
// output for the same page; it is folded into document hashes with
// parse.Version, so that stored pages are converted again.
const converterVersion = 1

// Bounds on what one page may make us build.
const (
	maxStorage = 8 << 20 // bytes of storage XHTML converted
	maxDepth   = 200     // element nesting kept; deeper elements are flattened
	maxNodes   = 500_000 // nodes built
)

// page is what the converter needs of a Confluence page.
type page struct {
	ID, Title, URL string
	Storage        string
	Created        time.Time
	Labels         []string
}

// convert turns a page into a debrief: the storage XHTML is normalised to
// plain HTML (convertStorage) and read by parse.HTML, with the page title
// as its <h1>; the API then fills what it knows: the URL, the page's
// creation as the publication time when the text gives none, and the
// page's labels as tags.
func convert(ref string, p page) (ingest.Debrief, error) {
	body := convertStorage(p.Title, p.Storage)
	// parse takes dates and titles from a ref's last element; the page id
	// is a number that must not be read as one.
	d, err := parse.HTML("", []byte(body))
	if err != nil {
		return ingest.Debrief{}, err
	}
	d.Ref, d.Document = ref, ref
	if d.Title == "" {
		d.Title = strings.Join(strings.Fields(p.Title), " ")
	}
	d.URL = p.URL
	if d.Times.Published.IsZero() && !p.Created.IsZero() {
		d.Times.Published = p.Created.UTC()
	}
	for _, l := range p.Labels {
		d.Meta.Tags = appendUnique(d.Meta.Tags, l)
	}
	return d, nil
}

func appendUnique(list []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// convertStorage rewrites Confluence storage format (XHTML with ac: and ri:
// elements, CDATA sections and XHTML entities) as plain HTML that
// parse.HTML reads: headings, paragraphs, lists and tables pass through;
// rich-text macros (info, note, panel, expand, details, ...) become <div>s
// of their body and title; code and other plain-text macros become <pre>;
// person mentions and links become their text; page-properties (details)
// macros are moved to the top, where metadata tables are read; chrome
// (toc, anchors, jira, images, emoticons, placeholders) is dropped. Every
// text is escaped again and no attribute is kept, so nothing in a page can
// become markup: a <script> element reaches the debrief as text.
func convertStorage(title, storage string) string {
	if len(storage) > maxStorage {
		storage = storage[:maxStorage]
	}
	root := buildTree(storage)
	r := renderer{}
	r.children(root, &r.main)
	var out strings.Builder
	out.Grow(len(title) + r.front.Len() + r.main.Len() + 16)
	if t := strings.TrimSpace(title); t != "" {
		out.WriteString("<h1>")
		out.WriteString(html.EscapeString(t))
		out.WriteString("</h1>\n")
	}
	out.WriteString(r.front.String())
	out.WriteString(r.main.String())
	return out.String()
}

// node is an element or a text of the storage tree.
type node struct {
	name  string // element name, lower case; "" for text
	attrs []nethtml.Attribute
	text  string // text, or an element's raw start tag when kept as text
	kids  []*node
	// closed marks a raw-text element that has no end tag to write back.
	closed bool
}

func (n *node) attr(key string) string {
	for _, a := range n.attrs {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// child returns the first child element named name.
func (n *node) child(name string) *node {
	for _, c := range n.kids {
		if c.name == name {
			return c
		}
	}
	return nil
}

// voidElems never have content, closed or not.
var voidElems = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

var headingElems = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// blockStarts close an open paragraph or heading.
var blockStarts = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true,
	"table": true, "div": true, "pre": true, "blockquote": true, "dl": true, "hr": true,
}

// rawElems are read by the tokenizer as raw text; their source is kept as
// text, tags included.
var rawElems = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

// buildTree reads storage XHTML into a tree. It never fails: an end tag
// closes the nearest open element of its name (or is ignored), and the
// end of input closes everything. CDATA sections are kept verbatim.
func buildTree(s string) *node {
	root := &node{name: "#root"}
	stack := []*node{root}
	z := nethtml.NewTokenizer(strings.NewReader(s))
	z.AllowCDATA(true)
	count := 0
	add := func(n *node) {
		top := stack[len(stack)-1]
		top.kids = append(top.kids, n)
		count++
	}
	for count < maxNodes {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			// io.EOF, or a read error of the string reader (none).
			return root
		case nethtml.TextToken:
			raw := z.Raw()
			var t string
			if bytes.HasPrefix(raw, []byte("<![CDATA[")) {
				t = cdata(raw)
			} else {
				t = string(z.Text())
			}
			if t == "" {
				continue
			}
			top := stack[len(stack)-1]
			if k := len(top.kids); k > 0 && top.kids[k-1].name == "" {
				top.kids[k-1].text += t
				continue
			}
			add(&node{text: t})
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			raw := string(z.Raw())
			tok := z.Token()
			n := &node{name: strings.ToLower(tok.Data), attrs: tok.Attr}
			// A block opened inside a paragraph or heading that was never
			// closed ends it, as HTML does; so does a list item in one.
			if top := stack[len(stack)-1].name; len(stack) > 1 &&
				(blockStarts[n.name] && (top == "p" || headingElems[top]) || n.name == "li" && top == "li") {
				stack = stack[:len(stack)-1]
			}
			if rawElems[n.name] {
				n.text = raw
				n.closed = tt == nethtml.SelfClosingTagToken || n.name == "plaintext"
			}
			add(n)
			if tt == nethtml.StartTagToken && !voidElems[n.name] {
				if len(stack) < maxDepth {
					stack = append(stack, n)
				}
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			nm := strings.ToLower(string(name))
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == nm {
					stack = stack[:i]
					break
				}
			}
		}
	}
	return root
}

// cdata returns the verbatim content of a CDATA section token, with line
// ends made "\n" and NULs replaced.
func cdata(raw []byte) string {
	b := bytes.TrimPrefix(raw, []byte("<![CDATA["))
	b = bytes.TrimSuffix(b, []byte("]]>"))
	s := string(b)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// passElems are HTML elements written out as they are (without attributes).
var passElems = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "dl": true, "dt": true, "dd": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "th": true, "td": true, "caption": true,
	"strong": true, "b": true, "em": true, "i": true, "u": true, "s": true, "del": true, "ins": true,
	"strike": true, "sub": true, "sup": true, "code": true, "pre": true, "blockquote": true,
	"div": true, "span": true, "section": true, "article": true, "header": true, "footer": true,
	"small": true, "mark": true, "cite": true, "q": true, "abbr": true, "kbd": true, "samp": true,
	"var": true, "figure": true, "figcaption": true, "center": true, "font": true,
}

// droppedElems hold nothing of the debrief: images, emoticons, template
// placeholders, macro parameters read by their macro, and page chrome.
var droppedElems = map[string]bool{
	"img": true, "col": true, "colgroup": true, "svg": true, "math": true, "object": true,
	"embed": true, "video": true, "audio": true, "input": true, "button": true, "select": true,
	"ac:image": true, "ac:emoticon": true, "ac:placeholder": true, "ac:parameter": true,
	"ac:default-parameter": true, "ac:task-id": true, "ac:task-status": true, "ac:task-uuid": true,
	"ac:adf-attribute": true, "ac:caption": true,
}

// chromeMacros are dropped whatever they hold.
var chromeMacros = map[string]bool{
	"toc": true, "anchor": true, "jira": true, "jiraissues": true, "children": true,
	"pagetree": true, "pagetreesearch": true, "recently-updated": true, "contentbylabel": true,
	"detailssummary": true, "livesearch": true, "attachments": true, "gallery": true,
	"profile": true, "profile-picture": true, "include": true, "excerpt-include": true,
	"viewfile": true, "view-file": true, "multimedia": true, "widget": true, "change-history": true,
	"blog-posts": true, "create-from-template": true, "space-details": true, "roadmap": true,
	"create-space-button": true, "popular-labels": true, "related-labels": true, "listlabels": true,
	"navmap": true, "index": true, "userlister": true, "loremipsum": true, "search": true,
}

// plainMacros hold text to keep as it is written (code).
var plainMacros = map[string]bool{
	"code": true, "noformat": true, "code-block": true, "html": true, "sql": true, "xml": true,
}

type renderer struct {
	front, main strings.Builder
}

func (r *renderer) children(n *node, w *strings.Builder) {
	for _, c := range n.kids {
		r.node(c, w)
	}
}

func (r *renderer) node(n *node, w *strings.Builder) {
	if n.name == "" {
		w.WriteString(html.EscapeString(n.text))
		return
	}
	name := n.name
	switch {
	case rawElems[name]:
		// Kept as the text it is, tags included.
		var sb strings.Builder
		sb.WriteString(n.text)
		for _, c := range n.kids {
			sb.WriteString(c.text)
		}
		if !n.closed {
			sb.WriteString("</" + name + ">")
		}
		w.WriteString("<p>")
		w.WriteString(html.EscapeString(sb.String()))
		w.WriteString("</p>")
	case droppedElems[name]:
	case name == "br" || name == "hr":
		w.WriteString("<" + name + ">")
	case name == "ac:structured-macro" || name == "ac:macro":
		r.macro(n, w)
	case name == "ac:link":
		w.WriteString(html.EscapeString(linkText(n)))
	case name == "ac:task-list":
		w.WriteString("<ul>")
		r.children(n, w)
		w.WriteString("</ul>")
	case name == "ac:task":
		w.WriteString("<li>")
		if b := n.child("ac:task-body"); b != nil {
			r.children(b, w)
		}
		w.WriteString("</li>")
	case name == "ac:layout" || name == "ac:layout-section" || name == "ac:layout-cell":
		w.WriteString("<div>")
		r.children(n, w)
		w.WriteString("</div>")
	case name == "ac:adf-extension":
		// The newer editor's panels: the fallback repeats the content.
		if fb := n.child("ac:adf-fallback"); fb != nil {
			r.children(fb, w)
			return
		}
		r.children(n, w)
	case name == "ac:plain-text-body":
		w.WriteString("<pre>")
		w.WriteString(html.EscapeString(textOf(n)))
		w.WriteString("</pre>")
	case name == "time":
		if dt := n.attr("datetime"); dt != "" {
			w.WriteString(html.EscapeString(dt))
			return
		}
		r.children(n, w)
	case strings.HasPrefix(name, "ri:"):
		// Resource identifiers outside a link name nothing to read.
	case passElems[name]:
		w.WriteString("<" + name + ">")
		r.children(n, w)
		w.WriteString("</" + name + ">")
	default:
		// a, other ac: elements (rich-text bodies, inline comment
		// markers, adf content) and unknown elements: their content.
		r.children(n, w)
	}
}

// macro renders one structured macro.
func (r *renderer) macro(n *node, w *strings.Builder) {
	name := strings.ToLower(strings.TrimSpace(n.attr("ac:name")))
	if chromeMacros[name] {
		return
	}
	param := func(key string) string {
		for _, c := range n.kids {
			if c.name == "ac:parameter" && strings.EqualFold(c.attr("ac:name"), key) {
				return strings.TrimSpace(textOf(c))
			}
		}
		return ""
	}
	if name == "status" {
		if t := param("title"); t != "" {
			w.WriteString(html.EscapeString(t))
		}
		return
	}
	body := n.child("ac:rich-text-body")
	plain := n.child("ac:plain-text-body")
	switch {
	case plain != nil && (plainMacros[name] || body == nil):
		if t := strings.Trim(textOf(plain), "\n"); strings.TrimSpace(t) != "" {
			w.WriteString("<pre>")
			w.WriteString(html.EscapeString(t))
			w.WriteString("</pre>")
		}
	case body != nil:
		// Page properties go first, where metadata tables are read.
		out := w
		if name == "details" {
			out = &r.front
		}
		out.WriteString("<div>")
		if t := param("title"); t != "" {
			out.WriteString("<p>")
			out.WriteString(html.EscapeString(t))
			out.WriteString("</p>")
		}
		r.children(body, out)
		out.WriteString("</div>")
	}
	// A macro with no body (and not status) is chrome.
}

// linkText is what a link reads as: its body when it has one, else what
// it points at (a person's account id or user key, a page's title, a
// file's name, a URL).
func linkText(n *node) string {
	if b := n.child("ac:link-body"); b != nil {
		if t := collapse(textOf(b)); t != "" {
			return t
		}
	}
	if b := n.child("ac:plain-text-link-body"); b != nil {
		if t := collapse(textOf(b)); t != "" {
			return t
		}
	}
	for _, c := range n.kids {
		var keys []string
		switch c.name {
		case "ri:user":
			keys = []string{"ri:display-name", "ri:username", "ri:account-id", "ri:userkey"}
		case "ri:page", "ri:blog-post":
			keys = []string{"ri:content-title"}
		case "ri:attachment":
			keys = []string{"ri:filename"}
		case "ri:url":
			keys = []string{"ri:value"}
		case "ri:space":
			keys = []string{"ri:space-key"}
		}
		for _, k := range keys {
			if v := collapse(c.attr(k)); v != "" {
				return v
			}
		}
	}
	return ""
}

// textOf is the text an element holds, tags ignored.
func textOf(n *node) string {
	if n.name == "" {
		return n.text
	}
	var sb strings.Builder
	var f func(*node)
	f = func(n *node) {
		for _, c := range n.kids {
			if c.name == "" {
				sb.WriteString(c.text)
				continue
			}
			if c.name == "br" {
				sb.WriteByte('\n')
			}
			f(c)
		}
	}
	f(n)
	return sb.String()
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
