package dashboards

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// Analytics answers the figures across debriefs (analytics.Store).
type Analytics interface {
	FactorCategories(ctx context.Context, f analytics.Filter, minDebriefs int) ([]analytics.CategoryCount, error)
	RecurringFactors(ctx context.Context, f analytics.Filter, minDebriefs, limit int) ([]analytics.RecurringFactor, error)
	FactorTrend(ctx context.Context, f analytics.Filter, unit analytics.Interval, recent int) ([]analytics.TrendRow, error)
	Cooccurrence(ctx context.Context, f analytics.Filter, minDebriefs int) ([]analytics.Pair, error)
	Coverage(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.CoverageRow, error)
	CoverageMatrix(ctx context.Context, f analytics.Filter, limit, offset int) ([]analytics.MatrixRow, int, error)
	Depth(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.DepthRow, error)
	DepthReview(ctx context.Context, f analytics.Filter, limit, offset int) ([]analytics.ReviewRow, int, error)
	Incidents(ctx context.Context, f analytics.Filter, unit analytics.Interval) ([]analytics.IncidentCount, error)
}

// Debriefs lists and reads debriefs and hydrates search hits
// (analytics.Store).
type Debriefs interface {
	Debriefs(ctx context.Context, f analytics.ListFilter) (analytics.Listing, error)
	Debrief(ctx context.Context, id string) (*analytics.Entry, error)
	Hits(ctx context.Context, ids []string) ([]analytics.Hit, error)
}

// Runs reads the record of ingest passes (analytics.Store).
type Runs interface {
	LastRuns(ctx context.Context) (map[string]ingest.Run, error)
	Runs(ctx context.Context, source string, limit int) ([]ingest.Run, error)
	Run(ctx context.Context, id int64) (*ingest.Run, error)
}

// Searcher is the search index (index.Index).
type Searcher interface {
	Search(ctx context.Context, s index.Search) (*index.Results, error)
	Similar(ctx context.Context, d *ingest.Debrief, limit int) ([]index.SimilarHit, error)
}

// Scheduler runs the configured sources (ingest.Scheduler).
type Scheduler interface {
	Sources() []ingest.SourceStatus
	RunNow(name string) error
}

// Options are what the pages are drawn from. Analytics, Debriefs, Runs
// and Searcher are required.
type Options struct {
	Analytics Analytics
	Debriefs  Debriefs
	Runs      Runs
	Searcher  Searcher
	// Scheduler is nil when no source is scheduled (the pages then list
	// sources from their past runs and offer no "run now").
	Scheduler Scheduler
	// Catalog gives the titles of categories; the embedded one when nil.
	Catalog *assess.Catalog
	Logger  *slog.Logger
	// Now is the clock of "3 hours ago"; time.Now when nil.
	Now func() time.Time
}

// Pages are the server-rendered pages.
type Pages struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	catalog *assess.Catalog
	pages   map[string]*template.Template
	assets  http.Handler
	access  func(*gin.Context) api.Access

	facetCache   facetCache
	similarCache similarCache
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// pageNames are the page templates; each is parsed with the layout and
// the shared definitions.
var pageNames = []string{"overview", "search", "debrief", "factors", "coverage", "depth", "sources", "help", "login", "error"}

// New parses the templates.
func New(opts Options) (*Pages, error) {
	if opts.Analytics == nil || opts.Debriefs == nil || opts.Runs == nil || opts.Searcher == nil {
		return nil, errors.New("dashboards: Analytics, Debriefs, Runs and Searcher are required")
	}
	p := &Pages{opts: opts, log: opts.Logger, now: opts.Now, catalog: opts.Catalog, pages: map[string]*template.Template{}}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.catalog == nil {
		p.catalog = assess.DefaultCatalog()
	}
	funcs := p.funcs()
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboards: parse the %s page: %w", name, err)
		}
		p.pages[name] = t
	}
	sub, err := fs.Sub(assetFiles, "assets")
	if err != nil {
		return nil, fmt.Errorf("dashboards: assets: %w", err)
	}
	p.assets = http.StripPrefix("/assets/", http.FileServer(http.FS(sub)))
	return p, nil
}

