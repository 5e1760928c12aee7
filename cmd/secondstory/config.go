package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
)

// Config is secondstory.yaml. Every key is documented in the README.
type Config struct {
	// Data is the data directory: the DuckDB store and the search index.
	Data string `yaml:"data"`
	// Addr is the HTTP listen address of serve.
	Addr string `yaml:"addr"`
	// MaxFileSize caps a source document; larger ones are recorded failures.
	MaxFileSize ByteSize `yaml:"max_file_size"`
	// Catalog is a catalog file replacing the embedded one: the question
	// and factor categories, their language cues and the depth score's
	// weights. Empty: the embedded catalog.
	Catalog string         `yaml:"catalog"`
	Log     LogConfig      `yaml:"log"`
	Sources []SourceConfig `yaml:"sources"`

	// Tokens, Session and Limits: access control and the limits of serve
	// (config_trust.go).
	Tokens  []TokenConfig `yaml:"tokens"`
	Session SessionConfig `yaml:"session"`
	Limits  LimitsConfig  `yaml:"limits"`

	// file is where the config was read from ("" for defaults).
	file string
	// catalog is Catalog loaded, or the embedded catalog.
	catalog *assess.Catalog
	// sampleByDefault is set when the only source is the bundled sample,
	// there being no configuration.
	sampleByDefault bool
}

// LogConfig sets up structured logging.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// SourceConfig configures one source.
type SourceConfig struct {
	Name string `yaml:"name"`
	// Kind is dir (a folder), sample (the bundled sample corpus), or one
	// of the kinds of sources.go (git, github, confluence, jira,
	// incidentio, statuspage), whose keys are in Remote.
	Kind     string   `yaml:"kind"`
	Path     string   `yaml:"path"`
	Include  []string `yaml:"include"`
	Exclude  []string `yaml:"exclude"`
	Schedule string   `yaml:"schedule"`
	// Timeout bounds one pass (config_trust.go); 10m.
	Timeout Duration `yaml:"timeout"`
	// Remote holds the keys of the other kinds (sources.go).
	Remote RemoteConfig `yaml:",inline"`
}

// Defaults.
const (
	defaultAddr        = "127.0.0.1:8080"
	defaultSchedule    = "@every 1h"
	defaultMaxFileSize = 10 << 20
	configFileName     = "secondstory.yaml"
	sampleSourceName   = "sample"
)

// ConfigError names the key that is wrong and why.
type ConfigError struct {
	File string
	Key  string
	Msg  string
}

func (e *ConfigError) Error() string {
	where := "configuration"
	if e.File != "" {
		where = e.File
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", where, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
}

// loadConfig reads the config file (explicit path, $SECONDSTORY_CONFIG, or
// ./secondstory.yaml when present), applies environment overrides and
// defaults, and validates. With no file at all, it serves the bundled
// sample corpus.
func loadConfig(path string, env func(string) string) (*Config, error) {
	explicit := path != ""
	if path == "" {
		path = env("SECONDSTORY_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		if _, err := os.Stat(configFileName); err == nil {
			path = configFileName
		}
	}
	cfg := &Config{}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			if !explicit && errors.Is(err, os.ErrNotExist) {
				path = ""
			} else {
				return nil, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read it: %v", unwrapPath(err))}
			}
		}
		if path != "" {
			if err := decodeConfig(b, cfg); err != nil {
				return nil, &ConfigError{File: path, Msg: err.Error()}
			}
			cfg.file = path
		}
	}
	if err := cfg.applyEnv(env); err != nil {
		return nil, err
	}
	cfg.applyDefaults(env)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := cfg.loadTrust(env); err != nil {
		return nil, err
	}
	if err := cfg.loadSources(env); err != nil {
		return nil, err
	}
	if err := cfg.loadCatalog(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// loadCatalog reads the catalog file, if one is configured; a relative
// path in the config file is relative to the file's folder.
func (c *Config) loadCatalog() error {
	if c.Catalog == "" {
		c.catalog = assess.DefaultCatalog()
		return nil
	}
	path := c.Catalog
	if !filepath.IsAbs(path) && c.file != "" {
		path = filepath.Join(filepath.Dir(c.file), path)
	}
	cat, err := assess.LoadCatalog(path)
	if err != nil {
		return &ConfigError{File: c.file, Key: "catalog", Msg: strings.TrimPrefix(err.Error(), "assess: ")}
	}
	c.catalog = cat
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeConfig decodes YAML strictly: an unknown key is an error, since a
// misspelt key silently ignored is worse than a refusal to start.
func decodeConfig(b []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file is an empty config
		}
		return errors.New(tidyYAMLError(err))
	}
	return nil
}

var (
	yamlFieldNotFound   = regexp.MustCompile(`line (\d+): field (\S+) not found in type \S+`)
	yamlCannotUnmarshal = regexp.MustCompile("cannot unmarshal (.+?) into (\\S+)")
)

