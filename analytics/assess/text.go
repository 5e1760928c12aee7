package assess

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// Sentence flags.
const (
	flagQuestion    uint16 = 1 << iota // ends with a question mark
	flagPlaceholder                    // template text: "[describe]", "TBD", "<insert>"
	flagCode                           // a code, log or command line
	flagTable                          // a table cell
	flagList                           // part of a list: one of several lines in a block
	flagHedged                         // "may have", "probably", "we think"
	flagQuote                          // carries quoted speech
	flagTimeline                       // starts with a time stamp, or sits in a timeline
	flagLead                           // first sentence of its unit
	flagAction                         // starts with an imperative: "Add an alert"
)

// unit is one line of a section: a list item, a paragraph, a table cell or a
// code line, with the sentences it holds.
type unit struct {
	text        string
	sec         int
	block       int
	flags       uint16
	first, last int // sentence index range [first, last)
}

// sentence is one sentence of a debrief: text is an exact substring of the
// text of section sec, trimmed.
type sentence struct {
	text  string
	off   int // byte offset of text in the section text
	sec   int
	unit  int
	flags uint16
	toks  []token
	// t0, t1 locate toks in doc.tokens, which may move while it grows.
	t0, t1 int
}

// token is one word of a sentence, lower-cased, with its stem for matching.
type token struct {
	stem string // stemmed lower-case form used by the matcher
	low  string // lower-case surface form
	off  int32  // byte offset in the section text
	end  int32
	sid  int32 // the matcher's id for stem, -1 if no phrase uses it
	brk  bool  // a clause boundary (, ; : brackets, dashes) precedes it
	cap  bool  // the surface form starts with an upper-case letter
	neg  bool  // a negator: "not", "no", "never"
}

// doc is a debrief split into units and sentences.
type doc struct {
	sections  []ingest.Section
	units     []unit
	sentences []sentence
	tokens    []token
}

// split segments every section of d. When d has no sections its text is
// taken as one section of kind other.
// split segments every section of d into dc, reusing dc's slices. When d
// has no sections its text is taken as one section of kind other.
func split(d *ingest.Debrief, lw *lowerBuf, dc *doc) {
	secs := d.Sections
	if len(secs) == 0 && strings.TrimSpace(d.Text) != "" {
		secs = []ingest.Section{{Kind: ingest.KindOther, Text: d.Text}}
	}
	dc.sections = secs
	dc.tokens, dc.sentences, dc.units = dc.tokens[:0], dc.sentences[:0], dc.units[:0]
	// One lower-cased copy of every section, in one allocation.
	texts := make([]string, len(secs))
	for i := range secs {
		texts[i] = secs[i].Text
	}
	lows := lw.lowerAll(texts)
	for i := range secs {
		dc.splitSection(i, lows[i])
	}
	for i := range dc.sentences {
		s := &dc.sentences[i]
		s.toks = dc.tokens[s.t0:s.t1:s.t1]
	}
}

func (dc *doc) splitSection(si int, low string) {
	text := dc.sections[si].Text
	if text == "" {
		return
	}
	inTimeline := dc.sections[si].Kind == ingest.KindTimeline
	block := 0
	pos := 0
	// Collect the lines of one block (text between blank lines), merging
	// lines that continue a wrapped sentence, then emit units.
	var lines [][2]int
	flush := func() {
		if len(lines) == 0 {
			return
		}
		list := len(lines) > 1
		for _, l := range lines {
			dc.addLine(si, block, text, low, l[0], l[1], list, inTimeline)
		}
		lines = lines[:0]
		block++
	}
	for pos <= len(text) {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		s, e := trimSpan(text, pos, end)
		if s == e {
			flush()
		} else if n := len(lines); n > 0 && continues(text[lines[n-1][0]:lines[n-1][1]], text[s:e]) {
			lines[n-1][1] = e
		} else {
			lines = append(lines, [2]int{s, e})
		}
		pos = end + 1
	}
	flush()
}

