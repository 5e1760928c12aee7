package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/secondstory/secondstory/ingest"
)

// Store is what the index needs from the store of debriefs: the revisions
// it lacks, and a place to record what it holds.
type Store interface {
	// ID identifies the store; an index built from another one is stale.
	ID() string
	Unindexed(ctx context.Context, limit int) ([]ingest.IndexItem, error)
	MarkIndexed(ctx context.Context, items []ingest.IndexItem) error
	ResetIndexed(ctx context.Context) error
	IndexState(ctx context.Context) (visible, pending int, err error)
}

// Options configure Open.
type Options struct {
	Logger *slog.Logger
	// BatchSize is the number of revisions indexed per batch when catching
	// up with the store.
	BatchSize int
}

// Index is the Bleve full-text index over the visible debriefs. It is
// derived data: it can always be rebuilt from the store.
type Index struct {
	dir   string
	store Store
	log   *slog.Logger
	batch int

	// mu guards idx: searches hold it shared, a rebuild swaps the index
	// under it exclusively.
	mu  sync.RWMutex
	idx bleve.Index
	// writeMu serialises writers: Bleve batches are applied one at a time.
	writeMu sync.Mutex
}

const (
	keyVersion = "secondstory.mapping_version"
	keyStore   = "secondstory.store_id"
)

// Open opens the index in dir (in memory when dir is ""), creating it when
// missing. An index of another mapping version, built from another store,
// or unreadable is replaced by an empty one, and the store is told to
// index everything again; Check then fills it.
func Open(ctx context.Context, dir string, st Store, opts Options) (*Index, error) {
	x := &Index{dir: dir, store: st, log: opts.Logger, batch: opts.BatchSize}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	if x.batch <= 0 {
		x.batch = 1000
	}
	if dir != "" {
		// A rebuild cut short leaves its work behind.
		if err := os.RemoveAll(dir + rebuildSuffix); err != nil {
			return nil, fmt.Errorf("index: remove unfinished rebuild: %w", err)
		}
		idx, err := bleve.Open(dir)
		switch {
		case err == nil:
			reason := x.stale(idx)
			if reason == "" {
				x.idx = idx
				return x, nil
			}
			x.log.Info("search index will be rebuilt", "reason", reason)
			if err := idx.Close(); err != nil {
				return nil, fmt.Errorf("index: close stale index: %w", err)
			}
		case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
			x.log.Info("search index will be built", "dir", dir)
		default:
			x.log.Warn("search index unreadable, it will be rebuilt", "dir", dir, "err", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("index: remove %s: %w", dir, err)
		}
	}
	idx, err := x.create(dir)
	if err != nil {
		return nil, err
	}
	if err := st.ResetIndexed(ctx); err != nil {
		idx.Close()
		return nil, err
	}
	x.idx = idx
	return x, nil
}

const rebuildSuffix = ".rebuild"

// stale says why an existing index cannot be used, or "" if it can.
func (x *Index) stale(idx bleve.Index) string {
	v, err := idx.GetInternal([]byte(keyVersion))
	if err != nil || string(v) != strconv.Itoa(Version) {
		return fmt.Sprintf("mapping version %q, this build uses %d", v, Version)
	}
	s, err := idx.GetInternal([]byte(keyStore))
	if err != nil || string(s) != x.store.ID() {
		return "built from another store, or its rebuild was cut short"
	}
	return ""
}

// create makes an empty index of the current mapping at path (in memory
// when path is ""), stamped with the mapping version and the store id.
func (x *Index) create(path string) (bleve.Index, error) {
	var idx bleve.Index
	var err error
	if path == "" {
		idx, err = bleve.NewMemOnly(newMapping())
	} else {
		idx, err = bleve.New(path, newMapping())
	}
	if err != nil {
		return nil, fmt.Errorf("index: create: %w", err)
	}
	b := idx.NewBatch()
	b.SetInternal([]byte(keyVersion), []byte(strconv.Itoa(Version)))
	b.SetInternal([]byte(keyStore), []byte(x.store.ID()))
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index: write header: %w", err)
	}
	return idx, nil
}

// Close closes the index.
func (x *Index) Close() error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	return err
}

// Apply indexes (or deletes) the given revisions in one batch and records
// in the store that the index holds them. A search sees either the old or
// the new version of a debrief, never a mix.
func (x *Index) Apply(ctx context.Context, items []ingest.IndexItem) error {
	if len(items) == 0 {
		return nil
	}
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.RLock()
	idx := x.idx
	x.mu.RUnlock()
	if idx == nil {
		return errors.New("index: closed")
	}
	return x.applyTo(ctx, idx, items)
}

