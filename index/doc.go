// Package index owns the Bleve full-text index over debriefs: the explicit
// mapping (with a Version constant), the English analyzer, batched writes,
// search, and rebuilding from the store.
//
// The store (package analytics) is the truth. Every batch the store commits
// carries a change number, and the index records, in the same Bleve batch
// as the documents, the highest number up to which it holds every change
// (its watermark). So a crash between a store commit and an index write is
// repaired by applying the changes after the watermark, and a lost, damaged
// or outdated index is rebuilt from the store. Nothing is stored in the
// index: hits are hydrated from the store. This is the only package that
// imports Bleve.
//
// Bleve writes and merges the segments; searches do not go through Bleve's
// searchers but through a small engine over the segments (engine.go):
// matching as operations on the postings' bit sets, then BM25 scoring of
// the matches only, filters and facet counts from per-segment tables
// (tables.go).
package index
