package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/secondstory/secondstory/ingest"
)

// Metrics are the server's Prometheus metrics, in a registry of their own
// (never the global one): HTTP requests, ingest passes, and the sizes of
// the store and the index, measured at each scrape. It is the runner's
// ingest.PassObserver.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	passes    *prometheus.CounterVec
	documents *prometheus.CounterVec
	passTime  *prometheus.HistogramVec
	lastPass  *prometheus.GaugeVec
	lastOK    *prometheus.GaugeVec
}

// MetricsOptions say how to measure what lives on disk. A nil function
// leaves its metric out.
type MetricsOptions struct {
	StoreBytes func() (int64, error)
	IndexBytes func() (int64, error)
	Logger     *slog.Logger
}

// NewMetrics registers every metric in a new registry.
func NewMetrics(o MetricsOptions) *Metrics {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "secondstory_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "secondstory_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "secondstory_ingest_passes_total", Help: "Ingest passes ended, by source and outcome (ok, failed, interrupted).",
		}, []string{"source", "outcome"}),
		documents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "secondstory_ingest_documents_total",
			Help: "What passes did, by source and outcome: debriefs added, updated, unchanged and removed; documents skipped and failed.",
		}, []string{"source", "outcome"}),
		passTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "secondstory_ingest_pass_duration_seconds", Help: "How long a pass took, by source.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 15), // 0.25 s to about 68 min
		}, []string{"source"}),
		lastPass: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "secondstory_ingest_last_pass_timestamp_seconds", Help: "When the last pass of a source ended, whatever its outcome (Unix time).",
		}, []string{"source"}),
		lastOK: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "secondstory_ingest_last_success_timestamp_seconds", Help: "When the last successful pass of a source ended (Unix time).",
		}, []string{"source"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.passes, m.documents, m.passTime, m.lastPass, m.lastOK,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newSizes(o.Logger, []sizePart{
			{"secondstory_store_bytes", "Size of the DuckDB store on disk, with its write-ahead log.", o.StoreBytes},
			{"secondstory_index_bytes", "Size of the search index on disk.", o.IndexBytes},
		}))
	return m
}

// PassFinished counts a pass that ended.
func (m *Metrics) PassFinished(run ingest.Run) {
	src := run.Source
	m.passes.WithLabelValues(src, run.Status).Inc()
	for _, o := range []struct {
		outcome string
		n       int
	}{
		{"added", run.Added}, {"updated", run.Updated}, {"unchanged", run.Unchanged}, {"removed", run.Removed},
		{"skipped", run.Skipped}, {"failed", run.Failed},
	} {
		m.documents.WithLabelValues(src, o.outcome).Add(float64(o.n))
	}
	if !run.EndedAt.IsZero() {
		m.passTime.WithLabelValues(src).Observe(run.EndedAt.Sub(run.StartedAt).Seconds())
		m.lastPass.WithLabelValues(src).Set(float64(run.EndedAt.UnixMilli()) / 1000)
		if run.Status == ingest.RunOK {
			m.lastOK.WithLabelValues(src).Set(float64(run.EndedAt.UnixMilli()) / 1000)
		}
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// middleware counts and times requests by route: the route's pattern,
// never its path, so that the number of series stays bounded.
func (m *Metrics) middleware() gin.HandlerFunc {
	if m == nil {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, methodLabel(c.Request.Method), strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// sizes measures the data on disk at scrape time. A measurement that
// fails is logged and left out of that scrape.
type sizes struct {
	log   *slog.Logger
	parts []sizePart
	descs []*prometheus.Desc
}

type sizePart struct {
	name, help string
	measure    func() (int64, error)
}

func newSizes(log *slog.Logger, parts []sizePart) *sizes {
	s := &sizes{log: log, parts: parts}
	for _, p := range parts {
		s.descs = append(s.descs, prometheus.NewDesc(p.name, p.help, nil, nil))
	}
	return s
}

func (s *sizes) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

func (s *sizes) Collect(ch chan<- prometheus.Metric) {
	for i, p := range s.parts {
		if p.measure == nil {
			continue
		}
		n, err := p.measure()
		if err != nil {
			s.log.Warn("measuring the data on disk failed", "metric", p.name, "err", err)
			continue
		}
		if m, err := prometheus.NewConstMetric(s.descs[i], prometheus.GaugeValue, float64(n)); err == nil {
			ch <- m
		}
	}
}
