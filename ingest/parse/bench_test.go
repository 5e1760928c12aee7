package parse

import (
	"fmt"
	"strings"
	"testing"
)

// benchDoc builds a debrief of about size bytes in the shape real ones
// have: front matter, metadata lines, summary, a timeline list, factor
// bullets and action items.
func benchDoc(size int) []byte {
	var b strings.Builder
	b.WriteString("---\ntitle: Payments queue backlog after broker failover\ndate: 2024-03-04\nseverity: SEV2\nservices: [payments, ledger]\ntags: [queue, failover]\n---\n\n")
	b.WriteString("# Payments queue backlog after broker failover\n\n**Status:** resolved\n**Authors:** Ana Ruiz, Tom Berg\n\n")
	b.WriteString("## Summary\n\nOn 4 March 2024 the payments queue built a backlog of forty thousand messages after the primary broker failed over. Card captures were delayed by up to 35 minutes; no payment was lost.\n\n")
	b.WriteString("## Timeline\n\nAll times in UTC.\n\n")
	for i := 0; b.Len() < size*2/3; i++ {
		fmt.Fprintf(&b, "- %02d:%02d: The on-call engineer looked at the consumer lag dashboard and saw lag rising on partition %d, which *usually* drains within a minute.\n", 9+i/60%12, i%60, i)
	}
	b.WriteString("\n## Contributing factors\n\n")
	for i := 0; b.Len() < size*5/6; i++ {
		fmt.Fprintf(&b, "- The consumer pool kept its connection to the old primary for %d seconds because the client's [retry policy](https://example.com/retry) did not re-resolve DNS.\n", 30+i)
	}
	b.WriteString("\n## Action items\n\n| Action | Owner |\n|---|---|\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "| Re-resolve the broker address on reconnect (step %d) | payments team |\n", i)
	}
	return []byte(b.String())
}

func BenchmarkParseMarkdown(b *testing.B) {
	doc := benchDoc(8 << 10)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Markdown("2024-03-04-payments-backlog.md", doc); err != nil {
			b.Fatal(err)
		}
	}
}
