package github

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

func FuzzDecodePage(f *testing.F) {
	// Seeds are the fixtures' issues one at a time: with whole pages as
	// seeds the fuzzer spends its time minimising.
	for _, name := range []string{"testdata/page1.json", "testdata/page2.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			f.Fatal(err)
		}
		for _, it := range items {
			f.Add([]byte("[" + string(it) + "]"))
		}
	}
	for _, s := range []string{`[]`, `[{"number":1,"body":"---\nx: 1\n---\n# T","title":"2024-01-02 T","updated_at":"2024-01-02T00:00:00Z"}]`,
		`[{"number":1,"labels":[{"name":"sev"}],"body":"### A\n\n_No response_"}]`, `{"message":"x"}`, `[null]`, `[{"number":1e3}]`} {
		f.Add([]byte(s))
	}
	s := &Source{owner: "acme", repo: "ops", label: DefaultLabel}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := decodePage(data)
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Number <= 0 {
				t.Fatalf("item with number %d", it.Number)
			}
			if it.pull {
				continue
			}
			d := s.document(it)
			if d.Err != nil {
				continue
			}
			ds, err := d.Parse(context.Background())
			if err != nil {
				continue
			}
			if len(ds) != 1 || ds[0].Ref != d.Ref || ds[0].Title == "" && !errors.Is(err, ingest.ErrSkip) {
				t.Fatalf("debriefs %+v for %s", ds, d.Ref)
			}
		}
	})
}