// continues reports whether line cur continues the sentence of line prev: a
// long prose line cut without final punctuation, followed by a line that
// starts in lower case or with a digit.
func continues(prev, cur string) bool {
	if len(prev) < 50 || strings.IndexByte(prev, '\t') >= 0 || strings.IndexByte(cur, '\t') >= 0 {
		return false
	}
	switch prev[len(prev)-1] {
	case '.', '!', '?', ':', ';', ')', '"':
		return false
	}
	c := cur[0]
	if c >= 'a' && c <= 'z' {
		return true
	}
	if c >= '0' && c <= '9' {
		_, ok := timePrefix(cur)
		return !ok
	}
	return false
}

// trimSpan narrows [a, b) to drop leading and trailing white space, as
// strings.TrimSpace does, so evidence is always trimmed text.
func trimSpan(s string, a, b int) (int, int) {
	for a < b {
		c := s[a]
		if c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			a++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		a += n
	}
	for b > a {
		c := s[b-1]
		if c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			b--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		b -= n
	}
	return a, b
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// addLine turns one line into units: table cells, a code line, or text.
func (dc *doc) addLine(si, block int, text, low string, s, e int, list, inTimeline bool) {
	line := text[s:e]
	var flags uint16
	if list {
		flags |= flagList
	}
	if inTimeline {
		flags |= flagTimeline
	}
	if strings.IndexByte(line, '\t') >= 0 {
		// A table row: each cell of three words or more is a unit; the
		// first cell of a timeline row is its time.
		cs := s
		for cs <= e {
			ce := strings.IndexByte(text[cs:e], '\t')
			if ce < 0 {
				ce = e
			} else {
				ce += cs
			}
			a, b := trimSpan(text, cs, ce)
			if b > a && wordCount(text[a:b]) >= 3 {
				dc.addUnit(si, block, text, low, a, b, flags|flagTable)
			}
			cs = ce + 1
		}
		return
	}
	if codeLike(line) {
		dc.addUnit(si, block, text, low, s, e, flags|flagCode)
		return
	}
	dc.addUnit(si, block, text, low, s, e, flags)
}

func (dc *doc) addUnit(si, block int, text, low string, s, e int, flags uint16) {
	if n, ok := timePrefix(text[s:e]); ok {
		flags |= flagTimeline
		s += n
		s, e = trimSpan(text, s, e)
		if s == e {
			return
		}
	}
	u := unit{text: text[s:e], sec: si, block: block, flags: flags, first: len(dc.sentences)}
	if flags&flagCode != 0 {
		dc.addSentence(si, text, low, s, e, flags|flagLead)
	} else {
		lead := flagLead
		for _, sp := range sentenceSpans(text, s, e) {
			dc.addSentence(si, text, low, sp[0], sp[1], flags|lead)
			lead = 0
		}
	}
	u.last = len(dc.sentences)
	if u.last > u.first {
		dc.units = append(dc.units, u)
	}
}

func (dc *doc) addSentence(si int, text, low string, s, e int, flags uint16) {
	s, e = trimSpan(text, s, e)
	if s == e {
		return
	}
	t := text[s:e]
	if isQuestion(t) {
		flags |= flagQuestion
	}
	if placeholderShape(t) {
		flags |= flagPlaceholder
	}
	if hasQuote(t) {
		flags |= flagQuote
	}
	first := len(dc.tokens)
	dc.tokens = tokenize(dc.tokens, text, low, s, e)
	dc.sentences = append(dc.sentences, sentence{
		text: t, off: s, sec: si, unit: len(dc.units), flags: flags,
		t0: first, t1: len(dc.tokens),
	})
}

// sentenceSpans splits text[s:e] into sentences at ".", "!" or "?" followed
// by white space and a sentence start, except after abbreviations and
// initials. Decimals, versions, times and URLs have no space after the dot,
// so they never split.
func sentenceSpans(text string, s, e int) [][2]int {
	var out [][2]int
	start := s
	for i := s; i < e; i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < e && (text[j] == '.' || text[j] == '!' || text[j] == '?') {
			j++
		}
		for j < e && isCloser(text[j]) {
			j++
		}
		// Curly closing quotes are three bytes.
		for j+3 <= e && (text[j:j+3] == "”" || text[j:j+3] == "’") {
			j += 3
		}
		if j >= e {
			break
		}
		if !isSpaceByte(text[j]) {
			i = j - 1
			continue
		}
		k := j
		for k < e && isSpaceByte(text[k]) {
			k++
		}
		if k >= e || !startsSentence(text[k:e]) {
			i = k - 1
			continue
		}
		if c == '.' && j == i+1 && abbreviation(text[start:i]) {
			continue
		}
		out = append(out, [2]int{start, j})
		start = k
		i = k - 1
	}
	if start < e {
		out = append(out, [2]int{start, e})
	}
	return out
}

