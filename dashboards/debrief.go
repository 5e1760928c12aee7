package dashboards

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/ingest"
)

const similarShown = 5

type debriefPage struct {
	base
	D        *analytics.Entry
	Meta     []metaItem
	Sections []sectionView
	Assessed bool
	Factors  []factorView
	Coverage []coverageView
	Covered  int
	Depth    depthView
	Meters   []figure
	Similar  []similarView
	// SimilarNote says why similar debriefs are not listed.
	SimilarNote string
}

type metaItem struct {
	Label string
	Value string
	Links []catLink
	Href  string // an outside link (the debrief where it lives)
}

type sectionView struct {
	ID, Heading string
	Kind        ingest.SectionKind
	Segments    []segment
}

// evidenceView is one sentence of evidence and where it is: Anchor is
// its place in the text ("" when it could not be placed).
type evidenceView struct {
	Sentence, Where, Anchor string
}

type factorView struct {
	Text       string
	Categories []catLink
	Explicit   bool
	Evidence   evidenceView
}

type coverageView struct {
	Key, Title string
	Covered    bool
	Confidence string
	Evidence   []evidenceView
	Search     string
}

type depthView struct {
	Class, Title, Meaning string
	Score                 int
	Reasons               []string
	RootCause             []evidenceView
	Counterfactuals       []evidenceView
	Blame                 []evidenceView
	Perspectives          []string
	FactorCount           int
	Technical, Org        int
}

type similarView struct {
	Title, Href, Date string
	Terms             []string
	Categories        []string
}

// debrief: GET /debriefs/:id
func (p *Pages) debrief(c *gin.Context) {
	id := c.Param("id")
	if !validID(id) {
		p.notFound(c, "A debrief id is 16 hexadecimal characters; this one is not.")
		return
	}
	ctx := c.Request.Context()
	e, err := p.opts.Debriefs.Debrief(ctx, id)
	if err != nil {
		p.fail(c, err)
		return
	}
	title := e.Title
	if title == "" {
		title = e.Ref
	}
	v := debriefPage{base: p.base(c, title, ""), D: e, Meta: p.metaItems(e)}
	marks := map[int][]mark{}
	a := e.Assessment
	if a != nil {
		v.Assessed = true
		v.Factors, v.Coverage, v.Depth = p.findings(e.Debrief, marks)
		for _, cv := range v.Coverage {
			if cv.Covered {
				v.Covered++
			}
		}
	}
	placed := map[string]bool{}
	if len(e.Sections) == 0 {
		segs, got := segments(unwrap(e.Text), marks[-1])
		v.Sections = append(v.Sections, sectionView{ID: "s-text", Segments: segs})
		mergePlaced(placed, got)
	}
	for i, s := range e.Sections {
		segs, got := segments(unwrap(s.Text), marks[i])
		v.Sections = append(v.Sections, sectionView{ID: "s-" + strconv.Itoa(i), Heading: s.Heading, Kind: s.Kind, Segments: segs})
		mergePlaced(placed, got)
	}
	unplace := func(evs []evidenceView) {
		for i := range evs {
			if !placed[evs[i].Anchor] {
				evs[i].Anchor = ""
			}
		}
	}
	for i := range v.Factors {
		if !placed[v.Factors[i].Evidence.Anchor] {
			v.Factors[i].Evidence.Anchor = ""
		}
	}
	for i := range v.Coverage {
		unplace(v.Coverage[i].Evidence)
	}
	unplace(v.Depth.RootCause)
	unplace(v.Depth.Counterfactuals)
	unplace(v.Depth.Blame)
	if a != nil {
		v.Meters = p.meters(v)
	}
	v.Similar, v.SimilarNote = p.similar(ctx, e)
	p.render(c, http.StatusOK, "debrief", v)
}

// unwrap joins the lines of a paragraph that its source wrapped, so the
// page can wrap it to its own width: a line break before a lower-case
// letter becomes a space. Lists, tables and timelines, whose lines start
// otherwise, keep their breaks. Byte offsets are unchanged, so evidence
// places still hold.
func unwrap(text string) string {
	b := []byte(text)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '\n' && b[i-1] != '\n' && 'a' <= b[i+1] && b[i+1] <= 'z' {
			b[i] = ' '
		}
	}
	return string(b)
}

func mergePlaced(dst, src map[string]bool) {
	for k := range src {
		dst[k] = true
	}
}

