package parse

import (
	"errors"
	"strings"
	"unicode"

	"github.com/secondstory/secondstory/ingest"
)

// doc is one document on its way to a debrief: its blocks, whatever fields
// front matter or JSON gave, and hints from the format.
type doc struct {
	ref    string
	blocks []block
	f      fields
	// htmlTitle is an HTML page's <title>, used when it has no <h1>.
	htmlTitle string
	// timeline given outright (JSON) replaces what the text says.
	timeline    []ingest.TimelineItem
	hasTimeline bool
}

func newDoc(ref string) *doc { return &doc{ref: ref} }

func (d *doc) addFields(m map[string]any, src int) {
	if len(m) > 0 {
		d.f.addMap(m, src)
	}
}

// section is a headed part of the document while it is being built.
type section struct {
	heading string
	key     string // the heading normalised for matching (matchKey)
	raw     string // the heading as written
	level   int
	kind    ingest.SectionKind
	blocks  []block
}

var errNoText = errors.New("no text: the document holds no readable content")

// build turns the document into a debrief.
func (d *doc) build() (ingest.Debrief, error) {
	ni := fileNameInfo(d.ref)
	titleIdx := titleHeading(d.blocks)
	hint := ni.date.y
	if hint == 0 {
		hint = ni.year
	}
	if hint == 0 && d.f.times[0].set {
		hint = d.f.times[0].t.Year()
	}

	sc := sectioner{d: d, hint: hint}
	sc.walk(d.blocks, titleIdx)
	for _, s := range sc.secs {
		d.sectionFields(s)
	}

	// The document's text is its title and each section's heading and text,
	// so that the blocks are rendered once.
	deb := ingest.Debrief{Ref: d.ref, Document: d.ref}
	var text strings.Builder
	para := func(t string) {
		if t == "" {
			return
		}
		if text.Len() > 0 {
			text.WriteString("\n\n")
		}
		text.WriteString(t)
	}
	if titleIdx >= 0 {
		para(d.blocks[titleIdx].lines[0].text)
	}
	texts := make([]string, len(sc.secs))
	for i, s := range sc.secs {
		texts[i] = textOf(s.blocks)
	}
	// A summary given as a field that the body does not already say opens
	// the debrief: it is the author's own statement of what happened, and
	// searches and the assessment read it with the rest.
	lead := d.leadSummary(sc.secs, texts)
	if lead != "" && (sc.secs[0].raw != "" || sc.secs[0].kind != ingest.KindOther) {
		para(lead)
		deb.Sections = append(deb.Sections, ingest.Section{Kind: ingest.KindSummary, Text: lead})
		lead = ""
	}
	for i, s := range sc.secs {
		t := texts[i]
		if i == 0 && lead != "" {
			// Into the untitled opening, so that a document of one
			// untitled text stays one.
			t = strings.TrimSpace(lead + "\n\n" + t)
		}
		para(s.raw)
		para(t)
		if s.level == 0 && t == "" {
			continue
		}
		deb.Sections = append(deb.Sections, ingest.Section{Kind: s.kind, Heading: s.heading, Level: s.level, Text: t})
	}
	deb.Text = text.String()

	// Title, and the date a title may start with.
	var h1 string
	if titleIdx >= 0 {
		h1 = d.blocks[titleIdx].lines[0].text
		// "# Title:" over the title on the next line.
		if normKey(h1) == "title" && strings.HasSuffix(strings.TrimSpace(h1), ":") && titleIdx+1 < len(d.blocks) {
			if nb := &d.blocks[titleIdx+1]; (nb.kind == blockHeading || nb.kind == blockPara) && len(nb.lines) == 1 && len(nb.lines[0].text) <= 120 {
				h1 = nb.lines[0].text
			}
		}
	}
	title, titleStamp, hasTitleStamp, placeholder := d.title(h1, ni, hint)
	if hint == 0 && hasTitleStamp && titleStamp.hasYear {
		hint = titleStamp.date.y
	}

	summary := d.summary(sc.secs)
	if title == "" {
		title = firstSentence(summary, 100)
	}
	deb.Title = title
	deb.Summary = summary
	deb.URL = d.f.url

	if looksLikeTemplate(placeholder, deb.Sections, deb.Text) {
		return ingest.Debrief{}, ingest.ErrSkip
	}
	// Headings alone are no debrief; a summary given as a field is.
	if !hasBody(deb.Sections) {
		// The field may hold only markup ("<html>"), which leaves nothing.
		sum := collapseSpace(plainInline(d.f.summary))
		if sum == "" {
			return ingest.Debrief{}, errNoText
		}
		para(sum)
		deb.Text = text.String()
	}

	// Dates: what metadata states, else the file name, the title, the first
	// lines, the timeline, and a bare year from the file name last.
	dc := dateCands{hint: hint}
	if c := d.f.times[0]; c.set {
		dc.explicit, dc.hasExplicit = c.t, true
	}
	if ni.hasDate {
		dc.add(stamp{date: ni.date, hasDate: true, hasYear: true})
	}
	if hasTitleStamp {
		dc.add(titleStamp)
	}
	if st, ok := d.proseDate(sc.secs, hint); ok {
		dc.add(st)
	}
	if hint == 0 {
		hint = timelineYear(sc.secs)
	}
	tl := timeliner{hint: hint, lastMin: -1}
	if day, ok := dc.day(); ok {
		tl.day, tl.hasDay = day, true
	}
	if d.hasTimeline {
		deb.Timeline = d.timeline
	} else {
		deb.Timeline = tl.extract(sc.secs)
	}
	// Without a day anywhere, a month ("in early August 2022") or a year
	// (PM2021-003) is kept as its first day, and Extra says how precise it is.
	var month civil
	if !dc.hasExplicit && !dc.hasAny() && earliest(deb.Timeline).IsZero() {
		if c, ok := d.monthYear(sc.secs, title); ok {
			month = c
		}
	}
	var precision string
	deb.Times, precision = d.times(dc, deb.Timeline, tl.tz, ni.year, month)
	if precision != "" {
		if d.f.meta.Extra == nil {
			d.f.meta.Extra = map[string]any{}
		}
		d.f.meta.Extra["date_precision"] = precision
	}
	deb.Meta = d.f.meta
	if len(deb.Meta.Extra) == 0 {
		deb.Meta.Extra = nil
	}
	return deb, nil
}

