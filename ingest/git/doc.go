// Package git is the git source: debriefs kept as files in a git
// repository, read from the commit at the head of one branch.
//
// It owns the clone (a bare repository in the folder the caller gives,
// fetched into on every pass and never checked out), the incremental
// listing (the cursor is the commit the last committed pass saw; the
// files changed since are found by comparing that commit's tree with the
// head's) and keeping credentials out of the clone's config and of every
// message. Which files are debriefs is the dir source's rule (dir.Filter),
// applied to paths relative to Subdir, so a folder moved into git keeps
// its refs. Parsing and hashing are package parse's.
//
// Remotes are reached over https or http (go-git's pure Go client, with
// optional basic auth) or as a local path or file:// URL (go-git runs the
// system's git-upload-pack for those). SSH is not supported.
package git
