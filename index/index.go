package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/secondstory/secondstory/ingest"
)

// Store is what the index needs from the store of debriefs.
type Store interface {
	// ID identifies the store; an index built from another one is stale.
	ID() string
	// Changes lists changes in order after the position (seq, id).
	Changes(ctx context.Context, seq int64, id string, limit int) ([]ingest.IndexItem, error)
	// IndexState counts the visible debriefs and the changes after seq.
	IndexState(ctx context.Context, seq int64) (visible, pending int, err error)
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
	// seq is the watermark: every store change numbered up to it is in the
	// index. It is written in the same batch as the documents. Changes may
	// arrive out of order (passes of two sources at once): done holds those
	// applied above the watermark, which moves only over a contiguous run,
	// since the store numbers its committed changes without gaps.
	seq  int64
	done map[int64]bool
	// analyzer is the prose analyzer the mapping uses, for queries and
	// highlights.
	analyzer *proseAnalyzer
	// mapping and tables belong to idx, and change with it.
	mapping mapping.IndexMapping
	tables  *tables
	// splitAbove is where searches split (splitAbove; tests lower it).
	splitAbove uint64
	// scratches holds what searches work in (*scratch).
	scratches sync.Pool
}

// use makes idx the index searched and written. The caller holds mu, or
// is Open.
func (x *Index) use(idx bleve.Index) {
	x.idx, x.mapping, x.tables = idx, idx.Mapping(), newTables()
}

const (
	keyVersion = "secondstory.mapping_version"
	keyStore   = "secondstory.store_id"
	keySeq     = "secondstory.applied_seq"
)

// Open opens the index in dir (in memory when dir is ""), creating it when
// missing. An index of another mapping version, built from another store,
// or unreadable is replaced by an empty one; Check then fills it from the
// store.
func Open(ctx context.Context, dir string, st Store, opts Options) (*Index, error) {
	x := &Index{dir: dir, store: st, log: opts.Logger, batch: opts.BatchSize, done: map[int64]bool{}, analyzer: registerAnalysis(), splitAbove: splitAbove}
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
		idx, err := bleve.OpenUsing(dir, scorchConfig())
		switch {
		case err == nil:
			reason := x.stale(idx)
			if reason == "" {
				x.use(idx)
				x.seq = appliedSeq(idx)
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
	x.use(idx)
	return x, nil
}

// appliedSeq reads an index's watermark; 0 when it has none.
func appliedSeq(idx bleve.Index) int64 {
	b, err := idx.GetInternal([]byte(keySeq))
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

const rebuildSuffix = ".rebuild"

// scorchConfig lets a batch return once it is searchable, without waiting
// for Bleve to write it to disk. That is safe here: the watermark travels
// in the same batch as the documents, so after a crash the index reopens
// at the last batch that reached the disk, with that batch's watermark, and
// catching up with the store re-applies the rest. Close waits for the disk.
func scorchConfig() map[string]any {
	return map[string]any{"unsafe_batch": true}
}

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
	m := newMapping()
	// Scorch with no path keeps its segments in memory.
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, scorchConfig())
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
	err := x.persist(x.idx, x.seq)
	if cerr := x.idx.Close(); err == nil {
		err = cerr
	}
	x.idx = nil
	return err
}

// persistWait bounds how long Close waits for the index to reach the disk.
const persistWait = 30 * time.Second

// persist waits until every batch applied to idx is on disk, by applying
// one more batch (the watermark again) and waiting for Bleve to report it
// persisted with the watermark seq; batches persist in order. The caller
// holds writeMu.
func (x *Index) persist(idx bleve.Index, seq int64) error {
	if x.dir == "" {
		return nil
	}
	done := make(chan error, 1)
	b := idx.NewBatch()
	b.SetInternal([]byte(keySeq), []byte(strconv.FormatInt(seq, 10)))
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: flush: %w", err)
	}
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("index: write to disk: %w", err)
		}
		return nil
	case <-time.After(persistWait):
		// Nothing is lost: the next start catches up from the store.
		return fmt.Errorf("index: not written to disk after %s; the next start catches up from the store", persistWait)
	}
}

// Apply indexes (or deletes) the items of the store change numbered seq in
// one batch, which also records the index's new watermark. A search sees
// either the old or the new version of a debrief, never a mix.
func (x *Index) Apply(ctx context.Context, seq int64, items []ingest.IndexItem) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.RLock()
	idx := x.idx
	x.mu.RUnlock()
	if idx == nil {
		return errors.New("index: closed")
	}
	if seq <= x.seq {
		// A catch-up already applied this change, or a later one of the
		// same debriefs: applying it now could only bring back the past.
		return nil
	}
	x.done[seq] = true
	mark := x.seq
	for x.done[mark+1] {
		mark++
	}
	if err := x.applyTo(ctx, idx, items, mark); err != nil {
		delete(x.done, seq)
		return err
	}
	x.advance(mark)
	return nil
}