// leadSummary is the summary field's text when the document has a body
// that neither has a summary section nor already contains that text.
func (d *doc) leadSummary(secs []*section, texts []string) string {
	if d.f.summary == "" {
		return ""
	}
	sum := collapseSpace(plainInline(d.f.summary))
	if sum == "" {
		return ""
	}
	body := false
	for i, s := range secs {
		if strings.TrimSpace(texts[i]) == "" {
			continue
		}
		if s.kind == ingest.KindSummary || strings.Contains(collapseSpace(texts[i]), sum) {
			return ""
		}
		body = true
	}
	if !body {
		return "" // a summary field alone is the text: see build
	}
	return sum
}

func hasBody(secs []ingest.Section) bool {
	for _, s := range secs {
		if strings.TrimSpace(s.Text) != "" {
			return true
		}
	}
	return false
}

// titleHeading finds the heading that titles the document: the first
// heading, when it is level 1 and not a known section heading ("# Summary").
func titleHeading(bs []block) int {
	for i := range bs {
		if bs[i].kind != blockHeading {
			continue
		}
		if bs[i].level != 1 {
			return -1
		}
		if SectionKindOf(bs[i].lines[0].text) != ingest.KindOther {
			return -1
		}
		return i
	}
	return -1
}

// sectioner cuts the block list into sections, promoting bold lines,
// "Label:" lines and bold list items to headings, and reading metadata
// from the zone before the first section.
type sectioner struct {
	d     *doc
	hint  int
	secs  []*section
	cur   *section
	stack []stackEntry
	// zone is true before the first section heading: where metadata lines
	// and key/value tables are read.
	zone     bool
	lastReal int
}

type stackEntry struct {
	level int
	kind  ingest.SectionKind
}

func (s *sectioner) add(b block) {
	if s.cur == nil {
		s.cur = &section{kind: ingest.KindOther}
		s.secs = append(s.secs, s.cur)
	}
	s.cur.blocks = append(s.cur.blocks, b)
}

// open starts a section. An unknown heading nested under a known one takes
// its parent's kind (a "### 09:14" under "## Timeline" is timeline), and a
// heading that only names a date, next to a timeline section, continues it.
func (s *sectioner) open(heading string, level int) {
	s.zone = false
	clean := cleanHeading(heading)
	key := keyOfClean(clean)
	k, _ := kindOfKey(key)
	for len(s.stack) > 0 && s.stack[len(s.stack)-1].level >= level {
		s.stack = s.stack[:len(s.stack)-1]
	}
	if k == ingest.KindOther {
		if n := len(s.stack); n > 0 && s.stack[n-1].kind != ingest.KindOther {
			k = s.stack[n-1].kind
		} else if n := len(s.secs); n > 0 && s.secs[n-1].kind == ingest.KindTimeline && isDateHeading(clean, s.hint) {
			k = ingest.KindTimeline
		}
	}
	s.stack = append(s.stack, stackEntry{level, k})
	s.cur = &section{heading: clean, key: key, raw: strings.TrimSpace(heading), level: level, kind: k}
	s.secs = append(s.secs, s.cur)
}

