package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/api"
)

const (
	testReadToken  = "read-7d1f3b9e5a2c4680"
	testAdminToken = "admin-2b8e6c0a4f9d1357"
)

func TestTrustConfig(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "secrets", "admin"), testAdminToken+"\n")
	writeFile(t, filepath.Join(dir, "secrets", "short"), "abc\n")
	writeFile(t, filepath.Join(dir, "secrets", "empty"), "\n")
	writeFile(t, filepath.Join(dir, "secrets", "key"), strings.Repeat("k", 40))
	writeFile(t, filepath.Join(dir, "secrets", "big"), strings.Repeat("x", 5000))
	folder := filepath.Join(dir, "pm")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	tokens := "tokens:\n  - name: dashboards\n    role: read\n    token_env: SS_READ\n  - name: ops\n    role: admin\n    token_file: secrets/admin\n"
	environ := []string{"SS_READ", testReadToken, "SS_VIA_FILE", filepath.Join(dir, "secrets", "admin"), "SS_GONE_FILE", "/nonexistent/token", "SS_SPACE", "has a space inside it", "SS_KEY", strings.Repeat("s", 32)}
	tests := []struct {
		name, yaml string
		wantErr    string
		check      func(t *testing.T, c *Config)
	}{
		{name: "defaults", yaml: "sources:\n  - name: pm\n    path: " + folder + "\n", check: func(t *testing.T, c *Config) {
			l := c.apiLimits()
			if len(c.Tokens) != 0 || c.Sources[0].Timeout != Duration(10*time.Minute) || time.Duration(c.Session.Lifetime) != 12*time.Hour ||
				l.MaxBody != 64<<10 || l.MaxQuery != 4<<10 || l.HandlerTimeout != 10*time.Second || l.SearchRate != 5 || l.SearchBurst != 20 {
				t.Errorf("defaults: %+v %+v %+v", c.Sources[0], c.Session, l)
			}
		}},
		{name: "tokens from the environment and a file", yaml: tokens, check: func(t *testing.T, c *Config) {
			o := c.authOptions()
			want := []api.Token{{Name: "dashboards", Role: api.RoleRead, Secret: testReadToken}, {Name: "ops", Role: api.RoleAdmin, Secret: testAdminToken}}
			if len(o.Tokens) != 2 || o.Tokens[0] != want[0] || o.Tokens[1] != want[1] || o.SessionKey != nil {
				t.Errorf("auth options %+v", o)
			}
		}},
		{name: "limits, a session key and a pass timeout", yaml: tokens + "session:\n  key_file: secrets/key\n  lifetime: 2h\nlimits:\n  max_body: 16KB\n  max_query: 1KB\n  handler_timeout: 3s\n  search_rate: 0.5\n  search_burst: 4\n" +
			"sources:\n  - name: pm\n    path: " + folder + "\n    timeout: 90s\n", check: func(t *testing.T, c *Config) {
			l, o := c.apiLimits(), c.authOptions()
			if l.MaxBody != 16<<10 || l.MaxQuery != 1<<10 || l.HandlerTimeout != 3*time.Second || l.SearchRate != 0.5 || l.SearchBurst != 4 ||
				string(o.SessionKey) != strings.Repeat("k", 40) || o.SessionLifetime != 2*time.Hour || c.Sources[0].Timeout != Duration(90*time.Second) {
				t.Errorf("limits %+v, auth %+v, source %+v", l, o, c.Sources[0])
			}
		}},
		{name: "a token written in the config", yaml: "tokens:\n  - name: ci\n    role: read\n    token: " + testReadToken + "\n", wantErr: "tokens[0] (ci).token: a token is never written in the configuration"},
		{name: "no name", yaml: "tokens:\n  - role: read\n    token_env: SS_READ\n", wantErr: "tokens[0].name: every token needs a name"},
		{name: "bad name", yaml: "tokens:\n  - name: The CI\n    role: read\n    token_env: SS_READ\n", wantErr: "tokens[0].name: use lower-case"},
		{name: "same name twice", yaml: tokens + "  - name: ops\n    role: read\n    token_env: SS_READ\n", wantErr: "tokens[2] (ops).name: tokens[1] (ops) already has this name"},
		{name: "unknown role", yaml: "tokens:\n  - name: ci\n    role: root\n    token_env: SS_READ\n", wantErr: `tokens[0] (ci).role: "root" is not one of read, admin`},
		{name: "no role", yaml: "tokens:\n  - name: ci\n    token_env: SS_READ\n", wantErr: `tokens[0] (ci).role: "" is not one of read, admin`},
		{name: "neither env nor file", yaml: "tokens:\n  - name: ci\n    role: read\n", wantErr: "tokens[0] (ci): give token_env"},
		{name: "both env and file", yaml: "tokens:\n  - name: ci\n    role: read\n    token_env: SS_READ\n    token_file: secrets/admin\n", wantErr: "tokens[0] (ci): give token_env or token_file, not both"},
		{name: "unset variable", yaml: "tokens:\n  - name: ci\n    role: read\n    token_env: SS_NOPE\n", wantErr: "tokens[0] (ci).token_env: the environment variable SS_NOPE (or SS_NOPE_FILE, naming a file) is not set or empty"},
		{name: "variable naming a file", yaml: "tokens:\n  - name: ci\n    role: admin\n    token_env: SS_VIA\n", check: func(t *testing.T, c *Config) {
			if o := c.authOptions(); len(o.Tokens) != 1 || o.Tokens[0].Secret != testAdminToken {
				t.Errorf("auth options %+v, want the token of SS_VIA_FILE", o)
			}
		}},
		{name: "variable naming a missing file", yaml: "tokens:\n  - name: ci\n    role: admin\n    token_env: SS_GONE\n", wantErr: "tokens[0] (ci).token_env: SS_GONE_FILE: cannot read /nonexistent/token"},
		{name: "missing file", yaml: "tokens:\n  - name: ci\n    role: read\n    token_file: secrets/nope\n", wantErr: "tokens[0] (ci).token_file: cannot read " + filepath.Join(dir, "secrets", "nope") + ": no such file"},
		{name: "empty file", yaml: "tokens:\n  - name: ci\n    role: read\n    token_file: secrets/empty\n", wantErr: "tokens[0] (ci).token_file: " + filepath.Join(dir, "secrets", "empty") + " is empty"},
		{name: "huge file", yaml: "tokens:\n  - name: ci\n    role: read\n    token_file: secrets/big\n", wantErr: "is larger than 4096 bytes"},
		{name: "short token", yaml: "tokens:\n  - name: ci\n    role: read\n    token_file: secrets/short\n", wantErr: "tokens[0] (ci).token_file: the token is 3 characters long; use at least 16"},
		{name: "token with a space", yaml: "tokens:\n  - name: ci\n    role: read\n    token_env: SS_SPACE\n", wantErr: "tokens[0] (ci).token_env: the token holds spaces"},
		{name: "one token for two names", yaml: tokens + "  - name: ci\n    role: admin\n    token_env: SS_READ\n", wantErr: "tokens[2] (ci).token_env: the token is the same as that of tokens[0] (dashboards)"},
		{name: "tokens not a list", yaml: "tokens: everyone\n", wantErr: "expected a list of tokens"},
		{name: "unknown token key", yaml: "tokens:\n  - name: ci\n    role: read\n    secret_env: X\n", wantErr: `unknown key "secret_env"`},
		{name: "short session key", yaml: tokens + "session:\n  key_file: secrets/short\n", wantErr: "session: the key is 3 characters long; use at least 32"},
		{name: "session key from the environment", yaml: tokens + "session:\n  key_env: SS_KEY\n", check: func(t *testing.T, c *Config) {
			if string(c.authOptions().SessionKey) != strings.Repeat("s", 32) {
				t.Error("session key not read")
			}
		}},
		{name: "session lifetime too short", yaml: "session:\n  lifetime: 10s\n", wantErr: "session.lifetime: must be between 1m"},
		{name: "bad duration", yaml: "limits:\n  handler_timeout: soon\n", wantErr: `line 2: "soon" is not a duration`},
		{name: "handler timeout too short", yaml: "limits:\n  handler_timeout: 1ms\n", wantErr: "limits.handler_timeout: must be between 100ms and 1h"},
		{name: "body limit too small", yaml: "limits:\n  max_body: 10B\n", wantErr: "limits.max_body: must be between 1KB and 64MB"},
		{name: "negative rate", yaml: "limits:\n  search_rate: -1\n", wantErr: "limits.search_rate: must be a positive number"},
		{name: "rate not a number", yaml: "limits:\n  search_rate: fast\n", wantErr: "expected a number"},
		{name: "pass timeout too short", yaml: "sources:\n  - name: pm\n    path: " + folder + "\n    timeout: 10ms\n", wantErr: "sources[0] (pm).timeout: must be at least 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "secondstory.yaml")
			writeFile(t, path, tt.yaml)
			cfg, err := loadConfig(path, env(append([]string{"HOME", dir}, environ...)...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				for _, secret := range []string{testReadToken, testAdminToken, "has a space inside it"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error shows a token: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}
}

// serveOn runs serve in-process on addr and returns the address it
// printed, its stderr so far and a stop function.
func serveOn(t *testing.T, getenv func(string) string, args ...string) (addr string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 16)}
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), out, stderr, getenv) }()
	serving := regexp.MustCompile(`at http://(\S+) `)
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case line := <-out.lines:
			if m := serving.FindStringSubmatch(line); m != nil {
				addr = m[1]
			}
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d before serving:\n%s", code, stderr.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no address within a minute:\n%s", stderr.String())
		}
	}
	var once sync.Once
	code := -1
	return addr, stderr, func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(60 * time.Second):
				t.Error("serve did not stop within a minute")
			}
		})
		return code
	}
}

