package parse

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Debriefs write moments in many ways ("2021-03-04 13:50", "March 4th, 2021 at
// 6:48AM PDT", "Monday 20. January 2020", "4/21/23", "### 09:14"). Rather than
// trying a list of layouts, the text is cut into tokens and a small grammar
// recognises a date, a clock time and a zone in either order.

type tokKind uint8

const (
	tokNum tokKind = iota + 1
	tokWord
	tokPunct
)

type token struct {
	kind     tokKind
	s        string
	pos, end int  // byte offsets in the tokenised string
	sp       bool // preceded by white space or at the start
	n        int  // value of a number token (capped)
}

// tokenize cuts s into numbers, words (letters) and single punctuation marks.
func tokenize(s string, dst []token) []token {
	sp := true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			sp = true
			i++
			continue
		case c >= '0' && c <= '9':
			j, n := i, 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if n < 1e8 {
					n = n*10 + int(s[j]-'0')
				}
				j++
			}
			dst = append(dst, token{kind: tokNum, s: s[i:j], pos: i, end: j, sp: sp, n: n})
			i = j
		case c < utf8.RuneSelf:
			if isASCIILetter(c) {
				j := i
				for j < len(s) && isASCIILetter(s[j]) {
					j++
				}
				dst = append(dst, token{kind: tokWord, s: s[i:j], pos: i, end: j, sp: sp})
				i = j
			} else {
				dst = append(dst, token{kind: tokPunct, s: s[i : i+1], pos: i, end: i + 1, sp: sp})
				i++
			}
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				sp = true
				i += size
				continue
			}
			if unicode.IsLetter(r) {
				j := i + size
				for j < len(s) {
					r2, s2 := utf8.DecodeRuneInString(s[j:])
					if !unicode.IsLetter(r2) {
						break
					}
					j += s2
				}
				dst = append(dst, token{kind: tokWord, s: s[i:j], pos: i, end: j, sp: sp})
				i = j
			} else {
				dst = append(dst, token{kind: tokPunct, s: s[i : i+size], pos: i, end: i + size, sp: sp})
				i += size
			}
		}
		sp = false
	}
	return dst
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// civil is a calendar date without a zone.
type civil struct{ y, m, d int }

func (c civil) valid() bool { return c.m >= 1 && c.y > 0 }

// stamp is what a piece of text says about a moment.
type stamp struct {
	date    civil
	hasDate bool
	hasYear bool // false when the year came from a hint
	hour    int
	min     int
	sec     int
	nsec    int
	hasTime bool
	off     int // zone offset in seconds
	hasZone bool
}

// at is the moment the stamp names, in UTC. A stamp without a zone is read
// in zone def (seconds east of UTC).
func (st stamp) at(def int) time.Time {
	off := def
	if st.hasZone {
		off = st.off
	}
	t := time.Date(st.date.y, time.Month(st.date.m), st.date.d, st.hour, st.min, st.sec, st.nsec, time.UTC)
	return t.Add(-time.Duration(off) * time.Second)
}

// moment is the stamp's moment when it has a time of day (read in zone
// def unless it names one); a date alone is that day's midnight in UTC, so
// that the calendar day stays the one written.
func (st stamp) moment(def int) time.Time {
	if !st.hasTime {
		st.hasZone, st.off = true, 0
	}
	return st.at(def)
}

const (
	minYear = 1900
	maxYear = 2199
)

var monthNames = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
	"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
	"august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
	"oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

var weekdayNames = map[string]bool{
	"monday": true, "mon": true, "tuesday": true, "tue": true, "tues": true,
	"wednesday": true, "wed": true, "thursday": true, "thu": true, "thur": true,
	"thurs": true, "friday": true, "fri": true, "saturday": true, "sat": true,
	"sunday": true, "sun": true,
}

// zoneOffsets are the zone abbreviations debriefs use, in seconds east of
// UTC. Ambiguous ones (IST, CST in Asia) are read the way English-language
// engineering teams mostly mean them, or left out.
var zoneOffsets = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "wet": 0,
	"bst": 3600, "cet": 3600, "west": 3600,
	"cest": 7200, "eet": 7200,
	"eest": 10800, "msk": 10800,
	"jst": 9 * 3600, "kst": 9 * 3600,
	"aest": 10 * 3600, "aedt": 11 * 3600,
	"est": -5 * 3600, "edt": -4 * 3600, "et": -5 * 3600,
	"cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600,
	"pst": -8 * 3600, "pdt": -7 * 3600, "pt": -8 * 3600,
}

