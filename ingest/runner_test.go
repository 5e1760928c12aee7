package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// listSource serves documents from a map of ref to text. A text starting
// with "FAIL:" cannot be parsed; "UNREADABLE" cannot be read; "SKIP" is not
// a debrief; "MULTI:a,b" holds several debriefs.
type listSource struct {
	mu      sync.Mutex
	docs    map[string]string
	failAll error
	parses  int
}

func (s *listSource) set(ref, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		s.docs = map[string]string{}
	}
	s.docs[ref] = text
}

func (s *listSource) del(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, ref)
}

func (s *listSource) Fetch(ctx context.Context, cursor string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	s.mu.Lock()
	docs := maps.Clone(s.docs)
	failAll := s.failAll
	s.mu.Unlock()
	if failAll != nil {
		return ingest.Fetched{}, failAll
	}
	for _, ref := range slices.Sorted(maps.Keys(docs)) {
		text := docs[ref]
		sum := sha256.Sum256([]byte(text))
		d := ingest.Document{Ref: ref, Hash: hex.EncodeToString(sum[:])}
		if text == "UNREADABLE" {
			d.Err = errors.New("permission denied")
		} else {
			d.Parse = func(context.Context) ([]ingest.Debrief, error) {
				s.mu.Lock()
				s.parses++
				s.mu.Unlock()
				switch {
				case strings.HasPrefix(text, "FAIL:"):
					return nil, errors.New(strings.TrimPrefix(text, "FAIL:"))
				case text == "SKIP":
					return nil, ingest.ErrSkip
				case strings.HasPrefix(text, "MULTI:"):
					var out []ingest.Debrief
					for _, k := range strings.Split(strings.TrimPrefix(text, "MULTI:"), ",") {
						out = append(out, ingest.Debrief{Ref: ref + "#" + k, Title: "Part " + k, Text: "part " + k})
					}
					return out, nil
				}
				return []ingest.Debrief{{
					Title: "Debrief " + ref, Text: text,
					Sections: []ingest.Section{{Kind: ingest.KindSummary, Heading: "Summary", Level: 2, Text: text}},
					Times:    ingest.Times{Started: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)},
				}}, nil
			}
		}
		if err := emit(d); err != nil {
			return ingest.Fetched{}, err
		}
	}
	return ingest.Fetched{Complete: true}, nil
}

type harness struct {
	store  *analytics.Store
	index  *index.Index
	runner *ingest.Runner
}

