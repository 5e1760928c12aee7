package dashboards

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// mark is a finding's evidence in a section's text: the byte range of its
// sentence, what kind of finding it is, the id of its place on the page,
// and what it is evidence of, in words.
type mark struct {
	Start, End int
	Kind       string // factor, coverage or depth
	Anchor     string
	Note       string
}

// segment is a run of a section's text with the same marks over it. The
// template prints Text escaped, inside <mark> when Class is set, after an
// empty element for each anchor that starts there.
type segment struct {
	Text    string
	Anchors []string
	Class   string
	Title   string
}

// segments cuts text at the edges of its marks, so that every finding's
// evidence is highlighted in place, overlapping ones included. Marks
// outside the text or not on character boundaries (a stored assessment
// from another version of the text) are left out; placed reports the
// anchors that were placed.
func segments(text string, marks []mark) (segs []segment, placed map[string]bool) {
	placed = map[string]bool{}
	var ok []mark
	cuts := []int{0, len(text)}
	for _, m := range marks {
		if m.Start < 0 || m.End > len(text) || m.Start >= m.End || !boundary(text, m.Start) || !boundary(text, m.End) {
			continue
		}
		ok = append(ok, m)
		cuts = append(cuts, m.Start, m.End)
	}
	sort.Ints(cuts)
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		if a == b {
			continue
		}
		seg := segment{Text: text[a:b]}
		var kinds, notes []string
		for _, m := range ok {
			if m.Start == a && m.Anchor != "" && !placed[m.Anchor] {
				seg.Anchors = append(seg.Anchors, m.Anchor)
				placed[m.Anchor] = true
			}
			if m.Start <= a && b <= m.End {
				if !contains(kinds, "hl-"+m.Kind) {
					kinds = append(kinds, "hl-"+m.Kind)
				}
				if m.Note != "" && !contains(notes, m.Note) {
					notes = append(notes, m.Note)
				}
			}
		}
		if len(kinds) > 0 {
			sort.Strings(kinds)
			seg.Class = "hl " + strings.Join(kinds, " ")
			seg.Title = strings.Join(notes, "; ")
		}
		segs = append(segs, seg)
	}
	return segs, placed
}

// boundary reports whether i is at a character boundary of s.
func boundary(s string, i int) bool {
	return i == len(s) || i == 0 || (i > 0 && i < len(s) && utf8.RuneStart(s[i]))
}
