package dir

import "strings"

// Filter is the dir source's choice of which files are debriefs, for
// sources that find files some other way (the tree of a git commit). Its
// Match agrees with what Fetch lists from a folder holding the same paths.
type Filter struct {
	s *Source // only its options are used
}

// NewFilter validates include and exclude patterns (the syntax and
// defaults of Options.Include and Options.Exclude).
func NewFilter(include, exclude []string) (Filter, error) {
	opts := Options{Include: include, Exclude: exclude}
	if err := validate(opts); err != nil {
		return Filter{}, err
	}
	return Filter{s: &Source{opts: opts}}, nil
}

// Match reports whether the file at p, a slash-separated path relative to
// the root, is a debrief: it has a supported extension, passes Include and
// Exclude, is not skipped by a default rule, and no folder above it is
// excluded or skipped (the walk in Fetch would not enter that folder).
func (f Filter) Match(p string) bool {
	if f.s == nil {
		f.s = &Source{}
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		d := p[:i]
		if f.s.excluded(d) || f.s.skipped(d+"/") {
			return false
		}
	}
	return !strings.HasSuffix(p, "/") && f.s.wanted(p)
}
