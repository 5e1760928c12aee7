// Package analytics owns the DuckDB store, the truth of Second Story: the
// schema and its migrations, debrief upserts, the log of ingest runs and the
// per-source watermarks, and the analytic queries over the corpus.
//
// Only duckdb.go imports the DuckDB driver. Everything else speaks
// database/sql, so the SQL beside each method also runs in the DuckDB CLI
// against a data directory's secondstory.duckdb.
//
// Every write to a debrief row bumps its revision; the search index records
// which revision it holds (indexed_revision), so the index can always be
// brought back in step with the store after a crash or a lost index.
package analytics
