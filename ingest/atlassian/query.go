package atlassian

import (
	"strings"
	"time"
)

// Quote writes a CQL or JQL string literal.
func Quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(strings.TrimSpace(s)) + `"`
}

// DropOrderBy removes an ORDER BY clause (outside quotes) from a query.
func DropOrderBy(q string) string {
	var quoteCh byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quoteCh != 0:
			if c == '\\' {
				i++
			} else if c == quoteCh {
				quoteCh = 0
			}
		case c == '"' || c == '\'':
			quoteCh = c
		case (c == 'o' || c == 'O') && (i == 0 || !isWordByte(q[i-1])):
			rest := q[i:]
			if len(rest) >= 5 && strings.EqualFold(rest[:5], "order") {
				after := strings.TrimLeft(rest[5:], " \t\r\n")
				if len(after) < len(rest)-5 && len(after) >= 2 && strings.EqualFold(after[:2], "by") &&
					(len(after) == 2 || !isWordByte(after[2])) {
					return q[:i]
				}
			}
		}
	}
	return q
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Zone is the time zone in which a site reads query dates: the IANA zone
// named (the profile time zone of the account the token belongs to), or,
// when name is empty, the zone furthest behind UTC. A wall time written in
// that one denotes, in any zone the site may read it in, an instant no
// later than the one meant, so that no change is skipped.
func Zone(name string) (*time.Location, error) {
	if name == "" {
		return time.FixedZone("UTC-12", -12*60*60), nil
	}
	return time.LoadLocation(name)
}

// Since is a query's selection narrowed to what field (updated,
// lastmodified) says changed since when (zero: everything), oldest first.
// Both languages compare dates to the minute in the site's time zone loc.
func Since(selection, field string, since time.Time, loc *time.Location) string {
	q := selection
	if !since.IsZero() {
		q += " AND " + field + ` >= "` + since.In(loc).Format("2006-01-02 15:04") + `"`
	}
	return q + " ORDER BY " + field + " ASC"
}

// ParseTime reads the times Atlassian's REST APIs write: RFC 3339, or
// Jira's "2024-02-11T14:23:05.123+0000", with or without fractions.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
