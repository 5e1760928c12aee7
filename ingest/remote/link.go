package remote

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NextLink returns the URL of rel="next" in an RFC 8288 Link header (all
// of the response's Link fields), or "". The URL is returned as written;
// Get resolves it and refuses it if it leads to another host.
func NextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		if u := nextIn(v); u != "" {
			return u
		}
	}
	return ""
}

// nextIn scans one Link field: link-values `<uri> *(; param)` separated
// by commas, where quoted parameter values may hold commas and semicolons.
// Only the first rel parameter of a link counts (RFC 8288 §3.3).
func nextIn(s string) string {
	i := 0
	for i < len(s) {
		// Find the start of a link-value.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] != '<' {
			i = skipToComma(s, i)
			continue
		}
		end := strings.IndexByte(s[i+1:], '>')
		if end < 0 {
			return ""
		}
		uri := strings.TrimSpace(s[i+1 : i+1+end])
		i += end + 2
		relSeen, isNext := false, false
		for i < len(s) {
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
			if i >= len(s) || s[i] == ',' {
				break
			}
			if s[i] != ';' {
				// Junk after the URI: skip this link-value.
				i = skipToComma(s, i)
				break
			}
			i++
			var name, val string
			name, val, i = param(s, i)
			if strings.EqualFold(name, "rel") && !relSeen {
				relSeen = true
				for _, r := range strings.Fields(val) {
					if strings.EqualFold(r, "next") {
						isNext = true
					}
				}
			}
		}
		if isNext && uri != "" && !strings.ContainsAny(uri, "<> \t\r\n") {
			return uri
		}
	}
	return ""
}

// param reads `name[=value]` from s[i:], where value is a token or a
// quoted string, and returns the position after it.
func param(s string, i int) (name, val string, next int) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	start := i
	for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != ',' {
		i++
	}
	name = strings.TrimSpace(s[start:i])
	if i >= len(s) || s[i] != '=' {
		return name, "", i
	}
	i++
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && s[i] == '"' {
		var sb strings.Builder
		i++
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			sb.WriteByte(s[i])
			i++
		}
		if i < len(s) {
			i++ // closing quote
		}
		return name, sb.String(), i
	}
	start = i
	for i < len(s) && s[i] != ';' && s[i] != ',' {
		i++
	}
	return name, strings.TrimSpace(s[start:i]), i
}

// skipToComma returns the position of the next comma outside quotes.
func skipToComma(s string, i int) int {
	inQuote := false
	for ; i < len(s); i++ {
		switch {
		case inQuote && s[i] == '\\':
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ',' && !inQuote:
			return i
		}
	}
	return i
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP
// date, relative to now. A date in the past is a wait of zero. ok is false
// when the value is neither.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > math.MaxInt64/int64(time.Second) {
			return time.Duration(math.MaxInt64), true // absurdly far: MaxWait caps it
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
