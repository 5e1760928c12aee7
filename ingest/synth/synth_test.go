package synth

import (
	"bytes"
	"testing"
	"time"
)

func TestDebriefIsDeterministicAndSized(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := New(7, end), New(7, end)
	for i := range 50 {
		da, db := a.Debrief(i, 8<<10), b.Debrief(i, 8<<10)
		if da.Name != db.Name || !bytes.Equal(da.Body, db.Body) {
			t.Fatalf("debrief %d differs between two generators with the same seed", i)
		}
		if n := len(da.Body); n < 7<<10 || n > 10<<10 {
			t.Errorf("debrief %d is %d bytes, want about 8 KB", i, n)
		}
		if !bytes.HasPrefix(da.Body, []byte("---\ntitle: ")) || !bytes.Contains(da.Body, []byte("## Contributing Factors")) {
			t.Errorf("debrief %d lacks front matter or sections:\n%s", i, da.Body[:200])
		}
	}
}
