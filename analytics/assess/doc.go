// Package assess owns the per-debrief assessment: the contributing factors
// a debrief identifies, which kinds of facilitator questions it shows were
// asked (question coverage), and whether it went beyond a single root
// cause (depth). Every finding carries the sentences of the debrief that
// justify it, so a person can check and trust it.
//
// The assessment is a pure function of a normalised debrief and a catalog:
// no I/O, no clock, no state between calls. The catalog (catalog.yaml,
// embedded, overridable with LoadCatalog) holds every language cue, written
// for this project from DOMAIN.md; the code holds only the mechanics:
//
//   - Segmentation splits each section into units (list items, paragraphs,
//     table cells, code lines) and sentences, robust to abbreviations,
//     decimals, times, versions and initials. Questions, template
//     placeholders and code lines are never evidence.
//   - One pass per sentence finds every catalog phrase: phrases are
//     compiled into a trie keyed by word stems, so each token costs one map
//     lookup whatever the size of the catalog. Negators up to three words
//     before a cue in the same clause ("this was not human error") negate
//     it; hedges ("probably") weaken it.
//   - Coverage: a category's rules combine lexicons ("someone perceived"
//     and "something looked wrong" for cues); a sentence's score is its best
//     rule's weight times its section's factor (action items count for
//     nothing) and 0.8 when hedged. A category is covered when a sentence
//     scores at least the threshold; the three best sentences are its
//     evidence. Confidence is in the verdict: with r the best score over
//     the threshold, plus 0.25 for each further supporting sentence (up to
//     two), it is 1-0.5/r when covered and 1-0.5r when not, within [0.5, 1).
//   - Factors: every item (or paragraph naming a factor) under a
//     contributing factors, root cause, trigger or what-went-wrong section
//     is an explicit factor; a sentence elsewhere with a causal ("led to",
//     "because") or deficiency ("no alert", "lack of") cue and a factor
//     category is an inferred one. A factor's key is the sorted set of
//     catalog concepts it names ("connection-pool/exhausted"), topped up
//     with its longest content-word stems when it names fewer than two.
//
// Depth class follows DOMAIN.md: contributing_factors when there are three
// or more distinct factors across two or more categories, at least one
// organisational, and no blame language; single_root_cause when there is
// at most one factor; multiple_causes otherwise. Distinct factors are the
// explicit factors by key, plus inferred factors that add a category, and
// at least the number a sentence states ("three causes combined").
//
// The depth score, from the weights in the catalog (default values shown):
//
//	score = 6·min(factors, 5)                    up to 30
//	      + 5 if any technical category          5
//	      + 5·min(organisational categories, 3)  up to 15
//	      + 3·min(perspectives, 4)               up to 12
//	      + 3 timeline + 4 went well or lucky
//	      + 3 surprises + 4 lessons + 2 open questions
//	      + 4 remediation beyond "be careful"    up to 20
//	      + 18·(covered question categories / 13) up to 18
//	      − 8 if root-cause framing
//	      − 3·min(counterfactuals, 3)
//	      − 15 if blame language
//
// clamped to 0..100 and rounded. Reasons spell out each term in plain
// words ("3 factors across technical and organisational categories", "no
// blame language", "4 perspectives").
//
// eval.go measures the assessment against hand labels (precision, recall
// and F1 per category, micro and macro averages, depth-class accuracy and
// confusion); files.go assesses files and folders for the CLI.
package assess
