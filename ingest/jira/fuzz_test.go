package jira

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func addSeed(f *testing.F, name string) {
	f.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
}

// FuzzADF: any description converts without panicking, to HTML with no
// element but those the converter writes, and to valid UTF-8 text.
func FuzzADF(f *testing.F) {
	addSeed(f, "description-adf.json")
	for _, s := range []string{
		`{"type":"doc","content":[{"type":"text","text":"<script>x</script>","marks":[{"type":"link","attrs":{"href":"javascript:x"}}]}]}`,
		`{"type":"heading","attrs":{"level":1e308}}`, `{"type":"date","attrs":{"timestamp":"-99999999999999999"}}`,
		`"plain"`, `null`, `{"type":"doc","content":[{"type":"codeBlock","content":[{"type":"hardBreak"}]}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if doc, err := decodeADF([]byte(s)); err == nil {
			out := adfHTML(doc)
			for _, bad := range []string{"<script", "<a ", "<img", "<span", "<iframe"} {
				if strings.Contains(out, bad) {
					t.Fatalf("converted HTML holds %s: %q", bad, out)
				}
			}
		}
		is := &issue{ID: "1", Key: "A-1"}
		is.Fields.Summary = "S"
		is.Fields.Description = json.RawMessage(s)
		d, err := convertIssue("issue/1", "https://a.example", is)
		if err != nil {
			return
		}
		if !utf8.ValidString(d.Text) || d.Text == "" {
			t.Fatalf("text %q", d.Text)
		}
	})
}

func FuzzDecodeSearch(f *testing.F) {
	addSeed(f, "search.json")
	f.Add(`{"issues":[],"isLast":true}`)
	f.Add(`{"issues":[{"id":"1","key":"A-1","renderedFields":{"description":7}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeSearch([]byte(s))
		if err != nil {
			return
		}
		for i := range p.Issues {
			is := &p.Issues[i]
			if is.ID == "" || is.Key == "" {
				t.Fatal("an issue without id or key")
			}
			_ = issueHash(is)
			_, _ = convertIssue("issue/"+is.ID, "https://a.example", is)
		}
	})
}
