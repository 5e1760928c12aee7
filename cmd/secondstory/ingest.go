package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/secondstory/secondstory/ingest"
)

type ingestFlags struct {
	commonFlags
	source string
}

func (f *ingestFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs)
	fs.StringVar(&f.source, "source", "", "run only the configured source with this `name`")
}

// ingestCommand runs one pass of each selected source and prints a
// summary per source. It fails (exit 1) when a source failed as a whole.
func ingestCommand(ctx context.Context, env *environment, args []string) error {
	var f ingestFlags
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := configure(env, f.commonFlags)
	if err != nil {
		return err
	}
	sources, err := selectSources(cfg, f.source, fs.Args())
	if err != nil {
		return err
	}
	log := newLogger(env.stderr, LogConfig{Level: "warn", Format: cfg.Log.Format})
	a, err := openApp(ctx, cfg, log, "ingest", "")
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.index.Check(ctx); err != nil {
		return err
	}
	runner := a.runner(log)
	if n, err := runner.Reassess(ctx, nil); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(env.stdout, "reassessed %d stored debriefs with catalog %s\n", n, a.assessor.Version())
	}
	failed := 0
	for _, sc := range sources {
		src, closeSrc, err := openSource(sc, int64(cfg.MaxFileSize))
		if err != nil {
			fmt.Fprintf(env.stdout, "%s: %v\n", sc.Name, err)
			failed++
			continue
		}
		p := newProgress(env.stderr, sc.Name)
		passCtx, cancel := ingest.WithPassTimeout(ctx, time.Duration(sc.Timeout))
		run, err := runner.Run(passCtx, sc.Name, src, p.update)
		cancel()
		closeSrc()
		p.done()
		if run != nil {
			printRun(env.stdout, run)
		}
		if err != nil {
			if run == nil {
				fmt.Fprintf(env.stdout, "%s: %v\n", sc.Name, err)
			}
			failed++
		}
		if ctx.Err() != nil {
			break
		}
	}
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// selectSources picks the sources of an ingest: folders given as
// arguments (each an ad-hoc source named after the folder), or the
// configured source named by --source, or every configured source.
func selectSources(cfg *Config, name string, paths []string) ([]SourceConfig, error) {
	if len(paths) > 0 {
		if name != "" {
			return nil, &usageError{msg: "give either --source or folders, not both"}
		}
		var out []SourceConfig
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
			}
			if !st.IsDir() {
				return nil, fmt.Errorf("%s is not a folder", p)
			}
			out = append(out, SourceConfig{Name: adHocName(p), Kind: "dir", Path: p})
		}
		return out, nil
	}
	if name == "" {
		return cfg.Sources, nil
	}
	for _, s := range cfg.Sources {
		if s.Name == name {
			return []SourceConfig{s}, nil
		}
	}
	var names []string
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("no source named %q is configured (configured: %s)", name, strings.Join(names, ", "))
}

var nonName = regexp.MustCompile(`[^a-z0-9_-]+`)

// adHocName names a source after its folder: "Post Mortems/" → "post-mortems".
func adHocName(path string) string {
	base := filepath.Base(absDir(path))
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(base), "-"), "-_")
	if n == "" {
		n = "folder"
	}
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

func printRun(w io.Writer, r *ingest.Run) {
	took := r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond)
	fmt.Fprintf(w, "%s: %s in %s: %d documents seen; debriefs: %d added, %d updated, %d unchanged, %d removed; %d skipped, %d failed\n",
		r.Source, r.Status, took, r.Seen, r.Added, r.Updated, r.Unchanged, r.Removed, r.Skipped, r.Failed)
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  failed: %s: %s\n", f.Ref, f.Reason)
	}
	if r.Failed > len(r.Failures) {
		fmt.Fprintf(w, "  ... and %d more failures\n", r.Failed-len(r.Failures))
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", r.Error)
	}
}

// progress shows a pass advancing: a bar on a terminal, a plain line every
// few seconds otherwise.
type progress struct {
	w    io.Writer
	name string
	bar  *progressbar.ProgressBar
	last time.Time
}

func newProgress(w io.Writer, name string) *progress {
	p := &progress{w: w, name: name, last: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("docs"),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
	}
	return p
}

func (p *progress) update(pr ingest.Progress) {
	if p.bar != nil {
		_ = p.bar.Set(pr.Seen)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.w, "%s: %d documents so far (%d added, %d updated, %d unchanged, %d failed)\n",
			p.name, pr.Seen, pr.Added, pr.Updated, pr.Unchanged, pr.Failed)
	}
}

func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func reindexCommand(ctx context.Context, env *environment, args []string) error {
	var f commonFlags
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "reindex takes no arguments"}
	}
	a, _, err := openData(ctx, env, f, "reindex")
	if err != nil {
		return err
	}
	defer a.close()
	start := time.Now()
	if err := a.index.Rebuild(ctx); err != nil {
		return err
	}
	n, err := a.index.DocCount()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "search index rebuilt: %d debriefs in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

func reassessCommand(ctx context.Context, env *environment, args []string) error {
	var f commonFlags
	fs := flag.NewFlagSet("reassess", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "reassess takes no arguments"}
	}
	a, log, err := openData(ctx, env, f, "reassess")
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.index.Check(ctx); err != nil {
		return err
	}
	start := time.Now()
	// Forget the catalog version of stored assessments, so every debrief
	// is assessed again.
	if err := a.store.ForgetAssessments(ctx); err != nil {
		return err
	}
	p := newProgress(env.stderr, "reassess")
	n, err := a.runner(log).Reassess(ctx, func(done int) {
		p.update(ingest.Progress{Source: "reassess", Counts: ingest.Counts{Seen: done, Updated: done}})
	})
	p.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "reassessed %d debriefs with catalog %s in %s\n", n, a.assessor.Version(), time.Since(start).Round(time.Millisecond))
	return nil
}
