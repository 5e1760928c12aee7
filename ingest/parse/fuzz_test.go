package parse

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/ingest"
)

// checkParsed is the property every successful parse keeps: text that is
// valid UTF-8, canonical section kinds, and a debrief that marshals to JSON
// (so that ingest.ContentHash never falls back).
func checkParsed(t *testing.T, ds []ingest.Debrief, err error) {
	t.Helper()
	if err != nil {
		if len(ds) != 0 {
			t.Fatalf("error %v with %d debriefs", err, len(ds))
		}
		if err.Error() == "" {
			t.Fatal("empty error message")
		}
		return
	}
	if len(ds) == 0 {
		t.Fatal("no error and no debriefs")
	}
	for _, d := range ds {
		for _, s := range []string{d.Title, d.Summary, d.Text, d.Ref, d.URL} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if d.Text == "" {
			t.Fatal("empty text without an error")
		}
		for _, s := range d.Sections {
			if !s.Kind.Valid() {
				t.Fatalf("section %q has invalid kind %q", s.Heading, s.Kind)
			}
			if !utf8.ValidString(s.Text) || !utf8.ValidString(s.Heading) {
				t.Fatal("invalid UTF-8 in a section")
			}
		}
		for _, it := range d.Timeline {
			if !utf8.ValidString(it.Text) || !utf8.ValidString(it.When) {
				t.Fatal("invalid UTF-8 in the timeline")
			}
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("debrief does not marshal: %v", err)
		}
	}
}

// slowGuard crashes the fuzzing process when one input takes longer than
// any document should, so that the fuzzer keeps the input. Call as
// defer slowGuard(input)().
func slowGuard(input any) func() {
	tm := time.AfterFunc(10*time.Second, func() {
		panic(fmt.Sprintf("one input took over 10s: %q", input))
	})
	return func() { tm.Stop() }
}

// addFixtures seeds a fuzz target with the fixtures of the given formats.
func addFixtures(f *testing.F, keep func(Format) bool, add func(Format, []byte)) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		fm, ok := FormatOf(e.Name())
		if !ok || e.IsDir() || !keep(fm) {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		add(fm, b)
	}
}

var fuzzFormats = []Format{FormatMarkdown, FormatHTML, FormatText, FormatJSON}

func FuzzParse(f *testing.F) {
	addFixtures(f, func(Format) bool { return true }, func(fm Format, b []byte) {
		for i, x := range fuzzFormats {
			if x == fm {
				f.Add(uint8(i), b)
			}
		}
	})
	f.Add(uint8(0), []byte("# T\n\n## Timeline\n\n- 23:59: a\n- 00:01: b\n"))
	f.Add(uint8(2), []byte("TITLE\n=====\n\nROOT CAUSE\n\n- x"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		defer slowGuard(data)()
		fm := fuzzFormats[int(which)%len(fuzzFormats)]
		ds, err := Parse("2021-03-04-fuzz."+string(fm), fm, data)
		checkParsed(t, ds, err)
	})
}

func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		"title: A\ndate: 2021-03-04\ntags: [a, b]\nauthors:\n  - Ana\n  - Tom\n",
		"n: 0777\nf: 1.5e3\nb: true\nz: ~\nq: 'it''s'\nd: \"x\"\nt: 2021-03-04T10:00:00Z\n",
		"weight: 1_000\nhex: 0x1F\nneg: -3\ninf: .inf\n",
		"a:\n- x\n  - y\n",
		"title: x # comment\n",
	} {
		f.Add("---\n" + s + "---\n\nBody text.")
	}
	f.Add("+++\ntitle = \"A\"\n[meta]\nx = 1\n+++\n\nBody.")
	f.Add(";;;\n{\"title\": \"A\"}\n;;;\n\nBody.")
	f.Fuzz(func(t *testing.T, s string) {
		defer slowGuard(s)()
		// The flat reader must agree with the YAML package wherever it
		// answers.
		if content, ok := yamlBlock(s); ok {
			if m, ok := flatYAML(content); ok {
				want, err := yamlMap(content)
				if err != nil {
					t.Fatalf("flat reader accepted what YAML refuses (%v):\n%s", err, content)
				}
				if (len(m) != 0 || len(want) != 0) && !sameYAML(m, want) {
					t.Fatalf("flat reader disagrees with YAML:\n%s\n got %#v\nwant %#v", content, m, want)
				}
			}
		}
		fm, body, err := splitFrontMatter(s)
		if err != nil {
			if fm != nil || body != "" {
				t.Fatal("fields or body returned with an error")
			}
			return
		}
		var d doc
		d.f.addMap(fm, srcFrontMatter)
		if _, err := json.Marshal(d.f.meta); err != nil {
			t.Fatalf("metadata does not marshal: %v", err)
		}
	})
}