func validID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for _, r := range id {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// metaItems are the debrief's metadata, each value linking to the
// debriefs that share it where search can find them.
func (p *Pages) metaItems(e *analytics.Entry) []metaItem {
	d := e.Debrief
	var out []metaItem
	facet := func(label, field string, values ...string) {
		var links []catLink
		for _, v := range values {
			if v = strings.TrimSpace(v); v != "" {
				links = append(links, catLink{Label: v, Href: link("/search", url.Values{field: {v}})})
			}
		}
		if len(links) > 0 {
			out = append(out, metaItem{Label: label, Links: links})
		}
	}
	plain := func(label, value string) {
		if value != "" {
			out = append(out, metaItem{Label: label, Value: value})
		}
	}
	plain("Date", formatDate(d.Times.Date()))
	facet("Severity", "severity", d.Meta.Severity)
	plain("Status", d.Meta.Status)
	if t := d.Times; !t.Started.IsZero() && !t.Resolved.IsZero() && t.Resolved.After(t.Started) {
		plain("Lasted", formatMinutes(t.Resolved.Sub(t.Started).Minutes()))
	}
	if t := d.Times; !t.Started.IsZero() && !t.Detected.IsZero() && !t.Detected.Before(t.Started) {
		plain("Noticed after", formatMinutes(t.Detected.Sub(t.Started).Minutes()))
	}
	facet("Services", "service", d.Meta.Services...)
	facet("Teams", "team", d.Meta.Teams...)
	facet("Tags", "tag", d.Meta.Tags...)
	plain("Written by", strings.Join(d.Meta.Authors, ", "))
	plain("Taking part", strings.Join(d.Meta.Participants, ", "))
	facet("Source", "source", d.Source)
	plain("Document", d.Ref)
	if d.URL != "" {
		out = append(out, metaItem{Label: "Original", Value: "open where it lives", Href: d.URL})
	}
	if !e.RemovedAt.IsZero() {
		plain("Removed", "no longer at its source since "+formatDate(e.RemovedAt))
	}
	return out
}

// findings turns the assessment into views, and its evidence into marks
// on the sections (by part).
func (p *Pages) findings(d *ingest.Debrief, marks map[int][]mark) ([]factorView, []coverageView, depthView) {
	a := d.Assessment
	where := func(ev ingest.Evidence) string {
		if ev.Heading != "" {
			return ev.Heading
		}
		return sectionTitle(ev.Section)
	}
	place := func(ev ingest.Evidence, kind, anchor, note string) evidenceView {
		marks[ev.Part] = append(marks[ev.Part], mark{Start: ev.Start, End: ev.End, Kind: kind, Anchor: anchor, Note: note})
		return evidenceView{Sentence: ev.Sentence, Where: where(ev), Anchor: anchor}
	}
	var factors []factorView
	for i, f := range a.Factors {
		fv := factorView{Text: f.Text, Explicit: f.Explicit}
		var names []string
		for _, cat := range f.Categories {
			t := p.factorTitle(cat)
			names = append(names, t)
			fv.Categories = append(fv.Categories, catLink{Label: t, Href: link("/search", url.Values{"category": {cat}})})
		}
		note := "Contributing factor"
		if len(names) > 0 {
			note += ": " + strings.Join(names, ", ")
		}
		fv.Evidence = place(f.Evidence, "factor", "f-"+strconv.Itoa(i), note)
		factors = append(factors, fv)
	}
	byCat := map[string]ingest.Coverage{}
	for _, cv := range a.Coverage {
		byCat[cv.Category] = cv
	}
	var coverage []coverageView
	for _, key := range assess.QuestionCategories() {
		cv := byCat[key]
		title := p.questionTitle(key)
		view := coverageView{Key: key, Title: title, Covered: cv.Covered, Confidence: pct(cv.Confidence),
			Search: link("/search", url.Values{"covers": {key}})}
		if cv.Covered {
			for j, ev := range cv.Evidence {
				view.Evidence = append(view.Evidence, place(ev, "coverage", "c-"+key+"-"+strconv.Itoa(j), "Shows a question was asked: "+title))
			}
		}
		coverage = append(coverage, view)
	}
	dp := a.Depth
	dv := depthView{Class: dp.Class, Title: depthTitle(dp.Class), Meaning: depthMeaning(dp.Class), Score: dp.Score,
		Reasons: dp.Reasons, Perspectives: dp.Perspectives, FactorCount: dp.FactorCount, Technical: dp.Technical, Org: dp.Organisational}
	for j, ev := range dp.RootCause {
		dv.RootCause = append(dv.RootCause, place(ev, "depth", "d-root-"+strconv.Itoa(j), "Root-cause framing"))
	}
	for j, ev := range dp.Counterfactuals {
		dv.Counterfactuals = append(dv.Counterfactuals, place(ev, "depth", "d-cf-"+strconv.Itoa(j), "Counterfactual: what did not happen"))
	}
	for j, ev := range dp.Blame {
		dv.Blame = append(dv.Blame, place(ev, "depth", "d-blame-"+strconv.Itoa(j), "Blame language"))
	}
	return factors, coverage, dv
}

// depthMeaning says what a depth class means, in plain words.
func depthMeaning(class string) string {
	switch class {
	case ingest.DepthSingleRootCause:
		return "This debrief presents one cause as the explanation. Worth revisiting: what made the action or the failure reasonable at the time?"
	case ingest.DepthMultipleCauses:
		return "This debrief names several causes, still told as a chain to fix."
	case ingest.DepthContributingFactors:
		return "This debrief describes three or more contributing factors of at least two kinds, including an organisational one, without blame."
	}
	return ""
}

// meters draw the depth score and the question coverage.
func (p *Pages) meters(v debriefPage) []figure {
	d := v.Depth
	depthFig := figure{ID: "score", Title: "Depth score: " + strconv.Itoa(d.Score) + " of 100",
		Note: "Higher when a debrief describes several kinds of factors and voices, lower with root-cause framing, counterfactuals and blame.",
		More: "/help#score", MoreText: "How the score is made"}
	label := fmt.Sprintf("Depth score %d of 100: %s. List the debriefs of this class.", d.Score, d.Title)
	depthFig.Charts = both(func(w float64, class string) *svgChart {
		return meter("score-"+class, depthFig.Title, d.Title+". "+strings.Join(d.Reasons, " "), float64(d.Score), 100, "depth-"+d.Class,
			link("/search", url.Values{"depth": {d.Class}}), label, w, class)
	}, 520)
	n := len(v.Coverage)
	covFig := figure{ID: "covered", Title: fmt.Sprintf("Questions covered: %d of %d", v.Covered, n),
		Note: "How many of the 13 kinds of facilitator question this debrief shows were asked.",
		More: "/help#coverage", MoreText: "About the 13 kinds"}
	covFig.Charts = both(func(w float64, class string) *svgChart {
		return meter("covered-"+class, covFig.Title, fmt.Sprintf("%d of %d question categories covered.", v.Covered, n),
			float64(v.Covered), float64(n), "coverage", "#coverage", fmt.Sprintf("%d of %d kinds of question covered: see the checklist", v.Covered, n), w, class)
	}, 520)
	return []figure{depthFig, covFig}
}

// similar lists the debriefs most like e, with what they share.
func (p *Pages) similar(ctx context.Context, e *analytics.Entry) ([]similarView, string) {
	if !e.RemovedAt.IsZero() {
		return nil, "This debrief is no longer at its source, so it is not in the search index."
	}
	key := e.ID + "@" + e.UpdatedAt.UTC().Format(time.RFC3339Nano)
	sim, ok := p.similarCache.get(key, p.now())
	if !ok {
		const later = "Finding the debriefs most like this one takes a moment with this many debriefs: reload the page in a few seconds to see them."
		call := p.findSimilar(key, e.Debrief)
		if call == nil {
			return nil, later
		}
		timer := time.NewTimer(similarWait)
		defer timer.Stop()
		select {
		case <-call.done:
		case <-timer.C:
			return nil, later
		case <-ctx.Done():
			return nil, later
		}
		if call.err != nil {
			p.log.Warn("similar debriefs", "id", e.ID, "err", call.err)
			return nil, "Similar debriefs could not be found just now."
		}
		sim = call.hits
	}
	ids := make([]string, len(sim))
	for i, h := range sim {
		ids[i] = h.ID
	}
	hits, err := p.opts.Debriefs.Hits(ctx, ids)
	if err != nil {
		p.log.Warn("similar debriefs", "id", e.ID, "err", err)
		return nil, "Similar debriefs could not be found just now."
	}
	byID := map[string]analytics.Hit{}
	for _, h := range hits {
		byID[h.ID] = h
	}
	mine := e.Assessment.FactorCategories()
	var out []similarView
	for _, s := range sim {
		h, ok := byID[s.ID]
		if !ok || !h.RemovedAt.IsZero() {
			continue
		}
		sv := similarView{Title: h.Title, Href: "/debriefs/" + h.ID, Date: formatDate(h.Date), Terms: s.Shared[:min(len(s.Shared), 6)]}
		for _, cat := range h.FactorCategories {
			if contains(mine, cat) {
				sv.Categories = append(sv.Categories, p.factorTitle(cat))
			}
		}
		out = append(out, sv)
	}
	if len(out) == 0 {
		return nil, "No other debrief shares enough of its words or factors."
	}
	return out, ""
}
