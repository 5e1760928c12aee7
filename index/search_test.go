package index_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secondstory/secondstory/analytics/assess"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// testAssessor compiles the embedded catalog once for the tests.
var testAssessor = sync.OnceValue(func() *assess.Assessor { return assess.New(nil) })

// searchDebrief is a debrief for the search tests.
func searchDebrief(ref, title, severity string, day int, sections ...ingest.Section) *ingest.Debrief {
	var text []string
	for _, s := range sections {
		text = append(text, s.Text)
	}
	d := &ingest.Debrief{
		Source: "notes", Ref: ref, Document: ref, Title: title, Text: strings.Join(text, "\n\n"), Sections: sections,
		Meta:  ingest.Metadata{Severity: severity, Services: []string{"Checkout"}, Teams: []string{"payments"}},
		Times: ingest.Times{Started: time.Date(2025, 1, day, 10, 0, 0, 0, time.UTC)},
	}
	d.ID = ingest.DebriefID("notes", ref)
	testAssessor().Assess(d)
	d.Hash = ingest.ContentHash(d)
	d.FetchedAt = time.Now()
	return d
}

func sec(kind ingest.SectionKind, text string) ingest.Section {
	return ingest.Section{Kind: kind, Heading: string(kind), Level: 2, Text: text}
}

// searchFixture holds six debriefs; their ids are ids[ref].
func searchFixture(t *testing.T) (*fixture, map[string]string) {
	t.Helper()
	f := open(t, t.TempDir())
	t.Cleanup(f.close)
	ds := []*ingest.Debrief{
		searchDebrief("dns.md", "Internal DNS resolver failed over slowly", "SEV2", 3,
			sec(ingest.KindSummary, "Lookups timed out for twenty minutes after the primary resolver crashed."),
			sec(ingest.KindRootCause, "The failover health check waited for three missed probes before switching.")),
		searchDebrief("pool.md", "Checkout connection pool exhausted", "sev1", 9,
			sec(ingest.KindSummary, "Checkout returned timeouts while the database pool was exhausted."),
			sec(ingest.KindRootCause, "A config change halved the pool size the day before the sale."),
			sec(ingest.KindOther, "The on-call engineer noticed the queue backed up.")),
		searchDebrief("cert.md", "Catalogue images certificate expired", "SEV3", 15,
			sec(ingest.KindSummary, "Images failed to load because the TLS certificate expired on a Sunday."),
			sec(ingest.KindLessons, "Renewal reminders went to a mailbox nobody read.")),
		searchDebrief("disk.md", "Dispatch database disk full", "SEV2", 20,
			sec(ingest.KindSummary, "The dispatch database stopped accepting writes when its disk was full."),
			sec(ingest.KindTimeline, "At 10:02 the disk full alert fired; at 10:30 logs were rotated.")),
		searchDebrief("script.md", "Search page showed raw markup", "SEV4", 25,
			sec(ingest.KindSummary, `A product name containing <script>alert("x")</script> & friends broke the search page.`)),
		searchDebrief("queue.md", "Notification queue backed up", "SEV3", 28,
			sec(ingest.KindSummary, "Push notifications were delayed: the queue backed up behind a slow consumer."),
			sec(ingest.KindRootCause, "A deploy of the consumer added a blocking call.")),
	}
	f.write(nil, ds...)
	ids := map[string]string{}
	for _, d := range ds {
		ids[d.Ref] = d.ID
	}
	return f, ids
}

func (f *fixture) search(s index.Search) *index.Results {
	f.t.Helper()
	if s.Limit == 0 {
		s.Limit = 10
	}
	r, err := f.index.Search(context.Background(), s)
	if err != nil {
		f.t.Fatalf("search %+v: %v", s, err)
	}
	return r
}

func refsOf(r *index.Results, ids map[string]string) []string {
	byID := map[string]string{}
	for ref, id := range ids {
		byID[id] = ref
	}
	var out []string
	for _, h := range r.Hits {
		out = append(out, byID[h.ID])
	}
	return out
}

