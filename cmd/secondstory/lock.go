package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dataLock is an exclusive hold on a data directory, so that a CLI command
// and a server never write the same store at once, and the one that cannot
// get in can say who holds it.
type dataLock struct {
	f    *os.File
	path string
}

// holder is written into the lock file by whoever holds it.
type holder struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Addr    string `json:"addr,omitempty"`
}

// errLocked is returned when another process holds the data directory.
type errLocked struct {
	dir string
	h   holder
}

func (e *errLocked) Error() string {
	switch {
	case e.h.Command == "serve" && e.h.Addr != "":
		return fmt.Sprintf("the data directory %s is in use by a running secondstory server (pid %d, http://%s).\n"+
			"Stop that server first, or ask it to run a source now:\n  curl -X POST http://%s/api/v1/sources/NAME/run",
			e.dir, e.h.PID, e.h.Addr, e.h.Addr)
	case e.h.PID != 0:
		return fmt.Sprintf("the data directory %s is in use by another secondstory process (pid %d, %q); wait for it to finish or stop it",
			e.dir, e.h.PID, e.h.Command)
	}
	return fmt.Sprintf("the data directory %s is in use by another process", e.dir)
}

// lockDataDir creates dir if needed and takes its lock.
func lockDataDir(dir, command, addr string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "secondstory.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, errWouldBlock) {
			var h holder
			b, _ := os.ReadFile(path)
			_ = json.Unmarshal(b, &h)
			return nil, &errLocked{dir: dir, h: h}
		}
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	b, _ := json.Marshal(holder{PID: os.Getpid(), Command: command, Addr: addr})
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(b, 0)
	}
	return &dataLock{f: f, path: path}, nil
}

// setAddr records the address the server actually listens on.
func (l *dataLock) setAddr(addr string) {
	b, _ := json.Marshal(holder{PID: os.Getpid(), Command: "serve", Addr: addr})
	if err := l.f.Truncate(0); err == nil {
		_, _ = l.f.WriteAt(b, 0)
	}
}

func (l *dataLock) release() {
	_ = l.f.Truncate(0)
	_ = unlock(l.f)
	_ = l.f.Close()
}

// absDir shows a directory as an absolute path where it can.
func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return strings.TrimSpace(dir)
}
