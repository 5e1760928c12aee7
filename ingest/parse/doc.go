// Package parse turns one document's bytes into normalised debriefs. It
// owns the formats debriefs come in (Markdown with YAML or TOML front
// matter and ERB tags, HTML, plain text, JSON from incident tools), the
// mapping of their many headings to canonical section kinds, metadata in
// its many shapes, dates in file names and prose, and timelines.
//
// Every format is read into one flat list of blocks (headings, paragraphs,
// list items, tables, code): Markdown by a line scanner checked against
// goldmark, HTML through golang.org/x/net/html, plain text by lines. One
// builder then finds the title, metadata, sections, summary, dates and
// timeline in it, so every format gets the same rules. The functions do no
// I/O and are safe for concurrent use; sources (dir, git, trackers) call
// Parse with the bytes they fetched, and fold Version into their hashes.
package parse
