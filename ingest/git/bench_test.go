package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	gogit "github.com/go-git/go-git/v5"

	"github.com/secondstory/secondstory/ingest"
)

// benchRepo builds an upstream with n debriefs in 20 folders.
func benchRepo(b *testing.B, n int) *upstream {
	b.Helper()
	u := newUpstream(b)
	body, err := os.ReadFile(filepath.Join("testdata", "debriefs", "2024-02-11-basket-latency.md"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		p := filepath.Join(u.path, "postmortems", fmt.Sprintf("team-%02d", i%20), fmt.Sprintf("2024-01-01-incident-%05d.md", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, append(body, fmt.Sprintf("\nIncident number %d.\n", i)...), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := u.wt.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
		b.Fatal(err)
	}
	u.commit("many debriefs")
	return u
}

func BenchmarkFetch(b *testing.B) {
	const n = 2000
	u := benchRepo(b, n)
	discard := func(ingest.Document) error { return nil }
	ctx := context.Background()

	b.Run(fmt.Sprintf("first pass, clone and list %d files", n), func(b *testing.B) {
		for b.Loop() {
			s, err := New(Options{URL: u.path, Subdir: "postmortems", Dir: filepath.Join(b.TempDir(), "clone")})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Fetch(ctx, "", discard); err != nil {
				b.Fatal(err)
			}
		}
	})

	s, err := New(Options{URL: u.path, Subdir: "postmortems", Dir: filepath.Join(b.TempDir(), "clone")})
	if err != nil {
		b.Fatal(err)
	}
	first, err := s.Fetch(ctx, "", discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("nothing new", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Fetch(ctx, first.Cursor, discard); err != nil {
				b.Fatal(err)
			}
		}
	})

	p := filepath.Join(u.path, "postmortems", "team-03", "2024-01-01-incident-00003.md")
	if err := os.WriteFile(p, []byte("# Changed\n\n## Summary\n\nNew text.\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if _, err := u.wt.Add("postmortems/team-03/2024-01-01-incident-00003.md"); err != nil {
		b.Fatal(err)
	}
	u.commit("one change")
	b.Run("one file changed", func(b *testing.B) {
		for b.Loop() {
			emitted := 0
			if _, err := s.Fetch(ctx, first.Cursor, func(ingest.Document) error { emitted++; return nil }); err != nil {
				b.Fatal(err)
			}
			if emitted != 1 {
				b.Fatalf("emitted %d", emitted)
			}
		}
	})
}
