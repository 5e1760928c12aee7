package parse

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/secondstory/secondstory/ingest"
)

// want is what a fixture must yield. Zero fields are not checked, except
// that every fixture is checked for a title and a valid section kind.
type want struct {
	ref          string
	title        string
	started      string // RFC 3339, "-" for none
	detected     string
	resolved     string
	summary      string // prefix
	url          string
	kinds        []ingest.SectionKind
	headings     []string
	severity     string
	status       string
	services     []string
	teams        []string
	tags         []string
	authors      []string
	participants []string
	extra        map[string]any
	timeline     []ingest.TimelineItem // checked in full when set
	textHas      []string
	textHasNot   []string
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixtures(t *testing.T) {
	k := func(ks ...ingest.SectionKind) []ingest.SectionKind { return ks }
	tests := []struct {
		file string
		want []want
	}{
		{"yaml-front-matter.md", []want{{
			title:        "Payments queue backlog after broker failover",
			started:      "2024-03-04T09:12:00Z",
			detected:     "2024-03-04T09:20:00Z",
			resolved:     "2024-03-04T10:05:00Z",
			summary:      "Card captures were delayed by up to 35 minutes",
			url:          "https://wiki.example.com/postmortems/payments-backlog",
			kinds:        k(ingest.KindSummary, ingest.KindImpact, ingest.KindTimeline, ingest.KindRootCause, ingest.KindActionItems),
			severity:     "SEV2",
			status:       "Resolved",
			services:     []string{"payments", "ledger"},
			teams:        []string{"Payments Platform"},
			tags:         []string{"queue", "failover", "kafka"},
			authors:      []string{"Ana Ruiz", "Tom Berg"},
			participants: []string{"Ana Ruiz", "Lee Park"},
			extra:        map[string]any{"weight": 7, "runbook": "payments/broker-failover"},
			timeline: []ingest.TimelineItem{
				{At: ts("2024-03-04T09:12:00Z"), When: "09:12 UTC", Text: "The primary broker lost its disk and the cluster elected a new leader."},
				{At: ts("2024-03-04T09:20:00Z"), When: "09:20 UTC", Text: "The consumer lag alert fired and paged the on-call engineer."},
				{At: ts("2024-03-04T09:41:00Z"), When: "09:41", Text: "Consumers were restarted and began draining the backlog."},
				{At: ts("2024-03-04T10:05:00Z"), When: "10:05", Text: "Backlog drained; captures back to normal."},
			},
			textHas:    []string{"Payments queue backlog after broker failover\n\nSummary\n\nCard captures", "Re-resolve broker addresses on reconnect.\nAlert on consumer lag"},
			textHasNot: []string{"---", "severity:", "##", "- "},
		}}},
		{"toml-front-matter.md", []want{{
			title:    "Certificate expiry on the API gateway",
			started:  "2023-11-14T06:00:00Z",
			summary:  "The public API refused TLS handshakes for 47 minutes",
			kinds:    k(ingest.KindOther, ingest.KindOther, ingest.KindLucky),
			headings: []string{"", "What happened", "Where we got lucky"},
			severity: "SEV1",
			services: []string{"api-gateway"},
			tags:     []string{"tls", "certificate"},
			authors:  []string{"Mira Osei"},
			extra:    map[string]any{"review": map[string]any{"facilitator": "Sam Ito"}},
		}}},
		{"erb.html.md.erb", []want{{
			title:    "DNS change broke internal lookups",
			started:  "2024-05-02T13:02:00Z",
			detected: "2024-05-02T13:10:00Z",
			resolved: "2024-05-02T13:58:00Z",
			summary:  "Services in the eu cluster could not resolve internal names",
			kinds:    k(ingest.KindTimeline, ingest.KindImpact, ingest.KindOther, ingest.KindActionItems),
			headings: []string{"Key events", "Impact", "Context", "Review actions"},
			extra:    map[string]any{"weight": 12},
			timeline: []ingest.TimelineItem{
				{At: ts("2024-05-02T13:02:00Z"), When: "2024-05-02 13:02", Text: "Change applied"},
				{At: ts("2024-05-02T13:10:00Z"), When: "2024-05-02 13:10", Text: "First detected"},
				{At: ts("2024-05-02T13:15:00Z"), When: "2024-05-02 13:15", Text: "Incident declared"},
				{At: ts("2024-05-02T13:58:00Z"), When: "2024-05-02 13:58", Text: "Resolved"},
			},
			textHas:    []string{"Lint zone files in CI"},
			textHasNot: []string{"<%", "%>", "partial", "show_actions"},
		}}},
		{"bold-keys.md", []want{{
			title:    "Search indexing stalled",
			started:  "2022-09-12T00:00:00Z",
			summary:  "New products did not show up in search results",
			kinds:    k(ingest.KindOther, ingest.KindSummary, ingest.KindRootCause, ingest.KindWentWell, ingest.KindLessons),
			headings: []string{"", "Summary", "Root cause", "What went well", "Lessons learned"},
			severity: "SEV3",
			status:   "Mitigated",
			services: []string{"search-indexer", "catalog"},
			authors:  []string{"Priya Nair"},
			textHas:  []string{"What went well\n\nThe catalog team noticed", "Indexer errors need an alert"},
		}}},
		{"kv-table.md", []want{{
			title:    "Login outage during identity provider migration",
			started:  "2021-06-09T14:30:00Z",
			resolved: "2021-06-09T16:05:00Z",
			kinds:    k(ingest.KindOther, ingest.KindTimeline, ingest.KindContributingFactors),
			severity: "SEV1",
			status:   "Closed",
			teams:    []string{"Identity", "SRE"},
			extra:    map[string]any{"Incident commander": "Dana Fox"},
			timeline: []ingest.TimelineItem{
				{At: ts("2021-06-09T14:30:00Z"), When: "14:30", Text: "SRE; Traffic switched to the new identity provider."},
				{At: ts("2021-06-09T14:34:00Z"), When: "14:34", Text: "Support; First reports that logins loop back to the sign-in page."},
				{At: ts("2021-06-09T15:50:00Z"), When: "15:50", Text: "Identity; Session cookie domain corrected."},
				{At: ts("2021-06-09T16:05:00Z"), When: "16:05", Text: "SRE; Login success rate back to normal."},
			},
		}}},
		{"2021-03-04-db-failover.md", []want{{
			title:    "Database failover left replicas read-only",
			started:  "2021-03-04T09:14:00Z",
			kinds:    k(ingest.KindSummary, ingest.KindTimeline, ingest.KindTimeline, ingest.KindTimeline, ingest.KindTimeline, ingest.KindWentWrong, ingest.KindActionItems),
			headings: []string{"Summary", "Timeline (all times UTC)", "09:14", "09:21", "09:34", "What went wrong", "Follow-ups (owner in brackets)"},
			timeline: []ingest.TimelineItem{
				{At: ts("2021-03-04T09:14:00Z"), When: "09:14", Text: "The failover script promoted the standby."},
				{At: ts("2021-03-04T09:21:00Z"), When: "09:21", Text: "Order service error rate rose above five percent."},
				{At: ts("2021-03-04T09:34:00Z"), When: "09:34", Text: "Replicas were re-pointed at the new primary by hand."},
			},
		}}},
		{"PM2022-004 - Cache stampede on the pricing service.md", []want{{
			// The bare year in the name loses to the timeline's full date.
			title:   "Cache stampede on the pricing service",
			started: "2022-06-20T08:00:00Z",
		}}},
		{"PM2020-011 - Lost webhook deliveries.md", []want{{
			// Nothing better than the year: January 1, marked as a year.
			title:   "Lost webhook deliveries",
			started: "2020-01-01T00:00:00Z",
			extra:   map[string]any{"date_precision": "year"},
		}}},
		{"20190916-dns-change.md", []want{{
			title:   "Dns Change",
			started: "2019-09-16T00:00:00Z",
			summary: "An internal DNS change pointed the build cache",
			kinds:   k(ingest.KindOther, ingest.KindResolution),
		}}},
		{"first-paragraph-date.md", []want{{
			title:   "Mobile push notifications delayed",
			started: "2021-05-09T13:48:00Z",
			timeline: []ingest.TimelineItem{
				{At: ts("2021-05-09T13:48:00Z"), When: "13:48", Text: "Gateway stopped accepting batches."},
				{At: ts("2021-05-09T14:30:00Z"), When: "14:30", Text: "Batches resumed after the gateway pool was recycled."},
			},
		}}},
		{"date-subheadings.md", []want{{
			// Times in CET, anchored to the day headings, crossing midnight.
			title:   "Backup job overran into business hours",
			started: "2023-05-12T22:40:00Z",
			kinds:   k(ingest.KindTimeline, ingest.KindTimeline, ingest.KindTimeline, ingest.KindTimeline, ingest.KindTimeline, ingest.KindLessons),
			timeline: []ingest.TimelineItem{
				{At: ts("2023-05-12T22:40:00Z"), When: "23:40", Text: "Nightly backup started on the primary."},
				{At: ts("2023-05-13T00:15:00Z"), When: "01:15", Text: "Backup still running; replication lag at four minutes."},
				{At: ts("2023-05-13T06:30:00Z"), When: "2023-05-13 07:30", Text: "Backup finished, lag cleared."},
			},
		}}},
		{"nested-other.md", []want{{
			title:    "Storage quota hit on the shared volume",
			started:  "-",
			kinds:    k(ingest.KindActionItems, ingest.KindActionItems, ingest.KindActionItems, ingest.KindOther),
			headings: []string{"Action items", "Process", "Tooling", "Background"},
			summary:  "The shared volume holds build artefacts.",
		}}},
		{"debrief.html", []want{{
			title:      "Rate limiter misconfiguration",
			started:    "2022-10-05T11:02:00Z",
			summary:    "A configuration change meant for one tenant applied a limit of 10 requests per second to every tenant.",
			kinds:      k(ingest.KindOther, ingest.KindSummary, ingest.KindTimeline, ingest.KindContributingFactors),
			severity:   "SEV2",
			authors:    []string{"Noor Haddad", "Eli Stone"},
			textHas:    []string{"The tenant selector defaulted to all when empty.\nThe change review showed only the diff of the value."},
			textHasNot: []string{"tracking", "color", "<"},
			timeline: []ingest.TimelineItem{
				{At: ts("2022-10-05T11:02:00Z"), When: "11:02", Text: "Config change deployed."},
				{At: ts("2022-10-05T11:09:00Z"), When: "11:09", Text: "Error budget alert fired."},
				{At: ts("2022-10-05T11:25:00Z"), When: "11:25", Text: "Change rolled back."},
			},
		}}},
		{"queue-backlog.txt", []want{{
			title:    "Nightly export missed its window",
			started:  "2020-02-27T02:00:00Z",
			severity: "SEV3",
			kinds:    k(ingest.KindOther, ingest.KindSummary, ingest.KindTimeline, ingest.KindRootCause, ingest.KindActionItems),
			headings: []string{"", "SUMMARY", "Timeline", "ROOT CAUSE", "Action items"},
			timeline: []ingest.TimelineItem{
				{At: ts("2020-02-27T02:00:00Z"), When: "02:00", Text: "Export scheduled."},
				{At: ts("2020-02-27T05:10:00Z"), When: "05:10", Text: "Export started after the upstream job finished."},
			},
		}}},
		{"incident.json", []want{{
			ref:      "incident.json",
			title:    "Search latency after index rebuild",
			started:  "2024-01-18T15:20:00Z",
			resolved: "2024-01-18T16:02:00Z",
			summary:  "Search p99 latency rose to 4 seconds",
			url:      "https://incidents.example.com/INC-2041",
			severity: "SEV2",
			services: []string{"search", "catalog"},
			tags:     []string{"elasticsearch"},
			kinds:    k(ingest.KindSummary, ingest.KindWentWell),
			extra:    map[string]any{"id": "INC-2041"},
			timeline: []ingest.TimelineItem{
				{At: ts("2024-01-18T15:20:00Z"), When: "2024-01-18T15:20:00Z", Text: "Index rebuild finished."},
				{At: ts("2024-01-18T15:31:00Z"), When: "2024-01-18T15:31:00Z", Text: "Latency alert fired."},
			},
		}}},
		{"postmortems.json", []want{
			{
				ref:     "postmortems.json#17",
				title:   "Stale feature flags after cache flush",
				started: "2023-08-01T10:00:00Z",
				summary: "Flags reverted to defaults for 12 minutes.",
				teams:   []string{"Growth", "Platform"},
				kinds:   k(ingest.KindOther, ingest.KindActionItems),
			},
			{
				ref:      "postmortems.json#2",
				title:    "Email provider throttled outbound mail",
				started:  "2023-09-12T08:00:00Z",
				kinds:    k(ingest.KindImpact, ingest.KindTrigger),
				headings: []string{"Impact", "Trigger"},
				summary:  "Password reset emails arrived up to 30 minutes late.",
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, ok := FormatOf(tt.file)
			if !ok {
				t.Fatalf("FormatOf(%q) found no format", tt.file)
			}
			got, err := Parse(tt.file, f, readFixture(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d debriefs, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				checkDebrief(t, got[i], tt.file, w)
			}
		})
	}
}

func checkDebrief(t *testing.T, d ingest.Debrief, file string, w want) {
	t.Helper()
	ref := w.ref
	if ref == "" {
		ref = file
	}
	if d.Ref != ref || d.Document != file {
		t.Errorf("Ref, Document = %q, %q; want %q, %q", d.Ref, d.Document, ref, file)
	}
	if d.ID != "" || d.Source != "" || d.Hash != "" || !d.FetchedAt.IsZero() {
		t.Errorf("ID, Source, Hash, FetchedAt must be left to the runner: %q %q %q %v", d.ID, d.Source, d.Hash, d.FetchedAt)
	}
	if d.Title != w.title {
		t.Errorf("Title = %q, want %q", d.Title, w.title)
	}
	checkTime(t, "Started", d.Times.Started, w.started)
	checkTime(t, "Detected", d.Times.Detected, w.detected)
	checkTime(t, "Resolved", d.Times.Resolved, w.resolved)
	if !strings.HasPrefix(d.Summary, w.summary) {
		t.Errorf("Summary = %q, want it to start with %q", d.Summary, w.summary)
	}
	if d.URL != w.url {
		t.Errorf("URL = %q, want %q", d.URL, w.url)
	}
	var kinds []ingest.SectionKind
	var headings []string
	for _, s := range d.Sections {
		if !s.Kind.Valid() {
			t.Errorf("section %q has invalid kind %q", s.Heading, s.Kind)
		}
		kinds = append(kinds, s.Kind)
		headings = append(headings, s.Heading)
	}
	if w.kinds != nil && !reflect.DeepEqual(kinds, w.kinds) {
		t.Errorf("kinds = %v, want %v (headings %q)", kinds, w.kinds, headings)
	}
	if w.headings != nil && !reflect.DeepEqual(headings, w.headings) {
		t.Errorf("headings = %q, want %q", headings, w.headings)
	}
	m := d.Meta
	eq := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	eq("Severity", m.Severity, w.severity)
	eq("Status", m.Status, w.status)
	eq("Services", m.Services, w.services)
	eq("Teams", m.Teams, w.teams)
	eq("Tags", m.Tags, w.tags)
	eq("Authors", m.Authors, w.authors)
	eq("Participants", m.Participants, w.participants)
	for key, v := range w.extra {
		if !reflect.DeepEqual(m.Extra[key], v) {
			t.Errorf("Extra[%q] = %#v, want %#v", key, m.Extra[key], v)
		}
	}
	if w.timeline != nil && !reflect.DeepEqual(d.Timeline, w.timeline) {
		t.Errorf("timeline:\n got %v\nwant %v", d.Timeline, w.timeline)
	}
	if !utf8.ValidString(d.Text) || strings.TrimSpace(d.Text) == "" {
		t.Errorf("Text is empty or not UTF-8")
	}
	for _, s := range w.textHas {
		if !strings.Contains(d.Text, s) {
			t.Errorf("Text lacks %q:\n%s", s, d.Text)
		}
	}
	for _, s := range w.textHasNot {
		if strings.Contains(d.Text, s) {
			t.Errorf("Text holds %q:\n%s", s, d.Text)
		}
	}
}

func checkTime(t *testing.T, name string, got time.Time, want string) {
	t.Helper()
	switch want {
	case "":
		return
	case "-":
		if !got.IsZero() {
			t.Errorf("%s = %v, want none", name, got)
		}
		return
	}
	if !got.Equal(ts(want)) {
		t.Errorf("%s = %v, want %s", name, got.Format(time.RFC3339), want)
	}
}

func TestTemplateSkipped(t *testing.T) {
	_, err := Parse("template.md", FormatMarkdown, readFixture(t, "template.md"))
	if !errors.Is(err, ingest.ErrSkip) {
		t.Fatalf("Parse(template.md) error = %v, want ingest.ErrSkip", err)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		data string
		want string // the error message, in full
	}{
		{"empty file", FormatMarkdown, "", "empty file"},
		{"white space only", FormatText, " \n\t\n", "no text: the file holds only white space"},
		{"binary", FormatMarkdown, "# Title\x00\x01\x02", "binary content, not a text document"},
		{"utf-16", FormatMarkdown, "\xff\xfe#\x00 \x00", "UTF-16 text, not UTF-8: save the document as UTF-8"},
		{"invalid utf-8", FormatMarkdown, "# Title\n\nCaf\xe9 outage", "not valid UTF-8 text (first bad byte at offset 12)"},
		// Line numbers count from the top of the file.
		{"malformed yaml", FormatMarkdown, "---\ntitle: Disk full\nseverity: SEV1\nstatus: open: now\n---\n\nText.", "front matter: yaml: line 4: mapping values are not allowed in this context"},
		{"yaml not a mapping", FormatMarkdown, "---\n\"title: quoted\"\n---\n\nText.", "front matter: yaml: not a list of \"key: value\" lines"},
		{"unclosed front matter", FormatMarkdown, "---\ntitle: Disk full\n\n# Disk full\n", "front matter: no closing --- line"},
		{"malformed toml", FormatMarkdown, "+++\ntitle = \"Disk full\nseverity = 1\n+++\n\nText.", "front matter: toml: line 2: basic strings cannot have new lines"},
		{"no text", FormatMarkdown, "![diagram](d.png)\n\n<!-- nothing here -->\n", "no text: the document holds no readable content"},
		{"html without text", FormatHTML, "<html><head><script>x()</script></head><body><img src=a.png></body></html>", "no text: the document holds no readable content"},
		{"json number", FormatJSON, "42", "json: the document is a number, not an object or an array of objects"},
		{"json array of strings", FormatJSON, `["a", "b"]`, "json: element 1 is a string, not an object"},
		{"json empty array", FormatJSON, `[]`, "json: an empty array holds no debriefs"},
		{"json syntax", FormatJSON, "{\n  \"title\": \"x\",\n  oops\n}", "json: line 3, column 3: invalid character 'o' looking for beginning of object key string"},
		{"json truncated", FormatJSON, `{"title": "x"`, "json: the document ends before the JSON value does"},
		{"json trailing data", FormatJSON, `{"title": "x", "body": "Some text."} {}`, "json: line 1, column 39: more data after the document"},
		{"json object without text", FormatJSON, `{"title": "Only a title"}`, "no text: the document holds no readable content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Parse("bad."+string(tt.f), tt.f, []byte(tt.data))
			if err == nil {
				t.Fatalf("Parse succeeded with %d debriefs, want error %q", len(ds), tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("error = %q, want %q", err.Error(), tt.want)
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		name string
		want Format
		ok   bool
	}{
		{"a.md", FormatMarkdown, true},
		{"dir/B.MARKDOWN", FormatMarkdown, true},
		{"2020-02-12.html.md.erb", FormatMarkdown, true},
		{"page.html.erb", FormatHTML, true},
		{"page.htm", FormatHTML, true},
		{"notes.txt", FormatText, true},
		{"export.json", FormatJSON, true},
		{"report.pdf", "", false},
		{"README", "", false},
		{".md", "", false},
	}
	for _, tt := range tests {
		got, ok := FormatOf(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FormatOf(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSectionKindOf(t *testing.T) {
	tests := map[string]ingest.SectionKind{
		"Summary":                            ingest.KindSummary,
		"Issue Summary":                      ingest.KindSummary,
		"TL;DR":                              ingest.KindSummary,
		"1. Executive Summary:":              ingest.KindSummary,
		"Incident Impact":                    ingest.KindImpact,
		"End-user impact":                    ingest.KindImpact,
		"Chain of Events":                    ingest.KindTimeline,
		"⏱️ Timeline (UTC)":                  ingest.KindTimeline,
		":clock1: Timeline":                  ingest.KindTimeline,
		"Leadup":                             ingest.KindTimeline,
		"How we noticed":                     ingest.KindDetection,
		"Trigger":                            ingest.KindTrigger,
		"Root Cause(s)":                      ingest.KindRootCause,
		"III. What caused the incident?":     ingest.KindRootCause,
		"5 Whys":                             ingest.KindOther,
		"Five whys":                          ingest.KindRootCause,
		"Root cause and mitigation":          ingest.KindRootCause,
		"Contributing Conditions (Analysis)": ingest.KindContributingFactors,
		"Process Breakdown(s)":               ingest.KindContributingFactors,
		"Mitigation (& Resolution)":          ingest.KindResolution,
		"Resolution and recovery":            ingest.KindResolution,
		"DNS resolution":                     ingest.KindOther,
		"Lessons Learned and Future Improvements": ingest.KindLessons,
		"How'd we do?":                         ingest.KindLessons,
		"What went well?":                      ingest.KindWentWell,
		"What didn’t go so well?":              ingest.KindWentWrong,
		"What could have gone better":          ingest.KindWentWrong,
		"Where we got lucky":                   ingest.KindLucky,
		"Why were we surprised?":               ingest.KindSurprises,
		"Open Questions":                       ingest.KindOpenQuestions,
		"People involved":                      ingest.KindPeople,
		"Corrective and Preventative Measures": ingest.KindActionItems,
		"4.1 Follow-ups":                       ingest.KindActionItems,
		"Background":                           ingest.KindOther,
		"":                                     ingest.KindOther,
		"🔥":                                    ingest.KindOther,
	}
	for h, want := range tests {
		if got := SectionKindOf(h); got != want {
			t.Errorf("SectionKindOf(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestKindTableKeysNormalised(t *testing.T) {
	for key := range kindByHeading {
		if got := matchKey(key); got != key {
			t.Errorf("kindByHeading key %q normalises to %q: it can never match", key, got)
		}
	}
	for key := range fieldKeys {
		if got := normKey(key); got != key {
			t.Errorf("fieldKeys key %q normalises to %q: it can never match", key, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339; "" for not a date
	}{
		{"2021-03-04", "2021-03-04T00:00:00Z"},
		{"2021-03-04 13:50", "2021-03-04T13:50:00Z"},
		{"2021-03-04T13:50:12+02:00", "2021-03-04T11:50:12Z"},
		{"2021-03-04 13:50 +0200", "2021-03-04T11:50:00Z"},
		{"March 4, 2021", "2021-03-04T00:00:00Z"},
		{"4 March 2021", "2021-03-04T00:00:00Z"},
		{"4th of March, 2021", "2021-03-04T00:00:00Z"},
		{"Monday 20. January 2020", "2020-01-20T00:00:00Z"},
		{"Wednesday, 2018-08-22", "2018-08-22T00:00:00Z"},
		{"May 9th 2021 at 6:48AM PDT", "2021-05-09T13:48:00Z"},
		{"2017-11-30 4:23PM PST", "2017-12-01T00:23:00Z"},
		{"4/21/23", "2023-04-21T00:00:00Z"},
		{"21/4/2023", "2023-04-21T00:00:00Z"},
		{"04.03.2021", "2021-03-04T00:00:00Z"},
		{"2021/03/04 09:15:04 UTC", "2021-03-04T09:15:04Z"},
		{"13:50 on 2021-03-04", "2021-03-04T13:50:00Z"},
		{"2021-03-04 13:50 UTC+1", "2021-03-04T12:50:00Z"},
		{"20210304", "2021-03-04T00:00:00Z"},
		{"2021-02-30", ""},
		{"March 2021", ""},
		{"13:50", ""},
		{"May 4", ""},
		{"version 1.2.3", ""},
		{"tomorrow", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := ParseTime(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseTime(%q) = %v, want no date", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(ts(tt.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestFileNameInfo(t *testing.T) {
	tests := []struct {
		ref   string
		title string
		date  string
		year  int
	}{
		{"2021-03-04-db-failover.md", "Db Failover", "2021-03-04", 0},
		{"postmortems/PM2021-003 - Flux rollout broke logging.md", "Flux Rollout Broke Logging", "", 2021},
		{"20190916-something.md", "Something", "2019-09-16", 0},
		{"2020-02-12.html.md.erb", "", "2020-02-12", 0},
		{"04-25-User_Account_Compromise.md", "User Account Compromise", "", 0},
		{"001-build-failing.md", "Build Failing", "", 0},
		{"655ee350-a86f-424b-89c5-f80cc0fe527e.md", "", "", 0},
		{"2021-07-partial-outage.md", "Partial Outage", "", 2021},
		{"docs.json#12", "Docs", "", 0},
	}
	for _, tt := range tests {
		ni := fileNameInfo(tt.ref)
		date := ""
		if ni.hasDate {
			date = time.Date(ni.date.y, time.Month(ni.date.m), ni.date.d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		}
		if ni.title != tt.title || date != tt.date || ni.year != tt.year {
			t.Errorf("fileNameInfo(%q) = %q, %q, %d; want %q, %q, %d", tt.ref, ni.title, date, ni.year, tt.title, tt.date, tt.year)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	tests := map[string]string{
		"2018-01-11, Warning from the certificate authority": "Warning from the certificate authority",
		"2017-11-30 4:23PM PST, Proxy out of memory":         "Proxy out of memory",
		"incident date: 2019-02-20, logs unavailable":        "logs unavailable",
		"Incident report May 12 2025 - Hub outage":           "Hub outage",
		"Postmortem: DNS outage":                             "DNS outage",
		"Incident on 2023-06-06 - User services down":        "User services down",
		"Incident Commander handover went wrong":             "Incident Commander handover went wrong",
		"Oct 31 2021 Dust storm":                             "Dust storm",
		"Website outage 5-26-21":                             "Website outage 5-26-21",
		"2019-10-01":                                         "",
	}
	for in, want := range tests {
		if got, _, _ := cleanTitle(in, 0); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindDate(t *testing.T) {
	tests := []struct {
		text string
		hint int
		want string
	}{
		{"On May 9th 2021 at 6:48AM PDT, the chain stalled.", 0, "2021-05-09T13:48:00Z"},
		{"On Monday 20. January the cluster was upgraded.", 2020, "2020-01-20T00:00:00Z"},
		{"On Monday 20. January the cluster was upgraded.", 0, ""},
		{"In the afternoon of January 21st, the certificate expired.", 2020, "2020-01-21T00:00:00Z"},
		{"We may 5 times retry.", 2020, ""},
		{"Upgraded from 1.13.2 to 1.14.0 without issues.", 2020, ""},
		{"The outage lasted from 2023-07-20 12:17 to 12:30 UTC.", 0, "2023-07-20T12:17:00Z"},
	}
	for _, tt := range tests {
		st, _, _, ok := findDate(tt.text, tt.hint)
		if tt.want == "" {
			if ok {
				t.Errorf("findDate(%q) found %v, want none", tt.text, st.moment(0))
			}
			continue
		}
		if !ok || !st.moment(0).Equal(ts(tt.want)) {
			t.Errorf("findDate(%q) = %v, %v; want %s", tt.text, st.moment(0), ok, tt.want)
		}
	}
}

func TestSummaryCapped(t *testing.T) {
	long := strings.Repeat("The queue grew while the consumers waited for a broker that was gone. ", 12)
	d, err := Markdown("x.md", []byte("# Queue\n\n## Summary\n\n"+long+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Summary) > summaryMax || !strings.HasSuffix(d.Summary, "gone.") {
		t.Fatalf("Summary of %d bytes does not end at a sentence: %q", len(d.Summary), d.Summary)
	}
	one := strings.Repeat("word ", 200)
	d, err = Markdown("x.md", []byte("# Queue\n\n## Summary\n\n"+one+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Summary) > summaryMax+len("…") || !strings.HasSuffix(d.Summary, "…") {
		t.Fatalf("Summary without sentences not cut with an ellipsis: %d bytes", len(d.Summary))
	}
}

func TestMixedTimeline(t *testing.T) {
	got, err := Parse("2022-11-03-webhook-keys.md", FormatMarkdown, readFixture(t, "mixed-timeline.md"))
	if err != nil {
		t.Fatal(err)
	}
	checkDebrief(t, got[0], "2022-11-03-webhook-keys.md", want{
		title:    "Webhook signing key rotated twice",
		started:  "2022-11-03T16:58:00Z",
		summary:  "A scheduled rotation ran twice",
		kinds:    []ingest.SectionKind{ingest.KindSummary, ingest.KindTimeline, ingest.KindDetection, ingest.KindSurprises},
		headings: []string{"Overview", "Timeline", "Detection", "Surprises"},
		timeline: []ingest.TimelineItem{
			{At: ts("2022-11-03T16:58:00Z"), When: "16:58 UTC", Text: "The rotation job started on both schedulers."},
			{At: ts("2022-11-03T17:02:00Z"), When: "17:02 UTC", Text: "Partners began rejecting signatures."},
			{At: ts("2022-11-03T17:20:00Z"), When: "2022-11-03 17:20", Text: "Second key published to the key endpoint."},
			{At: ts("2022-11-03T17:45:00Z"), When: "17:45", Text: "Rotation job pinned to one scheduler."},
		},
		textHasNot: []string{"<h2>", "<p>", "**", "==="},
	})
}

func TestShortDebriefIsNotATemplate(t *testing.T) {
	doc := "# Build cache cold after runner upgrade\n\n## Summary\n\nBuilds took twice as long for a day.\n\n## Impact\n\n## Timeline\n\n## Action items\n\n- Warm the cache after upgrades.\n"
	if _, err := Markdown("cache.md", []byte(doc)); err != nil {
		t.Fatalf("a short debrief with empty sections was refused: %v", err)
	}
}

func TestHash(t *testing.T) {
	a := Hash(FormatMarkdown, []byte("# A"))
	if a != Hash(FormatMarkdown, []byte("# A")) || len(a) != 64 {
		t.Fatalf("Hash is not a stable sha256: %q", a)
	}
	if a == Hash(FormatMarkdown, []byte("# B")) || a == Hash(FormatText, []byte("# A")) {
		t.Fatal("Hash ignores the content or the format")
	}
}

// TestSummaryFieldOpensTheDebrief checks that a summary given in front
// matter is part of the debrief's text when the body does not say it: in
// the untitled opening, or as a summary section before headed ones.
func TestSummaryFieldOpensTheDebrief(t *testing.T) {
	const sum = "A certificate rotation left the gateway without a key."
	tests := []struct {
		name, doc string
		kinds     []ingest.SectionKind
		first     string // the first section's text starts with this
		times     int    // how often the summary is in the text
	}{
		{"untitled body", "---\nsummary: " + sum + "\n---\n\nThe gateway refused every handshake for an hour.\n",
			[]ingest.SectionKind{ingest.KindOther}, sum + "\n\nThe gateway", 1},
		{"headed body", "---\nsummary: " + sum + "\n---\n\n# Gateway keys\n\n## Impact\n\nEvery handshake failed.\n",
			[]ingest.SectionKind{ingest.KindSummary, ingest.KindImpact}, sum, 1},
		{"the body says it already", "---\nsummary: " + sum + "\n---\n\nIn short: " + sum + " It took an hour.\n",
			[]ingest.SectionKind{ingest.KindOther}, "In short", 1},
		{"a summary section of its own", "---\nsummary: " + sum + "\n---\n\n# Gateway keys\n\n## Summary\n\nThe gateway had no key.\n",
			[]ingest.SectionKind{ingest.KindSummary}, "The gateway had no key.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Markdown("gateway.md", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var kinds []ingest.SectionKind
			for _, s := range d.Sections {
				kinds = append(kinds, s.Kind)
			}
			if !slices.Equal(kinds, tt.kinds) || !strings.HasPrefix(d.Sections[0].Text, tt.first) {
				t.Errorf("sections %v, first %q; want %v starting %q", kinds, d.Sections[0].Text, tt.kinds, tt.first)
			}
			if n := strings.Count(d.Text, sum); n != tt.times {
				t.Errorf("summary %d times in the text, want %d:\n%s", n, tt.times, d.Text)
			}
			for _, s := range d.Sections {
				if !strings.Contains(d.Text, s.Text) {
					t.Errorf("section %s text is not in the debrief's text", s.Kind)
				}
			}
		})
	}
}
