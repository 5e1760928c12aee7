package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest/synth"
)

// state is what a data directory holds that a pass decides: each
// debrief's content hash and whether it is removed, and the ids in the
// search index.
type state struct {
	debriefs map[string]string // id → content hash, "removed" appended when removed
	indexed  []string
}

func readState(t *testing.T, data string) state {
	t.Helper()
	ctx := context.Background()
	st, err := analytics.Open(ctx, filepath.Join(data, storeFile), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	idx, err := index.Open(ctx, filepath.Join(data, indexDir), st, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	l, err := st.Debriefs(ctx, analytics.ListFilter{IncludeRemoved: true, Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	s := state{debriefs: map[string]string{}}
	for _, d := range l.Debriefs {
		e, err := st.Debrief(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.debriefs[d.ID] = e.Hash
		if !e.RemovedAt.IsZero() {
			s.debriefs[d.ID] += " removed"
		}
	}
	if s.indexed, err = idx.IDs(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s state) visible() []string {
	var ids []string
	for id, h := range s.debriefs {
		if !strings.HasSuffix(h, " removed") {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// killMidPass starts "secondstory ingest" on folder in a child process and
// kills it with SIGKILL after the given time: about half of what an
// uninterrupted pass takes, so that part of it is stored and indexed and
// the rest not.
func killMidPass(t *testing.T, data, folder string, after time.Duration) {
	t.Helper()
	args, _ := json.Marshal([]string{"ingest", "--data", data, folder})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SECONDSTORY_TEST_CHILD_ARGS="+string(args))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("the pass ended (%v) before it was killed; give it more debriefs:\n%s", err, out.String())
	case <-time.After(after):
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the pass was not killed mid-way (%v); give it more debriefs:\n%s", err, out.String())
	}
}

// TestKilledPassConverges: a pass killed with SIGKILL, followed by another
// pass, leaves exactly the store and index of a pass never interrupted.
func TestKilledPassConverges(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "debriefs")
	gen := synth.New(7, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	n := 3000
	if testing.Short() {
		n = 1500
	}
	for i := range n {
		d := gen.Debrief(i, 3<<10)
		writeFile(t, filepath.Join(folder, d.Name), string(d.Body))
	}

	want := filepath.Join(dir, "uninterrupted")
	start := time.Now()
	ingestCounts(t, noEnv, "--data", want, folder)
	took := time.Since(start)

	got := filepath.Join(dir, "killed")
	killMidPass(t, got, folder, took/2)
	ingestCounts(t, noEnv, "--data", got, folder)

	ws, gs := readState(t, want), readState(t, got)
	if len(ws.debriefs) != n {
		t.Fatalf("the uninterrupted pass stored %d debriefs, want %d", len(ws.debriefs), n)
	}
	for id, h := range ws.debriefs {
		if gs.debriefs[id] != h {
			t.Errorf("debrief %s: %q after the kill, %q uninterrupted", id, gs.debriefs[id], h)
		}
	}
	if len(gs.debriefs) != len(ws.debriefs) {
		t.Errorf("%d debriefs after the kill, %d uninterrupted", len(gs.debriefs), len(ws.debriefs))
	}
	if !slices.Equal(gs.indexed, ws.indexed) || !slices.Equal(gs.indexed, gs.visible()) {
		t.Errorf("index holds %d debriefs after the kill, %d uninterrupted, %d visible", len(gs.indexed), len(ws.indexed), len(gs.visible()))
	}

	// The store recorded the killed pass as interrupted.
	ctx := context.Background()
	st, err := analytics.Open(ctx, filepath.Join(got, storeFile), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, adHocName(folder), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].Status != "interrupted" || runs[0].Status != "ok" {
		t.Errorf("runs = %+v, want an interrupted one, then an ok one", runs)
	}
}
