package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Store is what a pass needs from the store of debriefs.
type Store interface {
	StartRun(ctx context.Context, source string, at time.Time) (int64, error)
	// FinishRun records the outcome of a pass and, when it succeeded,
	// stores cursor as the source's watermark in the same transaction.
	FinishRun(ctx context.Context, run *Run, cursor string) error
	Cursor(ctx context.Context, source string) (string, error)
	// Documents returns the stored state of every document of source that
	// still has visible debriefs, keyed by document ref.
	Documents(ctx context.Context, source string) (map[string]StoredDocument, error)
	Apply(ctx context.Context, c Change) (Applied, error)
	// Unassessed returns, in id order after the id given, up to limit
	// visible debriefs not assessed with the catalog version given;
	// SaveAssessments stores new assessments of stored debriefs.
	Unassessed(ctx context.Context, version, after string, limit int) ([]*Debrief, error)
	SaveAssessments(ctx context.Context, ds []*Debrief) (Applied, error)
}

// Indexer keeps the search index in step with the store.
type Indexer interface {
	// Apply indexes or deletes the items of the change numbered seq and
	// records that the index has applied every change up to seq.
	Apply(ctx context.Context, seq int64, items []IndexItem) error
	// CatchUp applies every change the store committed that the index has
	// not, left behind by a crash or a failed index write.
	CatchUp(ctx context.Context) (int, error)
}

// Assessor analyses a normalised debrief between normalising and storing:
// the seam where factors, question coverage and depth are computed. Assess
// sets d.Assessment; it must be a pure function of the debrief and the
// catalog, safe for concurrent use. Version identifies the catalog: stored
// assessments of another version are made again (Reassess).
type Assessor interface {
	Assess(d *Debrief)
	Version() string
}

// ErrRunning is returned by Runner.Run when a pass of the same source is
// already under way.
var ErrRunning = errors.New("a pass of this source is already running")

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	Store    Store
	Index    Indexer
	Assessor Assessor // optional
	Logger   *slog.Logger
	Now      func() time.Time
	// Workers parse documents in parallel; GOMAXPROCS when zero.
	Workers int
	// BatchSize is the number of debriefs written per transaction.
	BatchSize int
	// Observer, when set, is told of every pass as it ends.
	Observer PassObserver
}

// Runner executes passes of sources: fetch, normalise, assess, store in
// batched transactions, index, and record the run.
type Runner struct {
	opts    RunnerOptions
	log     *slog.Logger
	mu      sync.Mutex
	running map[string]bool
	// reassessMu lets one Reassess run at a time.
	reassessMu sync.Mutex
}

// NewRunner returns a runner over a store and an index.
func NewRunner(opts RunnerOptions) *Runner {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	return &Runner{opts: opts, log: opts.Logger, running: map[string]bool{}}
}

// Running reports whether a pass of the named source is under way.
func (r *Runner) Running(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[name]
}

// Progress is reported as a pass advances.
type Progress struct {
	Source string
	Counts
}

// Run executes one pass of src under the given source name. It returns the
// run record; err is non-nil only when the pass failed as a whole (the
// record then says why). Documents that fail are recorded in the run and
// the pass goes on. progress, when not nil, is called from the writing
// goroutine after each batch.
func (r *Runner) Run(ctx context.Context, name string, src Source, progress func(Progress)) (*Run, error) {
	r.mu.Lock()
	if r.running[name] {
		r.mu.Unlock()
		return nil, fmt.Errorf("source %s: %w", name, ErrRunning)
	}
	r.running[name] = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, name)
		r.mu.Unlock()
	}()

	run := &Run{Source: name, StartedAt: r.opts.Now(), Status: RunRunning}
	id, err := r.opts.Store.StartRun(ctx, name, run.StartedAt)
	if err != nil {
		return nil, fmt.Errorf("source %s: record run start: %w", name, err)
	}
	run.ID = id
	log := r.log.With("source", name, "run", id)
	log.Info("pass started")

	cursor, passErr := r.pass(ctx, name, src, run, progress)
	run.EndedAt = r.opts.Now()
	run.Status = RunOK
	switch {
	case passErr != nil && ctx.Err() != nil:
		run.Status, run.Error = failureReason(ctx, passErr)
	case passErr != nil:
		run.Status = RunFailed
		run.Error = passErr.Error()
	}
	// Record the outcome even when ctx was cancelled (shutdown), so the
	// run does not stay "running".
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if r.opts.Observer != nil {
		defer r.opts.Observer.PassFinished(*run)
	}
	if err := r.opts.Store.FinishRun(finishCtx, run, cursor); err != nil {
		return run, fmt.Errorf("source %s: record run: %w", name, err)
	}
	log.Info("pass finished", "status", run.Status, "seen", run.Seen, "added", run.Added,
		"updated", run.Updated, "unchanged", run.Unchanged, "removed", run.Removed,
		"skipped", run.Skipped, "failed", run.Failed, "took", run.EndedAt.Sub(run.StartedAt).Round(time.Millisecond),
		"error", run.Error)
	if passErr != nil {
		return run, fmt.Errorf("source %s: %w", name, passErr)
	}
	return run, nil
}