// TestServeExposure: without tokens, serve refuses a non-loopback address
// and says at start that it listens on loopback only; with tokens it
// listens where it is told and every request needs a token.
func TestServeExposure(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, config, "data: "+filepath.Join(dir, "data")+"\nsources: []\n")
	for _, addr := range []string{"0.0.0.0:8080", "[::]:8080", ":8080", "192.0.2.10:8080"} {
		code, _, errOut := secondstory(t, env("HOME", dir), "serve", "--config", config, "--addr", addr)
		if code != 1 || !strings.Contains(errOut, "refusing to listen on "+addr+": no API tokens are configured") || !strings.Contains(errOut, "loopback") {
			t.Errorf("serve --addr %s without tokens: exit %d, stderr %q", addr, code, errOut)
		}
	}

	_, stderr, stop := serveOn(t, env("HOME", dir), "--config", config, "--addr", "127.0.0.1:0")
	stop()
	if !strings.Contains(stderr.String(), "no API tokens configured: anyone on this machine can use the API, so the server listens on loopback only") {
		t.Errorf("no line saying the server is open and on loopback only:\n%s", stderr)
	}

	writeFile(t, config, "data: "+filepath.Join(dir, "data")+"\nsources: []\n"+
		"tokens:\n  - name: dashboards\n    role: read\n    token_env: SS_READ\n  - name: ops\n    role: admin\n    token_env: SS_ADMIN\n")
	getenv := env("HOME", dir, "SS_READ", testReadToken, "SS_ADMIN", testAdminToken)
	addr, stderr, stop := serveOn(t, getenv, "--config", config, "--addr", "0.0.0.0:0")
	defer stop()
	_, port, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(addr, "[::]"), "0.0.0.0"), ":")
	base := "http://127.0.0.1:" + port
	get := func(path, token string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{"/healthz", "", 200}, {"/api/v1/debriefs", "", 401}, {"/api/v1/debriefs", "wrong-token-0123456789", 401},
		{"/api/v1/debriefs", testReadToken, 200}, {"/metrics", testReadToken, 200}, {"/metrics", "", 401},
	} {
		if got := get(c.path, c.token); got != c.want {
			t.Errorf("GET %s with %q: %d, want %d", c.path, c.token, got, c.want)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/api/v1/sources/nope/run", nil)
	req.Header.Set("Authorization", "Bearer "+testReadToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("a read token on an admin route: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	logs := stderr.String()
	if !strings.Contains(logs, "access control on: requests need a token") || !strings.Contains(logs, "dashboards (read), ops (admin)") {
		t.Errorf("no start line naming the tokens:\n%s", logs)
	}
	if strings.Contains(logs, testReadToken) || strings.Contains(logs, testAdminToken) {
		t.Errorf("the log holds a token:\n%s", logs)
	}
	if !strings.Contains(logs, `principal=dashboards`) {
		t.Errorf("the access log does not name who asked:\n%s", logs)
	}
}

func TestMetricsOfServe(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "secondstory.yaml")
	writeFile(t, config, "data: "+filepath.Join(dir, "data")+"\nsources:\n  - name: fixtures\n    path: ../../ingest/parse/testdata\n")
	addr, _, stop := serveOn(t, env("HOME", dir), "--config", config, "--addr", "127.0.0.1:0")
	defer stop()
	deadline := time.Now().Add(time.Minute)
	var body string
	for !strings.Contains(body, `secondstory_ingest_passes_total{outcome="ok",source="fixtures"} 1`) {
		if time.Now().After(deadline) {
			t.Fatalf("no pass counted within a minute:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	for _, re := range []string{`(?m)^secondstory_store_bytes [1-9]`, `(?m)^secondstory_index_bytes [1-9]`, `(?m)^secondstory_ingest_documents_total\{outcome="added",source="fixtures"\} [1-9]`} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("metrics lack %s:\n%s", re, body)
		}
	}
}
