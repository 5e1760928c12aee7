package parse

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Inline Markdown is rendered to plain text: emphasis marks, link
// destinations, images, raw HTML tags and escapes go; link text, code span
// contents and entities (decoded) stay. Emphasis follows CommonMark's
// delimiter rules, so "5 * 3" and snake_case keep their characters. A
// line's leading strong emphasis is noted for the builder ("**Key:**").
// Every search is bounded so that the time stays linear in the input.

type pieceKind uint8

const (
	pieceText pieceKind = iota + 1
	pieceDelim
	pieceBreak
)

type piece struct {
	kind pieceKind
	// A delimiter run of ch.
	ch          byte
	open, close bool
	// Strong emphasis pairs that open or close at this run.
	strongOpen, strongClose uint16
	// n characters of the run are left unmatched, of orig at first.
	n, orig int32
	// A text piece is s[lo:hi] of the paragraph, or text when it differs
	// from the source (escapes, entities, code spans).
	lo, hi int32
	text   string
}

type inlineScanner struct {
	s      string
	pieces []piece
	// match[i] is the index of the "]" closing the "[" at i, -1 if none.
	match []int32
	// Searches known to fail from here on: backtick runs by length, and
	// a link destination's closing parenthesis.
	noTicks   map[int]bool
	noParen   bool
	noComment bool
	maxDepth  int
}

// inlineRenderer renders paragraphs; its buffers are reused.
type inlineRenderer struct {
	sc inlineScanner
	lb lineBuilder
}

// renderInline renders one paragraph (lines joined by "\n") to lines.
func renderInline(s string) []line {
	var r inlineRenderer
	return r.render(s)
}

func (r *inlineRenderer) render(s string) []line {
	lb := &r.lb
	if !strings.ContainsAny(s, "\\`![<&*_~") {
		// Plain text: only line breaks to honour.
		for l := range strings.SplitSeq(s, "\n") {
			lb.write(l)
			lb.newline()
		}
		return lb.take()
	}
	sc := &r.sc
	*sc = inlineScanner{s: s, pieces: sc.pieces[:0]}
	if strings.IndexByte(s, '[') >= 0 {
		sc.match = bracketMatches(s)
	}
	sc.scan(0, len(s), 0)
	matchEmphasis(sc.pieces)
	for i := range sc.pieces {
		p := &sc.pieces[i]
		switch p.kind {
		case pieceText:
			if p.text != "" {
				lb.write(p.text)
			} else {
				lb.write(s[p.lo:p.hi])
			}
		case pieceBreak:
			lb.newline()
		case pieceDelim:
			if p.strongClose > 0 {
				lb.endBold()
			}
			for range p.n {
				lb.buf = append(lb.buf, p.ch)
			}
			if p.strongOpen > 0 {
				lb.startBold()
			}
		}
	}
	return lb.take()
}

// bracketMatches pairs "[" and "]" (escapes aside) in one pass.
func bracketMatches(s string) []int32 {
	m := make([]int32, len(s))
	var stack []int32
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			m[i] = -1
			stack = append(stack, int32(i))
		case ']':
			if n := len(stack); n > 0 {
				m[stack[n-1]] = int32(i)
				stack = stack[:n-1]
			}
		}
	}
	return m
}

func (sc *inlineScanner) text(t string) {
	if t != "" {
		sc.pieces = append(sc.pieces, piece{kind: pieceText, text: t})
	}
}

// span adds s[lo:hi] as text, extending the last piece when it ends
// where this one starts, so that runs of literal characters stay one piece.
func (sc *inlineScanner) span(lo, hi int) {
	if lo >= hi {
		return
	}
	if n := len(sc.pieces); n > 0 {
		if p := &sc.pieces[n-1]; p.kind == pieceText && p.text == "" && int(p.hi) == lo {
			p.hi = int32(hi)
			return
		}
	}
	sc.pieces = append(sc.pieces, piece{kind: pieceText, lo: int32(lo), hi: int32(hi)})
}