func TestSearchLanguage(t *testing.T) {
	f, ids := searchFixture(t)
	tests := []struct {
		query string
		want  []string // in order; nil: no hits
		exact bool     // the whole hit list, else a prefix of it
	}{
		{"resolver", []string{"dns.md"}, true},
		{"timeouts", []string{"pool.md"}, true},             // timeouts → timeout
		{"fail over", []string{"dns.md"}, false},            // the compound "failover"
		{"certificate expired", []string{"cert.md"}, false}, // title and summary
		{`"disk full"`, []string{"disk.md"}, true},
		{`"queue backed up"`, []string{"queue.md", "pool.md"}, false},
		{`"queue notification"`, nil, true}, // order matters
		{"title:queue", []string{"queue.md"}, true},
		{"root_cause:deploy", []string{"queue.md"}, true},
		{"root_cause:\"pool size\"", []string{"pool.md"}, true},
		{"severity:SEV1", []string{"pool.md"}, true},
		{"severity:sev2 disk", []string{"disk.md"}, true}, // words are required
		{`"disk was full"`, []string{"disk.md"}, true},    // a stop word in the phrase
		{`"disk is full"`, []string{"disk.md"}, true},     // any stop word there
		{`"disk full" -title:dispatch`, nil, true},
		{"queue -notifications", []string{"pool.md"}, true},
		{"backed -title:notification", []string{"pool.md"}, true},
		{"resolv*", []string{"dns.md"}, true},
		{"<script>", []string{"script.md"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := refsOf(f.search(index.Search{Query: tt.query}), ids)
			// The same hits in the same order when the matching is split.
			index.SplitSearchesAbove(f.index, 2)
			split := refsOf(f.search(index.Search{Query: tt.query}), ids)
			index.SplitSearchesAbove(f.index, 1<<62)
			if !slices.Equal(split, got) {
				t.Errorf("split: hits %v, not split: %v", split, got)
			}
			if tt.exact && !slices.Equal(got, tt.want) || !tt.exact && (len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want)) {
				t.Errorf("hits %v, want %v (exact %v)", got, tt.want, tt.exact)
			}
		})
	}
}

// TestSearchEveryWordFirst: debriefs with every word of a query come
// first; when fewer than ten have them all, debriefs with some follow.
func TestSearchEveryWordFirst(t *testing.T) {
	f, ids := searchFixture(t)
	res := f.search(index.Search{Query: "dispatch resolver", Limit: 20})
	got := refsOf(res, ids)
	if !res.Relaxed || !slices.Contains(got, "disk.md") || !slices.Contains(got, "dns.md") {
		t.Errorf("no debrief has both words: got %v relaxed %v, want disk.md and dns.md, relaxed", got, res.Relaxed)
	}
	// pool.md has "database" in its summary; only disk.md has both words.
	res = f.search(index.Search{Query: "database disk", Limit: 20})
	got = refsOf(res, ids)
	if len(got) < 2 || got[0] != "disk.md" || !slices.Contains(got, "pool.md") || res.Total != uint64(len(got)) {
		t.Errorf("hits %v (total %d), want disk.md first, then pool.md among the rest", got, res.Total)
	}
}

func TestSearchTitleWeighsMore(t *testing.T) {
	f, ids := searchFixture(t)
	// "database" is in the summary of pool.md and in the title of disk.md.
	got := refsOf(f.search(index.Search{Query: "database"}), ids)
	if len(got) < 2 || got[0] != "disk.md" {
		t.Errorf("hits %v, want disk.md (title) first", got)
	}
}