// parsed is the outcome of one document on its way to the writer.
type parsed struct {
	ref      string
	hash     string
	debriefs []*Debrief
	skip     bool
	err      error
}

// maxRecordedFailures bounds what one run stores of its failures; the count
// stays exact.
const maxRecordedFailures = 1000

func (r *Runner) pass(ctx context.Context, name string, src Source, run *Run, progress func(Progress)) (string, error) {
	// Bring the index in step first: a crash may have left committed
	// changes unindexed.
	if _, err := r.opts.Index.CatchUp(ctx); err != nil {
		return "", fmt.Errorf("bring index up to date: %w", err)
	}
	cursor, err := r.opts.Store.Cursor(ctx, name)
	if err != nil {
		return "", fmt.Errorf("read watermark: %w", err)
	}
	known, err := r.opts.Store.Documents(ctx, name)
	if err != nil {
		return "", fmt.Errorf("read stored documents: %w", err)
	}

	// Four stages run at once: the source lists documents; workers parse
	// and assess them; one writer commits batches to the store; one
	// indexer applies each committed batch to the search index while the
	// writer prepares the next.
	g, gctx := errgroup.WithContext(ctx)
	docs := make(chan Document, 4*r.opts.Workers)
	out := make(chan parsed, 4*r.opts.Workers)
	toIndex := make(chan Applied, 1)

	// seen and fetched are written by the fetcher and read by the writer
	// once docs is closed and drained.
	seen := make(map[string]bool, len(known))
	var fetched Fetched
	var fetchErr error
	g.Go(func() error {
		defer close(docs)
		// emitMu and left let a source that is left behind (it ignored
		// the end of the pass) call emit without touching seen or docs.
		var emitMu sync.Mutex
		left := false
		emit := func(d Document) error {
			emitMu.Lock()
			defer emitMu.Unlock()
			if left {
				return context.Cause(gctx)
			}
			if d.Ref == "" {
				return errors.New("source emitted a document without a ref")
			}
			seen[d.Ref] = true
			select {
			case docs <- d:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		fetched, fetchErr = safeFetch(gctx, src, cursor, emit, func() {
			emitMu.Lock()
			left = true
			emitMu.Unlock()
		})
		// A source failing as a whole is not a reason to stop writing
		// what was already parsed; it is reported once writing is done.
		if fetchErr != nil && gctx.Err() != nil {
			return fetchErr
		}
		return nil
	})

	var workers sync.WaitGroup
	for range r.opts.Workers {
		workers.Go(func() {
			for d := range docs {
				p := r.prepare(gctx, name, d, known)
				select {
				case out <- p:
				case <-gctx.Done():
					return
				}
			}
		})
	}
	go func() {
		workers.Wait()
		close(out)
	}()

	w := &writer{r: r, ctx: gctx, name: name, run: run, known: known, progress: progress, toIndex: toIndex}
	g.Go(func() error {
		defer close(toIndex)
		for {
			// Once the pass is cancelled the writer stops at once rather
			// than wait for every worker: one stuck in a parser that
			// never returns must not hold the pass.
			var p parsed
			var more bool
			select {
			case p, more = <-out:
			case <-gctx.Done():
				return context.Cause(gctx)
			}
			if !more {
				break
			}
			if err := w.add(p); err != nil {
				return err
			}
		}
		// out also closes when the pass is cancelled and the workers stop
		// early, possibly before the fetcher has returned: fetched and
		// fetchErr may be read only when the listing ended by itself.
		if gctx.Err() != nil {
			return context.Cause(gctx)
		}
		if fetchErr != nil {
			return w.flush()
		}
		// The listing is over and everything seen is written: what the
		// source no longer holds is marked removed.
		if fetched.Complete {
			for ref, doc := range known {
				if !seen[ref] {
					w.remove = append(w.remove, doc.IDs...)
				}
			}
		}
		for _, ref := range fetched.Removed {
			if doc, ok := known[ref]; ok && !seen[ref] {
				w.remove = append(w.remove, doc.IDs...)
			}
		}
		return w.flush()
	})

	g.Go(func() error {
		for a := range toIndex {
			if err := r.opts.Index.Apply(gctx, a.Seq, a.Index); err != nil {
				// Stored but not indexed: the next catch-up indexes it.
				for range toIndex {
				}
				return fmt.Errorf("index %d debriefs: %w", len(a.Index), err)
			}
		}
		return nil
	})

	if err := g.Wait(); err != nil {
		if errors.Is(fetchErr, errAbandoned) {
			return "", fetchErr // say that the source was left behind
		}
		return "", err
	}
	if fetchErr != nil {
		return "", fetchErr
	}
	return fetched.Cursor, nil
}

// prepare turns one document into debriefs ready to store, or into a
// recorded failure. Unchanged documents are not parsed at all.
func (r *Runner) prepare(ctx context.Context, name string, d Document, known map[string]StoredDocument) parsed {
	p := parsed{ref: d.Ref, hash: d.Hash}
	if d.Err != nil {
		p.err = d.Err
		return p
	}
	if k, ok := known[d.Ref]; ok && d.Hash != "" && k.Hash == d.Hash {
		p.debriefs = nil
		return p // unchanged: the writer counts its stored debriefs
	}
	if d.Parse == nil {
		p.err = errors.New("source gave no way to read this document")
		return p
	}
	ds, err := safeParse(ctx, d)
	if errors.Is(err, ErrSkip) {
		p.skip = true
		return p
	}
	if err != nil {
		p.err = err
		return p
	}
	if len(ds) == 0 {
		p.err = errors.New("no debrief found in the document")
		return p
	}
	for i := range ds {
		if err := checkText(&ds[i]); err != nil {
			p.err = err
			return p
		}
	}
	now := r.opts.Now()
	p.debriefs = make([]*Debrief, 0, len(ds))
	refs := make(map[string]bool, len(ds))
	for i := range ds {
		db := &ds[i]
		db.Source = name
		if db.Ref == "" {
			db.Ref = d.Ref
		}
		// Two debriefs of one document must not share an id.
		if base := db.Ref; refs[base] {
			for n := 2; refs[db.Ref]; n++ {
				db.Ref = fmt.Sprintf("%s~%d", base, n)
			}
		}
		refs[db.Ref] = true
		if db.Document == "" {
			db.Document = d.Ref
		}
		db.ID = DebriefID(name, db.Ref)
		if r.opts.Assessor != nil {
			r.assess(db)
		}
		db.Hash = ContentHash(db)
		db.FetchedAt = now
		p.debriefs = append(p.debriefs, db)
	}
	return p
}

// safeParse turns a panic in a parser into a recorded failure of that one
// document: a parser bug must not take the pass, or the server, down.
func safeParse(ctx context.Context, d Document) (ds []Debrief, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error while parsing (please report it): %v", v)
		}
	}()
	return d.Parse(ctx)
}