// scan cuts s[lo:hi] into pieces; depth counts nested link texts.
func (sc *inlineScanner) scan(lo, hi, depth int) {
	s := sc.s
	start := lo
	flush := func(i int) { sc.span(start, i) }
	for i := lo; i < hi; {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < hi && isASCIIPunct(s[i+1]) {
				flush(i)
				sc.span(i+1, i+2)
				i += 2
				start = i
				continue
			}
			if i+1 < hi && s[i+1] == '\n' {
				flush(i)
				sc.pieces = append(sc.pieces, piece{kind: pieceBreak})
				i += 2
				start = i
				continue
			}
		case '\n':
			flush(i)
			sc.pieces = append(sc.pieces, piece{kind: pieceBreak})
			i++
			start = i
			continue
		case '`':
			n := runOf(s[i:hi], '`')
			if j := sc.closeTicks(i+n, hi, n); j >= 0 {
				flush(i)
				sc.text(codeSpan(s[i+n : j]))
				i = j + n
				start = i
				continue
			}
			i += n
			continue
		case '!':
			if i+1 < hi && s[i+1] == '[' {
				if _, end, ok := sc.link(i+1, hi); ok {
					flush(i)
					i = end
					start = i
					continue
				}
			}
		case '[':
			if textEnd, end, ok := sc.link(i, hi); ok && depth < 8 {
				flush(i)
				sc.scan(i+1, textEnd, depth+1)
				i = end
				start = i
				continue
			}
		case '<':
			if n := autolink(s[i:hi]); n > 0 {
				flush(i)
				sc.text(s[i+1 : i+n-1])
				i += n
				start = i
				continue
			}
			if strings.HasPrefix(s[i:hi], "<!--") && !sc.noComment {
				if j := strings.Index(s[i+4:hi], "-->"); j >= 0 {
					flush(i)
					i += 4 + j + 3
					start = i
					continue
				}
				sc.noComment = true
			}
			if n := htmlTag(s[i:hi]); n > 0 {
				flush(i)
				if isBreak(s[i : i+n]) {
					sc.pieces = append(sc.pieces, piece{kind: pieceBreak})
				}
				i += n
				start = i
				continue
			}
		case '&':
			if n := entityLen(s[i:hi]); n > 0 {
				if u := html.UnescapeString(s[i : i+n]); u != s[i:i+n] {
					flush(i)
					sc.text(u)
					i += n
					start = i
					continue
				}
			}
		case '*', '_', '~':
			n := runOf(s[i:hi], c)
			if c == '~' && n != 2 {
				i += n
				continue
			}
			open, close := flanking(s, i, i+n, c)
			flush(i)
			if open || close {
				sc.pieces = append(sc.pieces, piece{kind: pieceDelim, ch: c, n: int32(n), orig: int32(n), open: open, close: close})
			} else {
				sc.span(i, i+n)
			}
			i += n
			start = i
			continue
		}
		i++
	}
	flush(hi)
}

// closeTicks finds the backtick run of length n closing a code span.
func (sc *inlineScanner) closeTicks(from, hi, n int) int {
	if sc.noTicks[n] {
		return -1
	}
	s := sc.s
	for i := from; i < hi; {
		if s[i] != '`' {
			i++
			continue
		}
		m := runOf(s[i:hi], '`')
		if m == n {
			return i
		}
		i += m
	}
	if sc.noTicks == nil {
		sc.noTicks = map[int]bool{}
	}
	sc.noTicks[n] = true
	return -1
}

func codeSpan(c string) string {
	c = strings.ReplaceAll(c, "\n", " ")
	if len(c) >= 2 && c[0] == ' ' && c[len(c)-1] == ' ' && strings.TrimSpace(c) != "" {
		c = c[1 : len(c)-1]
	}
	return c
}

// link reads "[text](destination "title")" or "[text][ref]" at i. It
// returns the end of the text and of the whole link.
func (sc *inlineScanner) link(i, hi int) (textEnd, end int, ok bool) {
	if sc.match == nil || sc.match[i] <= 0 || int(sc.match[i]) >= hi {
		return 0, 0, false
	}
	closeB := int(sc.match[i])
	s := sc.s
	j := closeB + 1
	if j < hi && s[j] == '(' {
		if sc.noParen {
			return 0, 0, false
		}
		depth := 1
		for k := j + 1; k < hi; k++ {
			switch s[k] {
			case '\\':
				k++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return closeB, k + 1, true
				}
			case '\n':
				if k+1 < hi && s[k+1] == '\n' {
					return 0, 0, false
				}
			}
		}
		sc.noParen = true
		return 0, 0, false
	}
	if j < hi && s[j] == '[' && sc.match[j] > 0 && int(sc.match[j]) < hi {
		return closeB, int(sc.match[j]) + 1, true
	}
	return 0, 0, false
}

// flanking applies CommonMark's rules for whether a run of *, _ or ~ at
// s[i:j] can open or close emphasis.
func flanking(s string, i, j int, c byte) (open, close bool) {
	before, after := ' ', ' '
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if j < len(s) {
		after, _ = utf8.DecodeRuneInString(s[j:])
	}
	bs, as := unicode.IsSpace(before), unicode.IsSpace(after)
	bp, ap := isPunctRune(before), isPunctRune(after)
	left := !as && (!ap || bs || bp)
	right := !bs && (!bp || as || ap)
	if c == '_' {
		return left && (!right || bp), right && (!left || ap)
	}
	return left, right
}

func isPunctRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIPunct(byte(r))
	}
	return unicode.IsPunct(r) || unicode.IsSymbol(r)
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// matchEmphasis pairs delimiter runs the way CommonMark's "process
// emphasis" does, with a stack of openers; matched characters are used up
// and runs between a matched pair can no longer match.
func matchEmphasis(ps []piece) {
	var stack []int
	bottom := map[byte]int{}
	for i := range ps {
		d := &ps[i]
		if d.kind != pieceDelim {
			continue
		}
		if d.close {
			for d.n > 0 {
				k := -1
				for s := len(stack) - 1; s >= bottom[d.ch]; s-- {
					o := &ps[stack[s]]
					if o.ch != d.ch || o.n == 0 || !o.open {
						continue
					}
					// The rule of three: a run that can both open and close
					// does not pair when the lengths sum to a multiple of 3.
					if (o.close || d.open) && (o.orig+d.orig)%3 == 0 && (o.orig%3 != 0 || d.orig%3 != 0) {
						continue
					}
					k = s
					break
				}
				if k < 0 {
					bottom[d.ch] = len(stack)
					break
				}
				o := &ps[stack[k]]
				use := int32(1)
				if o.n >= 2 && d.n >= 2 {
					use = 2
				}
				if d.ch == '~' {
					use = min(o.n, d.n)
				}
				o.n -= use
				d.n -= use
				if use == 2 && d.ch != '~' {
					o.strongOpen++
					d.strongClose++
				}
				// Runs between the pair stay as text.
				stack = stack[:k+1]
				if o.n == 0 {
					stack = stack[:k]
				}
				for ch, b := range bottom {
					if b > len(stack) {
						bottom[ch] = len(stack)
					}
				}
			}
		}
		if d.n > 0 && d.open {
			stack = append(stack, i)
		}
	}
}

// autolink reads "<https://...>" or "<name@example.com>" and returns its
// length.
func autolink(t string) int {
	// The scan stops at the first character an autolink cannot hold, so
	// that many "<" without ">" cost no more than their text.
	end := 1
	for end < len(t) && t[end] != '>' {
		if c := t[end]; c == ' ' || c == '<' || c == '\n' || c == '\t' {
			return 0
		}
		end++
	}
	if end < 3 || end == len(t) {
		return 0
	}
	in := t[1:end]
	if colon := strings.IndexByte(in, ':'); colon >= 2 && colon <= 32 && isASCIILetter(in[0]) {
		for i := 1; i < colon; i++ {
			if c := in[i]; !(isASCIILetter(c) || isDigit(c) || c == '+' || c == '.' || c == '-') {
				return 0
			}
		}
		return end + 1
	}
	if at := strings.IndexByte(in, '@'); at > 0 && at < len(in)-1 && !strings.ContainsAny(in, "\\") {
		return end + 1
	}
	return 0
}

// htmlTag reads a raw HTML open or closing tag at the start of t and
// returns its length, 0 if there is none.
func htmlTag(t string) int {
	if len(t) < 3 || t[0] != '<' {
		return 0
	}
	i := 1
	closing := t[i] == '/'
	if closing {
		i++
	}
	if i >= len(t) || !isASCIILetter(t[i]) {
		return 0
	}
	for i < len(t) && (isASCIILetter(t[i]) || isDigit(t[i]) || t[i] == '-') {
		i++
	}
	if closing {
		i = skipSpace(t, i)
		if i < len(t) && t[i] == '>' {
			return i + 1
		}
		return 0
	}
	for {
		j := skipSpace(t, i)
		if j >= len(t) {
			return 0
		}
		switch {
		case t[j] == '>':
			return j + 1
		case t[j] == '/' && j+1 < len(t) && t[j+1] == '>':
			return j + 2
		}
		if j == i {
			return 0 // attributes need white space before them
		}
		// An attribute name, and maybe a value.
		if c := t[j]; !(isASCIILetter(c) || c == '_' || c == ':') {
			return 0
		}
		k := j + 1
		for k < len(t) && (isASCIILetter(t[k]) || isDigit(t[k]) || strings.IndexByte("_.:-", t[k]) >= 0) {
			k++
		}
		v := skipSpace(t, k)
		if v < len(t) && t[v] == '=' {
			v = skipSpace(t, v+1)
			if v >= len(t) {
				return 0
			}
			switch q := t[v]; q {
			case '"', '\'':
				// A quoted value is bounded, so that an unclosed quote costs
				// no more than a line's worth of search.
				e := strings.IndexByte(t[v+1:min(len(t), v+1+1024)], q)
				if e < 0 {
					return 0
				}
				k = v + 1 + e + 1
			default:
				e := v
				for e < len(t) && !strings.ContainsRune(" \t\n\"'=<>`", rune(t[e])) {
					e++
				}
				if e == v {
					return 0
				}
				k = e
			}
		}
		i = k
	}
}

func skipSpace(t string, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n') {
		i++
	}
	return i
}

func isBreak(tag string) bool {
	t := strings.ToLower(strings.ReplaceAll(tag, " ", ""))
	return t == "<br>" || t == "<br/>"
}

// entityLen reads "&amp;", "&#39;" or "&#x27;" and returns its length.
func entityLen(t string) int {
	if len(t) < 3 {
		return 0
	}
	i := 1
	if t[i] == '#' {
		i++
		hex := i < len(t) && (t[i] == 'x' || t[i] == 'X')
		if hex {
			i++
		}
		j := i
		for j < len(t) && j-i < 7 && (isDigit(t[j]) || hex && strings.IndexByte("abcdefABCDEF", t[j]) >= 0) {
			j++
		}
		if j > i && j < len(t) && t[j] == ';' {
			return j + 1
		}
		return 0
	}
	j := i
	for j < len(t) && j-i < 32 && (isASCIILetter(t[j]) || j > i && isDigit(t[j])) {
		j++
	}
	if j > i && j < len(t) && t[j] == ';' {
		return j + 1
	}
	return 0
}