func isCloser(c byte) bool {
	return c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_' || c == '`'
}

func startsSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case unicode.IsUpper(r), unicode.IsDigit(r):
		return true
	case r == '"' || r == '\'' || r == '(' || r == '[' || r == '`' || r == '“' || r == '‘' || r == '*' || r == '@':
		return true
	}
	return false
}

// abbreviations that end in a dot without ending a sentence.
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "eg": true, "ie": true, "etc": false, "vs": true, "cf": true,
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true, "sr": true,
	"inc": true, "ltd": true, "co": true, "no": true, "nos": true, "fig": true, "approx": true,
	"al": true, "a.m": true, "p.m": true, "u.s": true, "u.k": true, "ca": true, "min": true,
	"max": true, "dept": true, "est": true, "resp": true, "incl": true, "avg": true, "ver": true,
}

// abbreviation reports whether the sentence text before a dot ends with an
// abbreviation or a single-letter initial.
func abbreviation(before string) bool {
	i := len(before)
	for i > 0 {
		c := before[i-1]
		if c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			i--
			continue
		}
		break
	}
	w := before[i:]
	if w == "" {
		return false
	}
	if len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z' {
		return true // an initial, as in "J. Birchall"
	}
	return abbreviations[strings.ToLower(w)]
}

func isQuestion(t string) bool {
	t = strings.TrimRight(t, "\"')]*_`”’ ")
	return strings.HasSuffix(t, "?")
}

func hasQuote(t string) bool {
	return strings.Count(t, "\"") >= 2 || strings.Contains(t, "“")
}

// placeholderShape finds the template shapes that need no catalog:
// bracketed instructions ("[describe the impact]", "<insert date>") and
// empty checkboxes.
func placeholderShape(t string) bool {
	for _, pair := range [...][2]byte{{'[', ']'}, {'<', '>'}} {
		i := strings.IndexByte(t, pair[0])
		for i >= 0 {
			j := strings.IndexByte(t[i+1:], pair[1])
			if j < 0 {
				break
			}
			inner := t[i+1 : i+1+j]
			if j == 0 || instruction(inner) {
				return true
			}
			k := strings.IndexByte(t[i+1+j:], pair[0])
			if k < 0 {
				break
			}
			i = i + 1 + j + k
		}
	}
	return false
}

// instruction reports whether the text inside brackets reads as a template
// instruction: two or more words, mostly letters.
func instruction(s string) bool {
	if len(s) < 3 || len(s) > 80 {
		return false
	}
	if strings.EqualFold(s, "x") {
		return false
	}
	words, letters := 0, 0
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			letters++
			if !inWord {
				words++
			}
			inWord = true
			continue
		}
		inWord = false
		if c != ' ' && c != '-' && c != '\'' && c != ',' && c != '/' {
			return false
		}
	}
	return words >= 2 && letters*10 >= len(s)*7
}

