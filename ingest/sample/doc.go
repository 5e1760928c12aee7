// Package sample bundles a corpus of debriefs written for a fictional
// company, Larkspur, an online grocery delivery service. It is what
// `secondstory serve` shows when no source is configured, and the corpus the
// assessment code is evaluated against: every debrief has hand labels in
// testdata/labels/sample.yaml at the repository root.
//
// The debriefs span November 2024 to October 2026 and come in the shapes
// real organisations keep them in: Markdown with YAML or TOML front matter,
// bold key lines or a key/value table, dated file names, plain text, wiki
// HTML exports and JSON from an incident tool. They range from thin
// single-root-cause reports to learning reviews with many voices. All of the
// text is invented for this project.
package sample