// writer batches parsed documents into store transactions and index
// batches. It runs on one goroutine: DuckDB and Bleve are single-writer.
type writer struct {
	r        *Runner
	ctx      context.Context
	name     string
	run      *Run
	known    map[string]StoredDocument
	progress func(Progress)

	toIndex chan<- Applied

	upsert []Record
	remove []string
}

func (w *writer) add(p parsed) error {
	w.run.Seen++
	switch {
	case p.err != nil:
		w.run.Failed++
		if len(w.run.Failures) < maxRecordedFailures {
			w.run.Failures = append(w.run.Failures, Failure{Ref: p.ref, Reason: p.err.Error()})
		}
		w.r.log.Warn("document failed", "source", w.name, "ref", p.ref, "reason", p.err)
	case p.skip:
		w.run.Skipped++
		// A document that is no longer a debrief takes its debriefs along.
		w.remove = append(w.remove, w.known[p.ref].IDs...)
	case p.debriefs == nil:
		w.run.Unchanged += len(w.known[p.ref].IDs)
	default:
		fresh := make(map[string]bool, len(p.debriefs))
		for _, d := range p.debriefs {
			fresh[d.ID] = true
			w.upsert = append(w.upsert, Record{Debrief: d, DocHash: p.hash})
		}
		// Debriefs the document no longer holds (an array that shrank).
		for _, id := range w.known[p.ref].IDs {
			if !fresh[id] {
				w.remove = append(w.remove, id)
			}
		}
	}
	if len(w.upsert)+len(w.remove) >= w.r.opts.BatchSize {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.upsert) == 0 && len(w.remove) == 0 {
		w.report()
		return nil
	}
	applied, err := w.r.opts.Store.Apply(w.ctx, Change{Upsert: w.upsert, Remove: w.remove, At: w.r.opts.Now()})
	if err != nil {
		return fmt.Errorf("store %d debriefs: %w", len(w.upsert), err)
	}
	w.run.Added += applied.Added
	w.run.Updated += applied.Updated
	w.run.Unchanged += applied.Unchanged
	w.run.Removed += applied.Removed
	// The batch's records now belong to the indexer: start new slices.
	w.upsert, w.remove = nil, nil
	if len(applied.Index) > 0 {
		select {
		case w.toIndex <- applied:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
	}
	w.report()
	return nil
}

func (w *writer) report() {
	if w.progress != nil {
		w.progress(Progress{Source: w.name, Counts: w.run.Counts})
	}
}
