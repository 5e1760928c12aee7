package index_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
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

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	t     *testing.T
	dir   string
	store *analytics.Store
	index *index.Index
	log   *syncBuffer
}

// open opens a store and an index in dir (both on disk) and checks the
// index against the store, as serve does at start.
func open(t *testing.T, dir string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, dir: dir, log: &syncBuffer{}}
	var err error
	f.store, err = analytics.Open(ctx, filepath.Join(dir, "store.duckdb"), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f.log, nil))
	f.index, err = index.Open(ctx, filepath.Join(dir, "index.bleve"), f.store, index.Options{Logger: log, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.index.Check(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) close() {
	f.t.Helper()
	if err := f.index.Close(); err != nil {
		f.t.Error(err)
	}
	if err := f.store.Close(); err != nil {
		f.t.Error(err)
	}
}

func debrief(ref, text string) *ingest.Debrief {
	d := &ingest.Debrief{
		Source: "notes", Ref: ref, Document: ref, Title: "Debrief " + ref, Text: text,
		Sections: []ingest.Section{{Kind: ingest.KindSummary, Heading: "Summary", Level: 2, Text: text}},
		Times:    ingest.Times{Started: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)},
	}
	d.ID = ingest.DebriefID("notes", ref)
	d.Hash = ingest.ContentHash(d)
	d.FetchedAt = time.Now()
	return d
}

// commit writes one batch to the store and returns what the index must
// apply, without applying it.
func (f *fixture) commit(remove []string, ds ...*ingest.Debrief) ingest.Applied {
	f.t.Helper()
	c := ingest.Change{Remove: remove, At: time.Now()}
	for _, d := range ds {
		c.Upsert = append(c.Upsert, ingest.Record{Debrief: d, DocHash: d.Hash})
	}
	a, err := f.store.Apply(context.Background(), c)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// write commits a batch to the store and applies it to the index.
func (f *fixture) write(remove []string, ds ...*ingest.Debrief) {
	f.t.Helper()
	a := f.commit(remove, ds...)
	if err := f.index.Apply(context.Background(), a.Seq, a.Index); err != nil {
		f.t.Fatal(err)
	}
}

// visibleIDs lists the ids of the store's visible debriefs, sorted.
func (f *fixture) visibleIDs() []string {
	f.t.Helper()
	l, err := f.store.Debriefs(context.Background(), analytics.ListFilter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, d := range l.Debriefs {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// assertInStep checks that the index holds exactly the store's visible
// debriefs and nothing is pending after its watermark.
func (f *fixture) assertInStep() {
	f.t.Helper()
	got, err := f.index.IDs(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	if want := f.visibleIDs(); !slices.Equal(got, want) {
		f.t.Errorf("index holds %v, store has visible %v", got, want)
	}
	_, pending, err := f.store.IndexState(context.Background(), f.index.Watermark())
	if err != nil {
		f.t.Fatal(err)
	}
	if pending != 0 {
		f.t.Errorf("%d changes after the index's watermark %d", pending, f.index.Watermark())
	}
}

func docs(n int, prefix string) []*ingest.Debrief {
	var out []*ingest.Debrief
	for i := range n {
		out = append(out, debrief(fmt.Sprintf("%s-%d.md", prefix, i), fmt.Sprintf("the %s queue backed up, take %d", prefix, i)))
	}
	return out
}

func TestWatermarkSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	ds := docs(6, "a")
	f.write(nil, ds[:3]...)
	f.write(nil, ds[3:]...)
	f.write([]string{ds[0].ID})
	mark := f.index.Watermark()
	if mark != 3 {
		t.Errorf("watermark after three batches = %d, want 3", mark)
	}
	f.assertInStep()
	f.close()

	f = open(t, dir)
	defer f.close()
	if got := f.index.Watermark(); got != mark {
		t.Errorf("watermark after reopening = %d, want %d", got, mark)
	}
	if log := f.log.String(); strings.Contains(log, "rebuil") || strings.Contains(log, "caught up") {
		t.Errorf("reopening an index in step did work:\n%s", log)
	}
	f.assertInStep()
}

// A crash after the store committed a batch and before the index applied
// it: the next check applies it.
func TestCheckCatchesUpAfterCrash(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	ds := docs(9, "b")
	f.write(nil, ds[:3]...)
	f.commit(nil, ds[3:]...)            // stored, never indexed
	f.commit([]string{ds[1].ID}, ds[4]) // a removal, and a rewrite of an unindexed debrief
	f.close()

	f = open(t, dir)
	defer f.close()
	if !strings.Contains(f.log.String(), "caught up") {
		t.Errorf("no catch-up logged:\n%s", f.log.String())
	}
	if strings.Contains(f.log.String(), "rebuil") {
		t.Errorf("catching up rebuilt the index:\n%s", f.log.String())
	}
	f.assertInStep()
}

// Passes of two sources commit and index concurrently, so the index may
// see change 2 before change 1: its watermark moves only over changes it
// holds without a gap.
func TestOutOfOrderChanges(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.commit(nil, docs(2, "c")...)
	second := f.commit(nil, docs(2, "d")...)
	ctx := context.Background()
	if err := f.index.Apply(ctx, second.Seq, second.Index); err != nil {
		t.Fatal(err)
	}
	if got := f.index.Watermark(); got != 0 {
		t.Errorf("watermark with change 1 missing = %d, want 0", got)
	}
	// Reopened now, the index must catch up with change 1.
	f.close()
	f = open(t, dir)
	f.assertInStep()
	third := f.commit(nil, docs(2, "e")...)
	fourth := f.commit(nil, docs(2, "f")...)
	if err := f.index.Apply(ctx, fourth.Seq, fourth.Index); err != nil {
		t.Fatal(err)
	}
	if err := f.index.Apply(ctx, third.Seq, third.Index); err != nil {
		t.Fatal(err)
	}
	if got := f.index.Watermark(); got != fourth.Seq {
		t.Errorf("watermark = %d, want %d", got, fourth.Seq)
	}
	f.assertInStep()
	f.close()
}

func TestLostIndexIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.write(nil, docs(7, "g")...)
	f.close()
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	f = open(t, dir)
	defer f.close()
	f.assertInStep()
}

// An index built from another store (a data directory restored from a
// backup, an index copied from elsewhere) is replaced.
func TestIndexOfAnotherStoreIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	f.write(nil, docs(3, "h")...)
	f.close()
	if err := os.Remove(filepath.Join(dir, "store.duckdb")); err != nil {
		t.Fatal(err)
	}
	f = open(t, dir)
	defer f.close()
	if !strings.Contains(f.log.String(), "another store") {
		t.Errorf("no rebuild logged:\n%s", f.log.String())
	}
	f.write(nil, docs(2, "i")...)
	f.assertInStep()
}

func TestRebuild(t *testing.T) {
	dir := t.TempDir()
	f := open(t, dir)
	ds := docs(10, "j")
	f.write(nil, ds...)
	f.write([]string{ds[2].ID, ds[7].ID})
	if err := f.index.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.assertInStep()
	if _, err := os.Stat(filepath.Join(dir, "index.bleve.rebuild")); !os.IsNotExist(err) {
		t.Errorf("rebuild left its work directory behind: %v", err)
	}
	f.write(nil, debrief("j-new.md", "written after the rebuild"))
	f.close()
	f = open(t, dir)
	defer f.close()
	if strings.Contains(f.log.String(), "rebuil") {
		t.Errorf("a rebuilt index was rebuilt again at the next start:\n%s", f.log.String())
	}
	f.assertInStep()
}
