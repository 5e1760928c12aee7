// Package github is the github source: postmortems kept as the issues of
// one repository that carry a label ("postmortem" by default), on
// github.com or GitHub Enterprise Server. It owns the issues listing (the
// since watermark, Link pagination, dropping pull requests), defensive
// decoding of the issue payloads, the document hash, and filling what the
// API knows (title, labels, author, dates, URL) over what package parse
// reads from the Markdown body. HTTP is package remote's.
package github