func openHarness(t testing.TB, dir string) *harness {
	t.Helper()
	ctx := context.Background()
	storePath, indexPath := "", ""
	if dir != "" {
		storePath, indexPath = filepath.Join(dir, "store.duckdb"), filepath.Join(dir, "index.bleve")
	}
	st, err := analytics.Open(ctx, storePath, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(ctx, indexPath, st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Check(ctx); err != nil {
		t.Fatal(err)
	}
	h := &harness{store: st, index: idx}
	h.runner = ingest.NewRunner(ingest.RunnerOptions{Store: st, Index: idx, BatchSize: 3})
	return h
}

func (h *harness) close(t testing.TB) {
	t.Helper()
	if err := h.index.Close(); err != nil {
		t.Error(err)
	}
	if err := h.store.Close(); err != nil {
		t.Error(err)
	}
}

func (h *harness) pass(t *testing.T, src ingest.Source) *ingest.Run {
	t.Helper()
	run, err := h.runner.Run(context.Background(), "notes", src, nil)
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	return run
}

func counts(seen, added, updated, unchanged, removed, skipped, failed int) ingest.Counts {
	return ingest.Counts{Seen: seen, Added: added, Updated: updated, Unchanged: unchanged, Removed: removed, Skipped: skipped, Failed: failed}
}

func TestRunnerCounts(t *testing.T) {
	h := openHarness(t, "")
	defer h.close(t)
	src := &listSource{}
	for i := range 7 {
		src.set(fmt.Sprintf("doc-%d.md", i), fmt.Sprintf("the queue backed up, take %d", i))
	}
	src.set("broken.md", "FAIL:front matter: yaml: line 2: did not find expected key")
	src.set("locked.md", "UNREADABLE")
	src.set("README.md", "SKIP")
	src.set("array.json", "MULTI:a,b,c")

	steps := []struct {
		name   string
		change func()
		want   ingest.Counts
		parses int
	}{
		// Failed and skipped documents store nothing, so every pass parses
		// them again; unchanged ones are never parsed.
		{"first pass adds every debrief", func() {}, counts(11, 10, 0, 0, 0, 1, 2), 10},
		{"second pass finds them unchanged without parsing", func() {}, counts(11, 0, 0, 10, 0, 1, 2), 2},
		{"an edit updates exactly one", func() { src.set("doc-3.md", "the queue backed up again") }, counts(11, 0, 1, 9, 0, 1, 2), 3},
		{"a deletion removes one", func() { src.del("doc-5.md") }, counts(10, 0, 0, 9, 1, 1, 2), 2},
		{"an array that shrinks removes its lost part", func() { src.set("array.json", "MULTI:a,c") }, counts(10, 0, 0, 8, 1, 1, 2), 3},
		{"a removed debrief that comes back is updated", func() { src.set("doc-5.md", "the queue backed up, take 5") }, counts(11, 0, 1, 8, 0, 1, 2), 3},
		{"a document that now fails keeps its debrief", func() { src.set("doc-1.md", "FAIL:binary content") }, counts(11, 0, 0, 8, 0, 1, 3), 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			src.parses = 0
			s.change()
			run := h.pass(t, src)
			if run.Counts != s.want {
				t.Errorf("counts = %+v, want %+v", run.Counts, s.want)
			}
			if src.parses != s.parses {
				t.Errorf("parsed %d documents, want %d", src.parses, s.parses)
			}
			if run.Status != ingest.RunOK {
				t.Errorf("status = %s (%s)", run.Status, run.Error)
			}
			assertInStep(t, h)
		})
	}

	t.Run("failures are recorded with their reasons", func(t *testing.T) {
		runs, err := h.store.Runs(context.Background(), "notes", 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		run, err := h.store.Run(context.Background(), runs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range run.Failures {
			got[f.Ref] = f.Reason
		}
		want := map[string]string{"broken.md": "front matter: yaml: line 2: did not find expected key", "locked.md": "permission denied", "doc-1.md": "binary content"}
		if !maps.Equal(got, want) {
			t.Errorf("failures = %v, want %v", got, want)
		}
	})

	t.Run("a source failing as a whole removes nothing", func(t *testing.T) {
		src.failAll = errors.New("open /srv/postmortems: no such file or directory")
		defer func() { src.failAll = nil }()
		run, err := h.runner.Run(context.Background(), "notes", src, nil)
		if err == nil || run.Status != ingest.RunFailed || !strings.Contains(run.Error, "no such file") {
			t.Fatalf("run = %+v, err = %v; want a failed run naming the reason", run, err)
		}
		l, err := h.store.Debriefs(context.Background(), analytics.ListFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 9 {
			t.Errorf("visible debriefs after a failed pass = %d, want 9", l.Total)
		}
	})

	t.Run("removed debriefs are hidden, not deleted", func(t *testing.T) {
		src.del("doc-6.md")
		h.pass(t, src)
		id := ingest.DebriefID("notes", "doc-6.md")
		e, err := h.store.Debrief(context.Background(), id)
		if err != nil {
			t.Fatalf("removed debrief is gone from the store: %v", err)
		}
		if e.RemovedAt.IsZero() {
			t.Error("removed debrief has no removed_at")
		}
		l, _ := h.store.Debriefs(context.Background(), analytics.ListFilter{Limit: 100})
		for _, d := range l.Debriefs {
			if d.ID == id {
				t.Error("removed debrief is listed by default")
			}
		}
		all, _ := h.store.Debriefs(context.Background(), analytics.ListFilter{Limit: 100, IncludeRemoved: true})
		if all.Total != l.Total+2 {
			t.Errorf("listing with removed = %d, want %d", all.Total, l.Total+2)
		}
	})
}

// assertInStep checks that the index holds exactly the visible debriefs and
// the store has nothing pending.
func assertInStep(t *testing.T, h *harness) {
	t.Helper()
	visible, pending, err := h.store.IndexState(context.Background(), h.index.Watermark())
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.index.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if pending != 0 || n != uint64(visible) {
		t.Errorf("index holds %d, store has %d visible and %d pending", n, visible, pending)
	}
}
