package sample

import (
	"embed"
	"io/fs"
)

//go:embed debriefs
var files embed.FS

// FS returns the sample debriefs as a filesystem rooted at the folder that
// holds them, so paths are refs such as "2025-03-04-dns-cutover.md".
func FS() fs.FS {
	sub, err := fs.Sub(files, "debriefs")
	if err != nil {
		// fs.Sub fails only on an invalid directory name, and "debriefs"
		// is valid; keep the embedded tree rather than fail.
		return files
	}
	return sub
}
