//go:build !unix

package main

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("lock held elsewhere")

// Without flock, DuckDB's own file lock still keeps two writers apart; it
// just cannot say who holds the directory.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
