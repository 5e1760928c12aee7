package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// ScheduledSource is a configured source with the schedule it runs on.
type ScheduledSource struct {
	Name string
	// Kind is the source kind as configured (dir, git, github...), for
	// display.
	Kind string
	// Schedule is a cron spec ("0 * * * *") or a descriptor ("@every 15m",
	// "@hourly").
	Schedule string
	Source   Source
	// Timeout bounds one pass; a pass that runs longer fails with "timed
	// out after ...". Zero: no bound.
	Timeout time.Duration
}

// ParseSchedule checks a schedule spec, saying what is wrong with it.
func ParseSchedule(spec string) error {
	if _, err := cron.ParseStandard(spec); err != nil {
		return fmt.Errorf("%q is not a cron spec (\"*/15 * * * *\") or a descriptor (\"@every 15m\", \"@hourly\"): %w", spec, err)
	}
	return nil
}

// ErrUnknownSource is returned for a source name that is not configured.
var ErrUnknownSource = errors.New("no such source")

// ErrShuttingDown is returned by RunNow once Stop has begun.
var ErrShuttingDown = errors.New("the server is shutting down")

// Scheduler runs each source once at start and then on its schedule. A
// pass still running when its next turn comes is not started twice, and a
// panicking pass is recovered and logged.
type Scheduler struct {
	runner  *Runner
	log     *slog.Logger
	cron    *cron.Cron
	sources map[string]*scheduled
	order   []string

	// ctx is cancelled by Stop: running passes see it and wind down.
	ctx    context.Context
	cancel context.CancelFunc
	// wg tracks passes started outside cron (at start and by RunNow);
	// cron's own Stop waits for the scheduled ones.
	wg sync.WaitGroup

	mu      sync.Mutex
	stopped bool
	// requested holds the sources whose RunNow pass has not finished.
	requested map[string]bool
}

type scheduled struct {
	ScheduledSource
	entry cron.EntryID
}

// SourceStatus describes a scheduled source now.
type SourceStatus struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Schedule string    `json:"schedule"`
	Next     time.Time `json:"next_run_at,omitzero"`
	Running  bool      `json:"running"`
}

// NewScheduler schedules the sources on the runner. It fails on a bad
// schedule spec or a repeated name.
func NewScheduler(r *Runner, sources []ScheduledSource, log *slog.Logger) (*Scheduler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cl := cronLogger{log}
	s := &Scheduler{
		runner:    r,
		log:       log,
		cron:      cron.New(cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)), cron.WithLogger(cl)),
		sources:   map[string]*scheduled{},
		requested: map[string]bool{},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, src := range sources {
		if _, dup := s.sources[src.Name]; dup {
			return nil, fmt.Errorf("source %s is configured twice", src.Name)
		}
		if err := ParseSchedule(src.Schedule); err != nil {
			return nil, fmt.Errorf("source %s: schedule: %w", src.Name, err)
		}
		sc := &scheduled{ScheduledSource: src}
		id, err := s.cron.AddFunc(src.Schedule, func() { s.pass(sc) })
		if err != nil {
			return nil, fmt.Errorf("source %s: schedule: %w", src.Name, err)
		}
		sc.entry = id
		s.sources[src.Name] = sc
		s.order = append(s.order, src.Name)
	}
	return s, nil
}

// Start runs every source once, one after the other in the background,
// and starts the schedule.
func (s *Scheduler) Start() {
	s.wg.Go(func() {
		for _, name := range s.order {
			if s.ctx.Err() != nil {
				return
			}
			s.pass(s.sources[name])
		}
	})
	s.cron.Start()
}

// pass runs one pass and logs its outcome; the runner records it.
func (s *Scheduler) pass(src *scheduled) {
	if s.ctx.Err() != nil {
		return
	}
	// A panic outside the source and its parsers (those are recovered
	// by the runner) must not take the server down either.
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("pass panicked", "source", src.Name, "panic", v)
		}
	}()
	ctx, cancel := WithPassTimeout(s.ctx, src.Timeout)
	defer cancel()
	_, err := s.runner.Run(ctx, src.Name, src.Source, nil)
	switch {
	case errors.Is(err, ErrRunning):
		s.log.Info("pass skipped: the previous one is still running", "source", src.Name)
	case err != nil:
		s.log.Error("pass failed", "source", src.Name, "err", err)
	}
}

// RunNow starts a pass of the named source in the background. It returns
// ErrUnknownSource for a name not configured and ErrRunning when a pass of
// that source is under way.
func (s *Scheduler) RunNow(name string) error {
	src, ok := s.sources[name]
	if !ok {
		return fmt.Errorf("source %s: %w", name, ErrUnknownSource)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrShuttingDown
	}
	// A pass asked for and not yet begun counts as running, so that two
	// requests close together do not both succeed.
	if s.requested[name] || s.runner.Running(name) {
		return fmt.Errorf("source %s: %w", name, ErrRunning)
	}
	s.requested[name] = true
	s.wg.Go(func() {
		defer func() {
			s.mu.Lock()
			delete(s.requested, name)
			s.mu.Unlock()
		}()
		s.pass(src)
	})
	return nil
}

// Sources describes every scheduled source, in configuration order.
func (s *Scheduler) Sources() []SourceStatus {
	out := make([]SourceStatus, 0, len(s.order))
	for _, name := range s.order {
		src := s.sources[name]
		out = append(out, SourceStatus{
			Name: name, Kind: src.Kind, Schedule: src.Schedule,
			Next: s.cron.Entry(src.entry).Next, Running: s.runner.Running(name),
		})
	}
	return out
}

// Stop stops scheduling, cancels running passes and waits for them to
// record their outcome, or for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	cronDone := s.cron.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() {
		<-cronDone.Done()
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("passes still running at shutdown: %w", ctx.Err())
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
