package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/secondstory/secondstory/api"
)

// checkExposure refuses to serve beyond this machine without tokens:
// debriefs name people and describe failures.
func checkExposure(cfg *Config) error {
	if len(cfg.Tokens) > 0 || isLoopback(cfg.Addr) {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s: no API tokens are configured, so anyone who can reach that address "+
		"could read the incident history. Configure tokens (the README's tokens key), or listen on a loopback address "+
		"such as 127.0.0.1:8080", cfg.Addr)
}

// logAccess says at start who may use the server: a line naming the
// tokens and their roles (never the tokens themselves), or that there are
// none and so the server listens on loopback only.
func logAccess(log *slog.Logger, cfg *Config) {
	if len(cfg.Tokens) == 0 {
		log.Warn("no API tokens configured: anyone on this machine can use the API, so the server listens on loopback only", "addr", cfg.Addr)
		return
	}
	var who []string
	for _, t := range cfg.Tokens {
		who = append(who, t.Name+" ("+t.Role+")")
	}
	log.Info("access control on: requests need a token", "tokens", strings.Join(who, ", "), "addr", cfg.Addr)
}

// serveMetrics are the server's metrics, with the store's and the
// index's sizes measured in the data directory.
func serveMetrics(cfg *Config, log *slog.Logger) *api.Metrics {
	return api.NewMetrics(api.MetricsOptions{
		StoreBytes: treeSize(filepath.Join(cfg.Data, storeFile)),
		IndexBytes: treeSize(filepath.Join(cfg.Data, indexDir)),
		Logger:     log,
	})
}

// writeTimeout leaves a handler its whole deadline to answer in.
func writeTimeout(cfg *Config) time.Duration {
	return max(60*time.Second, time.Duration(cfg.Limits.HandlerTimeout)+10*time.Second)
}
