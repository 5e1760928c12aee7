package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secondstory/secondstory/analytics"
)

type reportFlags struct {
	commonFlags
	from, to string
	format   string
	interval string
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs)
	fs.StringVar(&f.from, "from", "", "first day counted, as 2025-01-01 (default: the first debrief)")
	fs.StringVar(&f.to, "to", "", "last day counted, as 2025-12-31 (default: the last debrief)")
	fs.StringVar(&f.interval, "interval", "quarter", "period of the trends: month, quarter or year")
	fs.StringVar(&f.format, "format", "md", "md (Markdown, to paste into a review) or json")
}

// report is what secondstory report prints: the analytics API's figures
// for one range, the same rows, gathered for a lead's review.
type report struct {
	From      analytics.Day `json:"from"`
	To        analytics.Day `json:"to"`
	Interval  string        `json:"interval"`
	Generated time.Time     `json:"generated_at"`

	Depth       []analytics.DepthRow        `json:"depth"`
	DepthTrend  []analytics.DepthRow        `json:"depth_trend"`
	Review      []analytics.ReviewRow       `json:"review"`
	ReviewTotal int                         `json:"review_total"`
	Categories  []analytics.CategoryCount   `json:"factor_categories"`
	Rising      []string                    `json:"rising_categories"`
	Factors     []analytics.RecurringFactor `json:"recurring_factors"`
	Pairs       []analytics.Pair            `json:"cooccurrence"`
	Coverage    []analytics.CoverageRow     `json:"coverage"`
	Incidents   []analytics.IncidentCount   `json:"incidents"`
	Durations   []analytics.Durations       `json:"durations"`
}

// How much of each list the Markdown report shows; JSON has the same.
const (
	reportReview  = 10
	reportFactors = 10
	reportPairs   = 5
)

func reportCommand(ctx context.Context, env *environment, args []string) error {
	var f reportFlags
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("report takes no arguments, got %q", fs.Arg(0))}
	}
	if f.format != "md" && f.format != "json" {
		return &usageError{msg: fmt.Sprintf("--format must be md or json, got %q", f.format)}
	}
	unit, err := analytics.ParseInterval(f.interval)
	if err != nil || unit == "" {
		return &usageError{msg: fmt.Sprintf("--interval must be month, quarter or year, got %q", f.interval)}
	}
	var filter analytics.Filter
	if filter.From, err = dayFlag("--from", f.from, false); err != nil {
		return err
	}
	if filter.To, err = dayFlag("--to", f.to, true); err != nil {
		return err
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		return &usageError{msg: fmt.Sprintf("--from (%s) must be before --to (%s)", f.from, f.to)}
	}
	a, _, err := openData(ctx, env, f.commonFlags, "report")
	if err != nil {
		return err
	}
	defer a.close()
	r, err := buildReport(ctx, a.store, filter, unit)
	if err != nil {
		return err
	}
	if f.format == "json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.markdown(env.stdout, a.cfg.catalog.FactorTitle, a.cfg.catalog.QuestionTitle)
}

