package ingest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// heldSource is a source whose pass lasts until release is closed.
type heldSource struct {
	started chan struct{}
	release chan struct{}
}

func (s *heldSource) Fetch(ctx context.Context, _ string, _ func(ingest.Document) error) (ingest.Fetched, error) {
	s.started <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ingest.Fetched{}, ctx.Err()
	}
	return ingest.Fetched{Complete: true}, nil
}

func TestRunNow(t *testing.T) {
	h := openHarness(t, "")
	defer h.close(t)
	src := &heldSource{started: make(chan struct{}, 4), release: make(chan struct{})}
	s, err := ingest.NewScheduler(h.runner, []ingest.ScheduledSource{{Name: "held", Kind: "test", Schedule: "@daily", Source: src}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunNow("nope"); !errors.Is(err, ingest.ErrUnknownSource) {
		t.Errorf("RunNow of an unknown source = %v, want ErrUnknownSource", err)
	}
	// Two requests in a row: the second is refused even before the
	// first pass has begun.
	if err := s.RunNow("held"); err != nil {
		t.Fatal(err)
	}
	if err := s.RunNow("held"); !errors.Is(err, ingest.ErrRunning) {
		t.Errorf("second RunNow = %v, want ErrRunning", err)
	}
	<-src.started
	if err := s.RunNow("held"); !errors.Is(err, ingest.ErrRunning) {
		t.Errorf("RunNow during the pass = %v, want ErrRunning", err)
	}
	close(src.release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.RunNow("held")
		if err == nil {
			break
		}
		if !errors.Is(err, ingest.ErrRunning) || time.Now().After(deadline) {
			t.Fatalf("RunNow after the pass ended = %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	<-src.started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.RunNow("held"); !errors.Is(err, ingest.ErrShuttingDown) {
		t.Errorf("RunNow after Stop = %v, want ErrShuttingDown", err)
	}
}
