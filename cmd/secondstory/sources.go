package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/confluence"
	"github.com/secondstory/secondstory/ingest/git"
	"github.com/secondstory/secondstory/ingest/github"
	"github.com/secondstory/secondstory/ingest/incidentio"
	"github.com/secondstory/secondstory/ingest/jira"
	"github.com/secondstory/secondstory/ingest/remote"
	"github.com/secondstory/secondstory/ingest/statuspage"
)

// RemoteConfig holds the keys of the sources that are not folders: a git
// repository and the HTTP sources. Each kind takes only its own keys
// (remoteKeys); a key meant for another kind is an error, not ignored.
// Secrets are never in the file: token_env and password_env name the
// environment variable holding them (or, with _FILE added, a file).
type RemoteConfig struct {
	URL          string `yaml:"url"`
	Branch       string `yaml:"branch"`
	Subdir       string `yaml:"subdir"`
	Depth        int    `yaml:"depth"`
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	BaseURL      string `yaml:"base_url"`
	Owner        string `yaml:"owner"`
	Repo         string `yaml:"repo"`
	Label        string `yaml:"label"`
	Email        string `yaml:"email"`
	TokenEnv     string `yaml:"token_env"`
	Space        string `yaml:"space"`
	CQL          string `yaml:"cql"`
	Project      string `yaml:"project"`
	JQL          string `yaml:"jql"`
	TimeZone     string `yaml:"time_zone"`
	AllIncidents bool   `yaml:"all_incidents"`

	// secret is the resolved token or password; dir the git clone's folder.
	secret string
	dir    string
}

// sourceKinds are the kinds this build knows, in the order the README
// documents them.
var sourceKinds = []string{"dir", "sample", "git", "github", "confluence", "jira", "incidentio", "statuspage"}

// loadSources checks each source's keys against its kind and builds what
// the remote kinds need: their secrets, read from the environment now so
// that a missing token stops the start rather than fail every pass.
func (c *Config) loadSources(env func(string) string) error {
	for i := range c.Sources {
		sc := &c.Sources[i]
		key := fmt.Sprintf("sources[%d] (%s)", i, sc.Name)
		if sc.Kind == "dir" || sc.Kind == "sample" {
			allowed := map[string][]string{"dir": {"path", "include", "exclude"}, "sample": {"include", "exclude"}}[sc.Kind]
			for _, k := range setKeys(sc) {
				if !slices.Contains(allowed, k) {
					return &ConfigError{File: c.file, Key: key + "." + k, Msg: fmt.Sprintf("a %s source takes no %s (it takes %s)", sc.Kind, k, strings.Join(allowed, ", "))}
				}
			}
			continue
		}
		if err := c.checkRemoteSource(sc, key, env); err != nil {
			return err
		}
	}
	return nil
}

// remoteKeys are the keys each remote kind takes.
var remoteKeys = map[string][]string{
	"git":        {"url", "branch", "subdir", "depth", "username", "password_env", "include", "exclude"},
	"github":     {"base_url", "owner", "repo", "label", "token_env"},
	"confluence": {"base_url", "email", "token_env", "label", "space", "cql", "time_zone"},
	"jira":       {"base_url", "email", "token_env", "project", "label", "jql", "time_zone"},
	"incidentio": {"base_url", "token_env"},
	"statuspage": {"base_url", "all_incidents"},
}

// defaultTokenEnv is where a kind's token is read from when token_env is
// not set.
var defaultTokenEnv = map[string]string{
	"github": "GITHUB_TOKEN", "confluence": "CONFLUENCE_TOKEN", "jira": "JIRA_TOKEN", "incidentio": "INCIDENTIO_TOKEN",
}

// setKeys lists the keys of sc that are set, as written in the file.
func setKeys(sc *SourceConfig) []string {
	r := &sc.Remote
	var out []string
	add := func(set bool, key string) {
		if set {
			out = append(out, key)
		}
	}
	add(sc.Path != "", "path")
	add(len(sc.Include) > 0, "include")
	add(len(sc.Exclude) > 0, "exclude")
	add(r.URL != "", "url")
	add(r.Branch != "", "branch")
	add(r.Subdir != "", "subdir")
	add(r.Depth != 0, "depth")
	add(r.Username != "", "username")
	add(r.PasswordEnv != "", "password_env")
	add(r.BaseURL != "", "base_url")
	add(r.Owner != "", "owner")
	add(r.Repo != "", "repo")
	add(r.Label != "", "label")
	add(r.Email != "", "email")
	add(r.TokenEnv != "", "token_env")
	add(r.Space != "", "space")
	add(r.CQL != "", "cql")
	add(r.Project != "", "project")
	add(r.JQL != "", "jql")
	add(r.TimeZone != "", "time_zone")
	add(r.AllIncidents, "all_incidents")
	return out
}