// dayFlag reads an ISO date; an upper bound includes that day.
func dayFlag(name, v string, upper bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, &usageError{msg: fmt.Sprintf("%s must be a date such as 2025-01-31, got %q", name, v)}
	}
	if upper {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func buildReport(ctx context.Context, st *analytics.Store, f analytics.Filter, unit analytics.Interval) (*report, error) {
	r := &report{Interval: string(unit), Generated: time.Now().UTC().Truncate(time.Second)}
	var err error
	if r.Depth, err = st.Depth(ctx, f, ""); err != nil {
		return nil, err
	}
	if r.DepthTrend, err = st.Depth(ctx, f, unit); err != nil {
		return nil, err
	}
	if r.Review, r.ReviewTotal, err = st.DepthReview(ctx, f, reportReview, 0); err != nil {
		return nil, err
	}
	if r.Categories, err = st.FactorCategories(ctx, f, 2); err != nil {
		return nil, err
	}
	trend, err := st.FactorTrend(ctx, f, unit, 0)
	if err != nil {
		return nil, err
	}
	for _, t := range trend {
		if t.Rising && !slices.Contains(r.Rising, t.Category) {
			r.Rising = append(r.Rising, t.Category)
		}
	}
	if r.Factors, err = st.RecurringFactors(ctx, f, 2, reportFactors); err != nil {
		return nil, err
	}
	pairs, err := st.Cooccurrence(ctx, f, 2)
	if err != nil {
		return nil, err
	}
	r.Pairs = pairs[:min(len(pairs), reportPairs)]
	if r.Coverage, err = st.Coverage(ctx, f, ""); err != nil {
		return nil, err
	}
	if r.Incidents, err = st.Incidents(ctx, f, ""); err != nil {
		return nil, err
	}
	if r.Durations, err = st.IncidentDurations(ctx, f, ""); err != nil {
		return nil, err
	}
	// The range shown: the filter's, else that of the trend's periods.
	r.From, r.To = analytics.DayOf(f.From), analytics.DayOf(f.To.Add(-time.Nanosecond))
	if f.To.IsZero() {
		r.To = analytics.Day{}
	}
	for _, d := range r.DepthTrend {
		if d.Assessed == 0 {
			continue
		}
		if r.From.IsZero() {
			r.From = d.Period
		}
		if f.To.IsZero() {
			r.To = d.Period
		}
	}
	if f.To.IsZero() && !r.To.IsZero() {
		// The last period's last day.
		end := r.To.Time()
		switch unit {
		case analytics.Month:
			end = end.AddDate(0, 1, -1)
		case analytics.Quarter:
			end = end.AddDate(0, 3, -1)
		case analytics.Year:
			end = end.AddDate(1, 0, -1)
		}
		if today := time.Now().UTC(); end.After(today) {
			end = today
		}
		r.To = analytics.DayOf(end)
	}
	r.Rising = orEmpty(r.Rising)
	return r, nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// cell makes text safe in a Markdown table cell: one line, pipes and
// markup characters escaped, clipped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		cut := 160
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func pct(x float64) string { return fmt.Sprintf("%.0f %%", math.Round(100*x)) }

func minutes(m float64) string {
	switch {
	case m >= 48*60:
		return fmt.Sprintf("%.1f days", m/(24*60))
	case m >= 120:
		return fmt.Sprintf("%.1f h", m/60)
	}
	return fmt.Sprintf("%.0f min", m)
}

func (r *report) markdown(w io.Writer, factorTitle, questionTitle func(string) string) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	span := "all debriefs"
	if !r.From.IsZero() || !r.To.IsZero() {
		span = fmt.Sprintf("%s to %s", orDash(r.From.String()), orDash(r.To.String()))
	}
	d := r.Depth[0]
	p("# Learning review report: %s\n\n", span)
	total := 0
	for _, c := range r.Incidents {
		total += c.Debriefs
	}
	p("%d debriefs, %d of them assessed. Generated %s by Second Story.\n\n", total, d.Assessed, r.Generated.Format("2006-01-02 15:04 UTC"))
	if total == 0 {
		p("No debriefs in this range.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}

	p("## Beyond a single root cause\n\n")
	p("%s of the assessed debriefs went beyond a single root cause (%d named several causes, %d described contributing factors; %d stopped at one root cause). Median depth score %.0f of 100. %d used blame language, %d counterfactuals (\"should have\").\n\n",
		pct(d.BeyondSingleShare), d.MultipleCauses, d.ContributingFactors, d.SingleRootCause, d.MedianScore, d.WithBlame, d.WithCounterfactuals)
	p("| %s | debriefs | beyond one root cause | median score |\n|---|---:|---:|---:|\n", r.Interval)
	for _, t := range r.DepthTrend {
		if t.Assessed == 0 {
			continue
		}
		p("| %s | %d | %s | %.0f |\n", t.Period, t.Assessed, pct(t.BeyondSingleShare), t.MedianScore)
	}
	if len(r.Review) > 0 {
		p("\n**To revisit** (single root cause, newest first; %d in all):\n\n", r.ReviewTotal)
		for _, x := range r.Review {
			p("- %s (%s): %s\n", cell(x.Title), orDash(x.Date.String()), cell(strings.Join(x.Reasons, "; ")))
		}
	}

	p("\n## Recurring contributing factors\n\n")
	if len(r.Categories) == 0 {
		p("No factor category is in two or more debriefs.\n")
	} else {
		p("| category | debriefs | share | first seen | last seen | rising |\n|---|---:|---:|---|---|---|\n")
		for _, c := range r.Categories {
			rising := ""
			if slices.Contains(r.Rising, c.Category) {
				rising = "yes"
			}
			p("| %s | %d | %s | %s | %s | %s |\n", cell(factorTitle(c.Category)), c.Debriefs, pct(c.Share), orDash(c.FirstSeen.String()), orDash(c.LastSeen.String()), rising)
		}
	}
	if len(r.Factors) > 0 {
		p("\nThe factors stated most often (the same factor in different words counts once per debrief):\n\n")
		p("| factor | debriefs | wordings | first seen | last seen |\n|---|---:|---:|---|---|\n")
		for _, x := range r.Factors {
			p("| %s | %d | %d | %s | %s |\n", cell(x.Label), x.Debriefs, x.Wordings, orDash(x.FirstSeen.String()), orDash(x.LastSeen.String()))
		}
	}
	if len(r.Pairs) > 0 {
		p("\nCategories found together most often (lift above 1: more often than chance):\n\n")
		for _, x := range r.Pairs {
			p("- %s and %s: %d debriefs, lift %.2f\n", cell(factorTitle(x.A)), cell(factorTitle(x.B)), x.Debriefs, x.Lift)
		}
	}

	p("\n## Questions our debriefs cover\n\nLeast covered first.\n\n| question category | debriefs covering it | share |\n|---|---:|---:|\n")
	cov := slices.Clone(r.Coverage)
	slices.SortStableFunc(cov, func(a, b analytics.CoverageRow) int {
		switch {
		case a.Share < b.Share:
			return -1
		case a.Share > b.Share:
			return 1
		}
		return 0
	})
	for _, c := range cov {
		p("| %s | %d | %s |\n", cell(questionTitle(c.Category)), c.Covered, pct(c.Share))
	}

	p("\n## Incidents\n\n| severity | debriefs |\n|---|---:|\n")
	bySev := map[string]int{}
	var sevs []string
	for _, c := range r.Incidents {
		if bySev[c.Severity] == 0 {
			sevs = append(sevs, c.Severity)
		}
		bySev[c.Severity] += c.Debriefs
	}
	slices.Sort(sevs)
	for _, s := range sevs {
		p("| %s | %d |\n", cell(s), bySev[s])
	}
	if du := r.Durations[0]; du.WithDuration > 0 {
		p("\nDuration (%d debriefs with start and end): median %s, 90th percentile %s, longest %s.\n", du.WithDuration, minutes(du.MedianMinutes), minutes(du.P90Minutes), minutes(du.MaxMinutes))
	}
	if du := r.Durations[0]; du.WithDetection > 0 {
		p("Time to detect (%d debriefs): median %s, 90th percentile %s, longest %s.\n", du.WithDetection, minutes(du.DetectMedian), minutes(du.DetectP90), minutes(du.DetectMax))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

type exportFlags struct {
	commonFlags
	format string
	out    string
	tables string
}

func (f *exportFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs)
	fs.StringVar(&f.format, "format", "parquet", "parquet or csv")
	fs.StringVar(&f.out, "out", "", "folder to write the files into (created if missing)")
	fs.StringVar(&f.tables, "tables", strings.Join(analytics.ExportTables, ","), "tables to export, comma-separated")
}

func exportCommand(ctx context.Context, env *environment, args []string) error {
	var f exportFlags
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("export takes no arguments, got %q (the folder is --out)", fs.Arg(0))}
	}
	if f.out == "" {
		return &usageError{msg: "give the folder to write into with --out DIR"}
	}
	if !slices.Contains(analytics.ExportFormats, f.format) {
		return &usageError{msg: fmt.Sprintf("--format must be parquet or csv, got %q", f.format)}
	}
	var tables []string
	for _, t := range strings.Split(f.tables, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !slices.Contains(analytics.ExportTables, t) {
			return &usageError{msg: fmt.Sprintf("--tables: no table %q; the tables are %s", t, strings.Join(analytics.ExportTables, ", "))}
		}
		tables = append(tables, t)
	}
	if len(tables) == 0 {
		return &usageError{msg: "--tables names no table"}
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	a, _, err := openData(ctx, env, f.commonFlags, "export")
	if err != nil {
		return err
	}
	defer a.close()
	for _, t := range tables {
		path := filepath.Join(f.out, t+"."+f.format)
		if err := a.store.Export(ctx, t, f.format, path); err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(env.stdout, "%s\t%d bytes\n", path, st.Size())
	}
	return nil
}
