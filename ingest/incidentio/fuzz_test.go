package incidentio

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeList(f *testing.F) {
	b, err := os.ReadFile("testdata/list.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(`{"postmortem_documents":[],"pagination_meta":{}}`)
	f.Add(`{"postmortem_documents":[{"id":"1","editors":[{"name":7}]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		lp, err := decodeList([]byte(s))
		if err != nil {
			return
		}
		for i := range lp.Documents {
			d := &lp.Documents[i]
			if strings.TrimSpace(d.ID) == "" {
				t.Fatal("a document without an id")
			}
			_ = docHash(d)
		}
	})
}

// FuzzContent: any content payload decodes or fails cleanly, and what
// decodes converts to valid UTF-8 or an error.
func FuzzContent(f *testing.F) {
	md, err := os.ReadFile("testdata/content.md")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{"markdown":"## Summary\n\nx"}`, "INC-1: x")
	f.Add(`{"markdown":null}`, "")
	f.Add(`{"markdown":`+strconvQuote(string(md))+`}`, "INC-2041: Image thumbnails served blank")
	f.Fuzz(func(t *testing.T, payload, title string) {
		m, err := decodeContent([]byte(payload))
		if err != nil {
			return
		}
		d, err := convert("postmortem/1", &document{ID: "1", Title: title, DocumentURL: title}, m)
		if err != nil {
			return
		}
		if !utf8.ValidString(d.Text) || d.Text == "" {
			t.Fatalf("text %q", d.Text)
		}
	})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
