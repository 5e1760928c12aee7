package index

import (
	"html"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Highlighter finds a query's matches in text, analysed exactly as the
// index analyses it, so that what is highlighted is what matched. The
// index stores no text: fragments are cut from the text the store holds.
type Highlighter struct {
	a        *proseAnalyzer
	terms    map[string]bool
	prefixes []string
	// memo holds, for each lower-case word met, the query term it matches
	// ("" for none): the hits of a page share most of their words.
	mu   sync.Mutex
	memo map[string]string
}

// maxMemo bounds a highlighter's memo.
const maxMemo = 1 << 16

// Fragment is a passage of a text around matches of the query.
type Fragment struct {
	// Text is the passage as written; Start is where it begins in the
	// text it was cut from.
	Text  string `json:"text"`
	Start int    `json:"start"`
	// Matches are the byte ranges of the matches within Text.
	Matches [][2]int `json:"matches"`
	// HTML is Text escaped for a page, with each match in <mark>; nothing
	// else in it is markup.
	HTML string `json:"html"`
	// Distinct is the number of different query terms the passage has.
	Distinct int `json:"-"`
}

// fragmentSize is about how long a passage is, in bytes.
const fragmentSize = 220

// Fragments returns up to n passages of text with the most distinct query
// terms, in the order they appear in the text.
func (h *Highlighter) Fragments(text string, n int) []Fragment {
	if h == nil || n <= 0 || (len(h.terms) == 0 && len(h.prefixes) == 0) {
		return nil
	}
	type match struct {
		start, end int
		term       string
	}
	var ms []match
	h.mu.Lock()
	if h.memo == nil {
		h.memo = map[string]string{}
	}
	h.a.scan([]byte(text), func(start, end, _ int, _ bool, lower []byte) {
		term, seen := h.memo[string(lower)]
		if !seen {
			term = h.match(lower)
			if len(h.memo) < maxMemo {
				h.memo[string(lower)] = term
			}
		}
		if term != "" {
			ms = append(ms, match{start, end, term})
		}
	})
	h.mu.Unlock()
	if len(ms) == 0 {
		return nil
	}
	// A candidate passage starts a little before each match; it scores by
	// the distinct terms it holds, then by the matches.
	type cand struct {
		from, to      int
		first, last   int // matches inside: ms[first:last]
		distinct, all int
	}
	var cands []cand
	var seen []string
	for i, m := range ms {
		from := wordStart(text, max(0, m.start-fragmentSize/4))
		to := wordEnd(text, min(len(text), from+fragmentSize))
		seen = seen[:0]
		j := i
		for j < len(ms) && ms[j].end <= to {
			if !slices.Contains(seen, ms[j].term) {
				seen = append(seen, ms[j].term)
			}
			j++
		}
		cands = append(cands, cand{from: from, to: to, first: i, last: j, distinct: len(seen), all: j - i})
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.distinct != b.distinct {
			return b.distinct - a.distinct
		}
		return b.all - a.all
	})
	var chosen []cand
	for _, c := range cands {
		if len(chosen) == n {
			break
		}
		overlaps := false
		for _, o := range chosen {
			if c.from < o.to && o.from < c.to {
				overlaps = true
				break
			}
		}
		if !overlaps {
			chosen = append(chosen, c)
		}
	}
	slices.SortFunc(chosen, func(a, b cand) int { return a.from - b.from })
	out := make([]Fragment, 0, len(chosen))
	for _, c := range chosen {
		f := Fragment{Text: text[c.from:c.to], Start: c.from, Distinct: c.distinct}
		var b strings.Builder
		if c.from > 0 {
			b.WriteString("…")
		}
		at := c.from
		for _, m := range ms[c.first:c.last] {
			b.WriteString(html.EscapeString(text[at:m.start]))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(text[m.start:m.end]))
			b.WriteString("</mark>")
			f.Matches = append(f.Matches, [2]int{m.start - c.from, m.end - c.from})
			at = m.end
		}
		b.WriteString(html.EscapeString(text[at:c.to]))
		if c.to < len(text) {
			b.WriteString("…")
		}
		f.HTML = b.String()
		out = append(out, f)
	}
	return out
}

// match is the query term a lower-case word matches, or "".
func (h *Highlighter) match(lower []byte) string {
	stem := string(h.a.stem(lower))
	if h.terms[stem] {
		return stem
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(string(lower), p) {
			return stem
		}
	}
	return ""
}

// wordStart moves i back to the start of the word it is in, by at most
// maxWord bytes, and to a character boundary.
func wordStart(s string, i int) int {
	limit := max(0, i-maxWord)
	for i > limit {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if r == ' ' || r == '\n' || r == '\t' {
			break
		}
		i -= n
	}
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in, by at most
// maxWord bytes, and to a character boundary.
func wordEnd(s string, i int) int {
	limit := min(len(s), i+maxWord)
	for i < limit {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == ' ' || r == '\n' || r == '\t' {
			break
		}
		i += n
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// maxWord bounds how far a passage's edge moves to avoid cutting a word.
const maxWord = 40
