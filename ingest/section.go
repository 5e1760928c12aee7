package ingest

// SectionKind is the canonical kind of a debrief section, whatever its
// heading says. Debriefs name the same part in many ways ("Issue Summary",
// "TL;DR", "Executive Summary"); analysis works on the kind.
type SectionKind string

// The canonical section kinds.
const (
	KindSummary             SectionKind = "summary"
	KindImpact              SectionKind = "impact"
	KindTimeline            SectionKind = "timeline"
	KindDetection           SectionKind = "detection"
	KindTrigger             SectionKind = "trigger"
	KindRootCause           SectionKind = "root_cause"
	KindContributingFactors SectionKind = "contributing_factors"
	KindResolution          SectionKind = "resolution"
	KindLessons             SectionKind = "lessons"
	KindWentWell            SectionKind = "went_well"
	KindWentWrong           SectionKind = "went_wrong"
	KindLucky               SectionKind = "lucky"
	KindSurprises           SectionKind = "surprises"
	KindOpenQuestions       SectionKind = "open_questions"
	KindPeople              SectionKind = "people"
	KindActionItems         SectionKind = "action_items"
	KindOther               SectionKind = "other"
)

// SectionKinds lists every canonical kind in the order a debrief usually
// presents them, KindOther last.
var SectionKinds = []SectionKind{
	KindSummary, KindImpact, KindTimeline, KindDetection, KindTrigger,
	KindRootCause, KindContributingFactors, KindResolution, KindLessons,
	KindWentWell, KindWentWrong, KindLucky, KindSurprises, KindOpenQuestions,
	KindPeople, KindActionItems, KindOther,
}

// Valid reports whether k is one of the canonical kinds.
func (k SectionKind) Valid() bool {
	for _, v := range SectionKinds {
		if k == v {
			return true
		}
	}
	return false
}
