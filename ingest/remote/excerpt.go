package remote

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// excerpt is what an error quotes of a body: the message of a JSON error
// body when it has one (message, error, error_description, errorMessages,
// errors, detail, title), else the text with HTML tags dropped; white space
// collapsed, control characters removed, secrets redacted, clipped.
func excerpt(body []byte, secrets []string) string {
	s := jsonMessage(body)
	if s == "" {
		s = string(body)
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "<") {
			s = stripTags(t)
		}
	}
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return clip(s, excerptLen)
}

func jsonMessage(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, k := range []string{"message", "error_description", "error", "errorMessages", "errors", "detail", "title"} {
		if s := messageOf(m[k], 0); s != "" {
			return s
		}
	}
	return ""
}

func messageOf(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for i, e := range x {
			if i == 5 {
				break
			}
			if s := messageOf(e, depth+1); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		for _, k := range []string{"message", "detail", "title", "code"} {
			if s := messageOf(x[k], depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

func stripTags(s string) string {
	var sb strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			sb.WriteByte(' ')
		case !in:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// clip collapses white space, drops control and invalid characters and
// cuts s to n characters.
func clip(s string, n int) string {
	var sb strings.Builder
	count, space := 0, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		if unicode.IsSpace(r) {
			space = sb.Len() > 0
			continue
		}
		if !unicode.IsPrint(r) {
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if count+need > n {
			sb.WriteString("…")
			break
		}
		if space {
			sb.WriteByte(' ')
			count++
			space = false
		}
		sb.WriteRune(r)
		count++
	}
	return sb.String()
}
