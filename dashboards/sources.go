package dashboards

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/ingest"
)

// Bounds of the sources page.
const (
	runsShown     = 10
	failuresShown = 20
)

type sourcesPage struct {
	base
	Sources []sourceView
}

type sourceView struct {
	Name, Kind, Schedule string
	Configured, Running  bool
	Next                 time.Time
	Runs                 []ingest.Run
	// Current is a pass under way; Last the latest that ended.
	Current, Last *ingest.Run
	Notice        string
	Failures      []ingest.Failure
	MoreFailures  int
	Chart         figure
	CanRun        bool
	NeedsAdmin    bool
	RunAction     string
}

// sources: GET /sources?started=NAME|busy=NAME
func (p *Pages) sources(c *gin.Context) {
	ctx := c.Request.Context()
	last, err := p.opts.Runs.LastRuns(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	v := sourcesPage{base: p.base(c, "Sources", "sources")}
	// After "run now": said in the source's own card, where the browser
	// lands.
	q := c.Request.URL.Query()
	started, busy := q.Get("started"), q.Get("busy")
	var views []sourceView
	seen := map[string]bool{}
	if p.opts.Scheduler != nil {
		for _, s := range p.opts.Scheduler.Sources() {
			seen[s.Name] = true
			views = append(views, sourceView{Name: s.Name, Kind: s.Kind, Schedule: scheduleWords(s.Schedule), Next: s.Next, Running: s.Running, Configured: true})
		}
	}
	var rest []string
	for name := range last {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		views = append(views, sourceView{Name: name})
	}
	for i := range views {
		sv := &views[i]
		runs, err := p.opts.Runs.Runs(ctx, sv.Name, runsShown)
		if err != nil {
			p.fail(c, err)
			return
		}
		sv.Runs = runs
		for i := range runs {
			if runs[i].Status == ingest.RunRunning {
				if sv.Current == nil && i == 0 {
					sv.Current = &runs[i]
				}
				continue
			}
			sv.Last = &runs[i]
			break
		}
		if sv.Last != nil && sv.Last.Failed > 0 {
			full, err := p.opts.Runs.Run(ctx, sv.Last.ID)
			if err != nil {
				p.fail(c, err)
				return
			}
			sv.Failures = full.Failures[:min(len(full.Failures), failuresShown)]
			sv.MoreFailures = max(0, sv.Last.Failed-len(sv.Failures))
		}
		if sv.Name == started {
			sv.Notice = fmt.Sprintf("A pass of %s has started. Reload this page to follow it.", sv.Name)
		} else if sv.Name == busy {
			sv.Notice = fmt.Sprintf("%s is already running or about to; it was not started twice.", sv.Name)
		}
		sv.CanRun = sv.Configured && v.Access.Admin
		sv.NeedsAdmin = sv.Configured && !v.Access.Admin
		sv.RunAction = "/sources/" + url.PathEscape(sv.Name) + "/run"
		sv.Chart = runsFigure(sv.Name, runs)
	}
	v.Sources = views
	p.render(c, http.StatusOK, "sources", v)
}

// scheduleWords says when a source runs, in words.
func scheduleWords(spec string) string {
	switch spec {
	case "":
		return ""
	case "@hourly":
		return "every hour"
	case "@daily", "@midnight":
		return "every day at midnight"
	case "@weekly":
		return "every week"
	case "@monthly":
		return "every month"
	}
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		return "every " + d
	}
	return "on the schedule " + spec
}

// runsFigure draws a source's latest passes, oldest first: the documents
// each saw, those with failures marked.
func runsFigure(name string, runs []ingest.Run) figure {
	fig := figure{ID: "runs-" + name, Title: "Latest passes of " + name,
		Note: "Documents each pass looked at, oldest first; red bars had documents that could not be read."}
	if len(runs) == 0 {
		fig.Empty = "This source has not run yet."
		return fig
	}
	cols := make([]column, 0, len(runs))
	failed := 0
	sameDay := true
	for _, r := range runs {
		sameDay = sameDay && r.StartedAt.UTC().YearDay() == runs[0].StartedAt.UTC().YearDay() && r.StartedAt.Year() == runs[0].StartedAt.Year()
	}
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		label := fmt.Sprintf("Pass %d, %s: %s, %d added, %d updated, %d failed (%s)", r.ID, formatWhen(r.StartedAt),
			countWords(r.Seen, "document", "documents"), r.Added, r.Updated, r.Failed, r.Status)
		if r.Failed > 0 || r.Status == ingest.RunFailed {
			failed++
		}
		short := r.StartedAt.UTC().Format("2 Jan")
		if sameDay {
			short = r.StartedAt.UTC().Format("15:04")
		}
		cols = append(cols, column{Tick: tick{Full: formatWhen(r.StartedAt), Short: short},
			Value: float64(max(r.Seen, 0)), Href: "#run-" + strconv.FormatInt(r.ID, 10), Label: label})
	}
	desc := fmt.Sprintf("%s; %d with failures.", countWords(len(runs), "pass", "passes"), failed)
	ch := columnChart("runs-"+name+"-both", fig.Title, desc, cols, 320, 140, "both")
	// Mark the bars of passes with failures.
	j := 0
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Failed > 0 || runs[i].Status == ingest.RunFailed {
			ch.Rects[j].Class = "bar bad"
		}
		j++
	}
	fig.Charts = []*svgChart{ch}
	return fig
}

// runNow: POST /sources/:name/run, from the sources page's form (admin;
// a cookie session passes the same-origin check first).
func (p *Pages) runNow(c *gin.Context) {
	if p.opts.Scheduler == nil {
		p.fail(c, fmt.Errorf("source %s: %w", clip(c.Param("name")), ingest.ErrUnknownSource))
		return
	}
	name := c.Param("name")
	err := p.opts.Scheduler.RunNow(name)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/sources?started="+url.QueryEscape(name)+"#src-"+url.PathEscape(name))
	case errors.Is(err, ingest.ErrRunning):
		c.Redirect(http.StatusSeeOther, "/sources?busy="+url.QueryEscape(name)+"#src-"+url.PathEscape(name))
	default:
		p.fail(c, err)
	}
}
