package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
)

const learningReview = `The checkout queue backed up for forty minutes. The on-call engineer noticed
that the queue depth graph had flattened, which looked wrong for a Friday evening.
She paged the database owner because the runbook said replication lag could cause it.
We were surprised that the replica had fallen behind without an alert.
The team was under pressure from the sale starting at six.
We learned that the lag alert had been disabled during a migration last month.`

// TestAssessmentsStoredAndReassessed: a pass stores each debrief's
// assessment with the debrief; a new catalog reassesses what is stored
// without parsing anything again.
func TestAssessmentsStoredAndReassessed(t *testing.T) {
	h := openHarness(t, "")
	defer h.close(t)
	ctx := context.Background()
	first := assess.New(nil)
	h.runner = ingest.NewRunner(ingest.RunnerOptions{Store: h.store, Index: h.index, Assessor: first, BatchSize: 2})
	src := &listSource{}
	src.set("review.md", learningReview)
	src.set("short.md", "The root cause was human error: the operator should have checked the config.")
	src.set("other.md", "A deploy failed and was rolled back.")
	h.pass(t, src)

	id := ingest.DebriefID("notes", "review.md")
	e, err := h.store.Debrief(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a := e.Assessment
	if a == nil || a.CatalogVersion != first.Version() {
		t.Fatalf("stored assessment = %+v, want one of catalog %s", a, first.Version())
	}
	if len(a.Coverage) != len(assess.QuestionCategories()) || len(a.Covered()) == 0 {
		t.Errorf("coverage = %+v, want every category with some covered", a.Coverage)
	}
	// The stored assessment reads back exactly as it was made, evidence
	// sentences included (the store keeps only their places).
	again := *e.Debrief
	first.Assess(&again)
	stored, _ := json.Marshal(a)
	fresh, _ := json.Marshal(again.Assessment)
	if !bytes.Equal(stored, fresh) {
		t.Errorf("stored assessment differs from the one made now:\nstored: %s\nfresh:  %s", stored, fresh)
	}
	if n, err := h.store.Unassessed(ctx, first.Version(), "", 10); err != nil || len(n) != 0 {
		t.Errorf("unassessed with the same catalog = %d (%v), want none", len(n), err)
	}
	if n, err := h.runner.Reassess(ctx, nil); err != nil || n != 0 {
		t.Errorf("Reassess with the same catalog = %d (%v), want 0", n, err)
	}

	// A changed catalog: every visible debrief is assessed again, from
	// the store, and the index follows.
	b, err := os.ReadFile("../analytics/assess/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := assess.ParseCatalog("changed", bytes.Replace(b, []byte(`version: "2026.1"`), []byte(`version: "2026.1-test"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	second := assess.New(cat)
	if second.Version() == first.Version() {
		t.Fatal("the changed catalog has the same version")
	}
	src.del("other.md")
	h.pass(t, src) // other.md removed: it is not reassessed
	h.runner = ingest.NewRunner(ingest.RunnerOptions{Store: h.store, Index: h.index, Assessor: second, BatchSize: 1})
	src.parses = 0
	var reported []int
	n, err := h.runner.Reassess(ctx, func(done int) { reported = append(reported, done) })
	if err != nil || n != 2 {
		t.Fatalf("Reassess = %d (%v), want the 2 visible debriefs", n, err)
	}
	if len(reported) != 2 || reported[1] != 2 {
		t.Errorf("progress = %v, want [1 2]", reported)
	}
	if src.parses != 0 {
		t.Errorf("reassessing parsed %d documents, want none", src.parses)
	}
	e, err = h.store.Debrief(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Assessment == nil || e.Assessment.CatalogVersion != second.Version() {
		t.Errorf("after Reassess the catalog is %+v, want %s", e.Assessment, second.Version())
	}
	if e.Hash != ingest.ContentHash(e.Debrief) {
		t.Error("the content hash changed with the assessment")
	}
	assertInStep(t, h)

	// Without an assessor, Reassess says so.
	bare := ingest.NewRunner(ingest.RunnerOptions{Store: h.store, Index: h.index})
	if _, err := bare.Reassess(ctx, nil); err != ingest.ErrNoAssessor {
		t.Errorf("Reassess without an assessor = %v", err)
	}
}
