package ingest

import "slices"

// Assessment is what Second Story finds in one debrief: the contributing
// factors it identifies, which kinds of facilitator questions it shows were
// asked, and whether it went beyond a single root cause. Every finding
// carries the sentences that justify it, so a person can check it.
//
// It is computed by the runner's Assessor between normalising and storing,
// as a pure function of the debrief and the catalog version.
type Assessment struct {
	// CatalogVersion identifies the catalog of categories and cues used; a
	// new version reassesses every debrief.
	CatalogVersion string     `json:"catalog_version"`
	Factors        []Factor   `json:"factors"`
	Coverage       []Coverage `json:"coverage"`
	Depth          Depth      `json:"depth"`
}

// Evidence is a sentence of the debrief that supports a finding.
type Evidence struct {
	Sentence string `json:"sentence,omitempty"`
	// Section is the kind of the section the sentence is in, Heading its
	// heading as written.
	Section SectionKind `json:"section"`
	Heading string      `json:"heading,omitempty"`
	// Cue is the catalog cue that matched, for explaining the finding.
	Cue string `json:"cue,omitempty"`
	// Part is the index in the debrief's Sections of the section the
	// sentence is in (-1 for a debrief without sections: its Text), and
	// Start and End the sentence's byte range in that section's text: a
	// page can highlight it in place.
	Part  int `json:"part"`
	Start int `json:"start"`
	End   int `json:"end"`
}

// Factor is one contributing factor the debrief identifies.
type Factor struct {
	Text string `json:"text"`
	// Key is a normalised form of the factor, the same for differently
	// worded statements of the same factor across debriefs.
	Key string `json:"key"`
	// Categories are factor taxonomy keys (DOMAIN.md): config_change,
	// monitoring, pressure...
	Categories []string `json:"categories"`
	// Explicit is true for a factor stated under a contributing factors,
	// root cause, trigger or similar section; false for one inferred from
	// a sentence elsewhere.
	Explicit bool     `json:"explicit"`
	Evidence Evidence `json:"evidence"`
}

// Coverage is one of the 13 question categories and whether the debrief
// shows it was asked.
type Coverage struct {
	// Category is a question category key (DOMAIN.md): cues, assessment,
	// decisions, knowledge...
	Category string     `json:"category"`
	Covered  bool       `json:"covered"`
	Evidence []Evidence `json:"evidence,omitempty"` // at most three
	// Confidence is from 0 to 1.
	Confidence float64 `json:"confidence"`
}

// Depth classes.
const (
	DepthSingleRootCause     = "single_root_cause"
	DepthMultipleCauses      = "multiple_causes"
	DepthContributingFactors = "contributing_factors"
)

// Depth tells whether a debrief went beyond a single root cause.
type Depth struct {
	// Class is single_root_cause, multiple_causes or contributing_factors.
	Class string `json:"class"`
	// Score is from 0 to 100; Reasons explain it in plain words.
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`

	RootCause       []Evidence `json:"root_cause,omitempty"`
	Counterfactuals []Evidence `json:"counterfactuals,omitempty"`
	Blame           []Evidence `json:"blame,omitempty"`
	// Perspectives are the distinct people or roles whose view, action or
	// words the debrief describes.
	Perspectives []string `json:"perspectives,omitempty"`
	// FactorCount is the number of distinct factors; FactorCategories the
	// taxonomy categories they span, split into technical and
	// organisational counts.
	FactorCount      int      `json:"factor_count"`
	FactorCategories []string `json:"factor_categories,omitempty"`
	Technical        int      `json:"technical_categories"`
	Organisational   int      `json:"organisational_categories"`
	Learning         Learning `json:"learning"`
}

// Learning is the structure a learning review shows.
type Learning struct {
	Timeline      bool `json:"timeline"`
	WentWell      bool `json:"went_well"`
	Lucky         bool `json:"lucky"`
	Surprises     bool `json:"surprises"`
	Lessons       bool `json:"lessons"`
	OpenQuestions bool `json:"open_questions"`
	// ActionsBeyondCareful is true when remediations include something
	// other than reminding people to be careful.
	ActionsBeyondCareful bool `json:"actions_beyond_careful"`
}

// FactorCategories returns the taxonomy categories of the assessment's
// factors, each once, sorted: what the debrief is filed under.
func (a *Assessment) FactorCategories() []string {
	if a == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range a.Factors {
		for _, c := range f.Categories {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Covered returns the question categories the assessment marks covered,
// in catalog order.
func (a *Assessment) Covered() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, c := range a.Coverage {
		if c.Covered {
			out = append(out, c.Category)
		}
	}
	return out
}
