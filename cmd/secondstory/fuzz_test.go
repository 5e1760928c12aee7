package main

import (
	"strings"
	"testing"
)

// FuzzConfig: any secondstory.yaml either loads or fails with a
// ConfigError naming the file; never a panic.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		"", "data: /tmp/x\naddr: 127.0.0.1:9000\n", "sources:\n  - name: pm\n    kind: sample\n",
		"sources:\n  - name: pm\n    path: /nonexistent\n    schedule: '@every 5m'\n", "max_file_size: 10MB\n",
		"log:\n  level: loud\n", "sources: everything\n", "adress: x\n", "sources:\n  - name: [\n", "\xff\xfe",
		"catalog: /nonexistent.yaml\n", "max_file_size: 99999999999GB\n", "sources:\n  - {name: a, kind: sample}\n  - {name: a, kind: sample}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, yaml string) {
		path := t.TempDir() + "/secondstory.yaml"
		writeFile(t, path, yaml)
		cfg, err := loadConfig(path, noEnv)
		if err != nil {
			ce, ok := err.(*ConfigError)
			if !ok || !strings.HasPrefix(err.Error(), path) || ce.Msg == "" {
				t.Fatalf("%q: error %v (%T) is not a ConfigError naming the file", yaml, err, err)
			}
			return
		}
		if cfg.Addr == "" || cfg.Data == "" || cfg.MaxFileSize <= 0 || cfg.catalog == nil {
			t.Fatalf("%q: loaded without defaults: %+v", yaml, cfg)
		}
	})
}
