package remote

import (
	"net/http"
	"testing"
	"time"
)

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"github", []string{`<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"`}, "https://api.github.com/repositories/1/issues?page=2"},
		{"next not first", []string{`<https://h/x?page=1>; rel="prev", <https://h/x?page=3>; rel="next"`}, "https://h/x?page=3"},
		{"two header fields", []string{`<https://h/a>; rel="first"`, `<https://h/b>; rel="next"`}, "https://h/b"},
		{"rel list", []string{`<https://h/b>; rel="next last"`}, "https://h/b"},
		{"unquoted and upper case", []string{`<https://h/b>; REL=Next`}, "https://h/b"},
		{"quoted comma and semicolon in a title", []string{`<https://h/a>; title="a, b; rel=next"; rel="prev", <https://h/c>; rel="next"`}, "https://h/c"},
		{"comma in the URI", []string{`<https://h/a?ids=1,2>; rel="next"`}, "https://h/a?ids=1,2"},
		{"only the first rel counts", []string{`<https://h/a>; rel="prev"; rel="next"`}, ""},
		{"none", []string{`<https://h/a>; rel="last"`}, ""},
		{"junk before a link", []string{`garbage, <https://h/n>; rel=next`}, "https://h/n"},
		{"unclosed", []string{`<https://h/a; rel="next"`}, ""},
		{"empty uri", []string{`<>; rel="next"`}, ""},
		{"no header", nil, ""},
		{"spaces around", []string{`  < https://h/s >  ;  rel = "next"  `}, "https://h/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, f := range tt.fields {
				h.Add("Link", f)
			}
			if got := NextLink(h); got != tt.want {
				t.Errorf("NextLink = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		v      string
		want   time.Duration
		wantOK bool
	}{
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Mon, 04 Mar 2024 10:00:05 GMT", 5 * time.Second, true},
		{"Monday, 04-Mar-24 10:01:00 GMT", time.Minute, true},
		{"Mon Mar  4 10:00:10 2024", 10 * time.Second, true},
		{"Sun, 03 Mar 2024 10:00:00 GMT", 0, true},
		{"99999999999999999999", 1<<63 - 1, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.v, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.wantOK)
		}
	}
}
