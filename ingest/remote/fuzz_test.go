package remote

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func FuzzNextLink(f *testing.F) {
	for _, s := range []string{
		`<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"`,
		`<https://h/a>; title="a, b; rel=next"; rel="prev", <https://h/c>; rel="next"`,
		`<https://h/a>; rel=next`, `<`, `<>`, `;;,,<"`, `<x>; rel="\"next`, `garbage, <https://h/n>; rel=next`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := NextLink(http.Header{"Link": {v}})
		if got == "" {
			return
		}
		if !strings.Contains(v, got) {
			t.Fatalf("NextLink(%q) = %q, not part of the header", v, got)
		}
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("NextLink(%q) = %q holds a bracket", v, got)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "Mon, 04 Mar 2024 10:00:05 GMT", "Monday, 04-Mar-24 10:01:00 GMT",
		"Mon Mar  4 10:00:10 2024", "99999999999999999999", "-1", "1.5", "", " 7 "} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, negative", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v but not ok", v, d)
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	for _, s := range []string{`{"message":"x"}`, `{"errors":[{"message":[1,{"message":"deep"}]}]}`, "<html>a</html>", "\x00\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := excerpt([]byte(body), []string{"SECRET"})
		if strings.Contains(e, "SECRET") {
			t.Fatalf("excerpt(%q) = %q shows the secret", body, e)
		}
		if n := len([]rune(e)); n > excerptLen+1 {
			t.Fatalf("excerpt is %d characters", n)
		}
		for _, r := range e {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("excerpt %q holds a control character", e)
			}
		}
	})
}
