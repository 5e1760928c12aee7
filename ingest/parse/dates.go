package parse

import (
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

// proseDate finds a date in the document's first lines: the summary
// section's first paragraph or the first paragraph of the body.
func (d *doc) proseDate(secs []*section, hint int) (stamp, bool) {
	var texts []string
	for _, s := range secs {
		if s.kind == ingest.KindSummary {
			if t := firstProse(s.blocks, 1); t != "" {
				texts = append(texts, t)
			}
			break
		}
	}
	for _, s := range secs {
		if s.kind == ingest.KindTimeline {
			continue
		}
		if t := firstProse(s.blocks, 3); t != "" {
			texts = append(texts, t)
			break
		}
	}
	if d.f.summary != "" {
		texts = append(texts, d.f.summary)
	}
	for _, t := range texts {
		// A date that places the incident comes in the first sentences.
		if st, _, _, ok := findDate(cutWords(t, 600), hint); ok {
			return st, true
		}
	}
	return stamp{}, false
}

// monthYear finds "August 2022" in the title or the first lines.
func (d *doc) monthYear(secs []*section, title string) (civil, bool) {
	texts := []string{title}
	for _, s := range secs {
		if t := firstProse(s.blocks, 3); t != "" {
			texts = append(texts, t)
			break
		}
	}
	for _, t := range texts {
		if len(t) > 4000 {
			t = t[:4000]
		}
		toks := tokenize(t, nil)
		p := stampParser{toks: toks, prose: true}
		for i := 0; i+1 < len(toks); i++ {
			m := p.monthWord(i)
			if m == 0 {
				continue
			}
			j := i + 1
			if p.isPunct(j, ",") {
				j++
			}
			if y := p.tok(j); y.kind == tokNum && len(y.s) == 4 && y.n >= minYear && y.n <= maxYear {
				return civil{y.n, m, 1}, true
			}
		}
	}
	return civil{}, false
}

// timelineYear is the year of the first full date a timeline gives, for
// the days it names without one ("## May 12").
func timelineYear(secs []*section) int {
	for _, s := range secs {
		if s.kind != ingest.KindTimeline {
			continue
		}
		if st, ok := parseStamp(s.heading, 0); ok && st.hasYear {
			return st.date.y
		}
		for i := range s.blocks {
			if st, _, _, ok := findDate(blockString(&s.blocks[i]), 0); ok && st.hasYear {
				return st.date.y
			}
		}
	}
	return 0
}

// dateCands are the dates a document gives for its incident, best first.
type dateCands struct {
	hint        int
	explicit    time.Time
	hasExplicit bool
	stamps      []stamp
}

func (dc *dateCands) add(st stamp) { dc.stamps = append(dc.stamps, st) }

func (dc *dateCands) hasAny() bool { return len(dc.stamps) > 0 }

// day is the incident's calendar day, to anchor times of day to.
func (dc *dateCands) day() (civil, bool) {
	if dc.hasExplicit {
		y, m, d := dc.explicit.Date()
		return civil{y, int(m), d}, true
	}
	if len(dc.stamps) > 0 {
		return dc.stamps[0].date, true
	}
	return civil{}, false
}

// times settles the debrief's moments. Started is what metadata states,
// else the first date found (file name, title, first lines), made precise
// by a time on the same day from the first lines or the timeline, else the
// earliest timeline entry, else the first day of a month the first lines
// name, else January 1 of a year the file name gives.
//
// precision is "month" or "year" when Started is only that precise.
func (d *doc) times(dc dateCands, tl []ingest.TimelineItem, tz, year int, month civil) (ts ingest.Times, precision string) {
	ts.Detected, ts.Resolved, ts.Published = d.f.times[1].t, d.f.times[2].t, d.f.times[3].t
	switch {
	case dc.hasExplicit:
		ts.Started = dc.explicit
		if h, m, s := dc.explicit.Clock(); h == 0 && m == 0 && s == 0 {
			// A stated date without a time: the timeline may say when.
			y, mo, dd := dc.explicit.Date()
			ts.Started = refine(stamp{date: civil{y, int(mo), dd}, hasDate: true, hasYear: true}, dc.stamps, tl, tz)
		}
	case len(dc.stamps) > 0:
		first := dc.stamps[0]
		ts.Started = first.moment(tz)
		if !first.hasTime {
			ts.Started = refine(first, dc.stamps[1:], tl, tz)
		}
	default:
		ts.Started = earliest(tl)
		if ts.Started.IsZero() && month.y > 0 {
			ts.Started, precision = time.Date(month.y, time.Month(month.m), 1, 0, 0, 0, 0, time.UTC), "month"
		}
		if ts.Started.IsZero() && year > 0 {
			ts.Started, precision = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), "year"
		}
	}
	for _, it := range tl {
		if it.At.IsZero() {
			continue
		}
		if ts.Detected.IsZero() && startsWithAny(it.Text, detectedWords) {
			ts.Detected = it.At
		}
		if !d.f.times[2].set && startsWithAny(it.Text, resolvedWords) {
			ts.Resolved = it.At
		}
	}
	return ts, precision
}

// refine gives a date-only start a time of day from a later candidate or
// a timeline entry on the same day.
func refine(first stamp, more []stamp, tl []ingest.TimelineItem, tz int) time.Time {
	for _, st := range more {
		if st.hasTime && st.date == first.date {
			return st.moment(tz)
		}
	}
	// The window is the day as the timeline's zone has it.
	day := first.at(tz)
	var best time.Time
	for _, it := range tl {
		if it.At.IsZero() || it.At.Before(day) || !it.At.Before(day.Add(24*time.Hour)) {
			continue
		}
		if best.IsZero() || it.At.Before(best) {
			best = it.At
		}
	}
	if !best.IsZero() {
		return best
	}
	return first.moment(tz)
}

// Timeline entries whose text starts with these mark detection and
// resolution when metadata does not state them.
var (
	detectedWords = []string{"detected", "first detected", "incident detected", "issue detected", "identified", "alert fired", "alerts fired", "first alert", "paged", "on-call paged"}
	resolvedWords = []string{"resolved", "incident resolved", "fully resolved", "issue resolved", "service restored", "services restored", "recovered", "fully recovered", "incident closed", "everything is back to normal"}
)

func startsWithAny(s string, words []string) bool {
	for _, w := range words {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) && (len(s) == len(w) || !isASCIILetter(s[len(w)])) {
			return true
		}
	}
	return false
}