// codeLike reports whether a line is a command, a log line, a stack frame
// or data rather than prose.
func codeLike(line string) bool {
	t := line
	for _, p := range [...]string{"$ ", ">>> ", "# ", "File \"", "Traceback", "at ", "{", "}", "[\"", "<?", "#!", "kubectl ", "curl ", "sudo ", "helm ", "terraform ", "grep ", "git ", "SELECT ", "select "} {
		if strings.HasPrefix(t, p) {
			if p == "at " || p == "# " || p == "git " {
				// Prose may start this way ("at 14:02 ..."); require a
				// code shape as well.
				break
			}
			return true
		}
	}
	if logLine(t) {
		return true
	}
	fields, wordy := 0, 0
	for i := 0; i < len(t); {
		for i < len(t) && asciiSpace(t[i]) {
			i++
		}
		j := i
		for j < len(t) && !asciiSpace(t[j]) {
			j++
		}
		if j > i {
			fields++
			if proseWord(t[i:j]) {
				wordy++
			}
		}
		i = j
	}
	if fields < 3 {
		return false
	}
	return wordy*2 < fields
}

// logLine recognises log output: a glog prefix ("E0220 10:59:57.797466"),
// a level=... field, or a leading time stamp with an upper-case level.
func logLine(t string) bool {
	if len(t) > 12 && (t[0] == 'E' || t[0] == 'W' || t[0] == 'I' || t[0] == 'F') && digits(t[1:]) == 4 && t[5] == ' ' {
		return true
	}
	if strings.Contains(t, "level=") || strings.Contains(t, "\"level\":") {
		return true
	}
	if _, ok := timePrefix(t); ok || digits(t) >= 4 {
		for _, lv := range [...]string{" ERROR ", " WARN ", " WARNING ", " INFO ", " DEBUG ", " FATAL "} {
			if strings.Contains(t, lv) {
				return true
			}
		}
	}
	return false
}

// proseWord reports whether a field is a word of prose: letters, possibly
// with one trailing punctuation mark or a leading quote or bracket.
func proseWord(f string) bool {
	for len(f) > 0 && (f[0] == '"' || f[0] == '\'' || f[0] == '(') {
		f = f[1:]
	}
	for len(f) > 0 {
		switch f[len(f)-1] {
		case '.', ',', ';', ':', '!', '?', ')', '"', '\'':
			f = f[:len(f)-1]
			continue
		}
		break
	}
	if f == "" {
		return false
	}
	letters := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		case c == '-' || c == '\'':
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(f[i:])
			if !unicode.IsLetter(r) && r != '’' && r != '“' && r != '”' && r != '‘' {
				return false
			}
			letters++
			i += n - 1
		default:
			return false
		}
	}
	return letters > 0
}

