package atlassian

import (
	"testing"
	"time"
)

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

func TestSince(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	since := time.Date(2024, 3, 4, 12, 30, 59, 0, time.UTC)
	for _, tt := range []struct {
		since time.Time
		want  string
	}{
		{time.Time{}, `label = "pm" ORDER BY updated ASC`},
		{since, `label = "pm" AND updated >= "2024-03-04 13:30" ORDER BY updated ASC`},
	} {
		if got := Since(`label = "pm"`, "updated", tt.since, oslo); got != tt.want {
			t.Errorf("Since(%v) = %q, want %q", tt.since, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 2, 11, 14, 23, 5, 123_000_000, time.UTC)
	for _, s := range []string{"2024-02-11T14:23:05.123+0000", "2024-02-11T15:23:05.123+01:00", " 2024-02-11T14:23:05.123Z "} {
		if got, ok := ParseTime(s); !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in UTC", s, got, ok, want)
		}
	}
	if got, ok := ParseTime("2024-02-11T14:23:05+0000"); !ok || !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("no fractions: %v, %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "2024-02-11"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) read a time", s)
		}
	}
}

func TestZone(t *testing.T) {
	unknown, err := Zone("")
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2024, 6, 1, 0, 0, 0, 0, unknown).Zone(); off != -12*60*60 {
		t.Errorf("no zone named: offset %d s, want -12 h (behind every zone)", off)
	}
	if _, err := Zone("Mars/Olympus"); err == nil {
		t.Error("an unknown zone name was accepted")
	}
}
