package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// Sources that misbehave, as a remote source might.

// hangingSource waits for its pass to be cancelled, as a source blocked
// on a server that never answers does when it heeds its context.
type hangingSource struct{}

func (hangingSource) Fetch(ctx context.Context, _ string, _ func(ingest.Document) error) (ingest.Fetched, error) {
	<-ctx.Done()
	return ingest.Fetched{}, ctx.Err()
}

// deafSource ignores its context: it blocks until the test ends.
type deafSource struct{ release chan struct{} }

func (s deafSource) Fetch(context.Context, string, func(ingest.Document) error) (ingest.Fetched, error) {
	<-s.release
	return ingest.Fetched{Complete: true}, nil
}

// scriptedSource emits its documents, then panics, fails or finishes.
type scriptedSource struct {
	docs []ingest.Document
	end  func() (ingest.Fetched, error)
}

func (s scriptedSource) Fetch(ctx context.Context, _ string, emit func(ingest.Document) error) (ingest.Fetched, error) {
	for _, d := range s.docs {
		if err := emit(d); err != nil {
			return ingest.Fetched{}, err
		}
	}
	return s.end()
}

// doc is a document whose Parse does what parse does.
func doc(ref string, parse func(ctx context.Context) ([]ingest.Debrief, error)) ingest.Document {
	return ingest.Document{Ref: ref, Hash: "h-" + ref, Parse: parse}
}

func good(title string) func(context.Context) ([]ingest.Debrief, error) {
	return func(context.Context) ([]ingest.Debrief, error) {
		return []ingest.Debrief{{Title: title, Text: title + " happened.",
			Sections: []ingest.Section{{Kind: ingest.KindSummary, Heading: "Summary", Level: 2, Text: title + " happened."}}}}, nil
	}
}

// TestFaultySources runs a real scheduler over sources that hang, ignore
// cancellation, panic mid-pass, return garbage or get stuck in a parser:
// each such pass fails with its reason recorded, the good source's passes
// succeed before and after them, and the server answers throughout.
func TestFaultySources(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	const timeout = 300 * time.Millisecond
	sources := []ingest.ScheduledSource{
		dirSource("notes", notes),
		{Name: "hangs", Kind: "test", Schedule: "@every 1h", Timeout: timeout, Source: hangingSource{}},
		{Name: "deaf", Kind: "test", Schedule: "@every 1h", Timeout: timeout, Source: deafSource{release}},
		{Name: "panics", Kind: "test", Schedule: "@every 1h", Source: scriptedSource{
			docs: []ingest.Document{doc("a", good("Disk filled")), doc("b", good("Queue stalled"))},
			end:  func() (ingest.Fetched, error) { panic("index out of range [3] with length 3") },
		}},
		{Name: "garbage", Kind: "test", Schedule: "@every 1h", Source: scriptedSource{
			docs: []ingest.Document{
				doc("fine", good("Cache stampede")),
				// The store refuses text that is not UTF-8, which would
				// fail the whole batch with the good debrief above.
				doc("latin1", good("Caf\xe9 closed")),
				doc("error", func(context.Context) ([]ingest.Debrief, error) {
					return nil, errors.New("unexpected end of JSON input")
				}),
				doc("parser-panic", func(context.Context) ([]ingest.Debrief, error) { panic("nil map") }),
				doc("empty", func(context.Context) ([]ingest.Debrief, error) { return nil, nil }),
				{Ref: "unreadable", Err: errors.New("HTTP 500 from the wiki")},
				{Ref: "no-parse"},
			},
			end: func() (ingest.Fetched, error) {
				return ingest.Fetched{}, errors.New("page 2: invalid character '<' looking for beginning of value")
			},
		}},
		{Name: "stuck", Kind: "test", Schedule: "@every 1h", Timeout: timeout, Source: scriptedSource{
			docs: []ingest.Document{doc("loops", func(context.Context) ([]ingest.Debrief, error) {
				<-release // a parser that never returns and ignores ctx
				return nil, nil
			})},
			end: func() (ingest.Fetched, error) { return ingest.Fetched{Complete: true}, nil },
		}},
		dirSource("wiki", wiki),
	}
	g := newGuarded(t, guardOptions{sources: sources})
	g.sched.Start()

	want := map[string]struct {
		status, reason string
		added, failed  int
	}{
		"notes":   {ingest.RunOK, "", 3, 2},
		"hangs":   {ingest.RunFailed, "timed out after 300ms", 0, 0},
		"deaf":    {ingest.RunFailed, "timed out after 300ms; the source did not stop when asked and was left behind", 0, 0},
		"panics":  {ingest.RunFailed, "internal error in the source (please report it): index out of range [3] with length 3", 2, 0},
		"garbage": {ingest.RunFailed, "page 2: invalid character '<' looking for beginning of value", 1, 6},
		"stuck":   {ingest.RunFailed, "timed out after 300ms", 0, 0},
		"wiki":    {ingest.RunOK, "", 2, 0},
	}
	for name, w := range want {
		runs := g.pollRuns(t, name, func(r []ingest.Run) bool { return len(r) == 1 && r[0].Status != ingest.RunRunning })
		r := runs[0]
		if r.Status != w.status || r.Error != w.reason || r.Added != w.added || r.Failed != w.failed {
			t.Errorf("%s: %s %q, %d added, %d failed; want %s %q, %d added, %d failed",
				name, r.Status, r.Error, r.Added, r.Failed, w.status, w.reason, w.added, w.failed)
		}
	}

	t.Run("the failures of a garbage pass say why", func(t *testing.T) {
		runs := g.pollRuns(t, "garbage", func(r []ingest.Run) bool { return len(r) == 1 })
		var full ingest.Run
		g.call(t, http.MethodGet, fmt.Sprintf("/api/v1/runs/%d", runs[0].ID), http.StatusOK, &full)
		got := map[string]string{}
		for _, f := range full.Failures {
			got[f.Ref] = f.Reason
		}
		for ref, reason := range map[string]string{
			"error": "unexpected end of JSON input", "parser-panic": "internal error while parsing (please report it): nil map",
			"empty": "no debrief found", "unreadable": "HTTP 500 from the wiki", "no-parse": "no way to read",
			"latin1": "not valid UTF-8 (in title)",
		} {
			if !strings.Contains(got[ref], reason) {
				t.Errorf("failure of %s: %q, want %q in it", ref, got[ref], reason)
			}
		}
	})

	t.Run("the server and the good sources keep going", func(t *testing.T) {
		var l listing
		g.call(t, http.MethodGet, "/api/v1/debriefs?source=notes,wiki,panics,garbage", http.StatusOK, &l)
		if l.Total != 3+2+2+1 {
			t.Errorf("%d debriefs listed, want 8: those parsed before each failure are kept", l.Total)
		}
		var accepted map[string]string
		g.call(t, http.MethodPost, "/api/v1/sources/wiki/run", http.StatusAccepted, &accepted)
		g.pollRuns(t, "wiki", func(r []ingest.Run) bool { return len(r) == 2 && r[0].Status == ingest.RunOK })
		// A faulty source can be run again; it fails the same way.
		g.call(t, http.MethodPost, "/api/v1/sources/hangs/run", http.StatusAccepted, &accepted)
		runs := g.pollRuns(t, "hangs", func(r []ingest.Run) bool { return len(r) == 2 && r[0].Status != ingest.RunRunning })
		if runs[0].Error != "timed out after 300ms" {
			t.Errorf("second pass of hangs: %+v", runs[0])
		}
	})
}
