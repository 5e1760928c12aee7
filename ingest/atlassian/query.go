package atlassian

import "strings"

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
