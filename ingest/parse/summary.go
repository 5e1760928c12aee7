package parse

import (
	"strings"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// summary is the summary section's first paragraph, else a summary given
// as a field, else the body's first paragraph of prose.
func (d *doc) summary(secs []*section) string {
	for _, s := range secs {
		if s.kind == ingest.KindSummary {
			if t := firstProse(s.blocks, 1); t != "" {
				return capSummary(t)
			}
		}
	}
	if d.f.summary != "" {
		return capSummary(collapseSpace(plainInline(d.f.summary)))
	}
	// The body's first paragraph, from the parts of a debrief that tell the
	// story rather than list entries.
	for _, s := range secs {
		switch s.kind {
		case ingest.KindOther, ingest.KindImpact, ingest.KindDetection, ingest.KindTrigger,
			ingest.KindRootCause, ingest.KindResolution:
		default:
			continue
		}
		if t := firstParagraph(s.blocks, 5); t != "" {
			return capSummary(t)
		}
	}
	return ""
}

// firstParagraph is firstProse restricted to paragraphs.
func firstParagraph(bs []block, minWords int) string {
	for i := range bs {
		if bs[i].kind == blockPara {
			if t := firstProse(bs[i:i+1], minWords); t != "" {
				return t
			}
		}
	}
	return ""
}

// firstProse is the first paragraph (or list item) of at least minWords
// words that is not a run of "Key: value" lines.
func firstProse(bs []block, minWords int) string {
	for i := range bs {
		b := &bs[i]
		if b.kind != blockPara && b.kind != blockItem {
			continue
		}
		kv := true
		for _, l := range b.lines {
			if _, v, _, ok := kvLine(l, false); !ok || len(v) > 80 {
				kv = false
				break
			}
		}
		if kv {
			continue
		}
		t := joinSpace(b.lines)
		if countWords(t) >= minWords {
			return t
		}
	}
	return ""
}

const summaryMax = 400

// capSummary cuts a long summary at the last sentence end before
// summaryMax, or at a word with an ellipsis when the first sentence is
// longer than that.
func capSummary(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= summaryMax {
		return s
	}
	cut := s[:summaryMax]
	best := -1
	for i := 0; i < len(cut)-1; i++ {
		if (cut[i] == '.' || cut[i] == '!' || cut[i] == '?') && (cut[i+1] == ' ' || cut[i+1] == '\n') && i > 40 {
			best = i + 1
		}
	}
	if best > 0 {
		return strings.TrimSpace(cut[:best])
	}
	return cutWords(s, summaryMax) + "…"
}

// cutWords cuts s to at most n bytes at a word boundary.
func cutWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for !utf8.ValidString(cut) && len(cut) > 0 {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndexAny(cut, " \n\t"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-")
}

// firstSentence is a title of last resort: the summary's first sentence.
func firstSentence(s string, n int) string {
	if s == "" {
		return ""
	}
	for i := 0; i < len(s)-1; i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' && i > 10 {
			s = s[:i]
			break
		}
	}
	s = strings.TrimRight(s, ".!? ")
	if len(s) > n {
		return cutWords(s, n) + "…"
	}
	return s
}