// promotedLevel is the level of a heading promoted from a line: one below
// the last heading written as one.
func (s *sectioner) promotedLevel() int { return s.lastReal + 1 }

func (s *sectioner) walk(bs []block, titleIdx int) {
	s.zone = true
	for i, b := range bs {
		switch b.kind {
		case blockHeading:
			if i == titleIdx {
				s.lastReal = 1
				continue
			}
			s.lastReal = b.level
			s.open(b.lines[0].text, b.level)
		case blockPara:
			s.para(b)
		case blockItem:
			s.item(b)
		case blockTable:
			if s.zone {
				s.d.tablePairs(b, srcBody)
			}
			s.add(b)
		default:
			s.add(b)
		}
	}
}

// para splits a paragraph at lines that act as headings and reads metadata
// lines in the zone.
func (s *sectioner) para(b block) {
	allKV := true
	for _, l := range b.lines {
		if _, v, _, ok := kvLine(l, true); !ok || len(b.lines) == 1 && len(v) > 80 {
			allKV = false
			break
		}
	}
	var pend []line
	flush := func() {
		if len(pend) > 0 {
			s.add(block{kind: blockPara, lines: pend})
			pend = nil
		}
	}
	for _, l := range b.lines {
		if s.zone {
			if k, v, bold, ok := kvLine(l, true); ok && (bold || allKV || lookupField(k).t != tNone) {
				s.d.f.add(k, v, srcBody)
				pend = append(pend, l)
				continue
			}
		}
		if h, rest, ok := promoteLine(l, s.zone); ok {
			flush()
			s.open(h, s.promotedLevel())
			if rest != "" {
				pend = append(pend, line{text: rest})
			}
			continue
		}
		pend = append(pend, l)
	}
	flush()
}

// item handles one list item: metadata in the zone, a bold known heading
// ("- **Key events**") or a bold label over nested content, else text.
func (s *sectioner) item(b block) {
	l0 := b.lines[0]
	if s.zone {
		if k, v, bold, ok := kvLine(l0, true); ok && (bold || lookupField(k).t != tNone) {
			if len(b.lines) == 1 {
				s.d.f.add(k, v, srcBody)
			}
			s.add(b)
			return
		}
	}
	if h, ok := boldOnly(l0); ok {
		if SectionKindOf(h) != ingest.KindOther || b.children || len(b.lines) > 1 {
			s.open(h, s.promotedLevel())
			if len(b.lines) > 1 {
				s.add(block{kind: blockPara, lines: b.lines[1:]})
			}
			return
		}
	}
	if b.lone && len(b.lines) == 1 && !b.children {
		if _, exact := kindOf(l0.text); exact {
			s.open(l0.text, s.promotedLevel())
			return
		}
	}
	if !s.zone {
		if k, v, _, ok := kvLine(l0, false); ok && countWords(k) <= 5 && SectionKindOf(k) != ingest.KindOther {
			s.open(k, s.promotedLevel())
			s.add(block{kind: blockPara, lines: append([]line{{text: v}}, b.lines[1:]...)})
			return
		}
	}
	s.add(b)
}

// boldOnly reports whether a line is all bold (a trailing ":" aside) and
// short enough to be a heading; it returns the bold text.
func boldOnly(l line) (string, bool) {
	if l.bold <= 0 || l.bold > len(l.text) {
		return "", false
	}
	after := strings.TrimSpace(l.text[l.bold:])
	if after != "" && after != ":" {
		return "", false
	}
	h := strings.TrimSpace(l.text[:l.bold])
	if !headingLike(h) {
		return "", false
	}
	return h, true
}

