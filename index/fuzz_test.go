package index

import (
	"errors"
	"strings"
	"testing"
)

// FuzzQuery: any query either parses and compiles, or fails with a
// QueryError pointing inside it; never a panic.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		`disk full`, `"disk full" nfs`, `root_cause:"pool size" -staging`, `severity:SEV1 time*`,
		`-"load test" title:queue`, `disk "full`, `colour:red`, `t*`, `""`, `-`, `title:`, `a:b:c`,
		"\xff", `"the of"`, `x**`, `***`, `-title:"a b"`, `fail over`,
	} {
		f.Add(s)
	}
	x := &Index{analyzer: registerAnalysis()}
	f.Fuzz(func(t *testing.T, q string) {
		clauses, err := parseQuery(q)
		if err == nil {
			_, err = x.compile(clauses, func(string) bool { return true })
		}
		if err == nil {
			return
		}
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Fatalf("%q: error %v is not a QueryError", q, err)
		}
		if qe.Pos < 0 || qe.Pos > max(len(q), MaxQueryLength) || qe.Msg == "" {
			t.Fatalf("%q: error at %d of %d: %q", q, qe.Pos, len(q), qe.Msg)
		}
	})
}

// FuzzFragments: passages are cut from the text where they say, matches
// lie inside them, and the HTML has no markup but <mark>.
func FuzzFragments(f *testing.F) {
	f.Add("The disk was full; <script>alert(1)</script> & the NFS server stalled.", "disk nfs script")
	f.Add(strings.Repeat("x", 300)+" disk "+strings.Repeat("y", 300), "disk")
	f.Add("Ünïcödé dïsk fûll", "disk")
	x := &Index{analyzer: registerAnalysis()}
	f.Fuzz(func(t *testing.T, text, q string) {
		clauses, err := parseQuery(q)
		if err != nil {
			return
		}
		c, err := x.compile(clauses, func(string) bool { return true })
		if err != nil {
			return
		}
		h := &Highlighter{a: x.analyzer, terms: c.terms, prefixes: c.prefixes}
		for _, fr := range h.Fragments(text, 3) {
			if fr.Start < 0 || fr.Start+len(fr.Text) > len(text) || text[fr.Start:fr.Start+len(fr.Text)] != fr.Text {
				t.Fatalf("fragment %+v is not text at its start", fr)
			}
			for _, m := range fr.Matches {
				if m[0] < 0 || m[1] > len(fr.Text) || m[0] >= m[1] {
					t.Fatalf("match %v outside %q", m, fr.Text)
				}
			}
			rest := strings.ReplaceAll(strings.ReplaceAll(fr.HTML, "<mark>", ""), "</mark>", "")
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("markup other than <mark> in %q", fr.HTML)
			}
		}
	})
}
