package parse

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// timeliner reads timeline entries out of timeline sections: tables with a
// time column, lines and list items that start with a time, and subheadings
// that name a time. Times of day are anchored to the day last named, or to
// the incident date.
type timeliner struct {
	hint    int
	tz      int // zone of times written without one, seconds east of UTC
	day     civil
	hasDay  bool
	lastMin int // minute of day of the last entry, -1 when unknown
	items   []ingest.TimelineItem
	// itemDepth is the list depth of the item the last entry came from (0
	// when it came from something else); deeper items add to that entry.
	itemDepth int
	toks      []token // reused token buffer
}

// extract reads the timeline from the timeline sections, or, when there is
// none, from list items and table rows anywhere that start with a full
// date and time.
func (tl *timeliner) extract(secs []*section) []ingest.TimelineItem {
	found := false
	for _, s := range secs {
		if s.kind != ingest.KindTimeline {
			continue
		}
		if !found {
			tl.tz = zoneIn(s)
			found = true
		}
		tl.section(s)
	}
	if !found {
		for _, s := range secs {
			for i := range s.blocks {
				tl.datedOnly(&s.blocks[i])
			}
		}
	}
	return tl.items
}

// zoneIn finds the zone a timeline says its times are in: "Timeline (UTC)",
// "All times in PST".
func zoneIn(s *section) int {
	if off, ok := findZone(s.heading); ok {
		return off
	}
	for _, b := range s.blocks {
		if b.kind == blockPara || b.kind == blockItem {
			t := joinSpace(b.lines)
			if countWords(t) <= 15 {
				if off, ok := findZone(t); ok {
					return off
				}
			}
			break
		}
	}
	return 0
}

// findZone finds a zone written in capitals ("PST", "UTC+1", "CEST").
func findZone(s string) (int, bool) {
	toks := tokenize(s, make([]token, 0, 16))
	p := stampParser{toks: toks}
	for i, t := range toks {
		if t.kind != tokWord || strings.ToUpper(t.s) != t.s || len(t.s) < 2 {
			continue
		}
		if off, _, ok := p.zone(i, offsetNone); ok {
			return off, true
		}
	}
	return 0, false
}

