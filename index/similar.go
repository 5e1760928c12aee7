package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// SimilarHit is a debrief like another one, with the distinctive words of
// the first that it shares.
type SimilarHit struct {
	ID     string   `json:"id"`
	Score  float64  `json:"score"`
	Shared []string `json:"shared_terms"`
}

// How a debrief's distinctive terms are chosen, and what a factor
// category in common adds to the score.
const (
	categoryBoost     = 0.5
	similarCandidates = 60 // most frequent terms considered
	similarTerms      = 10 // kept, by tf-idf
)

// Similar finds the debriefs most like d: those sharing its distinctive
// terms (frequent in d, rare in the corpus, by tf-idf with sub-linear
// term frequency) and its factor categories. d itself is left out.
func (x *Index) Similar(ctx context.Context, d *ingest.Debrief, limit int) ([]SimilarHit, error) {
	if limit <= 0 || limit > MaxLimit {
		return nil, fmt.Errorf("%w: limit must be 1 to %d", ErrBadSearch, MaxLimit)
	}
	// Term frequencies of the debrief, and a surface word for each stem.
	tf := map[string]int{}
	word := map[string]string{}
	text := d.Title + "\n" + d.Text
	for _, t := range x.analyzer.Analyze([]byte(text)) {
		term := string(t.Term)
		if len(term) < 3 || isNumber(term) {
			continue
		}
		tf[term]++
		if _, ok := word[term]; !ok {
			word[term] = strings.ToLower(text[t.Start:t.End])
		}
	}
	cands := make([]string, 0, len(tf))
	for t := range tf {
		cands = append(cands, t)
	}
	slices.SortFunc(cands, func(a, b string) int {
		if tf[a] != tf[b] {
			return tf[b] - tf[a]
		}
		return strings.Compare(a, b)
	})
	cands = cands[:min(len(cands), similarCandidates)]

	v, done, err := x.read()
	if err != nil {
		return nil, err
	}
	defer done()
	e := newEngine(ctx, v)
	total := v.live
	type weighted struct {
		term string
		w    float64
	}
	var ws []weighted
	for _, t := range cands {
		df, err := e.docFreq(ixText, t)
		if err != nil {
			return nil, err
		}
		if df <= 1 {
			continue // only in d: shared with nothing
		}
		// Sub-linear term frequency: a word repeated often in d is not
		// ten times as telling as one said once.
		idf := math.Log(float64(total+1) / float64(df))
		ws = append(ws, weighted{t, (1 + math.Log(float64(tf[t]))) * idf})
	}
	slices.SortFunc(ws, func(a, b weighted) int {
		if a.w != b.w {
			if a.w > b.w {
				return -1
			}
			return 1
		}
		return strings.Compare(a.term, b.term)
	})
	ws = ws[:min(len(ws), similarTerms)]
	if len(ws) == 0 {
		return []SimilarHit{}, nil
	}
	top := ws[0].w
	terms := make([]*node, 0, len(ws))
	for _, w := range ws {
		t := termNode(ixText, w.term)
		t.boost = w.w / top
		terms = append(terms, t)
	}
	// Factor categories in common add to the score of debriefs sharing
	// words; as clauses of the query they made it visit nearly every
	// debrief (a category is in a large share of them).
	var boost []valueBoost
	if d.Assessment != nil {
		fi := slices.Index(facetFields, fieldCategory)
		for _, c := range d.Assessment.FactorCategories() {
			if id, ok := x.tables.values.lookup(fi, facetValue(fieldCategory, c)); ok {
				boost = append(boost, valueBoost{id: id, score: categoryBoost})
			}
		}
	}
	// One more than asked for: d itself is most like d.
	o, err := x.execute(e, &plan{q: orNode(terms...), k: limit + 1, boost: boost})
	if err != nil {
		return nil, fmt.Errorf("index: similar: %w", err)
	}
	out := make([]SimilarHit, 0, limit)
	for _, f := range o.top {
		id, err := v.id(f.num)
		if err != nil {
			return nil, err
		}
		if id == d.ID || len(out) == limit {
			continue
		}
		// The shared terms, most distinctive first.
		si := v.locate(f.num, 0)
		local := uint32(f.num - v.start[si])
		var shared []string
		for _, w := range ws {
			p, err := e.posting(si, ixText, w.term)
			if err != nil {
				return nil, err
			}
			if p.set.Contains(local) {
				shared = append(shared, word[w.term])
			}
		}
		out = append(out, SimilarHit{ID: id, Score: f.score, Shared: shared})
	}
	return out, nil
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
