package dir

import (
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestFilterAgreesWithFetch checks that Filter.Match picks, among every
// file of testdata/tree, exactly what a folder pass lists.
func TestFilterAgreesWithFetch(t *testing.T) {
	var all []string
	err := fs.WalkDir(os.DirFS("testdata/tree"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			all = append(all, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"defaults", Options{}},
		{"exclude a folder with /**", Options{Exclude: []string{"archive/**"}}},
		{"exclude a folder by its name alone", Options{Exclude: []string{"archive"}}},
		{"exclude a folder at any depth", Options{Exclude: []string{"**/nested"}}},
		{"include narrows to Markdown", Options{Include: []string{"**/*.md"}}},
		{"include naming README and hidden folders", Options{Include: []string{"*.md", "README.md", ".hidden/**"}}},
		{"include naming templates", Options{Include: []string{"templates/*.md", "*template*.md"}}},
		{"exclude wins over include", Options{Include: []string{"**/*.md"}, Exclude: []string{"**/*disk*"}}},
		{"include a folder's files", Options{Include: []string{"docs/**"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, _ := fetchAll(t, openTree(t, tt.opts))
			f, err := NewFilter(tt.opts.Include, tt.opts.Exclude)
			if err != nil {
				t.Fatal(err)
			}
			var matched []string
			for _, p := range all {
				if f.Match(p) {
					matched = append(matched, p)
				}
			}
			if got := refs(docs); !reflect.DeepEqual(matched, got) {
				t.Errorf("Match picks\n %q\nFetch lists\n %q", matched, got)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	if _, err := NewFilter([]string{"[a"}, nil); err == nil || !strings.Contains(err.Error(), `include pattern "[a"`) {
		t.Errorf("bad include: err = %v", err)
	}
	if _, err := NewFilter(nil, []string{"b["}); err == nil || !strings.Contains(err.Error(), `exclude pattern "b["`) {
		t.Errorf("bad exclude: err = %v", err)
	}
	var zero Filter
	if !zero.Match("2024-01-02-disk-full.md") || zero.Match("README.md") || zero.Match("a/") {
		t.Errorf("the zero Filter does not apply the defaults")
	}
}