func TestSearchFiltersFacetsAndDates(t *testing.T) {
	f, ids := searchFixture(t)
	all := f.search(index.Search{})
	if all.Total != 6 || refsOf(all, ids)[0] != "queue.md" {
		t.Errorf("empty query: %d hits %v, want all 6 newest first", all.Total, refsOf(all, ids))
	}
	counts := map[string]int{}
	for _, c := range all.Facets["severity"] {
		counts[c.Value] = c.Count
	}
	if counts["SEV2"] != 2 || counts["SEV1"] != 1 {
		t.Errorf("severity facet %v, want SEV2: 2 and SEV1: 1 (severities upper-cased)", all.Facets["severity"])
	}
	if svc := all.Facets["service"]; len(svc) != 1 || svc[0] != (index.FacetCount{Value: "checkout", Count: 6}) {
		t.Errorf("service facet %v", svc)
	}
	if len(all.Facets["depth"]) == 0 || len(all.Facets["year"]) != 1 {
		t.Errorf("depth facet %v, year facet %v", all.Facets["depth"], all.Facets["year"])
	}

	r := f.search(index.Search{Filters: map[string][]string{"severity": {"sev2", "SEV3"}}})
	if r.Total != 4 {
		t.Errorf("severity SEV2 or SEV3: %d hits, want 4", r.Total)
	}
	r = f.search(index.Search{Query: "queue", From: time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)})
	if got := refsOf(r, ids); !slices.Equal(got, []string{"queue.md"}) {
		t.Errorf("queue from the 20th: %v", got)
	}
	r = f.search(index.Search{To: time.Date(2025, 1, 9, 0, 0, 0, 0, time.UTC)})
	if got := refsOf(r, ids); !slices.Equal(got, []string{"dns.md"}) {
		t.Errorf("before the 9th: %v (To is exclusive)", got)
	}
	r = f.search(index.Search{Query: "queue", ByDate: true})
	if got := refsOf(r, ids); !slices.Equal(got, []string{"queue.md", "pool.md"}) {
		t.Errorf("queue by date: %v", got)
	}
	r = f.search(index.Search{Limit: 2, Offset: 4})
	if got := refsOf(r, ids); r.Total != 6 || !slices.Equal(got, []string{"pool.md", "dns.md"}) {
		t.Errorf("page 3 of 2: %v of %d", got, r.Total)
	}
}

func TestSearchErrors(t *testing.T) {
	f, _ := searchFixture(t)
	tests := []struct {
		s    index.Search
		want string
	}{
		{index.Search{Query: `disk "full`}, `never closed`},
		{index.Search{Query: "colour:red"}, `unknown field "colour"`},
		{index.Search{Query: "disk -"}, `"-" must be followed`},
		{index.Search{Query: "t*"}, "at least two letters"},
		{index.Search{Query: `""`}, "empty phrase"},
		{index.Search{Query: `"the of"`}, "no words to look for"},
		{index.Search{Query: "title:"}, "needs a value"},
		{index.Search{Query: "the of and"}, "only common words"},
		{index.Search{Query: strings.Repeat("disk ", 201)}, "the limit is 1000"},
		{index.Search{Query: "disk \xff"}, "not valid UTF-8"},
		{index.Search{Filters: map[string][]string{"colour": {"red"}}}, `no filter "colour"`},
		{index.Search{Limit: 10000}, "limit must be"},
		{index.Search{Offset: -1}, "offset"},
	}
	for _, tt := range tests {
		_, err := f.index.Search(context.Background(), tt.s)
		if !errors.Is(err, index.ErrBadSearch) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want a bad search saying %q", tt.s, err, tt.want)
		}
	}
	var qe *index.QueryError
	_, err := f.index.Search(context.Background(), index.Search{Query: `root_cause:"pool`})
	if !errors.As(err, &qe) || qe.Pos != 11 {
		t.Errorf("error %v, want a QueryError at the quote (byte 11)", err)
	}
}

func TestHighlightsAreEscaped(t *testing.T) {
	f, _ := searchFixture(t)
	r := f.search(index.Search{Query: "script page"})
	text := `A product name containing <script>alert("x")</script> & friends broke the search page.`
	frags := r.Highlighter.Fragments(text, 2)
	if len(frags) != 1 {
		t.Fatalf("fragments %+v", frags)
	}
	fr := frags[0]
	want := `A product name containing &lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt; &amp; friends broke the search <mark>page</mark>.`
	if fr.HTML != want {
		t.Errorf("html\n got %s\nwant %s", fr.HTML, want)
	}
	for _, m := range fr.Matches {
		if w := strings.ToLower(fr.Text[m[0]:m[1]]); w != "script" && w != "page" {
			t.Errorf("match %v is %q", m, w)
		}
	}
	if r.Highlighter.Fragments("nothing relevant here", 3) != nil {
		t.Error("fragments of a text without matches")
	}
	// A long text gives passages around the matches, not the whole text.
	long := strings.Repeat("filler words without interest. ", 100) + "The search page broke. " + strings.Repeat("more filler. ", 100)
	frags = r.Highlighter.Fragments(long, 3)
	if len(frags) != 1 || len(frags[0].Text) > 300 || !strings.Contains(frags[0].HTML, "<mark>page</mark>") ||
		!strings.HasPrefix(frags[0].HTML, "…") || long[frags[0].Start:frags[0].Start+len(frags[0].Text)] != frags[0].Text {
		t.Errorf("fragments of a long text: %+v", frags)
	}
}