func lowerWord(s string) string {
	if len(s) > 12 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func monthOf(t token) int {
	if t.kind != tokWord {
		return 0
	}
	return monthNames[lowerWord(t.s)]
}

func isWeekday(t token) bool { return t.kind == tokWord && weekdayNames[lowerWord(t.s)] }

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func validDate(y, m, d int) bool {
	return y >= minYear && y <= maxYear && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// stampParser reads stamps out of a token list.
type stampParser struct {
	toks []token
	// hint is the year assumed for dates written without one (0: none).
	hint int
	// prose demands capitalised month names and four-digit years for dotted
	// dates, so that "may" and version numbers are not read as dates.
	prose bool
}

func (p *stampParser) tok(i int) token {
	if i < 0 || i >= len(p.toks) {
		return token{}
	}
	return p.toks[i]
}

func (p *stampParser) isPunct(i int, s string) bool {
	t := p.tok(i)
	return t.kind == tokPunct && t.s == s
}

func (p *stampParser) isWord(i int, words ...string) bool {
	t := p.tok(i)
	if t.kind != tokWord {
		return false
	}
	w := lowerWord(t.s)
	for _, x := range words {
		if w == x {
			return true
		}
	}
	return false
}

// at reads a stamp starting at token i: a date, a clock time or both, in
// either order, with an optional zone. It returns the index after the stamp
// and ok=false when nothing was recognised.
func (p *stampParser) at(i int) (st stamp, next int, ok bool) {
	j := i
	if isWeekday(p.tok(j)) {
		j++
		if p.isPunct(j, ",") || p.isPunct(j, ".") {
			j++
		}
	}
	if d, k, ok := p.date(j); ok {
		st.date, st.hasDate, st.hasYear = d.civil, true, d.hasYear
		j = k
		// An optional clock after the date: "2021-03-04 13:50", "May 9 at 6:48AM", "...T13:50Z".
		k = j
		if p.isPunct(k, ",") {
			k++
		}
		if p.isWord(k, "at", "t") || p.isPunct(k, "@") {
			k++
		}
		if p.isPunct(k, "-") && p.tok(k+1).sp {
			k++
		}
		bare := offsetNone
		if c, k2, ok := p.clock(k); ok {
			st.hour, st.min, st.sec, st.nsec, st.hasTime = c.hour, c.min, c.sec, c.nsec, true
			j = k2
			bare = offsetSafe
			if c.hasSec {
				bare = offsetAny
			}
		}
		if off, k2, ok := p.zone(j, bare); ok {
			st.off, st.hasZone = off, true
			j = k2
		}
		return st, j, true
	}
	if c, k, ok := p.clock(j); ok {
		st.hour, st.min, st.sec, st.nsec, st.hasTime = c.hour, c.min, c.sec, c.nsec, true
		j = k
		if off, k2, ok := p.zone(j, offsetNone); ok {
			st.off, st.hasZone = off, true
			j = k2
		}
		// An optional date after the clock: "13:50 on 2021-03-04", "4:23PM, March 4 2021".
		k = j
		if p.isPunct(k, ",") {
			k++
		}
		if p.isWord(k, "on") {
			k++
		}
		if isWeekday(p.tok(k)) {
			k++
			if p.isPunct(k, ",") {
				k++
			}
		}
		if d, k2, ok := p.date(k); ok {
			st.date, st.hasDate, st.hasYear = d.civil, true, d.hasYear
			j = k2
		}
		return st, j, true
	}
	return stamp{}, i, false
}

type dateRead struct {
	civil
	hasYear bool
}

// date reads a calendar date at token i.
func (p *stampParser) date(i int) (dateRead, int, bool) {
	t := p.tok(i)
	switch t.kind {
	case tokNum:
		if d, j, ok := p.numericDate(i); ok {
			return d, j, true
		}
		return p.dayMonth(i)
	case tokWord:
		if p.isWord(i, "the") && p.tok(i+1).kind == tokNum {
			return p.dayMonth(i + 1)
		}
		return p.monthDay(i)
	}
	return dateRead{}, i, false
}

// numericDate reads 2021-03-04, 2021/03/04, 04.03.2021, 4/21/23, 5-26-21 and,
// outside prose, 20210304.
func (p *stampParser) numericDate(i int) (dateRead, int, bool) {
	a := p.tok(i)
	if len(a.s) == 8 && !p.prose {
		y, m, d := a.n/10000, a.n/100%100, a.n%100
		if validDate(y, m, d) {
			return dateRead{civil{y, m, d}, true}, i + 1, true
		}
		return dateRead{}, i, false
	}
	sep := p.tok(i + 1)
	b, s2, c := p.tok(i+2), p.tok(i+3), p.tok(i+4)
	if sep.kind != tokPunct || sep.sp || b.kind != tokNum || b.sp || s2.kind != tokPunct || s2.s != sep.s || s2.sp || c.kind != tokNum || c.sp {
		return dateRead{}, i, false
	}
	if sep.s != "-" && sep.s != "/" && sep.s != "." {
		return dateRead{}, i, false
	}
	// Refuse to read a piece of a longer dotted or dashed number (a version, an IP).
	if n := p.tok(i + 5); n.kind == tokPunct && !n.sp && (n.s == sep.s) && p.tok(i+6).kind == tokNum && !p.tok(i+6).sp {
		return dateRead{}, i, false
	}
	if len(a.s) == 4 {
		if len(b.s) > 2 || len(c.s) > 2 {
			return dateRead{}, i, false
		}
		if validDate(a.n, b.n, c.n) {
			return dateRead{civil{a.n, b.n, c.n}, true}, i + 5, true
		}
		return dateRead{}, i, false
	}
	if len(a.s) > 2 || len(b.s) > 2 {
		return dateRead{}, i, false
	}
	y := c.n
	switch len(c.s) {
	case 4:
	case 2:
		if p.prose && sep.s == "." {
			return dateRead{}, i, false
		}
		y += 2000
	default:
		return dateRead{}, i, false
	}
	// Day first when the first number cannot be a month or when dotted
	// (European); month first otherwise (the US habit).
	m, d := a.n, b.n
	if a.n > 12 || (sep.s == "." && b.n <= 12) {
		m, d = b.n, a.n
	}
	if validDate(y, m, d) {
		return dateRead{civil{y, m, d}, true}, i + 5, true
	}
	return dateRead{}, i, false
}

// ordinal skips "st", "nd", "rd", "th" glued to a day number.
func (p *stampParser) ordinal(i int) int {
	if t := p.tok(i); t.kind == tokWord && !t.sp && p.isWord(i, "st", "nd", "rd", "th") {
		return i + 1
	}
	return i
}

func (p *stampParser) monthWord(i int) int {
	t := p.tok(i)
	m := monthOf(t)
	if m == 0 {
		return 0
	}
	if p.prose {
		r, _ := utf8.DecodeRuneInString(t.s)
		if !unicode.IsUpper(r) {
			return 0
		}
	}
	return m
}

// year reads an optional year after a day and month, with the comma or
// "of" that may come before it.
func (p *stampParser) year(i int) (int, int, bool) {
	j := i
	if p.isPunct(j, ",") {
		j++
	}
	t := p.tok(j)
	if t.kind == tokNum && len(t.s) == 4 && t.n >= minYear && t.n <= maxYear {
		// "May 9 2021 10:00" is a year; "May 9 1300" is not worth the guess.
		return t.n, j + 1, true
	}
	return 0, i, false
}

func (p *stampParser) finish(y, m, d, j int, hasYear bool) (dateRead, int, bool) {
	if !hasYear {
		if p.hint == 0 {
			return dateRead{}, j, false
		}
		y = p.hint
	}
	if !validDate(y, m, d) {
		return dateRead{}, j, false
	}
	return dateRead{civil{y, m, d}, hasYear}, j, true
}

// dayMonth reads "4 March 2021", "20. January 2020", "9th of June, 2020".
func (p *stampParser) dayMonth(i int) (dateRead, int, bool) {
	t := p.tok(i)
	if t.kind != tokNum || len(t.s) > 2 || t.n < 1 || t.n > 31 {
		return dateRead{}, i, false
	}
	j := p.ordinal(i + 1)
	if p.isPunct(j, ".") {
		j++
	}
	if p.isWord(j, "of") {
		j++
	}
	m := p.monthWord(j)
	if m == 0 {
		return dateRead{}, i, false
	}
	j++
	if p.isPunct(j, ".") && !p.tok(j).sp {
		j++ // "Jan."
	}
	y, k, ok := p.year(j)
	if ok {
		j = k
	}
	return p.finish(y, m, t.n, j, ok)
}

// monthDay reads "March 4, 2021", "May 9th 2021", "Oct 31 2021", "January 21st".
func (p *stampParser) monthDay(i int) (dateRead, int, bool) {
	m := p.monthWord(i)
	if m == 0 {
		return dateRead{}, i, false
	}
	j := i + 1
	if p.isPunct(j, ".") && !p.tok(j).sp {
		j++
	}
	if p.isWord(j, "the") {
		j++
	}
	t := p.tok(j)
	if t.kind != tokNum || len(t.s) > 2 || t.n < 1 || t.n > 31 {
		return dateRead{}, i, false
	}
	// "May 12:00" is a clock, not a day.
	if p.isPunct(j+1, ":") {
		return dateRead{}, i, false
	}
	j = p.ordinal(j + 1)
	y, k, ok := p.year(j)
	if ok {
		j = k
	}
	return p.finish(y, m, t.n, j, ok)
}

type clockRead struct {
	hour, min, sec, nsec int
	hasSec               bool
}

// clock reads 13:50, 13:50:12.345, 6:48AM, 6:48 p.m., 6pm.
func (p *stampParser) clock(i int) (clockRead, int, bool) {
	h := p.tok(i)
	if h.kind != tokNum || len(h.s) > 2 || h.n > 24 {
		return clockRead{}, i, false
	}
	var c clockRead
	c.hour = h.n
	j := i + 1
	if p.isPunct(j, ":") && !p.tok(j).sp {
		mt := p.tok(j + 1)
		if mt.kind != tokNum || mt.sp || len(mt.s) != 2 || mt.n > 59 {
			return clockRead{}, i, false
		}
		c.min = mt.n
		j += 2
		if p.isPunct(j, ":") && !p.tok(j).sp {
			if st := p.tok(j + 1); st.kind == tokNum && !st.sp && len(st.s) == 2 && st.n <= 60 {
				c.sec = min(st.n, 59)
				c.hasSec = true
				j += 2
				if p.isPunct(j, ".") && !p.tok(j).sp {
					if f := p.tok(j + 1); f.kind == tokNum && !f.sp {
						c.nsec = fraction(f.s)
						j += 2
					}
				}
			}
		}
		if ap, k := p.meridiem(j); ap != 0 {
			if c.hour < 1 || c.hour > 12 {
				return clockRead{}, i, false
			}
			c.hour %= 12
			if ap == 'p' {
				c.hour += 12
			}
			j = k
		}
		if c.hour == 24 {
			if c.min != 0 {
				return clockRead{}, i, false
			}
			c.hour = 23
			c.min, c.sec = 59, 59
		}
		return c, j, true
	}
	// "6pm", "6 PM"
	if ap, k := p.meridiem(j); ap != 0 && h.n >= 1 && h.n <= 12 {
		c.hour = h.n % 12
		if ap == 'p' {
			c.hour += 12
		}
		return c, k, true
	}
	return clockRead{}, i, false
}

func fraction(s string) int {
	n, scale := 0, 100000000
	for i := 0; i < len(s) && i < 9; i++ {
		n += int(s[i]-'0') * scale
		scale /= 10
	}
	return n
}

// meridiem reads AM/PM, a.m./p.m.; it returns 'a', 'p' or 0.
func (p *stampParser) meridiem(i int) (byte, int) {
	t := p.tok(i)
	if t.kind != tokWord {
		return 0, i
	}
	switch lowerWord(t.s) {
	case "am":
		return 'a', i + 1
	case "pm":
		return 'p', i + 1
	case "a", "p":
		if p.isPunct(i+1, ".") && p.isWord(i+2, "m") {
			j := i + 3
			if p.isPunct(j, ".") {
				j++
			}
			return lowerWord(t.s)[0], j
		}
	}
	return 0, i
}

// Which bare numeric offsets zone accepts: none after a lone clock (they
// would misread ranges: "10:00-11:00"); after a date and clock only those
// that cannot be a range end ("+02:00", "-0500"); after seconds any.
const (
	offsetNone = iota
	offsetSafe
	offsetAny
)

// zone reads UTC, PDT, Z, UTC+1, GMT+02:00, (UTC) and, as bare allows, a
// numeric offset such as +0200 or -05:00.
func (p *stampParser) zone(i int, bare int) (int, int, bool) {
	j := i
	paren := p.isPunct(j, "(")
	if paren {
		j++
	}
	t := p.tok(j)
	off, ok := 0, false
	switch t.kind {
	case tokWord:
		w := lowerWord(t.s)
		if w == "z" && t.sp {
			return 0, i, false // a lone "Z" word is not a zone unless glued to the time
		}
		if o, known := zoneOffsets[w]; known {
			off, ok = o, true
			j++
			if w == "utc" || w == "gmt" {
				if d, k, ok2 := p.offset(j); ok2 {
					off, j = d, k
				}
			}
		}
	case tokPunct:
		if d, k, ok2 := p.offset(j); ok2 && len(p.tok(j+1).s) != 1 {
			if bare == offsetAny && !t.sp || bare >= offsetSafe && (t.s == "+" || len(p.tok(j+1).s) == 4) {
				off, ok, j = d, true, k
			}
		}
	}
	if !ok {
		return 0, i, false
	}
	if paren {
		if !p.isPunct(j, ")") {
			return 0, i, false
		}
		j++
	}
	return off, j, true
}

// offset reads +1, -5, +02:00, +0530 glued to what precedes.
func (p *stampParser) offset(i int) (int, int, bool) {
	sign := 0
	switch {
	case p.isPunct(i, "+"):
		sign = 1
	case p.isPunct(i, "-") || p.isPunct(i, "−"):
		sign = -1
	default:
		return 0, i, false
	}
	n := p.tok(i + 1)
	if n.kind != tokNum || n.sp {
		return 0, i, false
	}
	h, m, j := 0, 0, i+2
	switch len(n.s) {
	case 1, 2:
		h = n.n
		if p.isPunct(j, ":") {
			if mt := p.tok(j + 1); mt.kind == tokNum && len(mt.s) == 2 {
				m = mt.n
				j += 2
			}
		}
	case 4:
		h, m = n.n/100, n.n%100
	default:
		return 0, i, false
	}
	if h > 14 || m > 59 {
		return 0, i, false
	}
	return sign * (h*3600 + m*60), j, true
}

// ignorable reports whether token t may surround a stamp that is meant to
// be read on its own ("On Monday, 4 March 2021.").
func ignorable(t token) bool {
	if t.kind == tokPunct {
		switch t.s {
		case ",", ".", "(", ")", "[", "]", "*", "_", "`", "~":
			return true
		}
		return false
	}
	return isWeekday(t) || lowerWord(t.s) == "on" || lowerWord(t.s) == "at"
}

// ParseTime reads a date, with an optional time of day and zone, written in
// any of the ways debriefs write them: "2021-03-04", "2021-03-04 13:50",
// RFC 3339, "March 4, 2021", "4 March 2021", "Monday 20. January 2020",
// "4/21/23", "May 9th 2021 at 6:48AM PDT". The whole string must be a date;
// times without a zone are taken as UTC. The result is in UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 6 || len(s) > 80 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if y := t.Year(); y < minYear || y > maxYear {
			return time.Time{}, false
		}
		return t.UTC(), true
	}
	st, ok := parseStamp(s, 0)
	if !ok || !st.hasDate || !st.hasYear {
		return time.Time{}, false
	}
	return st.at(0), true
}

