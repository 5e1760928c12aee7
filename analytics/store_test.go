package analytics

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secondstory/secondstory/ingest"
)

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.duckdb")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	version := func(s *Store) int {
		t.Helper()
		var v int
		if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	files, _ := migrations.ReadDir("migrations")
	if got := version(s); got != len(files) {
		t.Errorf("schema version %d, want %d (one per migration)", got, len(files))
	}
	for _, table := range []string{"debriefs", "runs", "run_failures", "source_state", "assessments", "factors", "meta"} {
		if _, err := s.db.ExecContext(ctx, `SELECT count(*) FROM `+table); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	id := s.ID()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening applies nothing and keeps the store's identity.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID() != id || version(s) != len(files) {
		t.Errorf("reopened: id %s (was %s), version %d", s.ID(), id, version(s))
	}
	// A store written by a newer build is refused, not damaged.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_version VALUES (99, now())`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "newer than this build knows") {
		t.Errorf("opening a newer store: %v", err)
	}
}

func TestOpenNotAStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.duckdb")
	if err := os.WriteFile(path, []byte("these are my notes, not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("opening a text file: %v, want an error naming %s", err, path)
	}
}

func TestSectionsKeepTheirPlaces(t *testing.T) {
	d := &ingest.Debrief{
		Text: "Summary text.\n\nThe root cause was a deploy.\n\nSummary text.",
		Sections: []ingest.Section{
			{Kind: ingest.KindSummary, Heading: "Summary", Level: 2, Text: "Summary text."},
			{Kind: ingest.KindRootCause, Heading: "Root cause", Level: 2, Text: "The root cause was a deploy."},
			{Kind: ingest.KindLessons, Heading: "Lessons", Level: 2, Text: "Summary text."}, // same text again, later
			{Kind: ingest.KindOther, Heading: "Appendix", Level: 2, Text: "Not in the text at all."},
			{Kind: ingest.KindOther, Heading: "Empty", Level: 2},
		},
	}
	b, err := encodeSections(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "root cause was") || !strings.Contains(string(b), "Not in the text at all.") {
		t.Errorf("encoded %s: want places for text found in the debrief, text for the rest", b)
	}
	got, err := decodeSections(b, d.Text)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Sections {
		if got[i] != d.Sections[i] {
			t.Errorf("section %d = %+v, want %+v", i, got[i], d.Sections[i])
		}
	}
	if _, err := decodeSections(b, "short"); err == nil || !strings.Contains(err.Error(), "outside the text") {
		t.Errorf("decoding against a shorter text: %v", err)
	}
}
