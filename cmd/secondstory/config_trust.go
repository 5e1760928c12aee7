package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/api"
)

// The configuration of access control, request limits and pass timeouts:
// the keys tokens, session, limits and sources[].timeout.

// TokenConfig is one API token. The token itself is never written in the
// configuration: it is read from an environment variable or a file.
type TokenConfig struct {
	Name      string `yaml:"name"`
	Role      string `yaml:"role"` // read or admin
	TokenEnv  string `yaml:"token_env"`
	TokenFile string `yaml:"token_file"`
	// Token is refused, with a message saying where a token goes
	// instead; it is a field so that the message can be better than
	// "unknown key".
	Token string `yaml:"token"`

	secret string
	role   api.Role
}

// SessionConfig sets up the session cookies of a token login.
type SessionConfig struct {
	// KeyEnv or KeyFile hold the key signing session cookies, so that
	// sessions outlive a restart; without either the key is random and
	// every restart logs everyone out.
	KeyEnv  string `yaml:"key_env"`
	KeyFile string `yaml:"key_file"`
	// Lifetime is how long a login lasts; 12h.
	Lifetime Duration `yaml:"lifetime"`

	key []byte
}

// LimitsConfig bounds requests and clients of serve.
type LimitsConfig struct {
	MaxBody        ByteSize `yaml:"max_body"`        // 64KB
	MaxQuery       ByteSize `yaml:"max_query"`       // 4KB
	HandlerTimeout Duration `yaml:"handler_timeout"` // 10s
	SearchRate     float64  `yaml:"search_rate"`     // searches per second per client address: 5
	SearchBurst    int      `yaml:"search_burst"`    // 20
}

// Defaults of these keys.
const (
	defaultPassTimeout = 10 * time.Minute
	minTokenLength     = 16
	minSessionKey      = 32
	// maxSecretFile bounds what is read of a token or key file.
	maxSecretFile = 4 << 10
)

// Duration is a length of time written as 10m, 30s or 1h30m.
type Duration time.Duration

// UnmarshalYAML reads durations like "10m".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 30s, 10m or 1h30m", n.Line, clipValue(n.Value))
	}
	*d = Duration(v)
	return nil
}

// clipValue shortens a config value before it is quoted in an error.
func clipValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// trustTypeWords says in words what these keys expect, for YAML errors.
func trustTypeWords(t string) string {
	switch t {
	case "[]main.TokenConfig":
		return "a list of tokens"
	case "main.TokenConfig":
		return "a token (name, role, token_env or token_file)"
	case "main.SessionConfig":
		return "a mapping (key_env, key_file, lifetime)"
	case "main.LimitsConfig":
		return "a mapping (max_body, max_query, handler_timeout, search_rate, search_burst)"
	case "float64":
		return "a number"
	case "int":
		return "a whole number"
	}
	return "another kind of value"
}

