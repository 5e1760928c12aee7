package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// PassObserver is told of every pass when it ends, whatever its outcome
// (the server's metrics). PassFinished is called on the pass's goroutine
// and must not block.
type PassObserver interface {
	PassFinished(run Run)
}

// TimeoutError is the cause of a pass's context when the pass ran longer
// than its source's timeout.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string { return "timed out after " + shortDuration(e.After) }

// WithPassTimeout bounds a pass: when d passes, ctx is cancelled with a
// *TimeoutError as its cause, and the runner records the pass as failed
// with that reason rather than as interrupted. d <= 0 means no bound.
func WithPassTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &TimeoutError{After: d})
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// errAbandoned is wrapped by the error of a pass whose source did not
// return when its context ended.
var errAbandoned = errors.New("the source did not stop when asked and was left behind")

// stopGrace is how long a pass waits, once its context has ended, for the
// source's Fetch to return before leaving it behind.
const stopGrace = 2 * time.Second

// fetchResult is what a source's Fetch returned.
type fetchResult struct {
	fetched Fetched
	err     error
}

// safeFetch runs src.Fetch on its own goroutine, turning a panic into an
// error, and returns when it does or, at the latest, stopGrace after ctx
// ends: a source that hangs without heeding ctx must not hold the pass,
// and so the scheduler and shutdown, for ever. stop is called, and must
// return, before safeFetch does, so that emit can refuse documents from a
// source left behind.
func safeFetch(ctx context.Context, src Source, cursor string, emit func(Document) error, stop func()) (Fetched, error) {
	done := make(chan fetchResult, 1)
	go func() {
		var res fetchResult
		defer func() {
			if v := recover(); v != nil {
				res = fetchResult{err: fmt.Errorf("internal error in the source (please report it): %v", v)}
			}
			done <- res
		}()
		res.fetched, res.err = src.Fetch(ctx, cursor, emit)
	}()
	select {
	case res := <-done:
		stop()
		return res.fetched, res.err
	case <-ctx.Done():
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case res := <-done:
		stop()
		return res.fetched, res.err
	case <-t.C:
		stop()
		return Fetched{}, fmt.Errorf("%w: %w", errAbandoned, context.Cause(ctx))
	}
}

// failureReason says why a pass that did not finish ended: its timeout, or
// a cancellation (shutdown) that leaves it interrupted.
func failureReason(ctx context.Context, passErr error) (status, reason string) {
	var te *TimeoutError
	if errors.As(context.Cause(ctx), &te) {
		reason = te.Error()
		if errors.Is(passErr, errAbandoned) {
			reason += "; " + errAbandoned.Error()
		}
		return RunFailed, reason
	}
	return RunInterrupted, "the pass was cancelled before it finished"
}

// checkText fails a debrief holding text that is not valid UTF-8: the
// store refuses such text, and would refuse with it the whole batch of
// good debriefs it came in.
func checkText(d *Debrief) error {
	bad := func(field string) error {
		return fmt.Errorf("the source gave text that is not valid UTF-8 (in %s)", field)
	}
	for _, f := range [...]struct{ field, s string }{{"ref", d.Ref}, {"document", d.Document}, {"url", d.URL},
		{"title", d.Title}, {"summary", d.Summary}, {"text", d.Text}, {"severity", d.Meta.Severity}, {"status", d.Meta.Status}} {
		if !utf8.ValidString(f.s) {
			return bad(f.field)
		}
	}
	for _, f := range [...]struct {
		field string
		list  []string
	}{{"services", d.Meta.Services}, {"teams", d.Meta.Teams}, {"tags", d.Meta.Tags}, {"authors", d.Meta.Authors}, {"participants", d.Meta.Participants}} {
		for _, s := range f.list {
			if !utf8.ValidString(s) {
				return bad(f.field)
			}
		}
	}
	for _, s := range d.Sections {
		if !utf8.ValidString(s.Heading) || !utf8.ValidString(s.Text) || !utf8.ValidString(string(s.Kind)) {
			return bad("a section")
		}
	}
	for _, t := range d.Timeline {
		if !utf8.ValidString(t.When) || !utf8.ValidString(t.Text) {
			return bad("the timeline")
		}
	}
	return nil
}
