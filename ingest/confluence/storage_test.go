package confluence

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
)

func TestConvertStoragePage(t *testing.T) {
	d, err := convert("page/1001", page{Title: "2024-02-11 Ledger writes refused", Storage: mustRead(t, "page-storage.xhtml"),
		Labels: []string{"postmortem"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Ref != "page/1001" || d.Document != "page/1001" {
		t.Errorf("ref %q document %q", d.Ref, d.Document)
	}
	if d.Title != "Ledger writes refused" {
		t.Errorf("title %q", d.Title)
	}
	// The page-properties macro sits at the end of the page; its table is
	// still read as metadata.
	if d.Meta.Severity != "SEV-2" || d.Meta.Status != "Reviewed" || strings.Join(d.Meta.Services, ",") != "ledger,card-settlement" {
		t.Errorf("metadata %+v", d.Meta)
	}
	if want := time.Date(2024, 2, 11, 14, 23, 0, 0, time.UTC); !d.Times.Started.Equal(want) {
		t.Errorf("started %v, want %v", d.Times.Started, want)
	}
	var kinds []string
	for _, s := range d.Sections {
		kinds = append(kinds, string(s.Kind))
	}
	if want := "other summary impact timeline root_cause action_items"; strings.Join(kinds, " ") != want {
		t.Errorf("section kinds %q, want %q", strings.Join(kinds, " "), want)
	}
	sec := func(k ingest.SectionKind) string {
		for _, s := range d.Sections {
			if s.Kind == k {
				return s.Text
			}
		}
		return ""
	}
	checks := []struct {
		name, in, want string
	}{
		{"info macro keeps its body", sec(ingest.KindImpact), "About 3 200 merchants saw “pending” settlements until 15:10 UTC."},
		{"mention by account id", d.Text, "Written by 557058:aa11bb22-cc33 and Priya Raman"},
		{"mention in a list item", sec(ingest.KindTimeline), "first \"pool exhausted\" errors; 557058:aa11bb22-cc33 paged."},
		{"entities decoded", sec(ingest.KindRootCause), "replica count & never recomputed."},
		{"code macro kept verbatim", sec(ingest.KindRootCause), "size: {{ replicas * 20 }}   # evaluated once & cached"},
		{"script inside CDATA is text", sec(ingest.KindRootCause), `<script>alert("not markup")</script>`},
		{"escaped script is text", sec(ingest.KindRootCause), "pasted <script>alert(1)</script> into the ticket"},
		{"expand keeps title and body", sec(ingest.KindRootCause), "Why the alert was late\n\nThe saturation alert fired"},
		{"task list", sec(ingest.KindActionItems), "Recompute the pool size when the replica count changes\nAlert on per-node saturation, not the average"},
	}
	for _, c := range checks {
		if !strings.Contains(c.in, c.want) {
			t.Errorf("%s: %q not in %q", c.name, c.want, c.in)
		}
	}
	for _, gone := range []string{"maxLevel", "LEDG-88", "System JIRA", "🙂", "slight_smile", "yaml", "Green", "incomplete"} {
		if strings.Contains(d.Text, gone) {
			t.Errorf("text holds %q, which is chrome", gone)
		}
	}
}

func TestConvertStorageElements(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // in the text
		not      []string // not in the text
	}{
		{"raw script element kept as text",
			`<h2>Summary</h2><p>Before</p><script>document.cookie="x"</script><p>After</p>`,
			[]string{`<script>document.cookie="x"</script>`, "Before", "After"}, nil},
		{"style element is text too, never applied",
			`<h2>Summary</h2><p>a</p><style>p{display:none}</style>`, []string{"<style>p{display:none}</style>"}, nil},
		{"attributes never survive",
			`<h2>Summary</h2><p onclick="steal()">Click</p><a href="javascript:alert(1)">link text</a>`,
			[]string{"Click", "link text"}, []string{"steal", "javascript"}},
		{"cdata is verbatim, entities in it not decoded",
			`<h2>Summary</h2><ac:structured-macro ac:name="noformat"><ac:plain-text-body><![CDATA[a &amp; b < c]]></ac:plain-text-body></ac:structured-macro>`,
			[]string{"a &amp; b < c"}, nil},
		{"user link with a body",
			`<h2>Responders</h2><p><ac:link><ri:user ri:userkey="ff80808" /><ac:link-body>Tomás Ortega</ac:link-body></ac:link></p>`,
			[]string{"Tomás Ortega"}, []string{"ff80808"}},
		{"user link by user key (Data Center)",
			`<h2>Responders</h2><p><ac:link><ri:user ri:userkey="8a7f808a6c" /></ac:link></p>`, []string{"8a7f808a6c"}, nil},
		{"page link by title",
			`<h2>Summary</h2><p>See <ac:link><ri:page ri:content-title="Runbook: ledger" /></ac:link>.</p>`, []string{"See Runbook: ledger."}, nil},
		{"panel with title",
			`<h2>Summary</h2><ac:structured-macro ac:name="panel"><ac:parameter ac:name="title">Key facts</ac:parameter><ac:rich-text-body><p>Two regions.</p></ac:rich-text-body></ac:structured-macro>`,
			[]string{"Key facts", "Two regions."}, nil},
		{"note and warning keep their bodies",
			`<h2>Summary</h2><ac:structured-macro ac:name="note"><ac:rich-text-body><p>Noted.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="warning"><ac:rich-text-body><p>Warned.</p></ac:rich-text-body></ac:structured-macro>`,
			[]string{"Noted.", "Warned."}, nil},
		{"unknown macro with a body keeps it, without one is dropped",
			`<h2>Summary</h2><ac:structured-macro ac:name="vendor-box"><ac:rich-text-body><p>Kept.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="vendor-chart"><ac:parameter ac:name="type">pie</ac:parameter></ac:structured-macro>`,
			[]string{"Kept."}, []string{"pie"}},
		{"anchor and toc dropped",
			`<h2>Summary</h2><p><ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">top</ac:parameter></ac:structured-macro>Text.</p>`,
			[]string{"Text."}, []string{"top"}},
		{"placeholders and images dropped",
			`<h2>Summary</h2><p><ac:placeholder>Describe what happened</ac:placeholder>It broke.</p><ac:image><ri:attachment ri:filename="graph.png" /></ac:image>`,
			[]string{"It broke."}, []string{"Describe what happened", "graph.png"}},
		{"date element",
			`<h2>Summary</h2><p>On <time datetime="2023-11-05" /> the queue filled.</p>`, []string{"On 2023-11-05 the queue filled."}, nil},
		{"new editor panel: fallback read once",
			`<h2>Summary</h2><ac:adf-extension><ac:adf-node type="panel"><ac:adf-attribute key="panel-type">note</ac:adf-attribute><ac:adf-content><p>Once.</p></ac:adf-content></ac:adf-node><ac:adf-fallback><div><p>Once.</p></div></ac:adf-fallback></ac:adf-extension>`,
			[]string{"Once."}, []string{"Once.\n\nOnce.", "panel-type", "note"}},
		{"layouts",
			`<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><h2>Impact</h2><p>Left.</p></ac:layout-cell><ac:layout-cell><p>Right.</p></ac:layout-cell></ac:layout-section></ac:layout>`,
			[]string{"Left.", "Right."}, nil},
		{"unclosed and stray tags",
			`<h2>Summary<p>One</ul></div><p>Two`, []string{"One", "Two"}, nil},
		{"xhtml entities",
			`<h2>Summary</h2><p>caf&eacute; &mdash; &hellip; &#x2713; &#169;</p>`, []string{"café — … ✓ ©"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := convert("page/1", page{Title: "Some incident", Storage: tt.in})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(d.Text, w) {
					t.Errorf("%q not in %q", w, d.Text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(d.Text, n) {
					t.Errorf("%q in %q", n, d.Text)
				}
			}
		})
	}
}

// The HTML handed to parse.HTML has no element a page did not earn: a
// script in any form arrives escaped.
func TestConvertStorageWritesNoMarkupFromText(t *testing.T) {
	for _, in := range []string{
		`<script>alert(1)</script>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<script>alert(1)</script>]]></ac:plain-text-body></ac:structured-macro>`,
		`<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<img src=x onerror=alert(1)>]]></ac:plain-text-body></ac:structured-macro>`,
		`<p title="<script>">x</p>`,
	} {
		out := convertStorage("T", in)
		if strings.Contains(out, "<script") || strings.Contains(out, "<img") || strings.Contains(out, "onerror=") && !strings.Contains(out, "&lt;img") {
			t.Errorf("%s\n→ %s", in, out)
		}
	}
}

func TestConvertEmptyPageIsNoDebrief(t *testing.T) {
	if _, err := convert("page/1", page{Title: "Draft", Storage: `<ac:structured-macro ac:name="toc" />`}); err == nil {
		t.Error("a page of chrome converted without an error")
	}
}

func BenchmarkConvertStorage(b *testing.B) {
	data, err := os.ReadFile("testdata/page-storage.xhtml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := convert("page/1", page{Title: "2024-02-11 Ledger writes refused", Storage: string(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
