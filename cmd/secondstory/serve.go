package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/dashboards"
	"github.com/secondstory/secondstory/ingest"
)

type serveFlags struct {
	commonFlags
	addr string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.commonFlags.register(fs)
	fs.StringVar(&f.addr, "addr", "", "listen `address` host:port (default 127.0.0.1:8080, or the config's addr)")
}

// shutdownGrace bounds how long serve waits for requests and passes to
// finish after SIGINT or SIGTERM.
const shutdownGrace = 20 * time.Second

func serveCommand(ctx context.Context, env *environment, args []string) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "serve takes no arguments (sources are configured in secondstory.yaml)"}
	}
	cfg, err := configure(env, f.commonFlags)
	if err != nil {
		return err
	}
	if f.addr != "" {
		if err := checkListenAddr(f.addr); err != nil {
			return &usageError{msg: "--addr: " + err.Error()}
		}
		cfg.Addr = f.addr
	}
	if err := checkExposure(cfg); err != nil {
		return err
	}
	log := newLogger(env.stderr, cfg.Log)
	logAccess(log, cfg)

	a, err := openApp(ctx, cfg, log, "serve", cfg.Addr)
	if err != nil {
		return err
	}
	defer a.close()

	if cfg.sampleByDefault {
		// Without a configuration, serve shows the bundled sample, unless
		// the data directory already holds debriefs of your own
		// ("secondstory ingest FOLDER"): fictional ones must not be mixed
		// into real incident history.
		own, err := ownSources(ctx, a)
		if err != nil {
			return err
		}
		if len(own) > 0 {
			cfg.Sources = nil
			log.Info("serving the debriefs already in the data directory; the sample corpus is not added", "sources", own)
		}
	}
	metrics := serveMetrics(cfg, log)
	a.observer = metrics
	runner := a.runner(log)
	var scheduled []ingest.ScheduledSource
	for _, sc := range cfg.Sources {
		src, closeSrc, err := openSource(sc, int64(cfg.MaxFileSize))
		if err != nil {
			return err
		}
		defer closeSrc()
		scheduled = append(scheduled, ingest.ScheduledSource{Name: sc.Name, Kind: sc.Kind, Schedule: sc.Schedule, Source: src,
			Timeout: time.Duration(sc.Timeout)})
	}
	sched, err := ingest.NewScheduler(runner, scheduled, log)
	if err != nil {
		return err
	}

	// Ready once the index is in step with the store; a rebuild of a large
	// index may take a while, and the server answers meanwhile.
	var readyErr atomic.Pointer[error]
	notReady := errors.New("bringing the search index in step with the store")
	readyErr.Store(&notReady)
	ready := func(ctx context.Context) error {
		if err := *readyErr.Load(); err != nil {
			return err
		}
		return a.store.Ping(ctx)
	}

	pages, err := dashboards.New(dashboards.Options{Analytics: a.store, Debriefs: a.store, Runs: a.store, Searcher: a.index,
		Scheduler: sched, Catalog: cfg.catalog, Logger: log})
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	engine := api.New(api.Options{Debriefs: a.store, Hits: a.store, Searcher: a.index, Runs: a.store, Scheduler: sched, Analytics: a.store, Exporter: a.store, Ready: ready, Logger: log,
		Auth: cfg.authOptions(), Limits: cfg.apiLimits(), Metrics: metrics, Pages: pages.Mount})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	addr := ln.Addr().String()
	a.lock.setAddr(addr)
	srv := &http.Server{
		Handler:           engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout(cfg),
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	what := fmt.Sprintf("%d source(s)", len(scheduled))
	switch {
	case cfg.sampleByDefault && len(scheduled) == 1:
		what = "the bundled sample corpus"
	case len(scheduled) == 0:
		what = "the debriefs already ingested"
	}
	fmt.Fprintf(env.stdout, "Second Story is serving %s at http://%s (data in %s)\n", what, addr, absDir(cfg.Data))

	// The check stops when serve returns, before the index is closed.
	checkCtx, stopCheck := context.WithCancel(ctx)
	checked := make(chan struct{})
	defer func() {
		stopCheck()
		<-checked
	}()
	go func() {
		defer close(checked)
		if err := a.index.Check(checkCtx); err != nil {
			if checkCtx.Err() == nil {
				log.Error("search index check failed", "err", err)
				e := fmt.Errorf("search index: %w", err)
				readyErr.Store(&e)
			}
			return
		}
		var none error
		readyErr.Store(&none)
		// A new catalog reassesses what is stored before the sources run.
		if n, err := runner.Reassess(checkCtx, nil); err != nil && checkCtx.Err() == nil {
			log.Error("reassessing stored debriefs failed", "err", err)
		} else if n > 0 {
			log.Info("stored debriefs reassessed", "debriefs", n, "catalog", a.assessor.Version())
		}
		if checkCtx.Err() == nil {
			sched.Start()
		}
	}()

	var result error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			result = fmt.Errorf("http server: %w", err)
		}
	}
	// Stop taking requests and passes; running passes see their context
	// cancelled and record themselves as interrupted. The index and then
	// the store close last (deferred).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopCheck()
	<-checked
	if err := sched.Stop(shutdownCtx); err != nil {
		log.Warn("scheduler shutdown", "err", err)
	}
	return result
}

// ownSources names the sources other than the bundled sample that have run
// in the data directory.
func ownSources(ctx context.Context, a *app) ([]string, error) {
	last, err := a.store.LastRuns(ctx)
	if err != nil {
		return nil, err
	}
	var own []string
	for name := range last {
		if name != sampleSourceName {
			own = append(own, name)
		}
	}
	slices.Sort(own)
	return own, nil
}
