package api

// guardWith sets up what protects the routes: access control (auth.go),
// the limits on requests and clients (limits.go) and the metrics
// (metrics.go).
func (s *server) guardWith(opts Options) {
	s.auth = newAuthenticator(opts.Auth, s.log)
	s.limits = opts.Limits.withDefaults()
	s.searchLimiter = newClientLimiter(s.limits)
	s.loginLimiter = newClientLimiter(s.limits)
	s.metrics = opts.Metrics
}
