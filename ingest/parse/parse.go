package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// Version changes whenever parsing gives different output for the same
// bytes. Sources fold it into document hashes, so that a better parser
// re-parses documents stored by an older one.
const Version = 2

// Format is a document format the parser reads.
type Format string

// The formats.
const (
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
	FormatText     Format = "text"
	FormatJSON     Format = "json"
)

// FormatOf tells a document's format from its file name: .md, .markdown,
// .html, .htm, .txt, .json. Templated names count by their inner extension
// (".html.md.erb" is Markdown with ERB tags, ".html.erb" HTML).
func FormatOf(name string) (Format, bool) {
	n := strings.ToLower(name)
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	n = strings.TrimSuffix(n, ".erb")
	dot := strings.LastIndexByte(n, '.')
	if dot <= 0 {
		return "", false
	}
	switch n[dot:] {
	case ".md", ".markdown", ".mdown", ".mkd":
		return FormatMarkdown, true
	case ".html", ".htm", ".xhtml":
		return FormatHTML, true
	case ".txt", ".text":
		return FormatText, true
	case ".json":
		return FormatJSON, true
	}
	return "", false
}

// Parse reads one document into debriefs: one for Markdown, HTML and text,
// one per object for JSON. ref names the document (a path relative to its
// source, a URL); it becomes the debriefs' Ref and Document, and its last
// element may give a date and a title. ID, Source, Hash and FetchedAt are
// left for the caller. ingest.ErrSkip means the document is a template.
//
// When the only date found is a month or a year, Times.Started is its
// first day and Meta.Extra["date_precision"] is "month" or "year".
func Parse(ref string, f Format, data []byte) ([]ingest.Debrief, error) {
	var d ingest.Debrief
	var err error
	switch f {
	case FormatMarkdown:
		d, err = Markdown(ref, data)
	case FormatHTML:
		d, err = HTML(ref, data)
	case FormatText:
		d, err = PlainText(ref, data)
	case FormatJSON:
		return JSON(ref, data)
	default:
		return nil, fmt.Errorf("unknown format %q", f)
	}
	if err != nil {
		return nil, err
	}
	return []ingest.Debrief{d}, nil
}

// Hash identifies a document's bytes as this parser reads them, for
// ingest.Document.Hash: it changes with the bytes, the format and Version,
// so that a better parser re-parses stored documents.
func Hash(f Format, data []byte) string {
	h := sha256.New()
	h.Write([]byte("parse/" + strconv.Itoa(Version) + "\x00" + string(f) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// checkText refuses what is not text and returns the text with a byte
// order mark removed and line ends made "\n".
func checkText(data []byte) (string, error) {
	if len(data) == 0 {
		return "", errors.New("empty file")
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", errors.New("UTF-16 text, not UTF-8: save the document as UTF-8")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", errors.New("binary content, not a text document")
	}
	if !utf8.Valid(data) {
		return "", fmt.Errorf("not valid UTF-8 text (first bad byte at offset %d)", badByte(data))
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	s := string(data)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.TrimSpace(s) == "" {
		return "", errors.New("no text: the file holds only white space")
	}
	return s, nil
}

func badByte(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}
