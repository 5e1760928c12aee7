// Package assess owns the per-debrief assessment: the contributing factors
// a debrief identifies, which kinds of facilitator questions it shows were
// asked (question coverage), and whether it went beyond a single root
// cause (depth). Every finding carries the sentences of the debrief that
// justify it, so a person can check and trust it. It also owns the
// measurement of all this against hand labels (eval.go) and helpers that
// assess files and folders for the command line (files.go).
//
// The assessment is a pure function of a normalised debrief and a catalog:
// no I/O, no clock, no state kept between calls. The catalog (catalog.yaml,
// embedded; LoadCatalog reads another) holds every language cue, written
// for this project from DOMAIN.md; the code holds only the mechanics.
//
// # Text
//
// Each section is split into units (list items, paragraphs, table cells,
// code lines) and sentences. Splitting is robust to abbreviations ("e.g.",
// "vs."), initials, decimals, times, versions and URLs; wrapped lines are
// joined back; leading time stamps of timeline entries are left out of the
// evidence. Questions, template placeholders ("[describe the impact]",
// "TBD", "<insert>") and code or log lines are never evidence; the words
// of a link (http or https, up to white space) match no cue. Evidence is
// always a trimmed substring of a section's text.
//
// # Matching
//
// Catalog phrases are compiled once (New) into a trie over interned word
// stems, so every sentence is scanned once and each token costs one map
// lookup however large the catalog. Phrases allow alternatives, prefixes,
// exact forms and short gaps (see catalog.yaml). A negator ("not", "no",
// "never", "without") up to three words before a cue in the same clause
// negates it: "this was not human error" is no blame. "X was not the
// cause" rules X out as a factor. Hedges ("probably", "we think") lower
// confidence. Sentences that plan work ("Add an alert", "we should...")
// evidence no question and state no factor, unless they look back ("it
// should not have been rushed") or, in lessons, warn what a condition
// will cause.
//
// # Coverage
//
// A question category's rules combine lexicons ("someone perceived" and
// "something looked wrong" make a cue, and so does a report that says
// what the reporter saw ("users reported errors when deploying"); an
// alert that fired is not one;
// "behaved strangely" said of a system is a symptom, surprise only when
// someone perceived it or a person is its subject). A
// sentence's score is the weight of its best rule times its section's
// factor (action items count for nothing); a section rule (a sentence of
// the lessons is learning) honours its veto, so plans there do not count,
// nor do lessons that open with an imperative ("Add more tests").
// A debrief told from outside (one untitled text that never speaks in the
// first person: a summary of someone else's incident) mostly tells what a
// system did; there, the categories about what people noticed, knew,
// decided or felt count only sentences that name a person or team ("the
// engineers escalated"), not those about a system alone ("the code was
// designed to panic"), unless a rule marked anyone fires: what an
// instrument showed ("alarms fired, indicating errors in writes", "traces
// revealed requests waiting") is what the people saw; a decision told in
// the passive ("the decision was made to...") has deciders, and a
// judgement so told ("narrowed down to one zone", "which suggested a
// systematic fault") has judges; how the work
// usually goes ("a routine task that would normally take an hour") and a
// design set against what it did ("designed to promote a replica, but it
// stalled") are normal work; a pressure only people feel, stated as such
// ("facing mounting pressure", "to cut costs"), is a pressure. A rule
// marked inside never counts there: "no data was lost" or "quickly
// identified the issue" is the narrator's scope of the impact, what went
// right only when the team says it of itself. Surprise (a rare fault or an unforeseen issue is
// typicality whoever tells it), what went right, asking for help (an act
// of people however it is told) and what was learnt (the group's) are
// exempt.
// A category is covered when a sentence reaches the threshold; the three
// best sentences are its evidence. Confidence is in the verdict: with r the best score over the
// threshold, plus 0.25 for each further supporting sentence (up to two),
// it is 1−0.4/r when covered (0.6 to 0.99; ×0.9 when the best sentence is
// hedged) and 1−0.4r when not (0.6 to 1).
//
// # Factors
//
// Every item, or paragraph naming a factor, under a contributing factors,
// root cause, trigger or what-went-wrong section is an explicit factor, as
// are the items of a list a sentence introduces as causes ("caused by two
// factors:"), except lists of steps in a resolution or action items. Its
// categories come from its first two sentences and, in later ones, from
// what they state as a cause or a gap; a later sentence (its explanation
// included) stating a cause or gap of another category is a factor of its
// own. A sentence elsewhere is
// an inferred factor when it names a category within twelve words of
// causal words ("led to", "because of") or within four of a gap ("no
// alert", "lack of"; not inside quotes: "No route to host" is what an
// error said), or
// when it sits in lessons or surprises; the sentence before one that opens
// "This caused..." is a cause whatever its words. A debrief with no factor
// section (what went wrong alone does not count: it often tells of the
// response) says what went wrong in the opening of its summary (or of its
// one untitled text, or, with no summary, of the section saying how it
// was identified and of an untitled or context section, less the alert
// that fired): the first three sentences
// there (after any opening paragraphs of background that name no factor)
// that are not hedged ("potential compromise") name factors without
// causal words, less the alert someone saw unless it fell short; the
// first of them restates the incident, the ones after it count towards
// depth like causes. In a resolution, a
// sentence names a factor by its reason (causal words within eight words)
// or when it reports a finding ("the team identified that..."). A
// timeline entry tells an event and names a factor only in the reason it
// gives, within five words of the end of the catalog's reason words
// ("due to", "because of"), unless hedged ("still down due to a newly
// applied quota"). Action items, impact and
// what went well state no factor, nor do
// sentences about the remedy ("the fix was a code change that..."). A
// category's topic words (what monitoring is about: alerts, dashboards,
// health checks) file it in a factor section, and elsewhere only within
// four words of a gap ("no alert on the queue"): "alarms fired at 05:15"
// tells how it was found. The organisation a debrief's metadata names
// (company) is never a third party of its own incident.
//
// A third party named as the debrief's own organisation (its "company"
// metadata: "GitHub had an outage" in GitHub's review) is no dependency.
//
// A factor's key is the sorted set of catalog concepts it names
// ("connection-pool/exhausted"), so "connection pool exhausted" and "ran
// out of database connections in the pool" share one; with fewer than two
// concepts its longest content-word stems fill in (prefixed "~"), so
// unrelated factors stay apart.
//
// # Depth
//
// The distinct factors are the listed ones and those named in lessons,
// by key; a listed item that only blames ("This was human error") counts
// as blame, not as another factor; inferred factors count when they bring
// a new category (gaps when no factor is listed or named in lessons, or
// when nothing else names a factor; of those named in a summary's opening,
// all but the first, unless a cause told before it has stated the
// incident and it tells no symptom someone saw); a sentence stating a
// number of causes ("three causes combined") sets a floor, as does one
// that lists factors ("contributing factors included A, B and C": its
// items, up to five, words in brackets aside) or calls one cause primary
// or one factor contributing ("a critical contributing factor was...":
// two). With no factor listed,
// a cause presented as such ("the root cause was", "stemmed from") counts
// even in a category already named, unless its key shares two parts with
// an earlier factor's (a restatement); in a retelling, so does any cause
// whose key shares no part with an earlier factor's. A sentence that
// opens by pointing back at the one before and says what it caused ("It
// caused...", "This led to...") tells what that cause went on to do and
// counts as no factor of its own when it is named in an opening or, in a
// retelling, when it is causal. An operational error
// named as the cause is blame like human error. Counted by the
// categories each brings, factors told in one sentence count once, so a
// debrief that names no root cause and whose factors span four categories
// or more, one of them organisational, has at least three. The
// class follows DOMAIN.md: contributing_factors with three or more
// factors across two or more categories, at least one organisational
// (from the listed factors when there are any), and no blame language;
// single_root_cause with at most one factor; multiple_causes otherwise.
//
// The depth score uses the weights in the catalog (defaults shown):
//
//	score = 6·min(factors, 5)                     up to 30
//	      + 5 if any technical category            5
//	      + 5·min(organisational categories, 3)    up to 15
//	      + 3·min(perspectives, 4)                 up to 12
//	      + 3 timeline + 4 what went well or lucky
//	      + 3 surprises + 4 lessons + 2 open questions
//	      + 4 remediation beyond "be careful"      up to 20
//	      + 18·covered question categories / 13    up to 18
//	      − 8 if root-cause framing
//	      − 3·min(counterfactuals, 3)
//	      − 15 if blame language
//
// clamped to 0..100 and rounded. The reasons spell each term out in plain
// words ("5 factors across technical and organisational categories", "4
// perspectives", "names a single root cause", "no blame language").
// Perspectives are people named with a verb only people do ("Priya saw"),
// @handles, participants named in the text, the catalog's roles ("the
// on-call engineer") and quoted speech.
//
// Catalog.Version is the declared version plus a hash of the catalog's
// bytes and of this package's algorithm version, so any change to either
// reassesses every debrief.
package assess
