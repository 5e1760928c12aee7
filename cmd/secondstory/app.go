package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/sample"
)

// app is an opened data directory: its lock, the store and the index.
type app struct {
	cfg      *Config
	log      *slog.Logger
	lock     *dataLock
	store    *analytics.Store
	index    *index.Index
	assessor *assess.Assessor
	// observer, when set, is told of every pass (serve's metrics).
	observer ingest.PassObserver
}

// Files in the data directory.
const (
	storeFile = "secondstory.duckdb"
	indexDir  = "index.bleve"
)

// openApp takes the data directory's lock and opens the store and the
// index. The index is not yet checked against the store: call
// index.Check (serve does it in the background).
func openApp(ctx context.Context, cfg *Config, log *slog.Logger, command, addr string) (*app, error) {
	if err := checkDataDir(cfg.Data); err != nil {
		return nil, err
	}
	lock, err := lockDataDir(cfg.Data, command, addr)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, lock: lock, assessor: assess.New(cfg.catalog)}
	a.store, err = analytics.Open(ctx, filepath.Join(cfg.Data, storeFile), analytics.Options{Logger: log})
	if err != nil {
		a.close()
		var le *analytics.LockedError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("the store in %s is held by another process (%s); stop it first", absDir(cfg.Data), le.Holder)
		}
		return nil, err
	}
	a.index, err = index.Open(ctx, filepath.Join(cfg.Data, indexDir), a.store, index.Options{Logger: log})
	if err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// openData loads the configuration and opens the data directory for a
// one-shot command (reindex, reassess, search), which logs only warnings
// and errors.
func openData(ctx context.Context, env *environment, f commonFlags, command string) (*app, *slog.Logger, error) {
	cfg, err := configure(env, f)
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(env.stderr, LogConfig{Level: "warn", Format: cfg.Log.Format})
	a, err := openApp(ctx, cfg, log, command, "")
	if err != nil {
		return nil, nil, err
	}
	return a, log, nil
}

// close closes the index, then the store (last, so its write-ahead log is
// flushed), then releases the lock.
func (a *app) close() {
	if a.index != nil {
		if err := a.index.Close(); err != nil {
			a.log.Error("closing the search index failed", "err", err)
		}
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("closing the store failed", "err", err)
		}
	}
	if a.lock != nil {
		a.lock.release()
	}
}

func (a *app) runner(log *slog.Logger) *ingest.Runner {
	return ingest.NewRunner(ingest.RunnerOptions{Store: a.store, Index: a.index, Assessor: a.assessor, Logger: log, Observer: a.observer})
}

// openSource builds the source a config entry describes. close releases
// what it holds (an open folder).
func openSource(sc SourceConfig, maxFileSize int64) (src ingest.Source, closeFn func(), err error) {
	opts := dir.Options{Include: sc.Include, Exclude: sc.Exclude, MaxFileSize: maxFileSize}
	switch sc.Kind {
	case "sample":
		return dir.NewFS(sample.FS(), opts), func() {}, nil
	case "dir":
		d, err := dir.Open(sc.Path, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("source %s: %w", sc.Name, err)
		}
		return d, func() { d.Close() }, nil
	}
	src, err = newRemoteSource(&sc, maxFileSize)
	if err != nil {
		return nil, nil, fmt.Errorf("source %s: %w", sc.Name, err)
	}
	return src, func() {}, nil
}