// applyTo writes one batch to idx; the caller holds writeMu.
func (x *Index) applyTo(ctx context.Context, idx bleve.Index, items []ingest.IndexItem) error {
	b := idx.NewBatch()
	for _, it := range items {
		if it.Debrief == nil {
			b.Delete(it.ID)
			continue
		}
		if err := b.Index(it.ID, document(it.Debrief)); err != nil {
			return fmt.Errorf("index: debrief %s: %w", it.ID, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: write batch of %d: %w", len(items), err)
	}
	return x.store.MarkIndexed(ctx, items)
}

// CatchUp indexes every revision the store holds that the index lacks and
// returns how many it applied.
func (x *Index) CatchUp(ctx context.Context) (int, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.RLock()
	idx := x.idx
	x.mu.RUnlock()
	if idx == nil {
		return 0, errors.New("index: closed")
	}
	return x.fill(ctx, idx)
}

// fill applies the store's pending revisions to idx; the caller holds
// writeMu.
func (x *Index) fill(ctx context.Context, idx bleve.Index) (int, error) {
	total := 0
	for {
		items, err := x.store.Unindexed(ctx, x.batch)
		if err != nil {
			return total, err
		}
		if len(items) == 0 {
			return total, nil
		}
		if err := x.applyTo(ctx, idx, items); err != nil {
			return total, err
		}
		total += len(items)
	}
}

// Check brings the index in step with the store at start: it catches up
// with pending revisions, then rebuilds from scratch if the index still
// does not hold exactly the visible debriefs (a lost or damaged index).
func (x *Index) Check(ctx context.Context) error {
	n, err := x.CatchUp(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		x.log.Info("search index caught up with the store", "debriefs", n)
	}
	visible, _, err := x.store.IndexState(ctx)
	if err != nil {
		return err
	}
	count, err := x.DocCount()
	if err != nil {
		return err
	}
	if count == uint64(visible) {
		return nil
	}
	x.log.Warn("search index out of step with the store, rebuilding", "indexed", count, "visible", visible)
	return x.Rebuild(ctx)
}

// Rebuild replaces the index with one built from the store. Searches keep
// using the old index until the new one is complete; writers wait.
func (x *Index) Rebuild(ctx context.Context) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.RLock()
	old := x.idx
	x.mu.RUnlock()
	if old == nil {
		return errors.New("index: closed")
	}
	// Should this rebuild be cut short, the old index must not pass for
	// one in step with the store at the next start.
	if err := old.SetInternal([]byte(keyStore), []byte("rebuilding")); err != nil {
		return fmt.Errorf("index: mark rebuild: %w", err)
	}
	tmp := ""
	if x.dir != "" {
		tmp = x.dir + rebuildSuffix
		if err := os.RemoveAll(tmp); err != nil {
			return fmt.Errorf("index: remove %s: %w", tmp, err)
		}
	}
	fresh, err := x.create(tmp)
	if err != nil {
		return err
	}
	if err := x.store.ResetIndexed(ctx); err != nil {
		fresh.Close()
		return err
	}
	n, err := x.fill(ctx, fresh)
	if err != nil {
		fresh.Close()
		return err
	}
	if x.dir != "" {
		// Bleve keeps its path open: close, move into place, reopen.
		if err := fresh.Close(); err != nil {
			return fmt.Errorf("index: close rebuilt index: %w", err)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := old.Close(); err != nil {
		x.log.Warn("closing the replaced index failed", "err", err)
	}
	x.idx = nil
	if x.dir != "" {
		if err := os.RemoveAll(x.dir); err != nil {
			return fmt.Errorf("index: remove old index: %w", err)
		}
		if err := os.Rename(tmp, x.dir); err != nil {
			return fmt.Errorf("index: move rebuilt index into place: %w", err)
		}
		if fresh, err = bleve.Open(x.dir); err != nil {
			return fmt.Errorf("index: open rebuilt index: %w", err)
		}
	}
	x.idx = fresh
	x.log.Info("search index rebuilt", "debriefs", n)
	return nil
}

// DocCount returns the number of debriefs in the index.
func (x *Index) DocCount() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return 0, errors.New("index: closed")
	}
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index: count: %w", err)
	}
	return n, nil
}
