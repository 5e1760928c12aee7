package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Debrief is one incident debrief (postmortem, learning review, after-action
// review) normalised from whatever shape its source keeps it in.
type Debrief struct {
	// ID is stable across passes: derived from the source name and Ref.
	ID string `json:"id"`
	// Source is the configured name of the source the debrief came from.
	Source string `json:"source"`
	// Ref identifies the debrief within its source: a path relative to the
	// source root, a URL or an external id. A document that holds several
	// debriefs (a JSON array) gives each a ref of the form "doc#key".
	Ref string `json:"ref"`
	// Document is the ref of the source document the debrief was read from.
	// It equals Ref unless the document holds several debriefs.
	Document string `json:"document"`
	// URL links to the debrief where it lives, when the source has one.
	URL      string         `json:"url,omitempty"`
	Title    string         `json:"title"`
	Summary  string         `json:"summary,omitempty"`
	Text     string         `json:"text"`
	Sections []Section      `json:"sections"`
	Meta     Metadata       `json:"metadata"`
	Times    Times          `json:"times"`
	Timeline []TimelineItem `json:"timeline,omitempty"`
	// Assessment is filled by the runner's Assessor; sources leave it nil.
	Assessment *Assessment `json:"assessment,omitempty"`
	// Hash is the content hash of the normalised debrief (see ContentHash).
	Hash      string    `json:"content_hash"`
	FetchedAt time.Time `json:"fetched_at"`
}

// Section is one headed part of a debrief, in document order.
type Section struct {
	// Kind is the canonical kind the heading maps to (KindOther if none).
	Kind SectionKind `json:"kind"`
	// Heading is the heading as written, cleaned of numbering, emoji and
	// trailing punctuation. Empty for text before the first heading.
	Heading string `json:"heading"`
	// Level is the heading depth (1 for "#"), 0 for text before any heading.
	Level int    `json:"level"`
	Text  string `json:"text"`
}

// Metadata holds the fields debriefs commonly carry in front matter, bold
// "Key: value" lines or key/value tables. Keys we do not model are kept
// as-is in Extra.
type Metadata struct {
	Severity     string         `json:"severity,omitempty"`
	Status       string         `json:"status,omitempty"`
	Services     []string       `json:"services,omitempty"`
	Teams        []string       `json:"teams,omitempty"`
	Tags         []string       `json:"tags,omitempty"`
	Authors      []string       `json:"authors,omitempty"`
	Participants []string       `json:"participants,omitempty"`
	Extra        map[string]any `json:"extra,omitempty"`
}

// Times are the moments a debrief records. Each may be absent (zero).
type Times struct {
	Started   time.Time `json:"started_at,omitzero"`
	Detected  time.Time `json:"detected_at,omitzero"`
	Resolved  time.Time `json:"resolved_at,omitzero"`
	Published time.Time `json:"published_at,omitzero"`
}

// Date is the best single date for the debrief: when the incident started,
// else when it was detected, resolved or published. Zero if none is known.
func (t Times) Date() time.Time {
	for _, v := range []time.Time{t.Started, t.Detected, t.Resolved, t.Published} {
		if !v.IsZero() {
			return v
		}
	}
	return time.Time{}
}

// TimelineItem is one entry of a debrief's timeline.
type TimelineItem struct {
	// At is the entry's moment when it could be resolved to one; zero when
	// the text gives only a time of day without a date we could anchor.
	At time.Time `json:"at,omitzero"`
	// When is the time as written ("14:02 UTC", "2021-05-09 13:11").
	When string `json:"when"`
	Text string `json:"text"`
}

// DebriefID derives the stable id of a debrief from its source and ref.
func DebriefID(source, ref string) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(ref))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ContentHash hashes the normalised content of d: everything but its id,
// hash, fetch time and assessment (which is derived from the rest, and
// changes with the catalog, not with the debrief). Two passes over an
// unchanged debrief give the same hash.
func ContentHash(d *Debrief) string {
	c := *d
	c.ID, c.Hash, c.FetchedAt, c.Assessment = "", "", time.Time{}, nil
	b, err := json.Marshal(&c)
	if err != nil {
		// Metadata.Extra holds values decoded from YAML, TOML or JSON,
		// which always marshal; fall back to the parts that cannot fail.
		b = []byte(c.Source + "\x00" + c.Ref + "\x00" + c.Title + "\x00" + c.Text)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
