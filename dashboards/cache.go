package dashboards

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// Two things the pages need are slow to compute at ten thousand debriefs
// and change slowly: the facet counts over every debrief (the values the
// filters offer, and the search page before anything is asked) and a
// debrief's similar debriefs. Both are kept here for a while.
const (
	facetsFresh  = time.Minute
	similarFresh = 10 * time.Minute
	similarKept  = 2000
	// A debrief page waits this long for its similar debriefs; past it,
	// the search goes on in the background, at most similarBusy at once,
	// and the page says to reload.
	similarWait   = 60 * time.Millisecond
	similarBusy   = 4
	refreshBudget = 30 * time.Second
)

// facetCache holds the facet counts over every debrief. A stale copy is
// served while one request's worth of work refreshes it in the background.
type facetCache struct {
	mu         sync.Mutex
	at         time.Time
	facets     map[string][]index.FacetCount
	refreshing bool
}

// allFacets returns the facet counts over every visible debrief.
func (p *Pages) allFacets(ctx context.Context) (map[string][]index.FacetCount, error) {
	c := &p.facetCache
	c.mu.Lock()
	facets, at := c.facets, c.at
	stale := facets != nil && p.now().Sub(at) > facetsFresh
	if stale && !c.refreshing {
		c.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), refreshBudget)
			defer cancel()
			if _, err := p.loadFacets(ctx); err != nil {
				p.log.Warn("refresh the filter values", "err", err)
			}
			c.mu.Lock()
			c.refreshing = false
			c.mu.Unlock()
		}()
	}
	c.mu.Unlock()
	if facets != nil {
		return facets, nil
	}
	return p.loadFacets(ctx)
}

func (p *Pages) loadFacets(ctx context.Context) (map[string][]index.FacetCount, error) {
	res, err := p.opts.Searcher.Search(ctx, index.Search{Limit: 0})
	if err != nil {
		return nil, fmt.Errorf("dashboards: count the values of every debrief: %w", err)
	}
	c := &p.facetCache
	c.mu.Lock()
	c.facets, c.at = res.Facets, p.now()
	c.mu.Unlock()
	return res.Facets, nil
}

// similarCache holds the similar debriefs found for a debrief, by its id
// and the time it last changed.
type similarCache struct {
	mu       sync.Mutex
	m        map[string]similarEntry
	inflight map[string]*similarCall
}

// similarCall is a search for similar debriefs under way; done closes
// when hits and err are set.
type similarCall struct {
	done chan struct{}
	hits []index.SimilarHit
	err  error
}

// findSimilar starts the search for d's similar debriefs, or joins the
// one under way; nil when too many are.
func (p *Pages) findSimilar(key string, d *ingest.Debrief) *similarCall {
	c := &p.similarCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if call, ok := c.inflight[key]; ok {
		return call
	}
	if c.inflight == nil {
		c.inflight = map[string]*similarCall{}
	}
	if len(c.inflight) >= similarBusy {
		return nil
	}
	call := &similarCall{done: make(chan struct{})}
	c.inflight[key] = call
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), refreshBudget)
		defer cancel()
		call.hits, call.err = p.opts.Searcher.Similar(ctx, d, similarShown)
		if call.err == nil {
			c.put(key, call.hits, p.now())
		}
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(call.done)
	}()
	return call
}

type similarEntry struct {
	at   time.Time
	hits []index.SimilarHit
}

func (c *similarCache) get(key string, now time.Time) ([]index.SimilarHit, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) > similarFresh {
		return nil, false
	}
	return e.hits, true
}

func (c *similarCache) put(key string, hits []index.SimilarHit, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]similarEntry{}
	}
	if len(c.m) >= similarKept {
		for k, e := range c.m {
			if now.Sub(e.at) > similarFresh {
				delete(c.m, k)
			}
		}
		if len(c.m) >= similarKept {
			clear(c.m)
		}
	}
	c.m[key] = similarEntry{at: now, hits: hits}
}
