package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkDataDir creates the data directory if needed and makes sure this
// process can write in it, and in the index folder within, before
// anything is opened: a read-only directory is then one clear error at
// start rather than a failure deep inside DuckDB or Bleve, or a server
// that answers and cannot ingest.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create the data directory %s: %w", absDir(dir), unwrapPath(err))
	}
	for _, d := range []string{dir, filepath.Join(dir, indexDir)} {
		if d != dir {
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				continue // made when the index is created
			}
		}
		if err := probeWrite(d); err != nil {
			return fmt.Errorf("the data directory %s is not writable (%v): Second Story keeps its store and search index there; "+
				"let the user running it write there, or choose another directory with --data or the data key", absDir(dir), err)
		}
	}
	return nil
}

// probeWrite writes, syncs and removes a small file in dir.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".secondstory-write-check-*")
	if err != nil {
		return unwrapPath(err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok\n"))
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return unwrapPath(err)
	}
	return nil
}

// treeSize is the bytes of the files under path, or those whose name
// starts with path's base name when path is a file (the store and its
// write-ahead log).
func treeSize(path string) func() (int64, error) {
	return func() (int64, error) {
		var n int64
		dir, base := filepath.Dir(path), filepath.Base(path)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return 0, err
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), base) {
				continue
			}
			// Bleve removes merged segments as it goes: a file gone
			// between listing and measuring is simply not counted.
			err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(_ string, d fs.DirEntry, err error) error {
				if err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						return nil
					}
					return err
				}
				if d.Type().IsRegular() {
					info, err := d.Info()
					if err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
					if err == nil {
						n += info.Size()
					}
				}
				return nil
			})
			if err != nil {
				return 0, err
			}
		}
		return n, nil
	}
}