func headingLike(h string) bool {
	h = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), ":"))
	if h == "" || len(h) > 80 || countWords(h) > 10 {
		return false
	}
	if strings.HasSuffix(h, ".") || strings.HasSuffix(h, ",") || strings.HasSuffix(h, ";") {
		return false
	}
	for _, r := range h {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// promoteLine reports whether a paragraph line acts as a heading: a bold
// line, a known heading alone on its line ("Root cause:", "Timeline"), or,
// past the metadata zone, "**Known heading:** text" or "Known heading: text".
// rest is text that followed the heading on the same line.
func promoteLine(l line, zone bool) (heading, rest string, ok bool) {
	if h, ok := boldOnly(l); ok {
		return h, "", true
	}
	t := l.text
	if l.bold > 0 {
		if zone {
			return "", "", false
		}
		if k, v, _, ok := kvLine(l, false); ok && countWords(k) <= 5 && SectionKindOf(k) != ingest.KindOther {
			return k, v, true
		}
		return "", "", false
	}
	if len(t) <= 60 && countWords(t) <= 6 {
		if strings.HasSuffix(t, ":") {
			if SectionKindOf(t) != ingest.KindOther {
				return t, "", true
			}
		} else if _, exact := kindOf(t); exact && headingLike(t) {
			return t, "", true
		}
	}
	if !zone {
		if k, v, _, ok := kvLine(l, true); ok {
			if _, exact := kindOf(k); exact {
				return k, v, true
			}
		}
	}
	return "", "", false
}

// tablePairs reads a two-column key/value table as metadata.
func (d *doc) tablePairs(b block, src int) {
	for _, r := range b.rows {
		if n := nonEmptyCells(r); n != 2 || len(r) > 3 {
			return
		}
	}
	for i, r := range b.rows {
		k, v := strings.TrimSpace(r[0]), strings.TrimSpace(r[1])
		if i == 0 && b.header {
			switch normKey(k) {
			case "key", "field", "property", "name", "item", "attribute":
				continue
			}
		}
		k = strings.TrimSuffix(k, ":")
		if k != "" && v != "" && len(k) <= 60 {
			d.f.add(k, v, src)
		}
	}
}

func nonEmptyCells(r []string) int {
	n := 0
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// sectionFields reads metadata that lives in sections: a section headed by
// a metadata key ("## Date", "## Authors", "## Status"), a details section
// ("## Stats") of key/value lines, and the people section.
func (d *doc) sectionFields(s *section) {
	if s.level == 0 {
		return
	}
	fk := fieldKeys[s.key]
	details := detailHeadings[s.key]
	if fk.t == tNone && !details && s.kind != ingest.KindPeople {
		return
	}
	var values []string
	for _, b := range s.blocks {
		switch b.kind {
		case blockTable:
			d.tablePairs(b, srcSection)
		case blockPara, blockItem:
			for _, l := range b.lines {
				if k, v, _, ok := kvLine(l, true); ok && s.kind != ingest.KindPeople {
					d.f.add(k, v, srcSection)
					continue
				}
				if t := strings.TrimSpace(l.text); t != "" {
					values = append(values, t)
				}
			}
		}
	}
	if details || len(values) == 0 {
		return
	}
	if s.kind == ingest.KindPeople && fk.t == tNone {
		fk.t = tParticipants
	}
	// Prose is not a value: keep only short lines.
	var kept []string
	total := 0
	for _, v := range values {
		if len(v) > 80 || countWords(v) > 8 {
			continue
		}
		kept = append(kept, v)
		total += len(v)
	}
	if len(kept) == 0 || total > 400 {
		return
	}
	if fk.t.isList() {
		d.f.add(s.heading, strings.Join(kept, "; "), srcSection)
		return
	}
	d.f.add(s.heading, kept[0], srcSection)
}

// textOf renders blocks as plain text: blocks separated by blank lines,
// consecutive list items by single newlines.
func textOf(bs []block) string {
	var sb strings.Builder
	prevItem := false
	for i := range bs {
		b := &bs[i]
		t := blockString(b)
		if t == "" {
			continue
		}
		if sb.Len() > 0 {
			if b.kind == blockItem && prevItem {
				sb.WriteByte('\n')
			} else {
				sb.WriteString("\n\n")
			}
		}
		sb.WriteString(t)
		prevItem = b.kind == blockItem
	}
	return sb.String()
}

func blockString(b *block) string {
	switch b.kind {
	case blockPara, blockItem:
		return joinLines(b.lines)
	case blockHeading:
		return b.lines[0].text
	default:
		return b.text()
	}
}

// joinLines joins a paragraph's lines the way Markdown renders them, with
// spaces, but keeps a line break where lines are entries of their own: a
// heading-like line, a "Key: value" line, a line starting with a time.
func joinLines(ls []line) string {
	if len(ls) == 1 {
		return ls[0].text
	}
	var sb strings.Builder
	for i, l := range ls {
		if i > 0 {
			if ownLine(ls[i-1], l) {
				sb.WriteByte('\n')
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

func ownLine(prev, l line) bool {
	if l.bold > 0 || prev.bold > 0 && prev.bold >= len(strings.TrimSuffix(prev.text, ":")) {
		return true
	}
	if strings.HasSuffix(prev.text, ":") || prev.text == "" || l.text == "" {
		return true
	}
	if c := l.text[0]; isDigit(c) || c == '-' || c == '*' || c == '|' || c == '>' || c == '[' {
		return true
	}
	if i := strings.IndexByte(l.text, ':'); i > 0 && i <= 41 {
		if _, _, _, ok := kvLine(l, true); ok {
			return true
		}
	}
	if len(prev.text) > 40 {
		return false
	}
	_, exact := kindOf(prev.text)
	return exact
}