// goTypeWords says in words what a config type expects.
func goTypeWords(t string) string {
	switch t {
	case "[]main.SourceConfig":
		return "a list of sources"
	case "main.SourceConfig":
		return "a source (name, kind, schedule, timeout, and the keys of its kind)"
	case "main.LogConfig":
		return "a mapping (level, format)"
	case "main.Config":
		return "a mapping of settings (data, addr, sources...)"
	case "[]string":
		return "a list of text"
	case "string":
		return "text"
	}
	return trustTypeWords(t)
}

// tidyYAMLError rewords the YAML library's errors for a reader of the
// config file rather than of Go types.
func tidyYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = yamlFieldNotFound.ReplaceAllString(msg, `line $1: unknown key "$2"`)
	msg = yamlCannotUnmarshal.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlCannotUnmarshal.FindStringSubmatch(m)
		return "expected " + goTypeWords(sub[2]) + ", got " + sub[1]
	})
	msg = strings.ReplaceAll(msg, "!!str", "text")
	msg = strings.ReplaceAll(msg, "!!seq", "a list")
	msg = strings.ReplaceAll(msg, "!!map", "a mapping")
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// applyEnv lets SECONDSTORY_* variables override the file.
func (c *Config) applyEnv(env func(string) string) error {
	if v := env("SECONDSTORY_DATA"); v != "" {
		c.Data = v
	}
	if v := env("SECONDSTORY_ADDR"); v != "" {
		c.Addr = v
	}
	if v := env("SECONDSTORY_MAX_FILE_SIZE"); v != "" {
		n, err := parseByteSize(v)
		if err != nil {
			return &ConfigError{Key: "SECONDSTORY_MAX_FILE_SIZE", Msg: err.Error()}
		}
		c.MaxFileSize = ByteSize(n)
	}
	if v := env("SECONDSTORY_CATALOG"); v != "" {
		c.Catalog = v
	}
	if v := env("SECONDSTORY_LOG_LEVEL"); v != "" {
		c.Log.Level = v
	}
	if v := env("SECONDSTORY_LOG_FORMAT"); v != "" {
		c.Log.Format = v
	}
	return nil
}

func (c *Config) applyDefaults(env func(string) string) {
	if c.Data == "" {
		c.Data = defaultDataDir(env)
	}
	if c.Addr == "" {
		c.Addr = defaultAddr
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = defaultMaxFileSize
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	if c.file == "" && len(c.Sources) == 0 {
		c.Sources = []SourceConfig{{Name: sampleSourceName, Kind: "sample"}}
		c.sampleByDefault = true
	}
	for i := range c.Sources {
		if c.Sources[i].Schedule == "" {
			c.Sources[i].Schedule = defaultSchedule
		}
		if c.Sources[i].Kind == "" {
			c.Sources[i].Kind = "dir"
		}
	}
}

// defaultDataDir is $XDG_DATA_HOME/secondstory, else
// ~/.local/share/secondstory, else ./secondstory-data.
func defaultDataDir(env func(string) string) string {
	if x := env("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "secondstory")
	}
	if home := env("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", "secondstory")
	}
	return "secondstory-data"
}

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{File: c.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	if err := checkListenAddr(c.Addr); err != nil {
		return bad("addr", "%v", err)
	}
	if c.MaxFileSize < 0 {
		return bad("max_file_size", "must be positive")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", "%q is not one of text, json", c.Log.Format)
	}
	seen := map[string]bool{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name == "" {
			return bad(key+".name", "every source needs a name")
		}
		key = fmt.Sprintf("sources[%d] (%s)", i, s.Name)
		if !sourceName.MatchString(s.Name) {
			return bad(key+".name", "use lower-case letters, digits, - and _ (at most 63), got %q", s.Name)
		}
		if seen[s.Name] {
			return bad(key+".name", "another source already has this name")
		}
		seen[s.Name] = true
		if err := ingest.ParseSchedule(s.Schedule); err != nil {
			return bad(key+".schedule", "%v", err)
		}
		switch s.Kind {
		case "dir":
			if s.Path == "" {
				return bad(key+".path", "a dir source needs the folder to read")
			}
			st, err := os.Stat(s.Path)
			if err != nil {
				return bad(key+".path", "%v", unwrapPath(err))
			}
			if !st.IsDir() {
				return bad(key+".path", "%s is not a folder", s.Path)
			}
		case "sample":
			if s.Path != "" {
				return bad(key+".path", "the sample source is bundled and takes no path")
			}
		default:
			if _, ok := remoteKeys[s.Kind]; !ok {
				return bad(key+".kind", "%q is not a source kind this build knows (%s)", s.Kind, strings.Join(sourceKinds, ", "))
			}
		}
	}
	return nil
}

// checkListenAddr checks host:port.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %v", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// isLoopback reports whether a listen address only accepts local
// connections.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ByteSize is a size in bytes written as 10MB, 512KB, 1GB or a number.
type ByteSize int64

// UnmarshalYAML reads sizes like "10MB".
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*b = ByteSize(v)
	return nil
}

func parseByteSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size like 10MB, 512KB or 1048576", s)
	}
	return n * mult, nil
}
