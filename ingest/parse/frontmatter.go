package parse

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// splitFrontMatter cuts a leading front matter block off a Markdown body:
// YAML between "---" lines, TOML between "+++" lines, JSON between ";;;"
// lines; a block fenced with "---<lang>" of a language we do not read is
// skipped. A "---" block that does not look like YAML is left in the body
// (it is a thematic break). The fields are nil when there is no front
// matter.
func splitFrontMatter(s string) (map[string]any, string, error) {
	first, rest, _ := strings.Cut(s, "\n")
	first = strings.TrimRight(first, " \t")
	var lang, fence string
	switch {
	case first == "---":
		lang, fence = "yaml", "---"
	case first == "+++":
		lang, fence = "toml", "+++"
	case first == ";;;":
		lang, fence = "json", ";;;"
	case strings.HasPrefix(first, "---") && isWord(strings.TrimSpace(first[3:])):
		lang, fence = strings.ToLower(strings.TrimSpace(first[3:])), "---"
	default:
		return nil, s, nil
	}
	content, body, closed := cutFence(rest, fence, lang == "yaml")
	if !closed {
		if looksLikeFields(rest, lang) {
			return nil, "", fmt.Errorf("front matter: no closing %s line", fence)
		}
		return nil, s, nil
	}
	switch lang {
	case "yaml", "yml":
		if !looksLikeFields(content, "yaml") {
			if strings.TrimSpace(content) == "" {
				return nil, body, nil
			}
			return nil, s, nil
		}
		m, err := decodeYAML(content)
		if err != nil {
			return nil, "", fmt.Errorf("front matter: %w", err)
		}
		return m, body, nil
	case "toml":
		m, err := decodeTOML(content)
		if err != nil {
			return nil, "", fmt.Errorf("front matter: %w", err)
		}
		return m, body, nil
	case "json":
		m, err := decodeJSONObject(content)
		if err != nil {
			return nil, "", fmt.Errorf("front matter: %w", err)
		}
		return m, body, nil
	}
	return nil, body, nil
}

func isWord(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isASCIILetter(s[i]) {
			return false
		}
	}
	return true
}

// cutFence finds the line that closes a front matter block. YAML may also
// close with "...".
func cutFence(s, fence string, yamlDots bool) (content, body string, ok bool) {
	pos := 0
	for pos <= len(s) {
		end := strings.IndexByte(s[pos:], '\n')
		var l string
		next := len(s) + 1
		if end < 0 {
			l = s[pos:]
		} else {
			l = s[pos : pos+end]
			next = pos + end + 1
		}
		l = strings.TrimRight(l, " \t")
		if l == fence || yamlDots && l == "..." {
			if next > len(s) {
				return s[:pos], "", true
			}
			return s[:pos], s[next:], true
		}
		pos = next
	}
	return "", "", false
}

var (
	yamlKeyLine = regexp.MustCompile(`^["']?[\p{L}\p{N}_][^:\n]{0,80}["']?:(\s|$)`)
	tomlKeyLine = regexp.MustCompile(`^(\[[^\]\n]+\]|["']?[\p{L}\p{N}_][\p{L}\p{N}_. "'-]*["']?\s*=)`)
)

// looksLikeFields reports whether the first meaningful line of a block is
// a "key: value" (YAML) or "key = value" or "[table]" (TOML) line.
func looksLikeFields(s, lang string) bool {
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		switch lang {
		case "yaml", "yml":
			return yamlKeyLine.MatchString(l)
		case "toml":
			return tomlKeyLine.MatchString(l)
		default:
			return true
		}
	}
	return false
}

// decodeYAML reads YAML front matter. Line numbers in errors count from the
// top of the file, where the opening "---" is line 1.
func decodeYAML(s string) (m map[string]any, err error) {
	defer func() {
		// A decoder panic on hostile input must cost one document, not the pass.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("yaml: could not be read (%v)", r)
		}
	}()
	if m, ok := flatYAML(s); ok {
		if len(m) == 0 {
			return nil, nil
		}
		return m, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, errors.New("yaml: not a list of \"key: value\" lines")
		}
		return nil, errors.New(shiftLines(err.Error(), 1))
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = x
		}
		return out, nil
	default:
		return nil, errors.New("yaml: not a list of \"key: value\" lines")
	}
}

var lineRef = regexp.MustCompile(`line (\d+)`)

// shiftLines adds n to every "line N" in a decoder's message.
func shiftLines(msg string, n int) string {
	return lineRef.ReplaceAllStringFunc(msg, func(s string) string {
		v, err := strconv.Atoi(s[5:])
		if err != nil {
			return s
		}
		return "line " + strconv.Itoa(v+n)
	})
}

func decodeTOML(s string) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("toml: could not be read (%v)", r)
		}
	}()
	if err := toml.Unmarshal([]byte(s), &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, fmt.Errorf("toml: line %d: %s", row+1, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, fmt.Errorf("toml: %w", err)
	}
	return m, nil
}

func decodeJSONObject(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("json: %s", jsonMessage(s, err))
	}
	return m, nil
}