// Mount adds the pages to the API's routes: api.Options{Pages: p.Mount}.
func (p *Pages) Mount(r api.PageRoutes) {
	p.access = r.Access
	if r.NotFound != nil {
		r.NotFound(func(c *gin.Context) {
			p.notFound(c, "There is no page at this address. The pages are listed at the top; Help says what each shows.")
		})
	}
	r.Public.GET("/assets/*file", p.asset)
	r.Public.GET(api.LoginPath, p.login)
	r.Read.GET("/", p.overview)
	search := []gin.HandlerFunc{p.search}
	if r.SearchLimit != nil {
		search = append([]gin.HandlerFunc{r.SearchLimit}, search...)
	}
	r.Read.GET("/search", search...)
	r.Read.GET("/debriefs/:id", p.debrief)
	r.Read.GET("/factors", p.factors)
	r.Read.GET("/coverage", p.coverage)
	r.Read.GET("/depth", p.depth)
	r.Read.GET("/sources", p.sources)
	r.Read.GET("/help", p.help)
	r.Admin.POST("/sources/:name/run", p.runNow)
}

// asset serves the stylesheet and icon, cached for an hour.
func (p *Pages) asset(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	p.assets.ServeHTTP(c.Writer, c.Request)
}

// base is what every page's layout shows.
type base struct {
	Title string
	// Nav is the key of the page in the navigation.
	Nav    string
	Access api.Access
	// Notice is a message at the top of the page (a pass started).
	Notice string
}

func (p *Pages) base(c *gin.Context, title, nav string) base {
	b := base{Title: title, Nav: nav}
	if p.access != nil {
		b.Access = p.access(c)
	} else {
		b.Access = api.Access{Admin: true}
	}
	return b
}

// render writes a page, rendered in full first so that a template error
// becomes an error page rather than half a page.
func (p *Pages) render(c *gin.Context, status int, name string, data any) {
	t, ok := p.pages[name]
	if !ok {
		p.fail(c, fmt.Errorf("dashboards: no page %s", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		if name == "error" {
			c.String(http.StatusInternalServerError, "internal error; the server log has the details")
			p.log.Error("render the error page", "err", err)
			return
		}
		p.fail(c, fmt.Errorf("dashboards: render %s: %w", name, err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

type errorPage struct {
	base
	Status  int
	Heading string
	Message string
}

// fail maps an error to a status and an error page: what the request got
// wrong is explained, anything else is logged and answered in general
// terms, so that no internal detail (paths, SQL) reaches the page.
func (p *Pages) fail(c *gin.Context, err error) {
	status, heading, msg := http.StatusInternalServerError, "Something went wrong", "The page could not be drawn. The server log has the details."
	ctx := c.Request.Context()
	switch {
	case errors.Is(err, errBadFilter):
		status, heading, msg = http.StatusBadRequest, "That view cannot be shown", strings.TrimPrefix(err.Error(), errBadFilter.Error()+": ")
	case errors.Is(err, index.ErrBadSearch):
		status, heading, msg = http.StatusBadRequest, "That search cannot be run", strings.TrimPrefix(err.Error(), index.ErrBadSearch.Error()+": ")
	case errors.Is(err, analytics.ErrBadQuery):
		status, heading, msg = http.StatusBadRequest, "That view cannot be shown", strings.TrimPrefix(err.Error(), analytics.ErrBadQuery.Error()+": ")
	case errors.Is(err, analytics.ErrNotFound):
		status, heading, msg = http.StatusNotFound, "Not found", "There is no debrief with that id. It may have been removed from its source."
	case errors.Is(err, ingest.ErrUnknownSource):
		status, heading, msg = http.StatusNotFound, "Not found", "There is no scheduled source of that name."
	case errors.Is(err, ingest.ErrShuttingDown):
		status, heading, msg = http.StatusServiceUnavailable, "Shutting down", "The server is shutting down and starts no more passes."
	case ctx.Err() != nil:
		status, heading, msg = http.StatusServiceUnavailable, "Too slow", "The page took too long to draw. Try a narrower view."
	default:
		p.log.Error("page failed", "path", c.FullPath(), "err", err, "request_id", c.GetString("request_id"))
	}
	c.Abort()
	p.render(c, status, "error", errorPage{base: p.base(c, heading, ""), Status: status, Heading: heading, Message: msg})
}

// notFound answers a page that does not exist, such as a malformed id.
func (p *Pages) notFound(c *gin.Context, msg string) {
	c.Abort()
	p.render(c, http.StatusNotFound, "error", errorPage{base: p.base(c, "Not found", ""), Status: http.StatusNotFound, Heading: "Not found", Message: msg})
}
