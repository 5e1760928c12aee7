package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestSourceKindsConfig: each kind takes its own keys, secrets come from
// the environment, and every mistake names its key.
func TestSourceKindsConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "secondstory.yaml")
	for _, c := range []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"unknown kind", "sources:\n  - {name: x, kind: notion}\n", nil,
			`sources[0] (x).kind: "notion" is not a source kind this build knows (dir, sample, git, github, confluence, jira, incidentio, statuspage)`},
		{"a key of another kind", "sources:\n  - {name: gh, kind: github, owner: acme, repo: ops, cql: 'label = x'}\n", nil,
			"sources[0] (gh).cql: a github source takes no cql (it takes base_url, owner, repo, label, token_env)"},
		{"a git key on a folder", "sources:\n  - {name: pm, kind: dir, path: " + dir + ", branch: main}\n", nil,
			"sources[0] (pm).branch: a dir source takes no branch (it takes path, include, exclude)"},
		{"a missing token", "sources:\n  - {name: wiki, kind: confluence, base_url: 'https://acme.atlassian.net', email: ops@acme.test}\n", nil,
			"sources[0] (wiki).token_env: set CONFLUENCE_TOKEN (or CONFLUENCE_TOKEN_FILE, a file holding it) to the confluence token"},
		{"a token both ways", "sources:\n  - {name: inc, kind: incidentio, token_env: INC}\n", []string{"INC", "a", "INC_FILE", filepath.Join(dir, "t")}, "sources[0] (inc).token_env: "},
		{"the package names its field", "sources:\n  - {name: gh, kind: github, repo: ops}\n", nil, `sources[0] (gh): github: Owner ""`},
		{"git username without password", "sources:\n  - {name: g, kind: git, url: 'https://git.example.com/pm.git', username: bot}\n", nil,
			"sources[0] (g).username: give both username and password_env, or neither"},
	} {
		t.Run(c.name, func(t *testing.T) {
			writeFile(t, cfg, c.yaml)
			_, err := loadConfig(cfg, env(c.env...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			for i := 1; i < len(c.env); i += 2 {
				if len(c.env[i]) > 0 && strings.Contains(err.Error(), "\""+c.env[i]+"\"") {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
	// A good one of each kind loads, with the token read from its file.
	writeFile(t, filepath.Join(dir, "token"), "s3cret\n")
	writeFile(t, cfg, `sources:
  - {name: g, kind: git, url: 'https://git.example.com/pm.git', branch: main, subdir: postmortems}
  - {name: gh, kind: github, owner: acme, repo: ops}
  - {name: wiki, kind: confluence, base_url: 'https://acme.atlassian.net', email: ops@acme.test, space: ENG}
  - {name: tickets, kind: jira, base_url: 'https://acme.atlassian.net', email: ops@acme.test, project: OPS}
  - {name: inc, kind: incidentio}
  - {name: status, kind: statuspage, base_url: 'https://status.example.com', all_incidents: true}
`)
	c, err := loadConfig(cfg, env("CONFLUENCE_TOKEN_FILE", filepath.Join(dir, "token"), "JIRA_TOKEN", "j", "INCIDENTIO_TOKEN", "i", "SECONDSTORY_DATA", filepath.Join(dir, "data")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sources[2].Remote.secret != "s3cret" || c.Sources[0].Remote.dir != filepath.Join(dir, "data", "git", "g") {
		t.Errorf("confluence secret %q, git dir %q", c.Sources[2].Remote.secret, c.Sources[0].Remote.dir)
	}
}

// TestIngestGitHubAndGit ingests from a GitHub API served on loopback and
// from a git repository built in the test, through the config file.
func TestIngestGitHubAndGit(t *testing.T) {
	var requests atomic.Int32
	var auth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		if r.URL.Path != "/repos/acme/ops/issues" || r.URL.Query().Get("labels") != "postmortem" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"number": 7, "html_url": "https://github.example/acme/ops/issues/7",
			"title": "Postmortem: invoices sent twice", "state": "closed", "user": {"login": "mo"},
			"labels": [{"name": "postmortem"}], "created_at": "2025-06-02T10:00:00Z", "updated_at": "2025-06-03T10:00:00Z",
			"body": "### Summary\n\nA retried batch job sent every invoice of the day twice.\n\n### Contributing factors\n\n- The job was not idempotent.\n- The retry policy was changed the week before.\n"}]`))
	}))
	defer api.Close()

	repoDir := filepath.Join(t.TempDir(), "repo")
	repo, err := gogit.PlainInit(repoDir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	writeFile(t, filepath.Join(repoDir, "postmortems", "2025-05-01-queue.md"),
		"# Queue backlog\n\n## Summary\n\nThe export queue backed up for two hours after a consumer was scaled to zero.\n")
	if _, err := wt.Add("postmortems"); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit("first", &gogit.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.test", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, cfg, "data: "+filepath.Join(dir, "data")+"\nsources:\n"+
		"  - {name: gh, kind: github, owner: acme, repo: ops, base_url: '"+api.URL+"'}\n"+
		"  - {name: repo, kind: git, url: '"+repoDir+"', subdir: postmortems}\n")
	getenv := env("GITHUB_TOKEN", "ghp-test")
	if got := ingestCounts(t, getenv, "--config", cfg, "--source", "gh"); got != "1 1 0 0 0 0 0" {
		t.Errorf("github pass: %s, want one debrief added", got)
	}
	if auth.Load() != "Bearer ghp-test" {
		t.Errorf("Authorization %q, want the token from GITHUB_TOKEN", auth.Load())
	}
	if got := ingestCounts(t, getenv, "--config", cfg, "--source", "repo"); got != "1 1 0 0 0 0 0" {
		t.Errorf("git pass: %s, want one debrief added", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "git", "repo")); err != nil {
		t.Errorf("the clone is not in the data directory: %v", err)
	}
	// Nothing new: the github source asks once, with since from the cursor.
	before := requests.Load()
	if got := ingestCounts(t, getenv, "--config", cfg, "--source", "gh"); !strings.HasSuffix(got, "0 0 0") {
		t.Errorf("second github pass: %s", got)
	}
	if n := requests.Load() - before; n != 1 {
		t.Errorf("a pass with nothing new made %d requests, want 1", n)
	}
}