// checkRemoteSource validates a source of a remote kind: the keys it
// takes, its secret, and the options its package checks. key is the
// source's place in the file, for messages.
func (c *Config) checkRemoteSource(sc *SourceConfig, key string, env func(string) string) error {
	bad := func(k, format string, args ...any) error {
		return &ConfigError{File: c.file, Key: key + "." + k, Msg: fmt.Sprintf(format, args...)}
	}
	allowed, ok := remoteKeys[sc.Kind]
	if !ok {
		return bad("kind", "%q is not a source kind this build knows (%s)", sc.Kind, strings.Join(sourceKinds, ", "))
	}
	for _, k := range setKeys(sc) {
		if !slices.Contains(allowed, k) {
			return bad(k, "a %s source takes no %s (it takes %s)", sc.Kind, k, strings.Join(allowed, ", "))
		}
	}
	r := &sc.Remote
	secretKey, secretEnv, required := "token_env", r.TokenEnv, true
	switch sc.Kind {
	case "git":
		secretKey, secretEnv, required = "password_env", r.PasswordEnv, r.PasswordEnv != ""
		if (r.Username != "") != (r.PasswordEnv != "") {
			return bad("username", "give both username and password_env, or neither")
		}
		if r.PasswordEnv == "" {
			secretKey = "" // a public repository, or credentials in no file
		}
	case "github":
		required = r.TokenEnv != "" // public repositories need no token
	case "statuspage":
		secretKey = ""
	}
	if secretKey != "" {
		if secretEnv == "" {
			secretEnv = defaultTokenEnv[sc.Kind]
		}
		if !sourceEnvName.MatchString(secretEnv) {
			return bad(secretKey, "%q is not an environment variable name", secretEnv)
		}
		v, err := remote.Secret(env, secretEnv)
		switch {
		case errors.Is(err, remote.ErrNoSecret) && !required:
		case errors.Is(err, remote.ErrNoSecret):
			return bad(secretKey, "set %s (or %s_FILE, a file holding it) to the %s token", secretEnv, secretEnv, sc.Kind)
		case err != nil:
			return bad(secretKey, "%v", err)
		}
		r.secret = v
	}
	if sc.Kind == "git" {
		r.dir = filepath.Join(c.Data, "git", sc.Name)
	}
	// The package checks the rest; its message names its own field.
	if _, err := newRemoteSource(sc, int64(c.MaxFileSize)); err != nil {
		return &ConfigError{File: c.file, Key: key, Msg: err.Error()}
	}
	return nil
}

// newRemoteSource builds the source of a remote kind from a checked
// config. None of them holds anything to close.
func newRemoteSource(sc *SourceConfig, maxFileSize int64) (ingest.Source, error) {
	r := &sc.Remote
	switch sc.Kind {
	case "git":
		return git.New(git.Options{URL: r.URL, Branch: r.Branch, Subdir: r.Subdir, Include: sc.Include, Exclude: sc.Exclude,
			Dir: r.dir, Username: r.Username, Password: r.secret, MaxFileSize: maxFileSize, Depth: r.Depth})
	case "github":
		return github.New(github.Options{BaseURL: r.BaseURL, Owner: r.Owner, Repo: r.Repo, Label: r.Label, Token: r.secret})
	case "confluence":
		return confluence.New(confluence.Options{BaseURL: r.BaseURL, Email: r.Email, Token: r.secret, Label: r.Label,
			Space: r.Space, CQL: r.CQL, TimeZone: r.TimeZone})
	case "jira":
		return jira.New(jira.Options{BaseURL: r.BaseURL, Email: r.Email, Token: r.secret, Project: r.Project,
			Label: r.Label, JQL: r.JQL, TimeZone: r.TimeZone})
	case "incidentio":
		return incidentio.New(incidentio.Options{BaseURL: r.BaseURL, Token: r.secret})
	case "statuspage":
		return statuspage.New(statuspage.Options{BaseURL: r.BaseURL, AllIncidents: r.AllIncidents})
	}
	return nil, fmt.Errorf("unknown kind %q", sc.Kind)
}

var sourceEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