func TestSimilar(t *testing.T) {
	f, ids := searchFixture(t)
	f.write(nil, searchDebrief("queue2.md", "Email queue backed up", "SEV3", 30,
		sec(ingest.KindSummary, "Emails were delayed: the queue backed up behind a slow consumer after a deploy."),
		sec(ingest.KindRootCause, "The consumer deploy added a blocking call to the queue.")))
	e, err := f.store.Debrief(context.Background(), ingest.DebriefID("notes", "queue2.md"))
	if err != nil {
		t.Fatal(err)
	}
	hits, err := f.index.Similar(context.Background(), e.Debrief, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != ids["queue.md"] {
		t.Fatalf("similar to the email queue: %+v, want the notification queue first", hits)
	}
	for _, h := range hits {
		if h.ID == e.ID {
			t.Error("a debrief is similar to itself")
		}
	}
	for _, w := range []string{"consumer", "queue"} {
		if !slices.Contains(hits[0].Shared, w) {
			t.Errorf("shared terms %v lack %q", hits[0].Shared, w)
		}
	}
}

func TestSearchErrorsEchoLittle(t *testing.T) {
	f, _ := searchFixture(t)
	long := strings.Repeat("x", 900)
	for _, q := range []string{long + ":word", `"` + strings.Repeat("the ", 200) + `"`} {
		_, err := f.index.Search(context.Background(), index.Search{Query: q})
		if err == nil {
			t.Errorf("a %d-byte bad query was accepted", len(q))
		} else if len(err.Error()) > 400 {
			t.Errorf("error for a %d-byte query is %d bytes long: %.100s", len(q), len(err.Error()), err)
		}
	}
}

// TestSearchFacetsAcrossSegments writes debriefs in many batches (each a
// Bleve segment, some merged), updates and removes some, and checks the
// totals, facets, filters, dates and order of searches against the same
// counts made over the debriefs in Go.
func TestSearchFacetsAcrossSegments(t *testing.T) {
	f := open(t, t.TempDir())
	t.Cleanup(f.close)
	sevs := []string{"SEV1", "SEV2", "SEV3"}
	teams := []string{"payments", "search", "mobile", "data"}
	mk := func(i, version int) *ingest.Debrief {
		word := "pool"
		if i%3 == 0 {
			word = "resolver"
		}
		d := searchDebrief(fmt.Sprintf("d%03d.md", i), fmt.Sprintf("Incident %d with the %s", i, word), sevs[(i+version)%3], 1+i%28,
			sec(ingest.KindSummary, fmt.Sprintf("The %s misbehaved for %d minutes.", word, i)))
		d.Meta.Teams = []string{teams[i%4], teams[(i/4)%4]}
		d.Times.Started = time.Date(2024+i%3, time.Month(1+i%12), 1+i%28, 10, i, 0, 0, time.UTC) // no two alike
		d.Hash = ingest.ContentHash(d)
		return d
	}
	live := map[int]*ingest.Debrief{}
	for batch := range 12 {
		var ds []*ingest.Debrief
		for i := batch * 20; i < batch*20+20; i++ {
			live[i] = mk(i, 0)
			ds = append(ds, live[i])
		}
		f.write(nil, ds...)
	}
	// Change the severity of some, remove others.
	var changed []*ingest.Debrief
	var removed []string
	for i := 0; i < 240; i += 7 {
		live[i] = mk(i, 1)
		changed = append(changed, live[i])
	}
	for i := 3; i < 240; i += 11 {
		if i%7 == 0 {
			continue // changed above
		}
		removed = append(removed, live[i].ID)
		delete(live, i)
	}
	f.write(removed, changed...)

	type want struct {
		total int
		sev   map[string]int
		team  map[string]int
		first string // newest first, for the empty query
	}
	count := func(keep func(d *ingest.Debrief) bool) want {
		w := want{sev: map[string]int{}, team: map[string]int{}}
		var newest *ingest.Debrief
		for _, d := range live {
			if !keep(d) {
				continue
			}
			w.total++
			w.sev[strings.ToUpper(d.Meta.Severity)]++
			for _, tm := range slices.Compact(slices.Sorted(slices.Values(d.Meta.Teams))) {
				w.team[tm]++
			}
			if newest == nil || d.Times.Started.After(newest.Times.Started) {
				newest = d
			}
		}
		if newest != nil {
			w.first = newest.ID
		}
		return w
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    index.Search
		keep func(d *ingest.Debrief) bool
	}{
		{"everything", index.Search{}, func(*ingest.Debrief) bool { return true }},
		{"a word", index.Search{Query: "resolver"}, func(d *ingest.Debrief) bool { return strings.Contains(d.Title, "resolver") }},
		{"a facet word", index.Search{Query: "pool team:search"}, func(d *ingest.Debrief) bool {
			return strings.Contains(d.Title, "pool") && slices.Contains(d.Meta.Teams, "search")
		}},
		{"severity and team filters", index.Search{Filters: map[string][]string{"severity": {"sev1", "SEV3"}, "team": {"data"}}}, func(d *ingest.Debrief) bool {
			return d.Meta.Severity != "SEV2" && slices.Contains(d.Meta.Teams, "data")
		}},
		{"dates", index.Search{Query: "pool", From: from, To: to}, func(d *ingest.Debrief) bool {
			return strings.Contains(d.Title, "pool") && !d.Times.Started.Before(from) && d.Times.Started.Before(to)
		}},
		{"excluded team", index.Search{Query: "-team:payments"}, func(d *ingest.Debrief) bool { return !slices.Contains(d.Meta.Teams, "payments") }},
	}
	// BM25 of "resolver" in the text field, from Bleve's own analysis of
	// the live documents: idf over the live ones, their average length.
	bm25 := map[string]float64{}
	{
		var n, df, total float64
		type doc struct{ tf, length float64 }
		docs := map[string]doc{}
		for _, d := range live {
			tf, length := index.TextCount(f.index, d, "resolver")
			n, total = n+1, total+float64(length)
			if tf > 0 {
				df++
				docs[d.ID] = doc{float64(tf), float64(length)}
			}
		}
		idf, avg := math.Log(1+(n-df+0.5)/(df+0.5)), total/n
		for id, d := range docs {
			bm25[id] = idf * d.tf * 2.2 / (d.tf + 1.2*(0.25+0.75*d.length/avg))
		}
	}
	for _, split := range []bool{false, true} {
		// Split, the matching runs over two ranges of documents at once.
		index.SplitSearchesAbove(f.index, map[bool]uint64{false: 1 << 62, true: 50}[split])
		t.Run(fmt.Sprintf("scores are BM25/split=%v", split), func(t *testing.T) {
			res := f.search(index.Search{Query: "resolver", Limit: 100})
			if len(res.Hits) != len(bm25) {
				t.Fatalf("%d hits, %d debriefs have the word", len(res.Hits), len(bm25))
			}
			for i, h := range res.Hits {
				if want, ok := bm25[h.ID]; !ok || math.Abs(h.Score-want) > 1e-9*want {
					t.Errorf("hit %d %s: score %.12f, BM25 %.12f (has the word: %v)", i, h.ID, h.Score, want, ok)
				}
				if i > 0 && h.Score > res.Hits[i-1].Score {
					t.Errorf("hit %d scores more than hit %d", i, i-1)
				}
			}
		})
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				tt.s.Limit = 5
				if tt.s.Query == "" {
					tt.s.ByDate = true
				}
				res := f.search(tt.s)
				w := count(tt.keep)
				got := want{total: int(res.Total), sev: map[string]int{}, team: map[string]int{}}
				for _, c := range res.Facets["severity"] {
					got.sev[c.Value] = c.Count
				}
				for _, c := range res.Facets["team"] {
					got.team[c.Value] = c.Count
				}
				if len(res.Hits) > 0 {
					got.first = res.Hits[0].ID
				}
				if !tt.s.ByDate {
					got.first, w.first = "", ""
				}
				if got.total != w.total || !maps.Equal(got.sev, w.sev) || !maps.Equal(got.team, w.team) || got.first != w.first {
					t.Errorf("got %+v\nwant %+v", got, w)
				}
			})
		}
	}
}
