package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrNoAssessor is returned by Reassess on a runner without an Assessor.
var ErrNoAssessor = errors.New("no assessor configured")

// Reassess assesses again every visible debrief whose stored assessment
// was made with another catalog version (or that has none), stores the new
// assessments batch by batch and brings the search index in step. It
// returns the number reassessed. progress, when not nil, is called after
// each batch with the number done so far. Only one Reassess runs at a time
// on a runner; a second call waits for the first, then finds little left.
// It reads debriefs, then writes their assessments: run it when no pass is
// writing (serve runs it before starting the scheduler, ingest before its
// passes), or a debrief changed in between could get the assessment of its
// previous version.
func (r *Runner) Reassess(ctx context.Context, progress func(done int)) (int, error) {
	a := r.opts.Assessor
	if a == nil {
		return 0, ErrNoAssessor
	}
	r.reassessMu.Lock()
	defer r.reassessMu.Unlock()
	version := a.Version()
	done, after := 0, ""
	for {
		ds, err := r.opts.Store.Unassessed(ctx, version, after, r.opts.BatchSize)
		if err != nil {
			return done, fmt.Errorf("reassess: %w", err)
		}
		if len(ds) == 0 {
			return done, nil
		}
		after = ds[len(ds)-1].ID
		// Assessment is pure CPU work: spread it over the workers.
		var wg sync.WaitGroup
		next := make(chan *Debrief)
		for range r.opts.Workers {
			wg.Go(func() {
				for d := range next {
					r.assess(d)
				}
			})
		}
		for _, d := range ds {
			next <- d
		}
		close(next)
		wg.Wait()
		applied, err := r.opts.Store.SaveAssessments(ctx, ds)
		if err != nil {
			return done, fmt.Errorf("reassess: %w", err)
		}
		if err := r.opts.Index.Apply(ctx, applied.Seq, applied.Index); err != nil {
			// Stored: the next catch-up indexes it.
			return done, fmt.Errorf("reassess: index %d debriefs: %w", len(applied.Index), err)
		}
		done += len(ds)
		if progress != nil {
			progress(done)
		}
		if err := ctx.Err(); err != nil {
			return done, err
		}
	}
}

// assess runs the Assessor on d. A panic in it (a bug) leaves d without an
// assessment, logged, rather than taking the pass or the server down; the
// debrief is stored all the same.
func (r *Runner) assess(d *Debrief) {
	defer func() {
		if v := recover(); v != nil {
			d.Assessment = nil
			r.log.Error("assessment failed (please report it)", "debrief", d.ID, "ref", d.Ref, "panic", v)
		}
	}()
	r.opts.Assessor.Assess(d)
}
