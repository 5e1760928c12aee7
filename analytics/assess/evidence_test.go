package assess

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
)

// evidenceDir holds, for debriefs of the three-reader batches, where in
// each document a reader found the categories the majority labelled: places
// "L<line>.<n>", the n-th sentence of a line of the file, never the text.
const evidenceDir = "../../testdata/labels/evidence"

type evidenceLabel struct {
	Ref      string              `yaml:"ref"`
	Coverage map[string][]string `yaml:"coverage"`
	Factors  map[string][]string `yaml:"factors"`
	Notes    string              `yaml:"notes"`
}

var placeRE = regexp.MustCompile(`^L([0-9]+)\.([0-9]+)$`)

// sentencesOf splits one line of a file into sentences, as a reader counts
// them: ending in . ! or ? before a space or the end.
func sentencesOf(line string) []string {
	var out []string
	start := 0
	for i := 0; i < len(line); i++ {
		if c := line[i]; c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(line) && strings.ContainsRune(`.!?"')”’`, rune(line[j])) {
			j++
		}
		if j < len(line) && line[j] != ' ' {
			continue
		}
		if s := strings.TrimSpace(line[start:j]); s != "" {
			out = append(out, s)
		}
		start, i = j, j
	}
	if s := strings.TrimSpace(line[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// readerAbbreviations end no sentence for readers who count as people read.
var readerAbbreviations = []string{"e.g.", "i.e.", "etc.", "inc.", "dr.", "mr.", "ms.", "vs.", "a.m.", "p.m.", "u.s.", "no."}

// sentencesRead splits a line as a reader who skips list numbers, table
// bars and readerAbbreviations counts: the other way readers numbered places.
func sentencesRead(line string) []string {
	var out []string
	for _, s := range sentencesOf(line) {
		t := strings.Trim(s, "|*-# \t")
		if t == "" || strings.Trim(t, "0123456789.") == "" {
			continue // "1." or "|"
		}
		if n := len(out); n > 0 {
			prev := strings.ToLower(out[n-1])
			joined := false
			for _, a := range readerAbbreviations {
				if strings.HasSuffix(prev, " "+a) || prev == a {
					out[n-1] += " " + s
					joined = true
					break
				}
			}
			if joined {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// place returns the sentences a place may name in a file's lines: the
// n-th sentence split at every . ! or ? before a space, and the n-th as a
// reader who skips list numbers and readerAbbreviations counts.
func place(lines []string, p string) ([]string, error) {
	m := placeRE.FindStringSubmatch(p)
	if m == nil {
		return nil, fmt.Errorf("place %q is not L<line>.<n>", p)
	}
	ln, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	if ln < 1 || ln > len(lines) {
		return nil, fmt.Errorf("place %q: the file has %d lines", p, len(lines))
	}
	var out []string
	for _, ss := range [][]string{sentencesOf(lines[ln-1]), sentencesRead(lines[ln-1])} {
		if n >= 1 && n <= len(ss) {
			out = append(out, ss[n-1])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("place %q: line %d has %d sentences", p, ln, len(sentencesOf(lines[ln-1])))
	}
	return out, nil
}

var evidenceWord = regexp.MustCompile(`[a-z0-9]+`)

// sameSentence says whether an assessment's evidence and a marked sentence
// are the same sentence: most of the shorter one's words are in the other
// (markup and the parser's normalising aside).
func sameSentence(a, b string) bool {
	wa := evidenceWord.FindAllString(strings.ToLower(a), -1)
	wb := evidenceWord.FindAllString(strings.ToLower(b), -1)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	in := map[string]bool{}
	for _, w := range wb {
		in[w] = true
	}
	shared := 0
	for _, w := range wa {
		if in[w] {
			shared++
		}
	}
	return 10*shared >= 8*len(wa)
}

// TestEvidencePlaces reads the marked places of the labelled categories
// and measures, per question category, how often the assessment's
// evidence is a marked sentence (precision, where the category is
// labelled) and how many marked sentences it gives as evidence (recall):
// which wording carries a category, sentence by sentence. Every place must
// name a sentence of its document.
func TestEvidencePlaces(t *testing.T) {
	needCorpus(t)
	files, err := filepath.Glob(filepath.Join(evidenceDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no evidence files in %s (%v)", evidenceDir, err)
	}
	factors := append(TechnicalFactors(), OrganisationalFactors()...)
	type tally struct{ marked, found, given, right int }
	cov := map[string]*tally{}
	// Per rule, its evidence sentences: all, those for a labelled category,
	// and those a reader marked for it.
	type ruleTally struct{ given, labelled, marked int }
	rules := map[string]*ruleTally{}
	// For the categories the assessment misses, the marked sentences by
	// what the catalog has for them.
	missed := map[string]*[nWords + 1]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var els []evidenceLabel
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&els); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, el := range els {
			doc, err := os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(el.Ref)))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			lines := strings.Split(string(doc), "\n")
			// resolve returns, per place, the sentences it may name.
			resolve := func(kind, cat string, known []string, places []string) [][]string {
				if !contains(known, cat) {
					t.Errorf("%s: %s: unknown %s category %q", f, el.Ref, kind, cat)
				}
				var ss [][]string
				for _, p := range places {
					s, err := place(lines, p)
					if err != nil {
						t.Errorf("%s: %s: %s %s: %v", f, el.Ref, kind, cat, err)
						continue
					}
					ss = append(ss, s)
				}
				return ss
			}
			isMarked := func(sentence string, marked [][]string) bool {
				for _, m := range marked {
					for _, c := range m {
						if sameSentence(sentence, c) {
							return true
						}
					}
				}
				return false
			}
			for cat, places := range el.Factors {
				resolve("factor", cat, factors, places)
			}
			rs, err := testAssessor.AssessFile(context.Background(), corpusDir, filepath.Join(corpusDir, filepath.FromSlash(el.Ref)))
			if err != nil || len(rs) != 1 || rs[0].Err != nil {
				t.Fatalf("%s: %s: want one assessed debrief, got %d (%v)", f, el.Ref, len(rs), err)
			}
			d := rs[0].Debrief
			a := d.Assessment
			an := analyse(d)
			markedOf := map[string][][]string{}
			for cat, places := range el.Coverage {
				marked := resolve("question", cat, questionCategories, places)
				markedOf[cat] = marked
				if !contains(a.Covered(), cat) {
					m := missed[cat]
					if m == nil {
						m = new([nWords + 1]int)
						missed[cat] = m
					}
					for _, ms := range marked {
						m[an.wordsFor(cat, ms)]++
					}
				}
				ty := cov[cat]
				if ty == nil {
					ty = &tally{}
					cov[cat] = ty
				}
				ty.marked += len(marked)
				var given []string
				for _, c := range a.Coverage {
					if c.Category == cat {
						for _, e := range c.Evidence {
							given = append(given, e.Sentence)
						}
					}
				}
				ty.given += len(given)
				for _, m := range marked {
					for _, g := range given {
						if isMarked(g, [][]string{m}) {
							ty.found++
							break
						}
					}
				}
				for _, g := range given {
					if isMarked(g, marked) {
						ty.right++
					}
				}
			}
			for _, c := range a.Coverage {
				for _, e := range c.Evidence {
					name, _, _ := strings.Cut(e.Cue, ":")
					rt := rules[c.Category+"/"+name]
					if rt == nil {
						rt = &ruleTally{}
						rules[c.Category+"/"+name] = rt
					}
					rt.given++
					marked, labelled := markedOf[c.Category]
					if !labelled {
						continue
					}
					rt.labelled++
					if isMarked(e.Sentence, marked) {
						rt.marked++
					}
				}
			}
		}
	}
	var rb bytes.Buffer
	rw := tabwriter.NewWriter(&rb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(rw, "rule\tevidence\tcategory labelled\tsentence marked\t")
	for _, n := range sortedKeys(rules) {
		rt := rules[n]
		fmt.Fprintf(rw, "%s\t%d\t%d\t%d\t\n", n, rt.given, rt.labelled, rt.marked)
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("the assessment's coverage evidence by rule, on the debriefs with marked places:\n%s", rb.String())
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "category\tmarked\tfound\tevidence given\tof them marked\t")
	var sum tally
	for _, c := range sortedKeys(cov) {
		ty := cov[c]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", c, ty.marked, ty.found, ty.given, ty.right)
		sum.marked, sum.found, sum.given, sum.right = sum.marked+ty.marked, sum.found+ty.found, sum.given+ty.given, sum.right+ty.right
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%d\t%d\t\n", sum.marked, sum.found, sum.given, sum.right)
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("marked sentences of labelled question categories, and the assessment's evidence for them (%d files):\n%s", len(files), b.String())

	var mb bytes.Buffer
	mw := tabwriter.NewWriter(&mb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(mw, "category\tmarked\tno word of its rules\tpart of a rule\ta whole rule\tnot a sentence of the split\t")
	var all [nWords + 1]int
	for _, c := range sortedKeys(missed) {
		m := missed[c]
		fmt.Fprintf(mw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", c, m[0]+m[1]+m[2]+m[3], m[wordsNone], m[wordsPart], m[wordsWhole], m[wordsUnsplit])
		for k := range all {
			all[k] += m[k]
		}
	}
	fmt.Fprintf(mw, "all\t%d\t%d\t%d\t%d\t%d\t\n", all[0]+all[1]+all[2]+all[3], all[wordsNone], all[wordsPart], all[wordsWhole], all[wordsUnsplit])
	if err := mw.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("marked sentences of the labelled question categories the assessment misses, by the catalog's words for them:\n%s", mb.String())
}

// What the catalog has for a marked sentence of a category: no word of any
// of the category's rules, the words of some but not all of a rule's
// groups, all of some rule's (which a veto, a section, a retelling or the
// threshold kept from counting), or the sentence is not one of the
// assessment's.
const (
	wordsNone = iota
	wordsPart
	wordsWhole
	wordsUnsplit
	nWords = wordsUnsplit
)

// wordsFor finds the sentence a reader marked (any of its readings ms) and
// tells what the rules of question category cat have for it, negated
// words included.
func (an *analysis) wordsFor(cat string, ms []string) int {
	var q *qcat
	for qi := range an.c.questions {
		if an.c.questions[qi].key == cat {
			q = &an.c.questions[qi]
		}
	}
	for i := range an.doc.sentences {
		same := false
		for _, m := range ms {
			same = same || sameSentence(an.doc.sentences[i].text, m)
		}
		if !same {
			continue
		}
		got := wordsNone
		for ri := range q.rules {
			r := &q.rules[ri]
			n := 0
			for _, g := range r.groups {
				for _, lex := range g {
					if an.hasAny(i, lex) {
						n++
						break
					}
				}
			}
			switch {
			case n > 0 && n == len(r.groups):
				return wordsWhole
			case n > 0:
				got = wordsPart
			}
		}
		return got
	}
	return wordsUnsplit
}

func TestSentencesOf(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"One. Two! Three?", []string{"One.", "Two!", "Three?"}},
		{`It said "stop." Then it stopped`, []string{`It said "stop."`, "Then it stopped"}},
		{"Version 1.2 shipped. Done.", []string{"Version 1.2 shipped.", "Done."}},
		{"", nil},
	} {
		if got := sentencesOf(tt.line); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("sentencesOf(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
	if _, err := place([]string{"One. Two."}, "L1.3"); err == nil {
		t.Error("a third sentence of a two-sentence line resolved")
	}
	if s, err := place([]string{"x", "One. Two."}, "L2.2"); err != nil || strings.Join(s, "|") != "Two.|Two." {
		t.Errorf("L2.2 = %q, %v", s, err)
	}
	// "1." and "e.g." end sentences for one way of counting, not the other.
	if s, err := place([]string{"1. Disks filled, e.g. the logs. Then it stopped."}, "L1.2"); err != nil || strings.Join(s, "|") != "Disks filled, e.g.|Then it stopped." {
		t.Errorf("L1.2 = %q, %v", s, err)
	}
	if !sameSentence("The alarms fired at 05:15.", "**The alarms** fired at 05:15, indicating errors.") || sameSentence("The alarms fired.", "Nothing was lost.") {
		t.Error("sameSentence")
	}
}
