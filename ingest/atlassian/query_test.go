package atlassian

import "testing"

func TestDropOrderBy(t *testing.T) {
	tests := []struct{ in, want string }{
		{`label = pm order by created desc`, `label = pm `},
		{`label = pm ORDER  BY created`, `label = pm `},
		{`title ~ "order by" and label = pm`, `title ~ "order by" and label = pm`},
		{`reorder = 1`, `reorder = 1`},
		{`label = "a\"order by"`, `label = "a\"order by"`},
		{`orderly = x`, `orderly = x`},
	}
	for _, tt := range tests {
		if got := DropOrderBy(tt.in); got != tt.want {
			t.Errorf("DropOrderBy(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{`pm`: `"pm"`, ` post mortem `: `"post mortem"`, `a"b\c`: `"a\"b\\c"`} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
