package confluence

import (
	"os"
	"testing"
	"time"
)

func TestDecodePayloads(t *testing.T) {
	b, err := os.ReadFile("testdata/search.json")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := decodeSearch(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Results) != 2 || sp.Results[0].Version.Number != 3 || sp.Results[0].Metadata.Labels.Results[0].Name != "postmortem" ||
		sp.Links.Base != "https://acme.atlassian.net/wiki" || sp.Links.Next == "" {
		t.Errorf("search %+v", sp)
	}
	created := time.Date(2024, 2, 10, 1, 12, 44, 512_000_000, time.UTC)
	for _, tt := range []struct {
		file   string
		decode func([]byte) (*pageBody, error)
	}{{"page-v2.json", decodePageV2}, {"content-v1.json", decodeContentV1}} {
		b, err := os.ReadFile("testdata/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tt.decode(b)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if p.ID != "1002" || p.Version != 3 || !p.Created.Equal(created) || p.Storage == "" || p.WebUI == "" || p.Base == "" {
			t.Errorf("%s: %+v", tt.file, p)
		}
	}
	if _, err := decodePageV2([]byte(`{"id":"1","body":{}}`)); err == nil {
		t.Error("a page without a storage body decoded")
	}
}
