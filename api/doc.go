// Package api serves Second Story's JSON API with gin: health and readiness,
// sources and their runs, debriefs, and (as they land) search and analytics.
//
// Routes are wired in router.go. Handlers bind and validate their
// parameters, make one call with the request's context and render; errors
// reach the client through one mapping (errors.go) and one JSON shape:
//
//	{"error": {"status": 400, "message": "limit must be between 1 and 100, got 10000"}}
//
// The handlers depend on small interfaces declared here, not on the store,
// index or scheduler types.
package api
