package ingest

import "time"

// Run is the record of one pass of a source.
type Run struct {
	ID        int64     `json:"id"`
	Source    string    `json:"source"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// Status is running, ok, failed or interrupted (the process stopped
	// before the pass finished).
	Status string `json:"status"`
	Counts
	// Error says why the pass failed as a whole; empty when it did not.
	Error string `json:"error,omitempty"`
	// Failures are the documents that could not be read or parsed.
	Failures []Failure `json:"failures,omitempty"`
}

// Run statuses.
const (
	RunRunning     = "running"
	RunOK          = "ok"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// Counts tallies a pass. Seen, Skipped and Failed count source documents;
// Added, Updated, Unchanged and Removed count debriefs.
type Counts struct {
	Seen      int `json:"seen"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
}

// Failure is a document a pass could not read or parse, and why.
type Failure struct {
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// StoredDocument is what the store holds of one source document from the
// last passes: the hash it had and the ids of the debriefs it gave that are
// still visible.
type StoredDocument struct {
	Hash string
	IDs  []string
}

// Record is a debrief ready to store, with the hash of the document it came
// from.
type Record struct {
	Debrief *Debrief
	DocHash string
}

// Change is one batch of store writes: debriefs of whole documents to
// upsert and ids of debriefs to mark removed, committed together.
type Change struct {
	Upsert []Record
	Remove []string
	At     time.Time
}

// Applied is what a Change did. Seq numbers the change: every debrief it
// added, updated or removed carries it, and Index lists them for the search
// index to follow.
type Applied struct {
	Added, Updated, Unchanged, Removed int
	Seq                                int64
	Index                              []IndexItem
}

// IndexItem is one change the search index must reflect: index Debrief, or
// delete ID from the index when Debrief is nil. Seq is the change sequence
// number of the batch that made it.
type IndexItem struct {
	ID      string
	Seq     int64
	Debrief *Debrief
}
