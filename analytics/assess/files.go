package assess

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// Result is the assessment of one debrief read from a document, or the
// reason the document could not be assessed.
type Result struct {
	// Ref is the debrief's ref as parse gives it: the document's path
	// relative to the root given, "doc.json#id" for one of several
	// debriefs in a document.
	Ref string
	// Debrief is the parsed debrief with its Assessment set; nil when Err
	// is set.
	Debrief *ingest.Debrief
	// Err says why the document gave no debrief: it could not be read or
	// parsed.
	Err error
}

// AssessFile reads the file at path, parses it by its extension and
// assesses each debrief it holds. Refs are path relative to root, with
// forward slashes. A template (parse.ErrSkip) gives no results; a document
// that cannot be parsed gives one Result with Err set. The returned error
// is for what stops the caller: a cancelled context or an unreadable file.
func (a *Assessor) AssessFile(ctx context.Context, root, path string) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ref, err := filepath.Rel(root, path)
	if err != nil || ref == "." {
		ref = filepath.Base(path)
	}
	ref = filepath.ToSlash(ref)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("assess: read %s: %w", ref, err)
	}
	return a.AssessDocument(ref, data), nil
}

// AssessDocument parses one document's bytes (format from the ref's
// extension) and assesses each debrief in it.
func (a *Assessor) AssessDocument(ref string, data []byte) []Result {
	f, ok := parse.FormatOf(ref)
	if !ok {
		return []Result{{Ref: ref, Err: fmt.Errorf("assess: %s: not a debrief format (.md, .html, .txt, .json)", ref)}}
	}
	ds, err := parse.Parse(ref, f, data)
	return a.results(ref, ds, err)
}

// AssessSource assesses every debrief a source lists (for a folder,
// ingest/dir with its rules for READMEs and templates), in listing order.
func (a *Assessor) AssessSource(ctx context.Context, src ingest.Source) ([]Result, error) {
	var out []Result
	_, err := src.Fetch(ctx, "", func(doc ingest.Document) error {
		if doc.Err != nil {
			out = append(out, Result{Ref: doc.Ref, Err: doc.Err})
			return nil
		}
		ds, err := doc.Parse(ctx)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		out = append(out, a.results(doc.Ref, ds, err)...)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("assess: list debriefs: %w", err)
	}
	return out, nil
}

func (a *Assessor) results(ref string, ds []ingest.Debrief, err error) []Result {
	if errors.Is(err, ingest.ErrSkip) {
		return nil
	}
	if err != nil {
		return []Result{{Ref: ref, Err: fmt.Errorf("parse %s: %w", ref, err)}}
	}
	out := make([]Result, 0, len(ds))
	for i := range ds {
		d := &ds[i]
		a.Assess(d)
		out = append(out, Result{Ref: d.Ref, Debrief: d})
	}
	return out
}

// Assessments indexes the assessments of results by ref, for Evaluate.
func Assessments(results []Result) map[string]*ingest.Assessment {
	m := make(map[string]*ingest.Assessment, len(results))
	for _, r := range results {
		if r.Debrief != nil && r.Debrief.Assessment != nil {
			m[r.Ref] = r.Debrief.Assessment
		}
	}
	return m
}
