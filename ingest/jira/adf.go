package jira

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
)

// Bounds on what one description may make us build.
const (
	maxADFDepth = 100     // node nesting rendered with structure; deeper only as text
	maxADFNodes = 200_000 // nodes rendered
)

// adfNode is one node of an Atlassian Document Format document.
type adfNode struct {
	Type    string         `json:"type"`
	Text    string         `json:"text"`
	Attrs   map[string]any `json:"attrs"`
	Marks   []adfMark      `json:"marks"`
	Content []adfNode      `json:"content"`
}

type adfMark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs"`
}

// decodeADF reads an ADF document. It refuses what is not an object with
// a type, so that a description in another shape is reported rather than
// read as empty.
func decodeADF(data []byte) (*adfNode, error) {
	var n adfNode
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("description is not Atlassian Document Format: %w", err)
	}
	if dec.More() {
		return nil, errors.New("description is not Atlassian Document Format: more data after the document")
	}
	if n.Type == "" {
		return nil, errors.New("description is not Atlassian Document Format: the document has no type")
	}
	return &n, nil
}

// adfHTML renders an ADF document as plain HTML for parse.HTML: block
// nodes become their HTML elements, marks become <strong>, <em>, <code>,
// <s>, <u>; mentions, statuses, dates and cards become their text; media,
// emoji and placeholders are dropped; unknown nodes keep their content or
// their text. All text is escaped and no attribute is written, so nothing
// in a description becomes markup.
func adfHTML(doc *adfNode) string {
	r := adfRenderer{}
	r.node(doc, 0)
	return r.sb.String()
}

type adfRenderer struct {
	sb    strings.Builder
	nodes int
}

// adfBlocks map block node types to the element they become.
var adfBlocks = map[string]string{
	"paragraph": "p", "bulletList": "ul", "orderedList": "ol", "listItem": "li",
	"table": "table", "tableRow": "tr", "tableHeader": "th", "tableCell": "td",
	"blockquote": "blockquote", "panel": "div", "layoutSection": "div", "layoutColumn": "div",
	"taskList": "ul", "taskItem": "li", "decisionList": "ul", "decisionItem": "li",
	"bodiedExtension": "div", "multiBodiedExtension": "div", "extensionFrame": "div",
}

// adfDropped hold nothing of the debrief.
var adfDropped = map[string]bool{
	"media": true, "mediaSingle": true, "mediaGroup": true, "mediaInline": true,
	"emoji": true, "placeholder": true, "extension": true, "inlineExtension": true,
}

var adfMarks = map[string]string{
	"strong": "strong", "em": "em", "code": "code", "strike": "s", "underline": "u",
}

func (r *adfRenderer) open(tag string)  { r.sb.WriteString("<" + tag + ">") }
func (r *adfRenderer) close(tag string) { r.sb.WriteString("</" + tag + ">") }
func (r *adfRenderer) text(s string)    { r.sb.WriteString(html.EscapeString(s)) }

func (r *adfRenderer) kids(n *adfNode, depth int) {
	for i := range n.Content {
		r.node(&n.Content[i], depth+1)
	}
}

func (r *adfRenderer) node(n *adfNode, depth int) {
	r.nodes++
	if r.nodes > maxADFNodes {
		return
	}
	if depth > maxADFDepth {
		// Too deep for structure: the text alone.
		if n.Type == "text" {
			r.text(n.Text)
			r.text(" ")
		}
		r.kids(n, depth)
		return
	}
	switch t := n.Type; {
	case t == "doc":
		r.kids(n, depth)
	case t == "text":
		r.textNode(n)
	case t == "heading":
		lv := min(max(attrInt(n.Attrs, "level"), 1), 6)
		tag := "h" + strconv.Itoa(lv)
		r.open(tag)
		r.kids(n, depth)
		r.close(tag)
	case t == "codeBlock":
		r.open("pre")
		r.text(plainText(n))
		r.close("pre")
	case t == "hardBreak":
		r.sb.WriteString("<br>")
	case t == "rule":
		r.sb.WriteString("<hr>")
	case t == "mention":
		s := strings.TrimPrefix(strings.TrimSpace(attrString(n.Attrs, "text")), "@")
		if s == "" {
			s = attrString(n.Attrs, "id")
		}
		r.text(s)
	case t == "status":
		r.text(attrString(n.Attrs, "text"))
	case t == "date":
		r.text(adfDate(n.Attrs["timestamp"]))
	case t == "inlineCard":
		r.text(cardURL(n))
	case t == "blockCard" || t == "embedCard":
		if u := cardURL(n); u != "" {
			r.open("p")
			r.text(u)
			r.close("p")
		}
	case t == "expand" || t == "nestedExpand":
		r.open("div")
		if title := strings.TrimSpace(attrString(n.Attrs, "title")); title != "" {
			r.open("p")
			r.text(title)
			r.close("p")
		}
		r.kids(n, depth)
		r.close("div")
	case adfDropped[t]:
	case adfBlocks[t] != "":
		tag := adfBlocks[t]
		r.open(tag)
		r.kids(n, depth)
		r.close(tag)
	default:
		// Unknown nodes keep their content, or their text.
		if len(n.Content) > 0 {
			r.kids(n, depth)
			return
		}
		if n.Text != "" {
			r.text(n.Text)
		} else if s := attrString(n.Attrs, "text"); s != "" {
			r.text(s)
		}
	}
}

func (r *adfRenderer) textNode(n *adfNode) {
	var tags []string
	for _, m := range n.Marks {
		if tag := adfMarks[m.Type]; tag != "" {
			tags = append(tags, tag)
		}
	}
	for _, tag := range tags {
		r.open(tag)
	}
	r.text(n.Text)
	for i := len(tags) - 1; i >= 0; i-- {
		r.close(tags[i])
	}
}

// plainText is the text a node holds, hard breaks as newlines.
func plainText(n *adfNode) string {
	var sb strings.Builder
	var f func(*adfNode, int)
	f = func(n *adfNode, depth int) {
		if depth > maxADFDepth {
			return
		}
		switch n.Type {
		case "text":
			sb.WriteString(n.Text)
		case "hardBreak":
			sb.WriteByte('\n')
		}
		for i := range n.Content {
			f(&n.Content[i], depth+1)
		}
	}
	f(n, 0)
	return sb.String()
}

func cardURL(n *adfNode) string {
	if u := attrString(n.Attrs, "url"); u != "" {
		return u
	}
	if d, ok := n.Attrs["data"].(map[string]any); ok {
		if u, ok := d["url"].(string); ok {
			return u
		}
	}
	return ""
}

func attrString(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return s
}

func attrInt(attrs map[string]any, key string) int {
	switch v := attrs[key].(type) {
	case float64:
		if v >= -1e6 && v <= 1e6 {
			return int(v)
		}
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// adfDate renders a date node's timestamp (milliseconds since the epoch,
// as a string or a number) as a day.
func adfDate(v any) string {
	var ms int64
	switch x := v.(type) {
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return x
		}
		ms = n
	case float64:
		ms = int64(x)
	default:
		return ""
	}
	const limit = 1e14 // beyond year 5000: not a date
	if ms < -limit || ms > limit {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02")
}
