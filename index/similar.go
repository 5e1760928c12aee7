package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/secondstory/secondstory/ingest"
)

// SimilarHit is a debrief like another one, with the distinctive words of
// the first that it shares.
type SimilarHit struct {
	ID     string   `json:"id"`
	Score  float64  `json:"score"`
	Shared []string `json:"shared_terms"`
}

// How a debrief's distinctive terms are chosen.
const (
	similarCandidates = 60 // most frequent terms considered
	similarTerms      = 25 // kept, by tf-idf
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

	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return nil, errors.New("index: closed")
	}
	total, err := x.idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("index: count: %w", err)
	}
	df, err := x.docFreqs(ctx, cands)
	if err != nil {
		return nil, err
	}
	type weighted struct {
		term string
		w    float64
	}
	var ws []weighted
	for _, t := range cands {
		if df[t] <= 1 {
			continue // only in d: shared with nothing
		}
		// Sub-linear term frequency: a word repeated often in d is not
		// ten times as telling as one said once.
		idf := math.Log(float64(total+1) / float64(df[t]))
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
	var should []query.Query
	for _, w := range ws {
		should = append(should, x.termAnywhere(w.term, w.w/top))
	}
	if d.Assessment != nil {
		for _, c := range d.Assessment.FactorCategories() {
			tq := bleve.NewTermQuery(c)
			tq.SetField(fieldCategory)
			tq.SetBoost(0.5)
			should = append(should, tq)
		}
	}
	bq := query.NewBooleanQuery(nil, should, []query.Query{query.NewDocIDQuery([]string{d.ID})})
	bq.SetMinShould(1)
	req := bleve.NewSearchRequestOptions(bq, limit, 0, false)
	req.IncludeLocations = true
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: similar: %w", err)
	}
	out := make([]SimilarHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		seen := map[string]bool{}
		for field, terms := range h.Locations {
			if field == fieldCategory {
				continue
			}
			for t := range terms {
				seen[t] = true
			}
		}
		var shared []string
		for _, w := range ws { // most distinctive first
			if seen[w.term] {
				shared = append(shared, word[w.term])
			}
		}
		out = append(out, SimilarHit{ID: h.ID, Score: h.Score, Shared: shared})
	}
	return out, nil
}

// docFreqs counts, for each term, the debriefs that have it in any prose
// field (an upper bound: a debrief with it in two fields counts twice). The
// caller holds mu.
func (x *Index) docFreqs(ctx context.Context, terms []string) (map[string]uint64, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index: reader: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index: reader: %w", err)
	}
	defer r.Close()
	df := make(map[string]uint64, len(terms))
	for _, t := range terms {
		for _, f := range proseFields() {
			tfr, err := r.TermFieldReader(ctx, []byte(t), f, false, false, false)
			if err != nil {
				return nil, fmt.Errorf("index: term %q: %w", t, err)
			}
			df[t] += tfr.Count()
			tfr.Close()
		}
	}
	return df, nil
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
