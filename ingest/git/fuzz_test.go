package git

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// FuzzURL checks that whatever URL a config holds, New does not panic,
// keeps no credentials in the URL it fetches from, and never shows a
// password: not in the URL, not in an error.
func FuzzURL(f *testing.F) {
	f.Add("https://example.invalid/team/postmortems.git", "robot", []byte("token"), "example.invalid", "/p.git")
	f.Add("http://127.0.0.1:8080/p", "", []byte{}, "127.0.0.1:8080", "/p")
	f.Add("file:///srv/repos/p", "x", []byte{0xff, 0}, "[::1]:99", "/a@b")
	f.Add("git@example.invalid:team/p.git", "u@v", []byte("p/q"), "h", "")
	f.Add("ssh://git@example.invalid/p.git", ":", []byte("%zz"), "h:x", "?q=1#f")
	f.Add(`C:\repos\p`, "", []byte("a"), "", "//")
	f.Fuzz(func(t *testing.T, raw, user string, secret []byte, host, rest string) {
		dir := t.TempDir()
		// Free-form: no panic, and a URL kept for fetching carries no user.
		if s, err := New(Options{URL: raw, Dir: dir}); err == nil && strings.Contains(s.url, "://") {
			u, perr := url.Parse(s.url)
			if perr != nil || u.User != nil {
				t.Fatalf("New(%q) keeps %q", raw, s.url)
			}
		}
		parseCursor(raw)

		// A password made unique by a marker never shows.
		pass := "Zq9" + hex.EncodeToString(secret)
		if strings.Contains(user+host+rest, "Zq9") {
			return
		}
		withCreds := "https://" + url.PathEscape(user) + ":" + pass + "@" + host + rest
		for _, o := range []Options{
			{URL: withCreds, Dir: dir},
			{URL: "https://" + host + rest, Username: user, Password: pass, Dir: dir},
			{URL: withCreds, Username: user, Password: pass, Dir: dir},
		} {
			s, err := New(o)
			if err != nil {
				if strings.Contains(err.Error(), pass) {
					t.Fatalf("New(%q): error shows the password: %v", o.URL, err)
				}
				continue
			}
			if strings.Contains(s.url, pass) || strings.Contains(s.shown, pass) {
				t.Fatalf("New(%q): url %q shown %q", o.URL, s.url, s.shown)
			}
		}
	})
}