func wordCount(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); i++ {
		w := s[i] > ' '
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// timePrefix reports the length of a leading time or date stamp and its
// separator ("14:02 ", "2021-05-09 13:11 - ", "~19:30 ", "Jan 14, 10:18 AM |"),
// so evidence can start at the words.
func timePrefix(s string) (int, bool) {
	i := 0
	if i < len(s) && s[i] == '~' {
		i++
	}
	start := i
	// ISO date.
	if n := digits(s[i:]); n == 4 && i+n < len(s) && s[i+n] == '-' {
		j := i + n + 1
		if m := digits(s[j:]); m >= 1 && m <= 2 && j+m < len(s) && s[j+m] == '-' {
			k := j + m + 1
			if d := digits(s[k:]); d >= 1 && d <= 2 {
				i = k + d
				if i < len(s) && (s[i] == 'T' || s[i] == ' ') {
					if n2 := clockLen(s[i+1:]); n2 > 0 {
						i += 1 + n2
					}
				}
			}
		}
	}
	if i == start {
		n := clockLen(s[i:])
		if n == 0 {
			return 0, false
		}
		i += n
	}
	// Optional am/pm and zone.
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	for _, z := range [...]string{"AM", "PM", "am", "pm", "UTC", "GMT", "CET", "CEST", "PST", "PDT", "EST", "BST"} {
		if strings.HasPrefix(s[j:], z) && (j+len(z) == len(s) || !isWordByte(s[j+len(z)])) {
			i = j + len(z)
			j = i
			for j < len(s) && s[j] == ' ' {
				j++
			}
		}
	}
	// Separator.
	for i < len(s) && (s[i] == ' ' || s[i] == ':' || s[i] == '-' || s[i] == '|' || s[i] == ',') {
		i++
	}
	for _, d := range [...]string{"–", "—"} {
		if strings.HasPrefix(s[i:], d) {
			i += len(d)
			for i < len(s) && s[i] == ' ' {
				i++
			}
		}
	}
	if i >= len(s) {
		return 0, false
	}
	return i, true
}

// clockLen matches "14:02", "4:19", "13:45:10", "14:02Z".
func clockLen(s string) int {
	h := digits(s)
	if h < 1 || h > 2 || h >= len(s) || s[h] != ':' {
		return 0
	}
	m := digits(s[h+1:])
	if m != 2 {
		return 0
	}
	n := h + 1 + m
	if n < len(s) && s[n] == ':' && digits(s[n+1:]) == 2 {
		n += 3
	}
	if n < len(s) && s[n] == 'Z' {
		n++
	}
	if n < len(s) && isWordByte(s[n]) {
		return 0
	}
	return n
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// lowerBuf lower-cases ASCII letters, keeping every other byte, so offsets
// in the lowered text equal offsets in the original.
type lowerBuf struct{ b []byte }

func (l *lowerBuf) lower(s string) string {
	return l.lowerAll([]string{s})[0]
}

// lowerAll lower-cases several texts into one new string and returns the
// part for each.
func (l *lowerBuf) lowerAll(texts []string) []string {
	l.b = l.b[:0]
	for _, s := range texts {
		l.b = append(l.b, s...)
	}
	for i, c := range l.b {
		if c >= 'A' && c <= 'Z' {
			l.b[i] = c + 32
		}
	}
	all := string(l.b)
	out := make([]string, len(texts))
	off := 0
	for i, s := range texts {
		out[i] = all[off : off+len(s)]
		off += len(s)
	}
	return out
}

// Words synthesised from contractions ("didn't" gives "did" and "not").
const (
	wNot  = "not"
	wHave = "have"
	wWill = "will"
	wAre  = "are"
	wAm   = "am"
	wCan  = "can"
)

// tokenize appends the tokens of text[s:e] to toks. Words are runs of
// letters and digits; an apostrophe inside a word splits off a contraction
// ("n't" becomes "not", "'ve" "have"); hyphens, dots and underscores
// separate words, so "on-call" is "on call".
func tokenize(toks []token, text, low string, s, e int) []token {
	brk := true
	i := s
	for i < e {
		c := low[i]
		if c == 'h' && (i == s || !isWordByte(low[i-1])) {
			if n := urlLen(low[i:e]); n > 0 {
				// A link's words are an address, not prose: "github" in
				// a URL names no vendor.
				i += n
				brk = true
				continue
			}
		}
		if !isWordByte(c) {
			switch c {
			case ',', ';', ':', '(', ')', '[', ']', '"', '!', '?':
				brk = true
			case '-':
				if i+1 < e && low[i+1] == ' ' || i > s && low[i-1] == ' ' {
					brk = true // a dash between words, not a hyphen
				}
			case '.':
				if i+1 < e && low[i+1] == ' ' {
					brk = true
				}
			}
			i++
			continue
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(low[i:])
			if r == '’' || r == '‘' {
				i += n
				continue
			}
			if r == '—' || r == '–' || r == '“' || r == '”' {
				brk = true
				i += n
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				i += n
				continue
			}
		}
		j := i
		for j < e {
			cj := low[j]
			if cj < 0x80 {
				if !isWordByte(cj) {
					break
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(low[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			j += n
		}
		w := low[i:j]
		// Contractions: look for an apostrophe and a short tail.
		k, tail := j, ""
		if j < e {
			if low[j] == '\'' {
				k = j + 1
			} else if strings.HasPrefix(low[j:], "’") {
				k = j + len("’")
			}
			if k > j {
				t := k
				for t < e && low[t] >= 'a' && low[t] <= 'z' {
					t++
				}
				tail = low[k:t]
				if len(tail) > 2 || len(tail) == 0 {
					tail, k = "", j
				} else {
					k = t
				}
			}
		}
		capital := isUpperAt(text, i)
		switch tail {
		case "t":
			if strings.HasSuffix(w, "n") {
				base := w[:len(w)-1]
				switch base {
				case "ca":
					base = wCan
				case "wo":
					base = wWill
				case "":
					base = w
				}
				toks = append(toks, token{stem: stem(base), low: base, off: int32(i), end: int32(j), brk: brk, cap: capital})
				toks = append(toks, token{stem: wNot, low: wNot, off: int32(j), end: int32(k)})
			} else {
				toks = append(toks, token{stem: stem(w), low: w, off: int32(i), end: int32(j), brk: brk, cap: capital})
			}
		case "ve", "ll", "re", "m":
			toks = append(toks, token{stem: stem(w), low: w, off: int32(i), end: int32(j), brk: brk, cap: capital})
			var x string
			switch tail {
			case "ve":
				x = wHave
			case "ll":
				x = wWill
			case "re":
				x = wAre
			default:
				x = wAm
			}
			toks = append(toks, token{stem: stem(x), low: x, off: int32(j), end: int32(k)})
		default:
			// "'s", "'d" and plain words.
			toks = append(toks, token{stem: stem(w), low: w, off: int32(i), end: int32(j), brk: brk, cap: capital})
		}
		brk = false
		i = k
	}
	return toks
}

// urlLen is the length of the http(s) URL s starts with, up to white
// space or a closing bracket or quote, or 0.
func urlLen(s string) int {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return 0
	}
	n := 0
	for n < len(s) {
		switch s[n] {
		case ' ', '\t', '\n', '\r', ')', ']', '>', '"', '\'':
			return n
		}
		n++
	}
	return n
}

func isUpperAt(s string, i int) bool {
	c := s[i]
	if c < 0x80 {
		return c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsUpper(r)
}

// stem reduces a lower-case word to a stem shared by its inflections, by
// stripping a plural, then -ed or -ing, then a final e, y or i. It returns
// a substring of w, so it never allocates. It is not a linguistic stemmer:
// it only needs the catalog's phrases and the debrief's words to meet.
func stem(w string) string {
	if len(w) <= 3 || w[len(w)-1] < 'a' {
		return w
	}
	orig := w
	switch {
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ies"):
		w = w[:len(w)-2] // "retries" -> "retri"
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "eed"):
	case strings.HasSuffix(w, "ed") && hasVowel(w[:len(w)-2]) && len(w) > 4:
		w = w[:len(w)-2]
		w = undouble(w)
	case strings.HasSuffix(w, "ing") && hasVowel(w[:len(w)-3]) && len(w) > 5:
		w = w[:len(w)-3]
		w = undouble(w)
	}
	if len(w) > 3 && !keepsEnding(w) {
		switch w[len(w)-1] {
		case 'e', 'y', 'i':
			if w[:len(w)-1] == "not" {
				return "note" // "note", "notes", "noted" must not meet "not"
			}
			w = w[:len(w)-1]
		}
	}
	if w == "not" && len(orig) > 3 {
		return "note"
	}
	return w
}

// undouble strips a doubled final consonant left by -ed or -ing
// ("stopped" -> "stopp" -> "stop"), keeping ll, ss and zz.
func undouble(w string) string {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] {
		switch w[n-1] {
		case 'l', 's', 'z', 'a', 'e', 'i', 'o', 'u':
			return w
		}
		return w[:n-1]
	}
	return w
}

// keepsEnding reports words whose stem without the final e or y would be
// another common word: "they" is not "the", "here" not "her", "busy" not
// "bus", "plane" (a control plane) not "plan".
func keepsEnding(w string) bool {
	switch w {
	case "they", "here", "busy", "plane":
		return true
	}
	return false
}

func hasVowel(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			return true
		}
	}
	return false
}
