package statuspage

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func FuzzDecodeListing(f *testing.F) {
	// Seeds are the fixture's incidents one at a time: with the whole
	// 8 KB fixture as one seed the fuzzer spends its time minimising.
	b, err := os.ReadFile("testdata/incidents.json")
	if err != nil {
		f.Fatal(err)
	}
	var fx struct{ Incidents []json.RawMessage }
	if err := json.Unmarshal(b, &fx); err != nil {
		f.Fatal(err)
	}
	for _, in := range fx.Incidents {
		f.Add([]byte(`{"incidents": [` + string(in) + `]}`))
	}
	for _, s := range []string{
		`{"incidents": []}`, `{"incidents": [{"id": "a", "postmortem_body": "<p>x</p><h2>Root cause</h2>"}]}`,
		`{"incidents": [{"id": "a", "incident_updates": [{"status": "", "body": "é", "display_at": "2024-01-01T00:00:00.5+14:00"}]}]}`,
		`{"page": {"url": "javascript:x"}, "incidents": [{"id": "b", "status": "postmortem", "incident_updates": [{"status": "postmortem", "body": "## A\n\nb"}]}]}`,
		`null`, `{"incidents": null}`,
	} {
		f.Add([]byte(s))
	}
	s := &Source{base: "https://status.example.com", all: true, pageSize: pageSize}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := decodeListing(data)
		if err != nil {
			return
		}
		if l.PageURL != "" && !strings.HasPrefix(l.PageURL, "http") {
			t.Fatalf("page URL %q", l.PageURL)
		}
		for _, it := range l.Incidents {
			if it.ID == "" || strings.ContainsAny(it.ID, "/?#") {
				t.Fatalf("incident id %q", it.ID)
			}
			d, ok := s.document(l.PageURL, it)
			if !ok || d.Err != nil {
				continue
			}
			ds, err := d.Parse(context.Background())
			if err != nil {
				continue
			}
			if len(ds) != 1 || ds[0].Title == "" || ds[0].Ref != d.Ref || ds[0].Text == "" {
				t.Fatalf("debriefs %+v", ds)
			}
		}
	})
}
