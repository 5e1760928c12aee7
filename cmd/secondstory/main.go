// Command secondstory is Second Story: an analytics service over an
// organisation's past incident debriefs. It ingests debriefs from where
// teams keep them into a DuckDB store and a Bleve search index, and serves
// search, trends and depth analysis over HTTP.
//
// Run "secondstory help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	// SIGINT and SIGTERM cancel the context: serve shuts down gracefully,
	// and a pass records itself as interrupted.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // arguments after the command name
	// flags declares the command's flags, for help; nil when it has none.
	flags func(*flag.FlagSet)
	run   func(ctx context.Context, env *environment, args []string) error
}

// environment is what a command runs with.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// usageError is a mistake in the command line; the command's help follows.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitError carries an exit status for an outcome already reported.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func commands() []command {
	return []command{
		{"serve", "run the scheduler and the HTTP server (API and dashboards)",
			"[--config FILE] [--data DIR] [--addr HOST:PORT]",
			func(fs *flag.FlagSet) { (&serveFlags{}).register(fs) }, serveCommand},
		{"ingest", "run one pass of the configured sources, or of folders given as arguments",
			"[--config FILE] [--data DIR] [--source NAME] [PATH...]",
			func(fs *flag.FlagSet) { (&ingestFlags{}).register(fs) }, ingestCommand},
		{"reindex", "rebuild the search index from the store",
			"[--config FILE] [--data DIR]",
			func(fs *flag.FlagSet) { (&commonFlags{}).register(fs) }, reindexCommand},
		{"search", "search the debriefs: ranked results with a passage each",
			"[--config FILE] [--data DIR] [--limit N] [--json] QUERY",
			func(fs *flag.FlagSet) { (&searchFlags{}).register(fs) }, searchCommand},
		{"report", "print the trends across debriefs as a report to paste into a review (Markdown or JSON)",
			"[--config FILE] [--data DIR] [--from DATE] [--to DATE] [--interval quarter] [--format md|json]",
			func(fs *flag.FlagSet) { (&reportFlags{}).register(fs) }, reportCommand},
		{"export", "write debriefs, factors, coverage and depth as Parquet or CSV files",
			"[--config FILE] [--data DIR] --out DIR [--format parquet|csv] [--tables debriefs,factors,coverage,depth]",
			func(fs *flag.FlagSet) { (&exportFlags{}).register(fs) }, exportCommand},
		{"reassess", "assess every stored debrief again (after changing the catalog, this happens by itself)",
			"[--config FILE] [--data DIR]",
			func(fs *flag.FlagSet) { (&commonFlags{}).register(fs) }, reassessCommand},
		{"assess", "assess debrief files or folders and print one JSON line per debrief (no data directory)",
			"[--catalog FILE] [--format jsonl] PATH...",
			func(fs *flag.FlagSet) { (&assessFlags{}).register(fs) }, assessCommand},
		{"eval", "measure the assessment against hand labels: precision, recall, F1 and depth accuracy",
			"--labels FILE [--labels FILE...] [--catalog FILE] PATH...",
			func(fs *flag.FlagSet) { registerEvalFlags(&evalFlags{}, fs) }, evalCommand},
		{"version", "print the version", "", nil, versionCommand},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &environment{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c, ok := findCommand(args[1]); ok {
				printCommandHelp(stdout, c)
				return 0
			}
		}
		printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(stderr, "secondstory: unknown command %q\n\n", args[0])
		printHelp(stderr)
		return 2
	}
	err := c.run(ctx, env, args[1:])
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		printCommandHelp(stdout, c) // "secondstory serve --help"
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "secondstory %s: %s\n\n", c.name, ue.msg)
		printCommandHelp(stderr, c)
		return 2
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "secondstory %s: %s\n", c.name, err)
		return 1
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `Second Story: search, trends and depth analysis over your incident debriefs.

Usage:
  secondstory <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
With no configuration, "secondstory serve" serves a bundled sample corpus at
http://127.0.0.1:8080. Configuration is read from --config, $SECONDSTORY_CONFIG
or ./secondstory.yaml; the README documents every key.

Run "secondstory help <command>" for a command's flags.
`)
}

func printCommandHelp(w io.Writer, c command) {
	fmt.Fprintf(w, "Usage: secondstory %s %s\n\n%s.\n", c.name, c.usage, upperFirst(c.summary))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.flags != nil {
		c.flags(fs)
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// commonFlags are the flags every data command takes.
type commonFlags struct {
	config string
	data   string
}

func (f *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration `file` (default $SECONDSTORY_CONFIG or ./secondstory.yaml)")
	fs.StringVar(&f.data, "data", "", "data `directory` holding the store and the index (overrides the config's data)")
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	return nil
}

// configure loads the configuration and applies the common flags.
func configure(env *environment, f commonFlags) (*Config, error) {
	cfg, err := loadConfig(f.config, env.getenv)
	if err != nil {
		return nil, err
	}
	if f.data != "" {
		cfg.Data = f.data
	}
	return cfg, nil
}

func newLogger(w io.Writer, cfg LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func versionCommand(_ context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		return &usageError{msg: "version takes no arguments"}
	}
	fmt.Fprintln(env.stdout, "secondstory", version())
	return nil
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + bi.GoVersion
}
