package remote

import (
	"bytes"
	"strconv"
)

// JSONKind names the kind of a JSON value for an error message about a
// payload that has the wrong shape ("an array", "null", "a string").
func JSONKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		return "a number"
	}
	return "something that is not JSON (" + strconv.Quote(clip(string(raw), 40)) + ")"
}
