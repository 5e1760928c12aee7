//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user a root test runs the command as: for root,
// permissions do not stop writes, so a read-only directory would be no
// test at all.
const nobody = 65534

// chmodTree sets the mode of every folder and file under root.
func chmodTree(t *testing.T, root string, dirMode, fileMode fs.FileMode) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, dirMode)
		}
		return os.Chmod(p, fileMode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runUnprivileged runs the command as a user permissions apply to: this
// process when it is not root, else a child process of this test binary
// as nobody. It returns the exit status and stderr.
func runUnprivileged(t *testing.T, base string, args ...string) (int, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		code, _, errOut := secondstory(t, env("HOME", base), args...)
		return code, errOut
	}
	// nobody must reach the binary and the folders: link or copy the
	// binary beside them and open the test's folders to others.
	for p := base; p != filepath.Dir(p) && p != os.TempDir(); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(base, "bin", "secondstory.test")
	if _, err := os.Stat(bin); err != nil {
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(os.Args[0], bin); err != nil {
			copyFile(t, os.Args[0], bin)
		}
		if err := os.Chmod(bin, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	argv, _ := json.Marshal(args)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = []string{"HOME=" + base, "SECONDSTORY_TEST_CHILD_ARGS=" + string(argv)}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatalf("run as nobody: %v", err)
	}
	return 0, stderr.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReadOnlyDataDir: serve and ingest over a data directory they may
// not write in fail at start, saying so, and leave the store as it was.
func TestReadOnlyDataDir(t *testing.T) {
	base := t.TempDir()
	data := filepath.Join(base, "data")
	folder := filepath.Join(base, "debriefs")
	copyTree(t, "../../ingest/sample/debriefs", folder)
	ingestCounts(t, noEnv, "--data", data, folder)
	before := readState(t, data)

	// Others may read everything and write nothing; for the owner, the
	// data directory alone is read-only.
	chmodTree(t, base, 0o755, 0o644)
	chmodTree(t, data, 0o555, 0o444)
	t.Cleanup(func() { chmodTree(t, data, 0o755, 0o644) })
	if err := os.Chmod(data, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--data", data, "--addr", "127.0.0.1:0"},
		{"ingest", "--data", data, folder},
		{"search", "--data", data, "queue"},
	} {
		code, stderr := runUnprivileged(t, base, args...)
		want := "the data directory " + data + " is not writable (permission denied)"
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", args[0], code, stderr, want)
		}
	}

	chmodTree(t, data, 0o755, 0o644)
	after := readState(t, data)
	if !maps.Equal(before.debriefs, after.debriefs) || !slices.Equal(before.indexed, after.indexed) {
		t.Errorf("the store or index changed: %d/%d debriefs, %d/%d indexed", len(before.debriefs), len(after.debriefs), len(before.indexed), len(after.indexed))
	}
	var seen, added, updated, unchanged int
	fmt.Sscanf(ingestCounts(t, noEnv, "--data", data, folder), "%d %d %d %d", &seen, &added, &updated, &unchanged)
	if added+updated != 0 || unchanged != len(before.visible()) {
		t.Errorf("ingest once writable again: %d added, %d updated, %d unchanged; want all %d unchanged", added, updated, unchanged, len(before.visible()))
	}
}