// yamlMap decodes YAML the way the package does, turning a panic into an
// error.
func yamlMap(s string) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	m, _ = v.(map[string]any)
	return m, nil
}

// yamlBlock returns what a YAML front matter block holds, if s starts
// with one.
func yamlBlock(s string) (string, bool) {
	if len(s) < 4 || s[:4] != "---\n" {
		return "", false
	}
	c, _, ok := cutFence(s[4:], "---", true)
	return c, ok
}

func sameYAML(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if !sameYAML(v, bm[k]) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !sameYAML(a[i], bs[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func FuzzMetadataLines(f *testing.F) {
	for _, s := range []string{
		"**Severity:** SEV2", "**Status**: Resolved", "Owner: Ana Ruiz", "Services: a, b; c",
		"**Root cause**", "Lessons learned:", "Timeline", "**Impact:** 40% of users",
		"Date: Monday 20. January 2020", "Participants: Ana and Tom & Lee", "13:11: paged",
		"http://example.com: not a key",
	} {
		f.Add(s, len(s)/2)
	}
	f.Fuzz(func(t *testing.T, text string, bold int) {
		defer slowGuard(text)()
		if !utf8.ValidString(text) {
			return
		}
		if bold < 0 || bold > len(text) || !utf8.ValidString(text[:max(bold, 0)]) {
			bold = 0
		}
		l := line{text: text, bold: bold}
		var d doc
		if k, v, _, ok := kvLine(l, true); ok {
			if k == "" || v == "" {
				t.Fatalf("kvLine(%q) gave an empty key or value", text)
			}
			d.f.add(k, v, srcBody)
		}
		promoteLine(l, false)
		promoteLine(l, true)
		SectionKindOf(text)
		ParseTime(text)
		findDate(text, 2020)
		tl := timeliner{hint: 2020, lastMin: -1}
		tl.leading(l)
		tl.trailing(l)
		cleanTitle(text, 2020)
		if _, err := json.Marshal(d.f.meta); err != nil {
			t.Fatalf("metadata does not marshal: %v", err)
		}
	})
}

func FuzzHTML(f *testing.F) {
	addFixtures(f, func(fm Format) bool { return fm == FormatHTML }, func(_ Format, b []byte) { f.Add(b) })
	f.Add([]byte("<h2>Impact</h2><ul><li><b>Key events</b><ul><li>13:00 x</li></ul></li></ul><dl><dt>a<dd>b</dl>"))
	f.Add([]byte("<table><tr><td><table><tr><th>Time</th></tr></table></td></tr></table><pre>x\ny</pre>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowGuard(data)()
		d, err := HTML("fuzz.html", data)
		if err != nil {
			checkParsed(t, nil, err)
			return
		}
		checkParsed(t, []ingest.Debrief{d}, nil)
	})
}

func FuzzJSON(f *testing.F) {
	addFixtures(f, func(fm Format) bool { return fm == FormatJSON }, func(_ Format, b []byte) { f.Add(b) })
	f.Add([]byte(`{"data": [{"title": "a", "body": "b c d"}]}`))
	f.Add([]byte(`[{"id": "x#y", "sections": [{"heading": "Impact", "text": "z"}], "timeline": [{"time": "13:00", "text": "t"}]}]`))
	f.Add([]byte(`{"title": "t", "body": "---\ntitle: inner\n---\n\nText"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowGuard(data)()
		ds, err := JSON("fuzz.json", data)
		if errors.Is(err, ingest.ErrSkip) {
			return
		}
		checkParsed(t, ds, err)
	})
}
