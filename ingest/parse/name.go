package parse

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nameInfo is what a document's file name says: a date (full, or a bare
// year) and a title once the date prefix and extensions are gone.
type nameInfo struct {
	title   string
	date    civil
	hasDate bool
	year    int
}

var docExtensions = map[string]bool{
	".erb": true, ".md": true, ".markdown": true, ".mdown": true, ".mkd": true, ".mdx": true,
	".html": true, ".htm": true, ".xhtml": true, ".txt": true, ".text": true, ".json": true,
}

// fileNameInfo reads the last element of a ref: "2021-03-04-db-failover.md",
// "PM2021-003 - Title.md", "20190916-something.md", "001-name.md".
func fileNameInfo(ref string) nameInfo {
	if i := strings.IndexAny(ref, "#?"); i >= 0 {
		ref = ref[:i]
	}
	base := path.Base(strings.TrimRight(ref, "/"))
	for {
		ext := strings.ToLower(path.Ext(base))
		if ext == "" || !docExtensions[ext] || len(ext) == len(base) {
			break
		}
		base = base[:len(base)-len(ext)]
	}
	var ni nameInfo
	rest := base
	if y, m, d, n, ok := isoPrefix(rest); ok {
		ni.date, ni.hasDate = civil{y, m, d}, true
		rest = rest[n:]
	} else if y, n, ok := yearPrefix(rest); ok {
		ni.year = y
		rest = rest[n:]
	} else {
		rest = numberPrefix(rest)
	}
	ni.title = titleFromName(rest)
	return ni
}

func digitsAt(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		if s[j] < '0' || s[j] > '9' {
			return 0, false
		}
		v = v*10 + int(s[j]-'0')
	}
	return v, true
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' || c == ' ' }

// isoPrefix reads YYYY-MM-DD (with -, _ or . between) or YYYYMMDD.
func isoPrefix(s string) (y, m, d, n int, ok bool) {
	y, ok1 := digitsAt(s, 0, 4)
	if !ok1 {
		return
	}
	if len(s) >= 10 && isSep(s[4]) && s[7] == s[4] {
		m, ok2 := digitsAt(s, 5, 2)
		d, ok3 := digitsAt(s, 8, 2)
		if ok2 && ok3 && validDate(y, m, d) && (len(s) == 10 || !isDigit(s[10])) {
			return y, m, d, 10, true
		}
	}
	if v, ok2 := digitsAt(s, 0, 8); ok2 && (len(s) == 8 || !isDigit(s[8])) {
		y, m, d := v/10000, v/100%100, v%100
		if validDate(y, m, d) {
			return y, m, d, 8, true
		}
	}
	return 0, 0, 0, 0, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// yearPrefix reads a year that is all the date a name gives: "PM2021-003",
// "INC2019_12", "2021-07-title", "2021 title".
func yearPrefix(s string) (int, int, bool) {
	i := 0
	for i < len(s) && i < 6 && isASCIILetter(s[i]) {
		i++
	}
	y, ok := digitsAt(s, i, 4)
	if !ok || y < minYear || y > maxYear || (len(s) > i+4 && isDigit(s[i+4])) {
		return 0, 0, false
	}
	j := i + 4
	if j < len(s) && !isSep(s[j]) {
		return 0, 0, false
	}
	// Skip a serial or month number after the year: "-003", "_12", "-07".
	if j+1 < len(s) && isSep(s[j]) && isDigit(s[j+1]) {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k-j-1 <= 4 {
			j = k
		}
	}
	return y, j, true
}

// numberPrefix drops a serial or month-day prefix: "001-", "04-25-".
func numberPrefix(s string) string {
	i := 0
	for i < len(s) && (isDigit(s[i]) || (isSep(s[i]) && i > 0)) {
		i++
	}
	if i > 0 && i < len(s) && isSep(s[i-1]) {
		return s[i:]
	}
	return s
}

// titleFromName turns what is left of a file name into a title: separators
// to spaces, each word capitalised. Names that are ids (UUIDs, hex, numbers)
// give no title.
func titleFromName(s string) string {
	s = strings.Trim(s, " -_.")
	if s == "" || isID(s) {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, s)
	words := strings.Fields(s)
	if len(words) == 0 {
		return ""
	}
	letters := false
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) {
			letters = true
			words[i] = string(unicode.ToUpper(r)) + w[size:]
		}
	}
	if !letters {
		return ""
	}
	return strings.Join(words, " ")
}

// isID reports whether a name is an identifier rather than words: a UUID,
// a long hex string or a number.
func isID(s string) bool {
	hex, digits, other := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			hex++
		case c == '-' || c == '_':
		default:
			other++
		}
	}
	if other > 0 {
		return false
	}
	return hex == 0 || hex+digits >= 8 && digits > 0
}
