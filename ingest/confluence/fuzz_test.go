package confluence

import (
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

// FuzzConvertStorage: any storage body converts without panicking, to
// HTML with no element but those the converter writes, and to a debrief
// of valid UTF-8 when it converts at all.
func FuzzConvertStorage(f *testing.F) {
	addSeed(f, "page-storage.xhtml")
	for _, s := range []string{
		`<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>`,
		`<script>alert(1)</script><plaintext><p>`,
		`<ac:link><ri:user ri:account-id="1"/></ac:link><table><tr><th>Severity</th><td>SEV1</td></tr></table>`,
		`<![CDATA[unclosed`, `<h1><h2><ul><li><li>`, `&lt;&#0;&#xD800;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := convertStorage("Title", s)
		for _, bad := range []string{"<script", "<style", "<img", "<iframe", "<a ", "<ac:", "<ri:", "<plaintext"} {
			if strings.Contains(strings.ToLower(out), bad) {
				t.Fatalf("converted HTML holds %s: %q", bad, out)
			}
		}
		d, err := convert("page/1", page{Title: "Title", Storage: s})
		if err != nil {
			return
		}
		if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) {
			t.Fatalf("invalid UTF-8 in %q", d.Text)
		}
	})
}

func FuzzDecodeSearch(f *testing.F) {
	addSeed(f, "search.json")
	f.Add(`{"results":[]}`)
	f.Add(`{"results":[{"id":"1","version":{"number":"x"}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeSearch([]byte(s))
		if err != nil {
			if p != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		for _, r := range p.Results {
			if strings.TrimSpace(r.ID) == "" {
				t.Fatal("a result without an id")
			}
		}
	})
}

func FuzzDecodePage(f *testing.F) {
	addSeed(f, "page-v2.json")
	addSeed(f, "content-v1.json")
	f.Add(`{"id":"1","body":{"storage":{"value":null}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, decode := range []func([]byte) (*pageBody, error){decodePageV2, decodeContentV1} {
			p, err := decode([]byte(s))
			if (err == nil) == (p == nil) {
				t.Fatalf("page %v with error %v", p, err)
			}
		}
	})
}
