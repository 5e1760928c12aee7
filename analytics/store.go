package analytics

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a debrief, run or source is not in the store.
var ErrNotFound = errors.New("not found")

// Store is the DuckDB database holding debriefs, their assessments and the
// ingest log. It is safe for concurrent use: DuckDB serves readers while a
// single writer commits.
type Store struct {
	db  *sql.DB
	id  string
	log *slog.Logger
	now func() time.Time
	// writeMu makes the store single-writer: passes of different sources
	// may run at once; their batches commit one after the other, in the
	// order of their change numbers.
	writeMu sync.Mutex
	// seq is the number of the last committed change (guarded by writeMu).
	seq int64
}

// Options configure Open.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Open opens (creating if needed) the store at path and brings its schema up
// to date. An empty path opens a store in memory. A run left "running" by a
// process that died is marked interrupted.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", describePath(path), err)
	}
	s := &Store{db: db, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadID(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM debriefs`).Scan(&s.seq); err != nil {
		db.Close()
		return nil, fmt.Errorf("analytics: read change number: %w", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE runs SET status = 'interrupted', ended_at = started_at,
		error = 'the process stopped before the pass finished' WHERE status = 'running'`); err != nil {
		db.Close()
		return nil, fmt.Errorf("analytics: close interrupted runs: %w", err)
	}
	return s, nil
}

func describePath(path string) string {
	if path == "" {
		return "in-memory store"
	}
	return path
}

// Close flushes DuckDB's write-ahead log and closes the database.
func (s *Store) Close() error {
	if _, err := s.db.Exec(`CHECKPOINT`); err != nil {
		s.log.Warn("checkpoint before close failed", "err", err)
	}
	return s.db.Close()
}

// ID identifies this store; an index built from another store is stale.
func (s *Store) ID() string { return s.id }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) loadID(ctx context.Context) error {
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'store_id'`).Scan(&s.id)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("analytics: read store id: %w", err)
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("analytics: make store id: %w", err)
	}
	s.id = hex.EncodeToString(b)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta VALUES ('store_id', ?)`, s.id); err != nil {
		return fmt.Errorf("analytics: save store id: %w", err)
	}
	return nil
}

// migrate applies the numbered migrations not yet applied, each in its own
// transaction together with the schema version it brings.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return fmt.Errorf("analytics: create schema_version: %w", err)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("analytics: read schema version: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("analytics: list migrations: %w", err)
	}
	sort.Strings(files)
	latest := 0
	fill := false
	for _, f := range files {
		v, err := migrationVersion(f)
		if err != nil {
			return err
		}
		latest = max(latest, v)
		if v <= current {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return fmt.Errorf("analytics: read %s: %w", f, err)
		}
		if err := s.applyMigration(ctx, v, string(body)); err != nil {
			return fmt.Errorf("analytics: migration %s: %w", f, err)
		}
		s.log.Info("store schema migrated", "version", v)
		fill = fill || v == factsMigration
	}
	if current > latest {
		return fmt.Errorf("analytics: the store has schema version %d, newer than this build knows (%d): use a newer secondstory", current, latest)
	}
	if fill {
		return s.fillFacts(ctx)
	}
	return nil
}

// factsMigration creates the facts table, which is filled from the
// debriefs already stored once every migration is applied (later ones add
// tables the filling keeps too).
const factsMigration = 3

func migrationVersion(name string) (int, error) {
	base := strings.TrimPrefix(name, "migrations/")
	n, _, _ := strings.Cut(base, "_")
	v, err := strconv.Atoi(n)
	if err != nil {
		return 0, fmt.Errorf("analytics: migration %s does not start with a number", name)
	}
	return v, nil
}

func (s *Store) applyMigration(ctx context.Context, version int, body string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?, ?)`, version, s.now()); err != nil {
		return err
	}
	return tx.Commit()
}
