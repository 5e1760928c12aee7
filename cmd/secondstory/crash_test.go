package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// apiClient is bounded: a test must not hang on a server that stopped.
var apiClient = &http.Client{Timeout: 20 * time.Second}

// apiGet decodes the JSON answer to GET url into v.
func apiGet(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := apiClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// listedIDs pages through the debriefs a server lists. While a pass
// commits, pages shift, so it may miss some; every id it returns was
// committed when it was listed.
func listedIDs(t *testing.T, base string) (ids map[string]bool, total int) {
	t.Helper()
	ids = map[string]bool{}
	for offset := 0; ; offset += 100 {
		var page struct {
			Total    int `json:"total"`
			Debriefs []struct {
				ID string `json:"id"`
			} `json:"debriefs"`
		}
		apiGet(t, fmt.Sprintf("%s/api/v1/debriefs?limit=100&offset=%d", base, offset), &page)
		if offset == 0 {
			total = page.Total
		}
		for _, d := range page.Debriefs {
			ids[d.ID] = true
		}
		if len(page.Debriefs) < 100 {
			return ids, total
		}
	}
}

// inStep returns the ids of the debriefs a data directory's store shows
// and of those its search index holds, sorted.
func inStep(t *testing.T, data string) (visible, indexed []string) {
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
	l, err := st.Debriefs(ctx, analytics.ListFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.Debriefs {
		visible = append(visible, d.ID)
	}
	slices.Sort(visible)
	if indexed, err = idx.IDs(ctx); err != nil {
		t.Fatal(err)
	}
	return visible, indexed
}

// sourceRunning reports whether the server says a pass of source is
// under way.
func sourceRunning(t *testing.T, base, source string) bool {
	t.Helper()
	var s struct {
		Sources []struct {
			Name    string `json:"name"`
			Running bool   `json:"running"`
		} `json:"sources"`
	}
	apiGet(t, base+"/api/v1/sources", &s)
	for _, src := range s.Sources {
		if src.Name == source {
			return src.Running
		}
	}
	return false
}

// TestServeKilledMidPass kills "secondstory serve" with SIGKILL while
// its first pass is committing batches, restarts it, and finds every
// debrief the server listed before the kill, with the store and the
// index holding the same ids once the start-up check has caught up; a
// later pass completes the interrupted one.
func TestServeKilledMidPass(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "debriefs")
	data := filepath.Join(dir, "data")
	gen := synth.New(11, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	n := 3000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		d := gen.Debrief(i, 3<<10)
		writeFile(t, filepath.Join(folder, d.Name), string(d.Body))
	}
	config := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, config, "data: "+data+"\nsources:\n  - name: generated\n    path: "+folder+"\n    schedule: '@every 1h'\n")

	args, _ := json.Marshal([]string{"serve", "--config", config, "--addr", "127.0.0.1:0"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOME="+dir, "SECONDSTORY_TEST_CHILD_ARGS="+string(args))
	out := &lineWriter{lines: make(chan string, 64)}
	var errOut syncBuffer
	cmd.Stdout, cmd.Stderr = out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	serving := regexp.MustCompile(`at http://(127\.0\.0\.1:\d+)`)
	var base string
	for base == "" {
		select {
		case line := <-out.lines:
			if m := serving.FindStringSubmatch(line); m != nil {
				base = "http://" + m[1]
			}
		case err := <-exited:
			t.Fatalf("serve exited (%v) before serving:\n%s", err, errOut.String())
		case <-time.After(time.Minute):
			t.Fatalf("serve printed no address within a minute:\n%s", errOut.String())
		}
	}

	// Wait for the first batches to be committed, note what is listed,
	// and kill the server while the pass goes on.
	var committed map[string]bool
	var total int
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no debrief committed within two minutes:\n%s", errOut.String())
		}
		var l struct {
			Total int `json:"total"`
		}
		apiGet(t, base+"/api/v1/debriefs?limit=1", &l)
		if l.Total > 0 {
			if !sourceRunning(t, base, "generated") {
				t.Fatalf("the pass ended (%d debriefs) before the server was killed; give it more debriefs", l.Total)
			}
			committed, total = listedIDs(t, base)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("serve was not killed (%v):\n%s", err, errOut.String())
	}
	t.Logf("killed with %d of %d debriefs listed (%d ids seen)", total, n, len(committed))

	// Restart without sources, so that what is checked is what the
	// start-up check and catch-up made of the data directory.
	idle := filepath.Join(dir, "idle.yaml")
	writeFile(t, idle, "data: "+data+"\nsources: []\n")
	addr, stop := startServe(t, env("HOME", dir), "--config", idle)
	base = "http://" + addr
	for ready := time.Now().Add(2 * time.Minute); ; {
		resp, err := apiClient.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(ready) {
			t.Fatalf("not ready within two minutes after the restart: %s", resp.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	listed, after := listedIDs(t, base)
	if code := stop(); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
	if after < total || len(listed) != after {
		t.Errorf("after the restart %d debriefs are listed (%d ids), before the kill %d", after, len(listed), total)
	}
	for id := range committed {
		if !listed[id] {
			t.Errorf("debrief %s, listed before the kill, is gone after the restart", id)
		}
	}
	if visible, indexed := inStep(t, data); !slices.Equal(visible, indexed) || len(visible) != after {
		t.Errorf("store and index disagree after the restart: %d visible, %d indexed, %d listed", len(visible), len(indexed), after)
	}

	// The killed pass is recorded as interrupted, and the next one
	// brings in the rest.
	ctx := context.Background()
	st, err := analytics.Open(ctx, filepath.Join(data, storeFile), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(ctx, "generated", 10)
	st.Close()
	if err != nil || len(runs) != 1 || runs[0].Status != "interrupted" {
		t.Fatalf("runs = %+v (%v), want one, interrupted", runs, err)
	}
	ingestCounts(t, env("HOME", dir), "--config", config)
	if visible, indexed := inStep(t, data); len(visible) != n || !slices.Equal(visible, indexed) {
		t.Errorf("after the next pass: %d visible, %d indexed, want %d of each", len(visible), len(indexed), n)
	}
}
