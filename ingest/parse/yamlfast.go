package parse

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Most front matter is flat: "key: value" lines, flow lists and block
// lists of plain words. Setting up a full YAML parser costs more than the
// rest of a small debrief's parsing, so flat front matter is read here,
// giving exactly what go.yaml.in/yaml/v3 gives (FuzzFrontMatter checks
// this), and anything else goes to the YAML package.

// flatYAML reads flat YAML. ok is false when s uses anything beyond the
// flat subset.
func flatYAML(s string) (m map[string]any, ok bool) {
	if !yamlPrintable(s) {
		return nil, false
	}
	m = map[string]any{}
	itemIndent := -1
	var listKey string
	var list []any
	inList := false
	endList := func() {
		itemIndent = -1
		if inList {
			if list == nil {
				m[listKey] = nil
			} else {
				m[listKey] = list
			}
		}
		inList, list = false, nil
	}
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimRight(l, " ") == "" {
			continue
		}
		if strings.ContainsAny(l, "\t\r") {
			return nil, false
		}
		t := strings.TrimLeft(l, " ")
		if t[0] == '#' {
			continue
		}
		if strings.HasPrefix(t, "- ") || t == "-" {
			if !inList || t == "-" {
				return nil, false
			}
			if ind := len(l) - len(t); itemIndent < 0 {
				itemIndent = ind
			} else if ind != itemIndent {
				return nil, false
			}
			v, ok := flatScalar(strings.TrimSpace(t[2:]))
			if !ok {
				return nil, false
			}
			list = append(list, v)
			continue
		}
		if len(t) != len(l) {
			return nil, false // indented content other than list items
		}
		endList()
		k, v, found := strings.Cut(t, ":")
		if !found || !plainKey2(k) {
			return nil, false
		}
		if _, dup := m[k]; dup {
			return nil, false
		}
		if v != "" && v[0] != ' ' {
			return nil, false
		}
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			listKey, inList = k, true
		case v[0] == '[':
			seq, ok := flatSeq(v)
			if !ok {
				return nil, false
			}
			m[k] = seq
		default:
			x, ok := flatScalar(v)
			if !ok {
				return nil, false
			}
			m[k] = x
		}
	}
	endList()
	return m, true
}

// yamlPrintable reports whether s holds only characters YAML accepts
// unescaped; anything else is left to the YAML package to judge.
func yamlPrintable(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7F || r >= 0x80 && r <= 0x9F:
			return false
		case r == 0xFEFF || r == 0xFFFE || r == 0xFFFF || r == 0xFFFD:
			return false
		}
	}
	return true
}

func plainKey2(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	c := k[0]
	if !(isASCIILetter(c) || c == '_') {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(isASCIILetter(c) || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	switch k {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	return true
}

// flatSeq reads "[a, b, c]" of plain scalars.
func flatSeq(v string) ([]any, bool) {
	if !strings.HasSuffix(v, "]") {
		return nil, false
	}
	inner := strings.TrimSpace(v[1 : len(v)-1])
	out := []any{}
	if inner == "" {
		return out, true
	}
	for part := range strings.SplitSeq(inner, ",") {
		p := strings.TrimSpace(part)
		if p == "" || strings.ContainsAny(p, "[]{}'\"#:") {
			return nil, false
		}
		x, ok := flatScalar(p)
		if !ok {
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

// flatScalar reads a plain or simply quoted scalar and resolves it the way
// the YAML package does for an interface{} target.
func flatScalar(v string) (any, bool) {
	if v == "" {
		return nil, true
	}
	switch v[0] {
	case '\'':
		if len(v) < 2 || v[len(v)-1] != '\'' {
			return nil, false
		}
		inner := v[1 : len(v)-1]
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return nil, false
		}
		return strings.ReplaceAll(inner, "''", "'"), true
	case '"':
		if len(v) < 2 || v[len(v)-1] != '"' {
			return nil, false
		}
		inner := v[1 : len(v)-1]
		if strings.ContainsAny(inner, "\"\\") {
			return nil, false
		}
		return inner, true
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`':
		return nil, false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return nil, false
	}
	return resolvePlain(v)
}

var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// yamlTimestamps are the layouts the YAML package reads as timestamps.
var yamlTimestamps = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// resolvePlain mirrors the YAML package's resolution of plain scalars.
// Rare forms (binary and octal literals, special floats) are left to it.
func resolvePlain(in string) (any, bool) {
	switch in {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	case "~", "null", "Null", "NULL":
		return nil, true
	case "<<":
		return nil, false
	}
	c := in[0]
	switch {
	case c == '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, true
		}
		if strings.EqualFold(strings.TrimLeft(in, "+-"), ".inf") || strings.EqualFold(in, ".nan") {
			return nil, false
		}
		return in, true
	case isDigit(c) || c == '+' || c == '-':
		if t, ok := yamlTimestamp(in); ok {
			return t, true
		}
		plain := strings.ReplaceAll(in, "_", "")
		if strings.Contains(plain, "0b") || strings.Contains(plain, "0o") || strings.Contains(plain, "0x") || strings.Contains(plain, "0B") || strings.Contains(plain, "0O") || strings.Contains(plain, "0X") {
			return nil, false
		}
		if iv, err := strconv.ParseInt(plain, 0, 64); err == nil {
			if iv == int64(int(iv)) {
				return int(iv), true
			}
			return iv, true
		}
		if uv, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return uv, true
		}
		if yamlFloat.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return f, true
			}
			return nil, false
		}
	}
	return in, true
}

func yamlTimestamp(s string) (time.Time, bool) {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	for _, f := range yamlTimestamps {
		if t, err := time.Parse(f, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
