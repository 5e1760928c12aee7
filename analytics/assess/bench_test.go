package assess

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
	"github.com/secondstory/secondstory/ingest/synth"
)

// benchDebriefs parses n synthetic debriefs of about size bytes, with a
// fixed seed so runs compare.
func benchDebriefs(b *testing.B, n, size int) ([]ingest.Debrief, int64) {
	b.Helper()
	g := synth.New(42, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var out []ingest.Debrief
	var bytes int64
	for i := range n {
		doc := g.Debrief(i, size)
		ds, err := parse.Parse(doc.Name, parse.FormatMarkdown, doc.Body)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, ds...)
		bytes += int64(len(doc.Body))
	}
	return out, bytes
}

// BenchmarkAssess reports assessment throughput on realistic 8 KB
// debriefs; the MB/s column is per core. The pipeline needs 1,500
// debriefs/s of 8 KB on two cores, of which assessment must be a small
// part: at least 5 MB/s per core, aiming for 20.
func BenchmarkAssess(b *testing.B) {
	ds, total := benchDebriefs(b, 64, 8<<10)
	a := New(DefaultCatalog())
	b.SetBytes(total / int64(len(ds)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := &ds[i%len(ds)]
		a.Assess(d)
	}
}

// BenchmarkAssessSample runs on the hand-written sample debriefs, which
// carry more cues per sentence than the synthetic ones.
func BenchmarkAssessSample(b *testing.B) {
	var ds []ingest.Debrief
	var total int64
	err := filepath.WalkDir(sampleDir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, ok := parse.FormatOf(p)
		if !ok {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := parse.Parse(filepath.Base(p), f, data)
		if err != nil {
			return nil // templates and index pages
		}
		ds = append(ds, got...)
		total += int64(len(data))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	a := New(DefaultCatalog())
	b.SetBytes(total / int64(len(ds)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a.Assess(&ds[i%len(ds)])
	}
}