// loadTrust applies the defaults of these keys, checks them and reads the
// secrets. Errors name the key and never hold a secret.
func (c *Config) loadTrust(env func(string) string) error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{File: c.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Timeout == 0 {
			s.Timeout = Duration(defaultPassTimeout)
		}
		if time.Duration(s.Timeout) < time.Second {
			return bad(fmt.Sprintf("sources[%d] (%s).timeout", i, s.Name), "must be at least 1s")
		}
	}

	names := map[string]string{}   // name → key
	secrets := map[string]string{} // secret → key
	for i := range c.Tokens {
		t := &c.Tokens[i]
		key := fmt.Sprintf("tokens[%d]", i)
		if t.Name == "" {
			return bad(key+".name", "every token needs a name (it is what the logs show)")
		}
		if !sourceName.MatchString(t.Name) {
			return bad(key+".name", "use lower-case letters, digits, - and _ (at most 63), got %q", clipValue(t.Name))
		}
		key = fmt.Sprintf("tokens[%d] (%s)", i, t.Name)
		if other, dup := names[t.Name]; dup {
			return bad(key+".name", "%s already has this name", other)
		}
		names[t.Name] = key
		role, err := api.ParseRole(t.Role)
		if err != nil {
			return bad(key+".role", "%q is not one of read, admin", clipValue(t.Role))
		}
		t.role = role
		if t.Token != "" {
			return bad(key+".token", "a token is never written in the configuration: put it in an environment variable named by token_env, or in a file named by token_file")
		}
		switch {
		case t.TokenEnv != "" && t.TokenFile != "":
			return bad(key, "give token_env or token_file, not both")
		case t.TokenEnv != "":
			if t.secret, err = c.envSecret(env, t.TokenEnv); err != nil {
				return bad(key+".token_env", "%v", err)
			}
		case t.TokenFile != "":
			t.secret, err = c.readSecret(t.TokenFile)
			if err != nil {
				return bad(key+".token_file", "%v", err)
			}
		default:
			return bad(key, "give token_env (an environment variable holding the token) or token_file (a file holding it)")
		}
		where := key + ".token_env"
		if t.TokenFile != "" {
			where = key + ".token_file"
		}
		if err := checkSecret(t.secret, minTokenLength); err != nil {
			return bad(where, "the token %v", err)
		}
		if other, dup := secrets[t.secret]; dup {
			return bad(where, "the token is the same as that of %s; give each its own", other)
		}
		secrets[t.secret] = key
	}

	if c.Session.Lifetime == 0 {
		c.Session.Lifetime = Duration(12 * time.Hour)
	}
	if l := time.Duration(c.Session.Lifetime); l < time.Minute || l > 31*24*time.Hour {
		return bad("session.lifetime", "must be between 1m and 744h (31 days)")
	}
	switch s := &c.Session; {
	case s.KeyEnv != "" && s.KeyFile != "":
		return bad("session", "give key_env or key_file, not both")
	case s.KeyEnv != "":
		k, err := c.envSecret(env, s.KeyEnv)
		if err != nil {
			return bad("session.key_env", "%v", err)
		}
		s.key = []byte(k)
	case s.KeyFile != "":
		k, err := c.readSecret(s.KeyFile)
		if err != nil {
			return bad("session.key_file", "%v", err)
		}
		s.key = []byte(k)
	}
	if c.Session.key != nil {
		if err := checkSecret(string(c.Session.key), minSessionKey); err != nil {
			return bad("session", "the key %v", err)
		}
	}

	l := &c.Limits
	if l.MaxBody == 0 {
		l.MaxBody = api.DefaultMaxBody
	}
	if l.MaxQuery == 0 {
		l.MaxQuery = api.DefaultMaxQuery
	}
	if l.HandlerTimeout == 0 {
		l.HandlerTimeout = Duration(api.DefaultHandlerTimeout)
	}
	if l.SearchRate == 0 {
		l.SearchRate = api.DefaultSearchRate
	}
	if l.SearchBurst == 0 {
		l.SearchBurst = api.DefaultSearchBurst
	}
	switch {
	case l.MaxBody < 1<<10 || l.MaxBody > 64<<20:
		return bad("limits.max_body", "must be between 1KB and 64MB")
	case l.MaxQuery < 256 || l.MaxQuery > 64<<10:
		return bad("limits.max_query", "must be between 256B and 64KB")
	case time.Duration(l.HandlerTimeout) < 100*time.Millisecond || time.Duration(l.HandlerTimeout) > time.Hour:
		return bad("limits.handler_timeout", "must be between 100ms and 1h")
	case !(l.SearchRate > 0) || l.SearchRate > 1e6:
		return bad("limits.search_rate", "must be a positive number of searches per second")
	case l.SearchBurst < 1 || l.SearchBurst > 1e6:
		return bad("limits.search_burst", "must be a whole number from 1")
	}
	return nil
}

// envSecret reads a secret from the environment variable name, or from
// the file named by name_FILE (as container secrets are mounted).
func (c *Config) envSecret(env func(string) string, name string) (string, error) {
	if v := strings.TrimSpace(env(name)); v != "" {
		return v, nil
	}
	if path := env(name + "_FILE"); path != "" {
		v, err := c.readSecret(path)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %v", name, err)
		}
		return v, nil
	}
	return "", fmt.Errorf("the environment variable %s (or %s_FILE, naming a file) is not set or empty", name, name)
}

// readSecret reads a token or key file, relative to the config file's
// folder. What it read is never part of an error.
func (c *Config) readSecret(path string) (string, error) {
	if !filepath.IsAbs(path) && c.file != "" {
		path = filepath.Join(filepath.Dir(c.file), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d bytes: is it the right file?", path, maxSecretFile)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

var errSecretChars = errors.New("holds spaces, control or non-ASCII characters; use letters, digits and punctuation (openssl rand -hex 32 makes one)")

// checkSecret says what is wrong with a token or key, without showing it.
func checkSecret(s string, minLen int) error {
	if len(s) < minLen {
		return fmt.Errorf("is %d characters long; use at least %d (openssl rand -hex 32 makes one)", len(s), minLen)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return errSecretChars
		}
	}
	return nil
}

// authOptions are the API's access control.
func (c *Config) authOptions() api.AuthOptions {
	o := api.AuthOptions{SessionKey: c.Session.key, SessionLifetime: time.Duration(c.Session.Lifetime)}
	for _, t := range c.Tokens {
		o.Tokens = append(o.Tokens, api.Token{Name: t.Name, Role: t.role, Secret: t.secret})
	}
	return o
}

// apiLimits are the API's limits.
func (c *Config) apiLimits() api.Limits {
	return api.Limits{
		MaxBody: int64(c.Limits.MaxBody), MaxQuery: int(c.Limits.MaxQuery), HandlerTimeout: time.Duration(c.Limits.HandlerTimeout),
		SearchRate: c.Limits.SearchRate, SearchBurst: c.Limits.SearchBurst,
	}
}