// advance moves the watermark to mark; the caller holds writeMu.
func (x *Index) advance(mark int64) {
	if mark <= x.seq {
		return
	}
	for s := range x.done {
		if s <= mark {
			delete(x.done, s)
		}
	}
	x.seq = mark
}

// applyTo writes one batch to idx, recording seq as its watermark; the
// caller holds writeMu and never moves a watermark back.
func (x *Index) applyTo(ctx context.Context, idx bleve.Index, items []ingest.IndexItem, seq int64) error {
	b := idx.NewBatch()
	for _, it := range items {
		if it.Debrief == nil {
			b.Delete(it.ID)
			continue
		}
		if err := b.IndexAdvanced(x.document(it.ID, it.Debrief)); err != nil {
			return fmt.Errorf("index: debrief %s: %w", it.ID, err)
		}
	}
	b.SetInternal([]byte(keySeq), []byte(strconv.FormatInt(seq, 10)))
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: write batch of %d: %w", len(items), err)
	}
	x.warm(idx)
	return nil
}

// warm reads the facet tables of segments new since the last search or
// batch, here on the writer's time rather than a search's: a segment
// merged from 100,000 debriefs takes about half a second to read.
func (x *Index) warm(idx bleve.Index) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if idx != x.idx {
		return // a rebuild's index: its tables come with it
	}
	v, err := x.tables.view(idx)
	if err != nil {
		x.log.Warn("reading the search index's facet tables failed", "err", err)
		return
	}
	v.Close()
}

// CatchUp applies every change the store holds after the index's watermark
// and returns how many it applied.
func (x *Index) CatchUp(ctx context.Context) (int, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.RLock()
	idx := x.idx
	x.mu.RUnlock()
	if idx == nil {
		return 0, errors.New("index: closed")
	}
	n, seq, err := x.fill(ctx, idx, x.seq)
	// Changes applied out of order just above the caught-up ones join them.
	for x.done[seq+1] {
		seq++
	}
	x.advance(seq)
	return n, err
}

// fill applies to idx the store's changes after seq, page by page; the
// caller holds writeMu. It returns the number applied and the watermark
// recorded in idx.
func (x *Index) fill(ctx context.Context, idx bleve.Index, seq int64) (int, int64, error) {
	total, applied, last := 0, seq, seq
	// Pages are read by position (change number, id). Ids are never
	// empty, so (seq+1, "") comes just before the first change after seq.
	cursor, id := seq+1, ""
	for {
		items, err := x.store.Changes(ctx, cursor, id, x.batch)
		if err != nil {
			return total, applied, err
		}
		if len(items) == 0 {
			break
		}
		end := items[len(items)-1]
		// A full page may stop inside a change: the watermark stays below
		// it until the change's last item is applied.
		mark := end.Seq
		if len(items) == x.batch {
			mark--
		}
		mark = max(mark, applied)
		if err := x.applyTo(ctx, idx, items, mark); err != nil {
			return total, applied, err
		}
		applied, last = mark, end.Seq
		cursor, id = end.Seq, end.ID
		total += len(items)
	}
	if last > applied {
		if err := x.applyTo(ctx, idx, nil, last); err != nil {
			return total, applied, err
		}
		applied = last
	}
	return total, applied, nil
}

// Check brings the index in step with the store at start: it applies the
// changes after its watermark, then rebuilds from scratch if the index still
// does not hold exactly the visible debriefs (a lost or damaged index).
func (x *Index) Check(ctx context.Context) error {
	n, err := x.CatchUp(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		x.log.Info("search index caught up with the store", "debriefs", n)
	}
	visible, _, err := x.store.IndexState(ctx, x.Watermark())
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
	n, seq, err := x.fill(ctx, fresh, 0)
	if err != nil {
		fresh.Close()
		return err
	}
	if x.dir != "" {
		// Bleve keeps its path open: write to disk, close, move into
		// place, reopen.
		if err := x.persist(fresh, seq); err != nil {
			fresh.Close()
			return err
		}
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
		if fresh, err = bleve.OpenUsing(x.dir, scorchConfig()); err != nil {
			return fmt.Errorf("index: open rebuilt index: %w", err)
		}
	}
	x.use(fresh)
	x.seq = seq
	clear(x.done)
	x.log.Info("search index rebuilt", "debriefs", n)
	return nil
}

// Watermark is the number of the last store change the index has applied.
func (x *Index) Watermark() int64 {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	return x.seq
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

// IDs returns the ids of every debrief in the index, sorted: what a
// consistency check compares with the store.
func (x *Index) IDs(ctx context.Context) ([]string, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return nil, errors.New("index: closed")
	}
	n, err := x.idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("index: count: %w", err)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(n), 0, false)
	req.SortBy([]string{"_id"})
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: list ids: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}
