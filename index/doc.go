// Package index owns the Bleve full-text index over debriefs: the explicit
// mapping (with a Version constant), batched writes, search, and rebuilding
// from the store.
//
// The store (package analytics) is the truth. The index is derived data that
// records, through the store's indexed revisions, exactly which version of
// each debrief it holds, so a crash between a store commit and an index write
// is repaired by catching up, and a lost, damaged or outdated index is
// rebuilt from the store. This is the only package that imports Bleve.
package index
