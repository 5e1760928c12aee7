package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/dir"
	"github.com/secondstory/secondstory/ingest/synth"
)

// BenchmarkIngest runs one pass end to end (walk, hash, parse, assess,
// store in DuckDB, index in Bleve, both on disk) over generated
// debriefs of about 8 KB, and reports debriefs/s and the peak resident
// memory of the process. Run it with:
//
//	go test -run '^$' -bench Ingest -benchtime 1x ./ingest/
//
// SECONDSTORY_BENCH_DEBRIEFS changes the number of debriefs (default 10,000).
func BenchmarkIngest(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("SECONDSTORY_BENCH_DEBRIEFS")); err == nil && v > 0 {
		n = v
	}
	docs := filepath.Join(b.TempDir(), "debriefs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		b.Fatal(err)
	}
	gen := synth.New(1, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	var bytes int64
	for i := range n {
		d := gen.Debrief(i, 8<<10)
		bytes += int64(len(d.Body))
		if err := os.WriteFile(filepath.Join(docs, d.Name), d.Body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(bytes)
	assessor := assess.New(nil)
	b.ResetTimer()
	var elapsed, cpu time.Duration
	for range b.N {
		b.StopTimer()
		h := openHarness(b, b.TempDir())
		h.runner = ingest.NewRunner(ingest.RunnerOptions{Store: h.store, Index: h.index, Assessor: assessor})
		src, err := dir.Open(docs, dir.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		run, err := h.runner.Run(context.Background(), "bench", src, nil)
		// Closing writes what DuckDB and Bleve still hold in memory to
		// disk (DuckDB's last checkpoint): work the pass caused, so it
		// counts.
		h.close(b)
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if run.Added != n {
			b.Fatalf("added %d debriefs, want %d (failed %d)", run.Added, n, run.Failed)
		}
		src.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "debriefs/s")
	b.ReportMetric(cpu.Seconds()*1000/float64(n*b.N), "CPU-ms/debrief")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// cpuTime is the processor time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
