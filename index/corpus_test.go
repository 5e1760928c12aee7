package index_test

import (
	"context"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
)

// corpusDir holds real public debriefs beside the project (see
// ../shared/corpus/README.md). A fresh clone does not have it.
const corpusDir = "../../shared/corpus"

// TestCorpusQueries: on real public debriefs, a query of two or three
// words that someone who had read a debrief would remember ranks it first
// or second. The queries are ours (testdata/search/corpus-queries.yaml).
func TestCorpusQueries(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("../shared/corpus not present: " + err.Error())
	}
	b, err := os.ReadFile("../testdata/search/corpus-queries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Query  string `yaml:"query"`
		Expect string `yaml:"expect"`
		Why    string `yaml:"why"`
	}
	if err := yaml.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("%d query cases, want at least 20", len(cases))
	}

	ctx := context.Background()
	st, err := analytics.Open(ctx, "", analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	idx, err := index.Open(ctx, "", st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	src, err := dir.Open(corpusDir, dir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	run, err := ingest.NewRunner(ingest.RunnerOptions{Store: st, Index: idx, Assessor: assess.New(nil)}).Run(ctx, "corpus", src, nil)
	if err != nil {
		t.Fatal(err)
	}

	ranks := map[int]int{}
	for _, c := range cases {
		want := ingest.DebriefID("corpus", c.Expect)
		if _, err := st.Debrief(ctx, want); err != nil {
			t.Errorf("%q: expected debrief %s is not in the store: %v", c.Query, c.Expect, err)
			continue
		}
		res, err := idx.Search(ctx, index.Search{Query: c.Query, Limit: 10})
		if err != nil {
			t.Errorf("%q: %v", c.Query, err)
			continue
		}
		rank := 0
		for i, h := range res.Hits {
			if h.ID == want {
				rank = i + 1
				break
			}
		}
		ranks[rank]++
		if rank == 0 || rank > 2 {
			var top []string
			hits, _ := st.Hits(ctx, []string{res.Hits[0].ID})
			for _, h := range hits {
				top = append(top, h.Ref)
			}
			t.Errorf("%q ranks %s at %d (0: not in the top 10), want 1 or 2; first is %v", c.Query, c.Expect, rank, top)
		}
	}
	t.Logf("%d debriefs indexed; %d queries: %d ranked first, %d second, %d lower or missed",
		run.Added, len(cases), ranks[1], ranks[2], len(cases)-ranks[1]-ranks[2])
}