func (tl *timeliner) section(s *section) {
	if s.level > 0 && hasDigit(s.heading) {
		if st, ok := parseStamp(s.heading, tl.hint); ok {
			text := textOf(s.blocks)
			if text == "" || tl.hasStampLines(s.blocks) {
				tl.anchor(st)
			} else {
				tl.add(s.heading, text, st)
				tl.itemDepth = 0
				return
			}
		}
	}
	tl.itemDepth = 0
	for i := range s.blocks {
		b := &s.blocks[i]
		switch b.kind {
		case blockTable:
			tl.table(b)
		case blockPara:
			tl.para(b)
		case blockItem:
			tl.item(b)
		}
	}
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// hasStampLines reports whether blocks hold entries of their own, so that
// a heading naming a day is context for them rather than an entry.
func (tl *timeliner) hasStampLines(bs []block) bool {
	for i := range bs {
		b := &bs[i]
		if b.kind == blockTable {
			return true
		}
		if b.kind == blockPara || b.kind == blockItem {
			for _, l := range b.lines {
				if _, _, st, ok := tl.leading(l); ok && st.hasTime {
					return true
				}
			}
		}
	}
	return false
}

// anchor resolves a stamp to a moment and updates the current day. Times
// of day that go back by more than 12 hours have crossed midnight.
func (tl *timeliner) anchor(st stamp) time.Time {
	switch {
	case st.hasDate:
		tl.day, tl.hasDay = st.date, true
		tl.lastMin = -1
		if st.hasTime {
			tl.lastMin = st.hour*60 + st.min
		}
	case st.hasTime && tl.hasDay:
		m := st.hour*60 + st.min
		if tl.lastMin >= 0 && m < tl.lastMin-12*60 {
			next := time.Date(tl.day.y, time.Month(tl.day.m), tl.day.d+1, 0, 0, 0, 0, time.UTC)
			tl.day = civil{next.Year(), int(next.Month()), next.Day()}
		}
		tl.lastMin = m
		st.date = tl.day
	default:
		return time.Time{}
	}
	return st.moment(tl.tz)
}

func (tl *timeliner) add(when, text string, st stamp) {
	at := tl.anchor(st)
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	tl.items = append(tl.items, ingest.TimelineItem{At: at, When: strings.TrimSpace(when), Text: text})
}

// para reads lines that start with a time; lines that follow without one
// continue the entry. A line that only names a day sets the day.
func (tl *timeliner) para(b *block) {
	var when string
	var st stamp
	var parts []string
	open := false
	emit := func() {
		if open {
			tl.add(when, strings.Join(parts, " "), st)
		}
		open, parts = false, nil
	}
	for _, l := range b.lines {
		if w, rest, s, ok := tl.leading(l); ok {
			emit()
			if !s.hasTime && rest == "" {
				tl.anchor(s)
				continue
			}
			when, st, open = w, s, true
			if rest != "" {
				parts = append(parts, rest)
			}
			continue
		}
		if open {
			parts = append(parts, l.text)
		}
	}
	emit()
	tl.itemDepth = 0
}

// item reads a list item that starts with a time ("- 13:11: text",
// "- **16:58 UTC** - text") or ends with a date and time ("- Resolved
// 2020-02-12 12:07"). Deeper items without a time add to the last entry.
func (tl *timeliner) item(b *block) {
	l0 := b.lines[0]
	var more []string
	for _, l := range b.lines[1:] {
		more = append(more, l.text)
	}
	if w, rest, st, ok := tl.leading(l0); ok {
		if !st.hasTime && rest == "" && len(more) == 0 {
			tl.anchor(st)
			return
		}
		tl.add(w, strings.Join(append([]string{rest}, more...), " "), st)
		tl.itemDepth = b.level
		return
	}
	if w, text, st, ok := tl.trailing(l0); ok {
		tl.add(w, strings.Join(append([]string{text}, more...), " "), st)
		tl.itemDepth = b.level
		return
	}
	if tl.itemDepth > 0 && b.level > tl.itemDepth && len(tl.items) > 0 {
		last := &tl.items[len(tl.items)-1]
		last.Text += " " + joinSpace(b.lines)
	}
}

// timeHeaders are the headers of a timeline table's time column.
var timeHeaders = map[string]bool{
	"time": true, "date": true, "when": true, "timestamp": true, "date time": true,
	"datetime": true, "date and time": true, "hour": true, "time date": true,
	"start time": true, "start": true, "local time": true, "time utc": true,
}

// table reads a table with a time column: the other cells are the text.
func (tl *timeliner) table(b *block) {
	col := -1
	rows := b.rows
	byHeader := false
	if b.header && len(rows) > 0 {
		for i, h := range rows[0] {
			k := normKey(h)
			if timeHeaders[k] || strings.HasPrefix(k, "time ") || strings.HasPrefix(k, "date ") {
				col, byHeader = i, true
				break
			}
		}
		rows = rows[1:]
	}
	if col < 0 {
		// No header says which column: take the first whose cells are times.
		for c := 0; c < 2 && col < 0; c++ {
			n := 0
			for _, r := range b.rows {
				if c < len(r) {
					if _, ok := parseStamp(r[c], tl.hint); ok && hasDigit(r[c]) {
						n++
					}
				}
			}
			if n > 0 && n*2 >= len(b.rows) {
				col, rows = c, b.rows
			}
		}
	}
	if col < 0 {
		return
	}
	for _, r := range rows {
		if col >= len(r) {
			continue
		}
		cell := strings.TrimSpace(r[col])
		if cell == "" {
			continue
		}
		st, ok := parseStamp(cell, tl.hint)
		if !ok || !hasDigit(cell) {
			w, _, s, ok2 := tl.leading(line{text: cell})
			switch {
			case ok2:
				cell, st = w, s
			case byHeader:
				// The header says this is the time, even if we cannot read it.
				st = stamp{}
			default:
				continue
			}
		}
		var parts []string
		for i, c := range r {
			if i != col && strings.TrimSpace(c) != "" {
				parts = append(parts, strings.TrimSpace(c))
			}
		}
		tl.add(cell, strings.Join(parts, "; "), st)
	}
	tl.itemDepth = 0
}

// datedOnly reads entries outside any timeline section: list items and
// table rows that start with a full date and a time.
func (tl *timeliner) datedOnly(b *block) {
	switch b.kind {
	case blockItem:
		if w, rest, st, ok := tl.leading(b.lines[0]); ok && st.hasDate && st.hasYear && st.hasTime && rest != "" {
			tl.add(w, rest, st)
		}
	case blockTable:
		if len(b.rows) > 0 {
			for _, h := range b.rows[0] {
				if k := normKey(h); timeHeaders[k] || strings.HasPrefix(k, "time ") {
					tl.table(b)
					return
				}
			}
		}
	}
}

// leading reads a time at the start of a line: "13:11: text", "**16:58
// UTC** - text", "2021-05-09 13:11 text", "[09:14] text", "14:20-15:00
// text", "12:48 (6:48 PDT): text". It returns the time as written and the
// text after it.
func (tl *timeliner) leading(l line) (when, rest string, st stamp, ok bool) {
	t := l.text
	if l.bold > 0 && l.bold <= len(t) {
		b := strings.TrimRight(strings.TrimSpace(t[:l.bold]), ":-–— ")
		if hasDigit(b) {
			if s, ok := parseStamp(b, tl.hint); ok {
				return b, trimSeps(t[l.bold:]), s, true
			}
		}
	}
	if t == "" || !(isDigit(t[0]) || t[0] == '[' || t[0] == '(' || isASCIILetter(t[0])) {
		return "", "", stamp{}, false
	}
	if isASCIILetter(t[0]) {
		// Only a month or a weekday can start a time in words.
		w := t
		if i := strings.IndexFunc(t, func(r rune) bool { return r >= utf8.RuneSelf || !isASCIILetter(byte(r)) }); i >= 0 {
			w = t[:i]
		}
		if w = lowerWord(w); monthNames[w] == 0 && !weekdayNames[w] {
			return "", "", stamp{}, false
		}
	}
	prefix := t
	if len(prefix) > 64 {
		prefix = cutWords(prefix, 64)
	}
	tl.toks = tokenize(prefix, tl.toks[:0])
	toks := tl.toks
	p := stampParser{toks: toks, hint: tl.hint}
	i := 0
	if p.isPunct(0, "[") || p.isPunct(0, "(") {
		i = 1
	}
	s, j, ok := p.at(i)
	if !ok || !s.hasTime && !s.hasDate {
		return "", "", stamp{}, false
	}
	// A range: "14:20-15:00", "10:00 to 10:30".
	if p.isPunct(j, "-") || p.isPunct(j, "–") || p.isWord(j, "to") {
		if _, k, ok := p.clock(j + 1); ok {
			j = k
			if _, k2, ok := p.zone(j, offsetNone); ok {
				j = k2
			}
		}
	}
	if i == 1 && (p.isPunct(j, "]") || p.isPunct(j, ")")) {
		j++
	}
	// A parenthetical right after: "12:48 (6:48 PDT)".
	if p.isPunct(j, "(") {
		for k := j + 1; k < len(toks) && k < j+10; k++ {
			if p.isPunct(k, ")") {
				j = k + 1
				break
			}
		}
	}
	end := toks[j-1].end
	when = strings.Trim(strings.TrimSpace(prefix[toks[i].pos:end]), "[]")
	if i == 1 {
		when = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(when, ")"), "]"))
	}
	rest = trimSeps(t[end:])
	// A bare date opening a sentence ("May 9 we ...") needs a separator or
	// nothing after it to count as an entry's time.
	if !s.hasTime && rest != "" && end < len(t) && !strings.ContainsRune(":-–—|,", rune(strings.TrimLeft(t[end:], " ")[0])) {
		return "", "", stamp{}, false
	}
	return when, rest, s, true
}

