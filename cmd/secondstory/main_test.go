package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics"
)

// TestMain doubles as the secondstory command when the crash test starts
// this binary as a child process to kill it.
func TestMain(m *testing.M) {
	if args := os.Getenv("SECONDSTORY_TEST_CHILD_ARGS"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(run(context.Background(), argv, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// noEnv is an empty environment.
var noEnv = env()

// env is a controlled environment: nothing from the real one leaks in.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

// secondstory runs the command in-process and returns its exit status and
// output.
func secondstory(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stdout for code 0, else in stderr
	}{
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"--help"}, 0, "serve"},
		{[]string{"help", "ingest"}, 0, "--source"},
		{[]string{"serve", "--help"}, 0, "Usage: secondstory serve"},
		{[]string{"eval", "-h"}, 0, "--labels FILE [--labels FILE...]"},
		{nil, 2, ""},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"ingest", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"serve", "extra"}, 2, "serve takes no arguments"},
		{[]string{"serve", "--addr", "nonsense"}, 2, "--addr"},
		{[]string{"version"}, 0, "secondstory"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := secondstory(t, env("HOME", t.TempDir()), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			where := errOut
			if tt.code == 0 {
				where = out
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", tt.want, out, errOut)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "postmortems")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file.md")
	writeFile(t, file, "# not a folder\n")
	source := func(extra string) string {
		return "sources:\n  - name: pm\n    path: " + folder + "\n" + extra
	}
	tests := []struct {
		name, yaml string
		env        []string
		wantErr    string
		check      func(t *testing.T, c *Config)
	}{
		{name: "a source with defaults", yaml: source(""), check: func(t *testing.T, c *Config) {
			s := c.Sources[0]
			if s.Kind != "dir" || s.Schedule != defaultSchedule || c.Addr != defaultAddr || c.MaxFileSize != defaultMaxFileSize {
				t.Errorf("defaults not applied: %+v %+v", c, s)
			}
		}},
		{name: "environment overrides the file", yaml: "data: /from/file\nmax_file_size: 1MB\n" + source(""),
			env: []string{"SECONDSTORY_DATA", "/from/env", "SECONDSTORY_MAX_FILE_SIZE", "512KB"},
			check: func(t *testing.T, c *Config) {
				if c.Data != "/from/env" || c.MaxFileSize != 512<<10 {
					t.Errorf("data %q, max_file_size %d", c.Data, c.MaxFileSize)
				}
			}},
		{name: "an empty file has no sources", yaml: "", check: func(t *testing.T, c *Config) {
			if len(c.Sources) != 0 {
				t.Errorf("sources = %+v, want none", c.Sources)
			}
		}},
		{name: "unknown key", yaml: "adress: 127.0.0.1:9000\n", wantErr: `line 1: unknown key "adress"`},
		{name: "unknown source key", yaml: source("    shedule: '@daily'\n"), wantErr: `unknown key "shedule"`},
		{name: "bad schedule", yaml: source("    schedule: every tuesday\n"), wantErr: "sources[0] (pm).schedule"},
		{name: "bad name", yaml: "sources:\n  - name: Post Mortems\n    path: " + folder + "\n", wantErr: "sources[0] (Post Mortems).name"},
		{name: "no name", yaml: "sources:\n  - path: " + folder + "\n", wantErr: "sources[0].name: every source needs a name"},
		{name: "duplicate name", yaml: source("  - name: pm\n    path: " + folder + "\n"), wantErr: "another source already has this name"},
		{name: "missing folder", yaml: "sources:\n  - name: pm\n    path: " + filepath.Join(dir, "nope") + "\n", wantErr: "no such file or directory"},
		{name: "not a folder", yaml: "sources:\n  - name: pm\n    path: " + file + "\n", wantErr: "is not a folder"},
		{name: "unknown kind", yaml: "sources:\n  - name: pm\n    kind: ftp\n", wantErr: `"ftp" is not a source kind`},
		{name: "bad size", yaml: "max_file_size: lots\n", wantErr: `"lots" is not a size`},
		{name: "bad size in environment", yaml: "", env: []string{"SECONDSTORY_MAX_FILE_SIZE", "-3"}, wantErr: "SECONDSTORY_MAX_FILE_SIZE"},
		{name: "bad log level", yaml: "log:\n  level: loud\n", wantErr: `log.level: "loud" is not one of`},
		{name: "bad address", yaml: "addr: localhost\n", wantErr: "addr:"},
		{name: "wrong type", yaml: "sources: everything\n", wantErr: "sources"},
		{name: "broken YAML", yaml: "sources:\n  - name: [\n", wantErr: "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secondstory.yaml")
			writeFile(t, path, tt.yaml)
			cfg, err := loadConfig(path, env(append([]string{"HOME", dir}, tt.env...)...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), path) && !strings.Contains(err.Error(), "SECONDSTORY_") {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}

	t.Run("no file serves the sample", func(t *testing.T) {
		cfg, err := loadConfig("", env("XDG_DATA_HOME", "/xdg"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Sources) != 1 || cfg.Sources[0].Kind != "sample" || cfg.Data != "/xdg/secondstory" {
			t.Errorf("config = %+v", cfg)
		}
	})
	t.Run("a named file that is missing is an error", func(t *testing.T) {
		_, err := loadConfig(filepath.Join(dir, "missing.yaml"), env())
		if err == nil || !strings.Contains(err.Error(), "cannot read it") {
			t.Errorf("error = %v", err)
		}
	})
}

var summary = regexp.MustCompile(`(\d+) documents seen; debriefs: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) removed; (\d+) skipped, (\d+) failed`)

// ingestCounts runs ingest and returns its summary line's counts: seen,
// added, updated, unchanged, removed, skipped, failed.
func ingestCounts(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	code, out, errOut := secondstory(t, getenv, append([]string{"ingest"}, args...)...)
	if code != 0 {
		t.Fatalf("ingest exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	m := summary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary in:\n%s", out)
	}
	return strings.Join(m[1:], " ")
}

func TestIngestFolder(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "Post Mortems")
	data := filepath.Join(dir, "data")
	fixtures := filepath.Join("..", "..", "ingest", "parse", "testdata")
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(folder, e.Name()), string(b))
	}
	writeFile(t, filepath.Join(folder, "broken.json"), `{"title": "half a debrief", `)

	// seen added updated unchanged removed skipped failed
	first := ingestCounts(t, noEnv, "--data", data, folder)
	var seen, added, skipped int
	fmt.Sscanf(first, "%d %d 0 0 0 %d 1", &seen, &added, &skipped)
	if added == 0 || seen == 0 || !strings.HasSuffix(first, " 1") {
		t.Fatalf("first pass: %s; want debriefs added and one failure", first)
	}
	if got, want := ingestCounts(t, noEnv, "--data", data, folder), fmt.Sprintf("%d 0 0 %d 0 %d 1", seen, added, skipped); got != want {
		t.Errorf("second pass: %s, want %s", got, want)
	}
	edited := filepath.Join(folder, "bold-keys.md")
	b, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, edited, string(b)+"\n## Follow-up\n\nThe alert threshold was lowered a week later.\n")
	if got, want := ingestCounts(t, noEnv, "--data", data, folder), fmt.Sprintf("%d 0 1 %d 0 %d 1", seen, added-1, skipped); got != want {
		t.Errorf("after an edit: %s, want %s", got, want)
	}
	if err := os.Remove(edited); err != nil {
		t.Fatal(err)
	}
	if got, want := ingestCounts(t, noEnv, "--data", data, folder), fmt.Sprintf("%d 0 0 %d 1 %d 1", seen-1, added-1, skipped); got != want {
		t.Errorf("after a deletion: %s, want %s", got, want)
	}

	code, out, errOut := secondstory(t, env("HOME", dir), "reindex", "--data", data)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("search index rebuilt: %d debriefs", added-1)) {
		t.Errorf("reindex: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	code, _, errOut = secondstory(t, env("HOME", dir), "ingest", "--data", data, filepath.Join(dir, "nowhere"))
	if code != 1 || !strings.Contains(errOut, "nowhere: no such file or directory") {
		t.Errorf("ingest of a missing folder: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = secondstory(t, env("HOME", dir), "ingest", "--data", data, "--source", "x", folder)
	if code != 2 || !strings.Contains(errOut, "either --source or folders") {
		t.Errorf("ingest with --source and folders: exit %d, stderr %q", code, errOut)
	}
}

// lineWriter hands the lines written to it to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		select {
		case w.lines <- strings.TrimSpace(line):
		default:
		}
	}
}

