package assess

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedCatalogIsValid(t *testing.T) {
	c, err := ParseCatalog("catalog.yaml", defaultCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Version(), "2026.1+") {
		t.Errorf("version %q", c.Version())
	}
	if DefaultCatalog().Version() != c.Version() {
		t.Error("DefaultCatalog and the embedded file disagree")
	}
}

// TestCatalogErrors checks that a broken catalog is refused with an error
// naming what is wrong and, where it can, the line.
func TestCatalogErrors(t *testing.T) {
	base := string(defaultCatalog)
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"missing question category", func(s string) string {
			return strings.Replace(s, "\n  anticipation:\n", "\n  anticipation_gone:\n", 1)
		}, []string{`missing category "anticipation"`, `unknown category "anticipation_gone"`}},
		{"missing factor category", func(s string) string {
			return strings.Replace(s, "\n  hardware:\n    group: technical", "\n  hardwares:\n    group: technical", 1)
		}, []string{`factors: missing category "hardware"`}},
		{"wrong group", func(s string) string {
			return strings.Replace(s, "\n  monitoring:\n    group: organisational", "\n  monitoring:\n    group: technical", 1)
		}, []string{`factors.monitoring.group`}},
		{"unknown lexicon", func(s string) string {
			return strings.Replace(s, `match: ["@perceive", "@anomaly"]`, `match: ["@perceive", "@anomalies"]`, 1)
		}, []string{`unknown lexicon "anomalies"`, "line "}},
		{"bad phrase", func(s string) string {
			return strings.Replace(s, "    - spike\n", "    - \"{spike\"\n", 1)
		}, []string{"unbalanced", "line "}},
		{"short prefix", func(s string) string {
			return strings.Replace(s, "    - spike\n", "    - sp*\n", 1)
		}, []string{`prefix "sp*"`, "line "}},
		{"unknown key", func(s string) string {
			return strings.Replace(s, "version: \"2026.1\"", "version: \"2026.1\"\nversoin: 2", 1)
		}, []string{"versoin"}},
		{"weights", func(s string) string {
			return strings.Replace(s, "    per_factor: 6\n", "    per_factor: 7\n", 1)
		}, []string{"add up to 105"}},
		{"unknown section kind", func(s string) string {
			return strings.Replace(s, "in: [surprises]", "in: [surprise_section]", 1)
		}, []string{`unknown section kind "surprise_section"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := tt.edit(base)
			if edited == base {
				t.Fatal("the edit did not apply; update the test to the catalog")
			}
			_, err := ParseCatalog("edited.yaml", []byte(edited))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "edited.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestCatalogVersionFollowsContent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(p, defaultCatalog, 0o644); err != nil {
		t.Fatal(err)
	}
	same, err := LoadCatalog(p)
	if err != nil {
		t.Fatal(err)
	}
	if same.Version() != DefaultCatalog().Version() {
		t.Errorf("same content, versions %q and %q", same.Version(), DefaultCatalog().Version())
	}
	changed := strings.Replace(string(defaultCatalog), "    - spike\n", "    - spike\n    - spiked\n", 1)
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := LoadCatalog(p)
	if err != nil {
		t.Fatal(err)
	}
	if other.Version() == same.Version() {
		t.Error("a changed catalog kept its version")
	}
	if _, err := LoadCatalog(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read catalog") {
		t.Errorf("missing file: %v", err)
	}
}

func TestPhraseSyntax(t *testing.T) {
	tests := []struct {
		phrase string
		text   string
		want   bool
	}{
		{"noticed", "She notices the graph.", true},
		{"root cause", "The root causes were two.", true},
		{"on-call engineer", "the on call engineer", true},
		{"did not follow", "He didn't follow the runbook.", true},
		{"should've", "We should have known.", true},
		{"exhaust*", "The pool was exhausted.", true},
		{"=saw", "We see it.", false},
		{"ran out of {memory|disk}", "The node ran out of disk.", true},
		{"ran out of {memory|disk}", "The node ran out of time.", false},
		{"failed ~ test", "The engineer failed to properly test it.", true},
		{"failed ~ test", "The engineer failed to do what the runbook says and to test it.", false},
		{"pool _ exhausted", "pool was exhausted", true},
		{"note", "This is not it.", false},
	}
	for _, tt := range tests {
		t.Run(tt.phrase+"/"+tt.text, func(t *testing.T) {
			m := newMatcher()
			if err := m.add(tt.phrase, 0); err != nil {
				t.Fatal(err)
			}
			var lw lowerBuf
			low := lw.lower(tt.text)
			toks := tokenize(nil, tt.text, low, 0, len(tt.text))
			m.lookup(toks)
			got := len(m.find(toks, nil)) > 0
			if got != tt.want {
				t.Errorf("%q in %q: %v, want %v", tt.phrase, tt.text, got, tt.want)
			}
		})
	}
}
