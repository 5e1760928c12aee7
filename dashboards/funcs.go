package dashboards

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/ingest"
)

// funcs are the template functions. None returns template.HTML: every
// value a template prints is escaped by html/template.
func (p *Pages) funcs() template.FuncMap {
	return template.FuncMap{
		"question": p.questionTitle,
		"factor":   p.factorTitle,
		"depth":    depthTitle,
		"section":  sectionTitle,
		"pct":      pct,
		"num":      num,
		"date":     formatDate,
		"day":      func(d analytics.Day) string { return formatDate(d.Time()) },
		"when":     formatWhen,
		"ago":      p.ago,
		"join":     strings.Join,
		"plural":   plural,
		"count":    func(n int, one, many string) string { return strconv.Itoa(n) + " " + plural(n, one, many) },
		"minutes":  formatMinutes,
		"add":      func(a, b int) int { return a + b },
		"took":     took,
		"cx":       func(r svgRect) float64 { return r.X + r.W/2 },
		"cy":       func(r svgRect) float64 { return r.Y + r.H/2 + 4 },
	}
}

// questionTitle is a question category's title ("Cues and observations").
func (p *Pages) questionTitle(key string) string { return p.catalog.QuestionTitle(key) }

// factorTitle is a factor category's title ("Detection and observability").
func (p *Pages) factorTitle(key string) string { return p.catalog.FactorTitle(key) }

// depthTitle names a depth class in plain words.
func depthTitle(class string) string {
	switch class {
	case ingest.DepthSingleRootCause:
		return "Single root cause"
	case ingest.DepthMultipleCauses:
		return "Several causes"
	case ingest.DepthContributingFactors:
		return "Contributing factors"
	case "":
		return "Not assessed"
	}
	return class
}

// sectionTitle names a section kind.
func sectionTitle(k ingest.SectionKind) string {
	s := strings.ReplaceAll(string(k), "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return "no date"
	}
	return t.UTC().Format("2 Jan 2006")
}

func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// ago says how long ago t was, roughly.
func (p *Pages) ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := p.now().Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		h := int(d.Hours())
		s = strconv.Itoa(h) + " " + plural(h, "hour", "hours")
	default:
		days := int(d.Hours() / 24)
		s = strconv.Itoa(days) + " days"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// formatMinutes writes a duration in minutes as "45 min" or "3 h 10 min".
func formatMinutes(m float64) string {
	if m <= 0 || math.IsNaN(m) {
		return "–"
	}
	total := int(math.Round(m))
	if total < 60 {
		return fmt.Sprintf("%d min", total)
	}
	if total%60 == 0 {
		return fmt.Sprintf("%d h", total/60)
	}
	return fmt.Sprintf("%d h %d min", total/60, total%60)
}

// took says how long a pass took.
func took(from, to time.Time) string {
	d := to.Sub(from)
	switch {
	case d < time.Second:
		return "under a second"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	}
	return formatMinutes(d.Minutes())
}
