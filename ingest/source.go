package ingest

import (
	"context"
	"errors"
)

// Source is where debriefs come from: a folder, a git repository, a wiki, a
// tracker, an incident tool. A source lists and normalises documents; it
// never touches storage. The runner owns hashing decisions, storage,
// indexing and bookkeeping.
type Source interface {
	// Fetch lists the source's documents, calling emit once for each. cursor
	// is the watermark returned by the last pass that committed ("" on the
	// first pass); a source may use it to list only what changed since.
	// An error from emit (the pass was cancelled) must be returned as is.
	// A returned error fails the pass as a whole: nothing is marked removed
	// and the cursor is not advanced.
	Fetch(ctx context.Context, cursor string, emit func(Document) error) (Fetched, error)
}

// Document is one document a source found. It may hold several debriefs
// (a JSON array) or, for documents that fail to parse, none.
type Document struct {
	// Ref identifies the document within the source (a relative path, an
	// issue URL, an external id). It must be stable across passes.
	Ref string
	// Hash identifies the document's content. When it equals the hash
	// stored by the last pass, the runner skips Parse and counts the
	// document's debriefs as unchanged. Sources hash what they fetched
	// (the file's bytes, the API payload) so that unchanged documents cost
	// no parsing.
	Hash string
	// Parse normalises the document into debriefs. It is called at most
	// once, possibly on another goroutine, and must not do network I/O
	// that ignores ctx. Source, ID, Hash and FetchedAt of the returned
	// debriefs are filled in by the runner.
	Parse func(ctx context.Context) ([]Debrief, error)
	// Err, when set, means the document could not be read at all: it is
	// recorded as a failure with its ref and this reason, and its earlier
	// debriefs, if any, are kept as they were.
	Err error
}

// Fetched is what a source reports at the end of a successful listing.
type Fetched struct {
	// Cursor is the watermark the next pass starts from. It is stored only
	// once this pass has committed, so a failed pass retries from the same
	// point.
	Cursor string
	// Complete is true when the documents emitted are everything the source
	// holds, so stored debriefs of this source that were not seen have
	// disappeared from it and are marked removed.
	Complete bool
	// Removed lists refs of documents the source knows were deleted since
	// the cursor (an incremental listing that is not Complete).
	Removed []string
}

// ErrSkip, returned by Parse, means the document is not a debrief after all
// (a template, an index page found by content rather than by name). It is
// neither stored nor counted as a failure.
var ErrSkip = errors.New("not a debrief")