// parseStamp reads s as one stamp (date and/or time) and nothing else but
// surrounding punctuation, weekday names and "on"/"at". Years missing from
// dates are taken from hint when it is not 0.
func parseStamp(s string, hint int) (stamp, bool) {
	var buf [24]token
	toks := tokenize(s, buf[:0])
	if len(toks) == 0 || len(toks) > 24 {
		return stamp{}, false
	}
	p := stampParser{toks: toks, hint: hint}
	i := 0
	for i < len(toks) && ignorable(toks[i]) && !isWeekday(toks[i]) {
		i++
	}
	st, j, ok := p.at(i)
	if !ok {
		return stamp{}, false
	}
	for j < len(toks) && ignorable(toks[j]) {
		j++
	}
	return st, j == len(toks)
}

// findDate finds the first date (with a year, or with the hint year) in a
// piece of prose. It returns the stamp and the byte range it covers.
func findDate(s string, hint int) (stamp, int, int, bool) {
	if len(s) > 4000 {
		s = s[:4000]
	}
	toks := tokenize(s, make([]token, 0, len(s)/4+1))
	p := stampParser{toks: toks, hint: hint, prose: true}
	for i, t := range toks {
		switch t.kind {
		case tokNum:
			if t.n == 0 && len(t.s) == 1 {
				continue
			}
			// A number glued to a letter or a dot ("v1", "1.2") starts no date.
			if !t.sp && i > 0 {
				if prev := toks[i-1]; prev.kind != tokPunct || prev.s == "." || prev.s == "-" || prev.s == "/" || prev.s == ":" {
					continue
				}
			}
		case tokWord:
			if !isWeekday(t) && monthOf(t) == 0 && lowerWord(t.s) != "the" {
				continue
			}
		default:
			continue
		}
		st, j, ok := p.at(i)
		if ok && st.hasDate {
			return st, t.pos, toks[j-1].end, true
		}
	}
	return stamp{}, 0, 0, false
}
