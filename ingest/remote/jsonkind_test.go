package remote

import "testing"

func TestJSONKind(t *testing.T) {
	for in, want := range map[string]string{
		` {"a":1}`: "an object", `[1]`: "an array", `"x"`: "a string", `true`: "a boolean",
		`null`: "null", `-3`: "a number", ``: "nothing", `<html>`: `something that is not JSON ("<html>")`,
	} {
		if got := JSONKind([]byte(in)); got != want {
			t.Errorf("JSONKind(%q) = %q, want %q", in, got, want)
		}
	}
}