// trailing reads a full date and time at the end of a line: "Fault occurs
// 2020-02-12 11:45", "First detected: 2023-06-06 10:26".
func (tl *timeliner) trailing(l line) (when, text string, st stamp, ok bool) {
	t := l.text
	if len(t) > 300 || len(t) < 12 {
		return "", "", stamp{}, false
	}
	// A date and time at the end has a digit and a colon near it.
	if tail := t[len(t)-min(len(t), 24):]; !strings.ContainsRune(tail, ':') || !hasDigit(tail) {
		return "", "", stamp{}, false
	}
	tl.toks = tokenize(t, tl.toks[:0])
	toks := tl.toks
	p := stampParser{toks: toks, hint: tl.hint}
	for j := max(0, len(toks)-10); j < len(toks); j++ {
		if toks[j].kind != tokNum && monthOf(toks[j]) == 0 {
			continue
		}
		s, k, ok := p.at(j)
		if !ok || k != len(toks) || !s.hasDate || !s.hasYear || !s.hasTime || j == 0 {
			continue
		}
		text = strings.TrimRight(t[:toks[j].pos], " :-–—,")
		text = strings.TrimSuffix(strings.TrimSuffix(text, " at"), " on")
		if strings.TrimSpace(text) == "" {
			return "", "", stamp{}, false
		}
		return t[toks[j].pos:], text, s, true
	}
	return "", "", stamp{}, false
}

func trimSeps(s string) string {
	s = strings.TrimLeft(s, " \t*_")
	s = strings.TrimLeft(s, ":-–—|,.)]")
	return strings.TrimSpace(s)
}

// earliest is the earliest moment among the entries, zero if none has one.
func earliest(items []ingest.TimelineItem) time.Time {
	var e time.Time
	for _, it := range items {
		if !it.At.IsZero() && (e.IsZero() || it.At.Before(e)) {
			e = it.At
		}
	}
	return e
}
