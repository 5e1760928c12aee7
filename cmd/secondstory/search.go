package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/secondstory/secondstory/index"
)

type searchFlags struct {
	commonFlags
	limit int
	json  bool
}

func (f *searchFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs)
	fs.IntVar(&f.limit, "limit", 10, "number of results, 1 to 100")
	fs.BoolVar(&f.json, "json", false, "print the results as JSON")
}

// searchCommand searches the data directory and prints ranked results.
func searchCommand(ctx context.Context, env *environment, args []string) error {
	var f searchFlags
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.limit < 1 || f.limit > index.MaxLimit {
		return &usageError{msg: fmt.Sprintf("--limit must be 1 to %d, got %d", index.MaxLimit, f.limit)}
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" {
		return &usageError{msg: `give what to search for, as in: secondstory search "disk full" database`}
	}
	a, _, err := openData(ctx, env, f.commonFlags, "search")
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.index.Check(ctx); err != nil {
		return err
	}
	res, err := a.index.Search(ctx, index.Search{Query: q, Limit: f.limit})
	if errors.Is(err, index.ErrBadSearch) {
		return fmt.Errorf("the query %q: %s", clipQuery(q), strings.TrimPrefix(err.Error(), index.ErrBadSearch.Error()+": "))
	}
	if err != nil {
		return err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	hits, err := a.store.Hits(ctx, ids)
	if err != nil {
		return err
	}
	type fragment struct {
		Section string `json:"section"`
		Text    string `json:"text"`
	}
	type result struct {
		ID       string    `json:"id"`
		Title    string    `json:"title"`
		Source   string    `json:"source"`
		Ref      string    `json:"ref"`
		Date     string    `json:"date,omitempty"`
		Score    float64   `json:"score"`
		Fragment *fragment `json:"fragment,omitempty"`
	}
	out := make([]result, 0, len(hits))
	score := map[string]float64{}
	for _, h := range res.Hits {
		score[h.ID] = h.Score
	}
	for _, h := range hits {
		r := result{ID: h.ID, Title: h.Title, Source: h.Source, Ref: h.Ref, Score: score[h.ID]}
		if !h.Date.IsZero() {
			r.Date = h.Date.Format("2006-01-02")
		}
		best := 0
		for _, s := range h.Sections {
			for _, fr := range res.Highlighter.Fragments(s.Text, 1) {
				if fr.Distinct > best {
					best = fr.Distinct
					r.Fragment = &fragment{Section: string(s.Kind), Text: oneLine(fr.Text)}
				}
			}
		}
		out = append(out, r)
	}
	if f.json {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"total": res.Total, "relaxed": res.Relaxed, "hits": out})
	}
	if len(out) == 0 {
		fmt.Fprintf(env.stdout, "No debrief matches %q.\n", q)
		return nil
	}
	fmt.Fprintf(env.stdout, "%d debriefs match; the first %d:\n", res.Total, len(out))
	if res.Relaxed {
		fmt.Fprintln(env.stdout, "(Few debriefs have every word, so those come first and debriefs with some of the words follow.)")
	}
	fmt.Fprintln(env.stdout)
	for i, r := range out {
		date := r.Date
		if date == "" {
			date = "undated"
		}
		fmt.Fprintf(env.stdout, "%2d. %s\n    %s · %s · %s\n", i+1, oneLine(r.Title), date, r.Source, r.Ref)
		if r.Fragment != nil {
			fmt.Fprintf(env.stdout, "    %s: %s\n", strings.ReplaceAll(r.Fragment.Section, "_", " "), r.Fragment.Text)
		}
		fmt.Fprintln(env.stdout)
	}
	return nil
}

func clipQuery(q string) string {
	if r := []rune(q); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return q
}

// oneLine folds white space, so a passage prints on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
