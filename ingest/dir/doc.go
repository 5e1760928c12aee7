// Package dir is the dir source: debriefs kept as files in a folder on
// disk or in an fs.FS (the bundled sample corpus). It owns walking the
// folder, choosing which files are debriefs (include and exclude globs,
// the default skips for READMEs, index pages, templates and hidden
// files), refusing what it must not read (files over the size cap,
// symbolic links that leave the folder) and hashing what it read. Parsing
// is package parse's.
package dir
