// Package dashboards owns the server-rendered pages of Second Story: the
// overview, search, one debrief, factors, coverage, depth, sources, help
// and login pages, their SVG charts (drawn in Go, on the server), their
// stylesheet, and the Grafana dashboards in grafana/ that chart the same
// figures over the HTTP API.
//
// Pages are html/template over small interfaces declared here
// (Analytics, Debriefs, Runs, Searcher, Scheduler), which the analytics
// store, the search index and the ingest scheduler satisfy. They work
// without JavaScript and load nothing but /assets/: the API's content
// security policy allows no inline scripts or styles. Every view's filters
// live in its URL, and every chart element links to the debriefs behind
// it, usually the search page with the matching filters.
//
// Pages are mounted through api.Options.Pages (Pages.Mount), so that they
// follow the API's access control: read pages need a read token or
// session, the "run now" form an admin one, and a browser without a
// session is sent to the login page, which posts to POST /api/v1/session.
package dashboards