// startServe runs serve in-process on a free loopback port and returns its
// address and a function that stops it and returns its exit status.
func startServe(t *testing.T, getenv func(string) string, args ...string) (addr string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 16)}
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), out, &errOut, getenv)
	}()
	serving := regexp.MustCompile(`at http://(127\.0\.0\.1:\d+)`)
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case line := <-out.lines:
			if m := serving.FindStringSubmatch(line); m != nil {
				addr = m[1]
			}
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d before serving:\n%s", code, errOut.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no address within a minute:\n%s", errOut.String())
		}
	}
	return addr, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(60 * time.Second):
			t.Fatal("serve did not stop within a minute of its context ending")
			return -1
		}
	}
}

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

// getJSON fetches url and decodes its JSON body into v, returning the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

// TestServeSample is the README's first command: serve with no
// configuration serves the bundled sample corpus.
func TestServeSample(t *testing.T) {
	dir := t.TempDir()
	getenv := env("HOME", dir)
	addr, stop := startServe(t, getenv)
	base := "http://" + addr

	// The sample source runs once at start.
	var listing struct {
		Total int `json:"total"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for tries := 0; listing.Total == 0; tries++ {
		if time.Now().After(deadline) {
			t.Fatalf("no debriefs listed after %d tries", tries)
		}
		time.Sleep(200 * time.Millisecond)
		var ready map[string]any
		if getJSON(t, base+"/readyz", &ready) != http.StatusOK {
			continue
		}
		getJSON(t, base+"/api/v1/debriefs?limit=1", &listing)
	}
	if listing.Total < 40 {
		t.Errorf("the sample corpus lists %d debriefs, want at least 40", listing.Total)
	}

	// A debrief comes with its assessment.
	var page struct {
		Debriefs []struct {
			ID string `json:"id"`
		} `json:"debriefs"`
	}
	getJSON(t, base+"/api/v1/debriefs?limit=1", &page)
	var one struct {
		Title      string `json:"title"`
		Assessment *struct {
			Coverage []any `json:"coverage"`
			Depth    struct {
				Class   string   `json:"class"`
				Reasons []string `json:"reasons"`
			} `json:"depth"`
		} `json:"assessment"`
	}
	if len(page.Debriefs) != 1 || getJSON(t, base+"/api/v1/debriefs/"+page.Debriefs[0].ID, &one) != http.StatusOK {
		t.Fatalf("no debrief to fetch: %+v", page)
	}
	if one.Assessment == nil || len(one.Assessment.Coverage) != 13 || one.Assessment.Depth.Class == "" || len(one.Assessment.Depth.Reasons) == 0 {
		t.Errorf("debrief %q has assessment %+v, want coverage of 13 categories and a depth class with reasons", one.Title, one.Assessment)
	}

	// While serve holds the data directory, ingest says so and how to
	// ask the server instead.
	code, _, errOut := secondstory(t, getenv, "ingest")
	if code != 1 || !strings.Contains(errOut, "curl -X POST http://"+addr+"/api/v1/sources/NAME/run") {
		t.Errorf("ingest beside a server: exit %d, stderr:\n%s", code, errOut)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited with %d after its context ended, want 0", code)
	}
	// The lock is released: ingest works now, and finds nothing new.
	var seen, added, updated, unchanged int
	fmt.Sscanf(ingestCounts(t, getenv), "%d %d %d %d", &seen, &added, &updated, &unchanged)
	if added != 0 || updated != 0 || unchanged != listing.Total {
		t.Errorf("ingest after serve stopped: %d added, %d updated, %d unchanged; want all %d unchanged", added, updated, unchanged, listing.Total)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "[::]:8080", ":8080", "192.0.2.10:8080"} {
		code, _, errOut := secondstory(t, env("HOME", t.TempDir()), "serve", "--addr", addr)
		if code == 0 || !strings.Contains(errOut, "loopback") {
			t.Errorf("serve --addr %s: exit %d, stderr %q", addr, code, errOut)
		}
	}
}

// corpusDir holds real public debriefs beside the project (see
// ../shared/corpus/README.md). A fresh clone does not have it.
const corpusDir = "../../../shared/corpus"

// copyTree copies the files under src into dst, so a test can edit them.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(dst, rel), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRealCorpus ingests the public debriefs of ../shared/corpus: every
// one is stored with a title, a second pass finds them all unchanged,
// an edit updates exactly one and a deletion removes exactly one.
func TestRealCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("../shared/corpus not present: " + err.Error())
	}
	dir := t.TempDir()
	folder := filepath.Join(dir, "corpus")
	copyTree(t, corpusDir, folder)
	data := filepath.Join(dir, "data")

	var seen, added, updated, unchanged, removed, skipped, failed int
	scan := func(s string) {
		t.Helper()
		if _, err := fmt.Sscanf(s, "%d %d %d %d %d %d %d", &seen, &added, &updated, &unchanged, &removed, &skipped, &failed); err != nil {
			t.Fatal(err)
		}
	}
	scan(ingestCounts(t, noEnv, "--data", data, folder))
	if failed != 0 || added < 300 {
		t.Fatalf("first pass: %d added, %d failed; want every one of the corpus's debriefs stored", added, failed)
	}
	total := added

	ctx := context.Background()
	st, err := analytics.Open(ctx, filepath.Join(data, storeFile), analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.Debriefs(ctx, analytics.ListFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	dated := 0
	for _, d := range l.Debriefs {
		if strings.TrimSpace(d.Title) == "" {
			t.Errorf("%s: stored without a title", d.Ref)
		}
		if !d.Date.IsZero() {
			dated++
		}
	}
	st.Close()
	t.Logf("corpus: %d documents seen, %d debriefs stored, %d with a date, %d skipped", seen, total, dated, skipped)

	start := time.Now()
	scan(ingestCounts(t, noEnv, "--data", data, folder))
	t.Logf("second pass over %d debriefs: %s (the target is under 2 s)", total, time.Since(start).Round(time.Millisecond))
	if unchanged != total || added+updated+removed+failed != 0 {
		t.Errorf("second pass: %d unchanged of %d, %d added, %d updated, %d removed, %d failed", unchanged, total, added, updated, removed, failed)
	}

	edited := filepath.Join(folder, "dfds", "PM2021-003 - Flux version bump causing component downtime.md")
	b, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, edited, string(b)+"\n\nA note added by a reviewer after the meeting.\n")
	scan(ingestCounts(t, noEnv, "--data", data, folder))
	if updated != 1 || unchanged != total-1 || added+removed != 0 {
		t.Errorf("after an edit: %d updated, %d unchanged, %d added, %d removed", updated, unchanged, added, removed)
	}

	if err := os.Remove(edited); err != nil {
		t.Fatal(err)
	}
	scan(ingestCounts(t, noEnv, "--data", data, folder))
	if removed != 1 || unchanged != total-1 || added+updated != 0 {
		t.Errorf("after a deletion: %d removed, %d unchanged, %d added, %d updated", removed, unchanged, added, updated)
	}
}

func TestAssessCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "2025-03-04-queue.md"), "# Queue backed up\n\n## Contributing factors\n\n- A config change halved the worker pool.\n- The alert for queue depth had been muted.\n\n## Timeline\n\n- 10:02 the on-call engineer noticed the backlog graph climbing\n")
	writeFile(t, filepath.Join(dir, "nested", "broken.json"), `{"title": `)
	writeFile(t, filepath.Join(dir, "README.md"), "# About this folder\n")
	code, out, errOut := secondstory(t, noEnv, "assess", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per document that is not a README:\n%s", len(lines), out)
	}
	byRef := map[string]map[string]any{}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		byRef[v["ref"].(string)] = v
	}
	good := byRef["2025-03-04-queue.md"]
	if good == nil || good["title"] != "Queue backed up" {
		t.Fatalf("no line for the debrief: %v", byRef)
	}
	for _, key := range []string{"factor_categories", "factors", "coverage", "depth"} {
		if good[key] == nil {
			t.Errorf("line lacks %s: %v", key, good)
		}
	}
	if cov, _ := good["coverage"].(map[string]any); len(cov) != 13 {
		t.Errorf("coverage has %d categories, want 13", len(cov))
	}
	if cats := fmt.Sprint(good["factor_categories"]); !strings.Contains(cats, "config_change") || !strings.Contains(cats, "monitoring") {
		t.Errorf("factor categories %s, want config_change and monitoring", cats)
	}
	if bad := byRef["nested/broken.json"]; bad == nil || bad["error"] == nil {
		t.Errorf("the broken document has no error line: %v", byRef)
	}

	if code, _, errOut := secondstory(t, noEnv, "assess", "--format", "csv", dir); code != 2 || !strings.Contains(errOut, "jsonl") {
		t.Errorf("--format csv: exit %d, %s", code, errOut)
	}
	if code, _, errOut := secondstory(t, noEnv, "assess", "--catalog", filepath.Join(dir, "none.yaml"), dir); code != 1 || !strings.Contains(errOut, "--catalog") {
		t.Errorf("missing catalog: exit %d, %s", code, errOut)
	}
}

func TestEvalCommand(t *testing.T) {
	code, out, errOut := secondstory(t, noEnv, "eval", "--labels", "../../testdata/labels/sample.yaml", "../../ingest/sample/debriefs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"debriefs evaluated: 40", "question coverage", "factor categories", "micro", "depth class accuracy"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := secondstory(t, noEnv, "eval", "../../ingest/sample/debriefs"); code != 2 || !strings.Contains(errOut, "--labels") {
		t.Errorf("eval without labels: exit %d, %s", code, errOut)
	}
	sample := "../../testdata/labels/sample.yaml"
	if code, _, errOut := secondstory(t, noEnv, "eval", "--labels", sample, "--labels", sample, "../../ingest/sample/debriefs"); code != 2 || !strings.Contains(errOut, "three or more") {
		t.Errorf("eval with two readers: exit %d, %s", code, errOut)
	}
	// Three readers who agree are their own majority: the same figures.
	code, three, errOut := secondstory(t, noEnv, "eval", "--labels", sample, "--labels", sample, "--labels", sample, "../../ingest/sample/debriefs")
	if code != 0 || !strings.Contains(three, "majority of 3 readers") {
		t.Fatalf("eval with three readers: exit %d, %s%s", code, three, errOut)
	}
	_, oneReport, _ := strings.Cut(out, "\n")
	if _, threeReport, _ := strings.Cut(three, "\n"); threeReport != oneReport {
		t.Errorf("three identical readers report differently from one:\n%s\n%s", threeReport, oneReport)
	}
}

func TestReassessAndCatalogKey(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ingestCounts(t, noEnv, "--data", data, "../../ingest/parse/testdata")
	code, out, errOut := secondstory(t, noEnv, "reassess", "--data", data)
	if code != 0 || !regexp.MustCompile(`reassessed \d+ debriefs with catalog 2026`).MatchString(out) {
		t.Errorf("reassess: exit %d\n%s%s", code, out, errOut)
	}

	// A changed catalog in the config reassesses stored debriefs at the
	// next ingest, before the pass.
	b, err := os.ReadFile("../../analytics/assess/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "catalogs", "ours.yaml"), strings.Replace(string(b), `version: "2026.1"`, `version: "ours.1"`, 1))
	config := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, config, "data: "+data+"\ncatalog: catalogs/ours.yaml\nsources:\n  - name: testdata\n    path: ../../ingest/parse/testdata\n")
	code, out, errOut = secondstory(t, noEnv, "ingest", "--config", config)
	if code != 0 || !regexp.MustCompile(`reassessed \d+ stored debriefs with catalog ours\.1`).MatchString(out) {
		t.Errorf("ingest with a new catalog: exit %d\n%s%s", code, out, errOut)
	}

	writeFile(t, config, "catalog: catalogs/missing.yaml\n")
	if _, err := loadConfig(config, noEnv); err == nil || !strings.Contains(err.Error(), "catalog:") {
		t.Errorf("a missing catalog: %v, want an error naming the catalog key", err)
	}
	writeFile(t, filepath.Join(dir, "catalogs", "bad.yaml"), "version: 1\nquestions: nope\n")
	writeFile(t, config, "catalog: catalogs/bad.yaml\n")
	if _, err := loadConfig(config, noEnv); err == nil || !strings.Contains(err.Error(), "catalog:") {
		t.Errorf("an invalid catalog: %v, want an error naming the catalog key", err)
	}
}

// After "secondstory ingest FOLDER", serve with no configuration shows
// those debriefs and does not add the fictional sample to them.
func TestServeOwnDebriefsWithoutSample(t *testing.T) {
	dir := t.TempDir()
	getenv := env("HOME", dir)
	var seen, added int
	fmt.Sscanf(ingestCounts(t, getenv, "../../ingest/parse/testdata"), "%d %d", &seen, &added)
	if added == 0 {
		t.Fatal("nothing ingested")
	}
	addr, stop := startServe(t, getenv)
	defer stop()
	base := "http://" + addr
	deadline := time.Now().Add(time.Minute)
	for {
		var ready map[string]any
		if getJSON(t, base+"/readyz", &ready) == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", ready)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var listing struct {
		Total int `json:"total"`
	}
	getJSON(t, base+"/api/v1/debriefs?limit=1", &listing)
	var sources struct {
		Sources []struct {
			Name string `json:"name"`
		} `json:"sources"`
	}
	getJSON(t, base+"/api/v1/sources", &sources)
	if listing.Total != added {
		t.Errorf("serving %d debriefs, want the %d ingested", listing.Total, added)
	}
	for _, s := range sources.Sources {
		if s.Name == sampleSourceName {
			t.Errorf("the sample source is configured beside the ingested debriefs: %+v", sources)
		}
	}
}

func TestSearchCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ingestCounts(t, noEnv, "--data", data, "../../ingest/sample/debriefs")
	code, out, errOut := secondstory(t, noEnv, "search", "--data", data, "--limit", "2", "certificate", "expired")
	if code != 0 || !strings.Contains(out, "debriefs match; the first 2:") || !strings.Contains(out, " 1. ") || !strings.Contains(out, "certificate") {
		t.Errorf("search: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = secondstory(t, noEnv, "search", "--data", data, "--json", "dns")
	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			Title    string `json:"title"`
			Fragment *struct {
				Text string `json:"text"`
			} `json:"fragment"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Total == 0 || res.Hits[0].Fragment == nil {
		t.Errorf("search --json: exit %d, %v:\n%s", code, err, out)
	}
	code, _, errOut = secondstory(t, noEnv, "search", "--data", data, `disk "full`)
	if code != 1 || !strings.Contains(errOut, `this quote is never closed`) {
		t.Errorf("malformed query: exit %d, %s", code, errOut)
	}
	code, _, errOut = secondstory(t, noEnv, "search", "--data", data)
	if code != 2 || !strings.Contains(errOut, "give what to search for") {
		t.Errorf("no query: exit %d, %s", code, errOut)
	}
}
