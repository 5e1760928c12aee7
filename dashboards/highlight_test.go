package dashboards

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	text := "Alpha one. Beta two. Gamma café."
	cases := []struct {
		name   string
		marks  []mark
		want   []string // segment texts, marked ones in [brackets] with their classes
		placed []string
	}{
		{"none", nil, []string{"Alpha one. Beta two. Gamma café."}, nil},
		{"one", []mark{{Start: 11, End: 20, Kind: "factor", Anchor: "f-0"}},
			[]string{"Alpha one. ", "[hl hl-factor|Beta two.]", " Gamma café."}, []string{"f-0"}},
		{"overlapping", []mark{{Start: 0, End: 20, Kind: "coverage", Anchor: "c-0"}, {Start: 11, End: len(text), Kind: "factor", Anchor: "f-0"}},
			[]string{"[hl hl-coverage|Alpha one. ]", "[hl hl-coverage hl-factor|Beta two.]", "[hl hl-factor| Gamma café.]"}, []string{"c-0", "f-0"}},
		{"same place twice", []mark{{Start: 0, End: 10, Kind: "factor", Anchor: "f-0"}, {Start: 0, End: 10, Kind: "coverage", Anchor: "c-1"}},
			[]string{"[hl hl-coverage hl-factor|Alpha one.]", " Beta two. Gamma café."}, []string{"f-0", "c-1"}},
		{"out of range and reversed are left out", []mark{{Start: 20, End: 99, Kind: "factor", Anchor: "f-0"}, {Start: 9, End: 3, Kind: "factor", Anchor: "f-1"}, {Start: -1, End: 3, Kind: "factor", Anchor: "f-2"}},
			[]string{"Alpha one. Beta two. Gamma café."}, nil},
		{"inside a character is left out", []mark{{Start: 0, End: len(text) - 2, Kind: "factor", Anchor: "f-0"}},
			[]string{"Alpha one. Beta two. Gamma café."}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			segs, placed := segments(text, c.marks)
			var got []string
			var joined strings.Builder
			for _, s := range segs {
				joined.WriteString(s.Text)
				if s.Class != "" {
					got = append(got, "["+s.Class+"|"+s.Text+"]")
				} else {
					got = append(got, s.Text)
				}
			}
			if strings.Join(got, "¦") != strings.Join(c.want, "¦") {
				t.Errorf("segments = %q, want %q", got, c.want)
			}
			if joined.String() != text {
				t.Errorf("the segments spell %q", joined.String())
			}
			if len(placed) != len(c.placed) {
				t.Errorf("placed %v, want %v", placed, c.placed)
			}
			for _, a := range c.placed {
				if !placed[a] {
					t.Errorf("anchor %s not placed", a)
				}
			}
		})
	}
}

// Evidence places come from stored assessments: whatever they hold, the
// text is cut into segments that spell it exactly, and nothing panics.
func FuzzSegments(f *testing.F) {
	f.Add("The pool was exhausted. Nobody knew.", 4, 22, 0, 36)
	f.Add("Ünïcödé wörds hére.", 1, 3, 2, 40)
	f.Add("", 0, 0, 0, 0)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		segs, _ := segments(text, []mark{{Start: s1, End: e1, Kind: "factor", Anchor: "a"}, {Start: s2, End: e2, Kind: "coverage", Anchor: "b"}})
		var b strings.Builder
		for _, s := range segs {
			if s.Text == "" {
				t.Fatal("an empty segment")
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("segments spell %q, not %q", b.String(), text)
		}
	})
}

func TestUnwrap(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"A line that\nwraps here.", "A line that wraps here."},
		{"Impact\n\nlowercase after a blank line", "Impact\n\nlowercase after a blank line"},
		{"10:40 First\n11:05 Second", "10:40 First\n11:05 Second"},
		{"- item one\n- item two", "- item one\n- item two"},
		{"ends with a newline\n", "ends with a newline\n"},
	} {
		if got := unwrap(c.in); got != c.want {
			t.Errorf("unwrap(%q) = %q, want %q", c.in, got, c.want)
		}
		if len(unwrap(c.in)) != len(c.in) {
			t.Errorf("unwrap(%q) changed the length", c.in)
		}
	}
}
