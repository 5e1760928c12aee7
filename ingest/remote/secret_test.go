package remote

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("token", "  s3cr3t-from-file\n")
	empty := write("empty", "\n\n")
	big := write("big", strings.Repeat("a", maxSecretFile+1))
	const val = "s3cr3t-from-env"
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
		isNone  bool
	}{
		{"variable", map[string]string{"TOK": val}, val, "", false},
		{"variable trimmed", map[string]string{"TOK": val + "\n"}, val, "", false},
		{"file", map[string]string{"TOK_FILE": good}, "s3cr3t-from-file", "", false},
		{"both", map[string]string{"TOK": val, "TOK_FILE": good}, "", "both TOK and TOK_FILE are set", false},
		{"neither", map[string]string{"OTHER": "x"}, "", "tried TOK and TOK_FILE", true},
		{"missing file", map[string]string{"TOK_FILE": filepath.Join(dir, "nope")}, "", "open the file named by TOK_FILE", false},
		{"empty file", map[string]string{"TOK_FILE": empty}, "", "is empty", false},
		{"huge file", map[string]string{"TOK_FILE": big}, "", "not a secret file", false},
		{"white space only", map[string]string{"TOK": "  "}, "", "only white space", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Secret(func(k string) string { return tt.env[k] }, "TOK")
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Secret = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Secret error %v, want %q", err, tt.wantErr)
			}
			if errors.Is(err, ErrNoSecret) != tt.isNone {
				t.Errorf("errors.Is(err, ErrNoSecret) = %v", !tt.isNone)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}
