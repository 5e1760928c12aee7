package jira

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/atlassian"
)

func adfIssue(t *testing.T, adf string) *issue {
	t.Helper()
	is := &issue{ID: "10042", Key: "OPS-17"}
	is.Fields.Summary = "Webhook deliveries delayed"
	is.Fields.Description = json.RawMessage(adf)
	return is
}

func TestConvertADFFixture(t *testing.T) {
	d, err := convertIssue("issue/10042", "https://acme.atlassian.net", adfIssue(t, mustRead(t, "description-adf.json")))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range d.Sections {
		kinds = append(kinds, string(s.Kind))
	}
	if want := "other summary timeline root_cause action_items"; strings.Join(kinds, " ") != want {
		t.Errorf("kinds %q, want %q", strings.Join(kinds, " "), want)
	}
	if d.Meta.Severity != "SEV-3" || strings.Join(d.Meta.Authors, ",") != "Mateo Silva" {
		t.Errorf("metadata %+v: want the status lozenge as severity and the mention as owner", d.Meta)
	}
	if want := time.Date(2024, 3, 1, 9, 5, 0, 0, time.UTC); !d.Times.Started.Equal(want) {
		t.Errorf("started %v, want %v (the date node anchors the timeline)", d.Times.Started, want)
	}
	sec := func(k ingest.SectionKind) string {
		for _, s := range d.Sections {
			if s.Kind == k {
				return s.Text
			}
		}
		return ""
	}
	for _, c := range []struct{ name, in, want string }{
		{"marks keep their text", sec(ingest.KindSummary), "delivered up to 40 minutes late because"},
		{"inline card is its URL", sec(ingest.KindSummary), "See https://status.example.com/incidents/7731."},
		{"script in a code mark is text", sec(ingest.KindSummary), "pasted <script>alert('hi')</script> into a webhook name"},
		{"hard break and mention", sec(ingest.KindTimeline), "09:40 UTC delivery lag alert paged Mateo Silva"},
		{"nested list", sec(ingest.KindTimeline), "backlog drained by 10:30 UTC"},
		{"link mark keeps its text", sec(ingest.KindRootCause), "competed for eight workers."},
		{"code block verbatim", sec(ingest.KindRootCause), "workers:\n  shared: true   # the culprit & the fix"},
		{"ordered list", sec(ingest.KindActionItems), "Give retries their own pool\nAlert on lag per tenant"},
		{"expand title and body", sec(ingest.KindActionItems), "Raw numbers\n\nPeak lag 2412 s."},
		{"unknown inline node keeps its text", d.Text, "widget text kept"},
		{"unknown block keeps its content", d.Text, "nested text kept"},
	} {
		if !strings.Contains(c.in, c.want) {
			t.Errorf("%s: %q not in %q", c.name, c.want, c.in)
		}
	}
	for _, gone := range []string{"📝", ":pencil:", "Add more here", "abc", "yaml", "5f0c1e2d3b4a", "@"} {
		if strings.Contains(d.Text, gone) {
			t.Errorf("text holds %q", gone)
		}
	}
	if d.Sections[1].Heading != "Summary" {
		t.Errorf("heading %q: the emoji should be gone", d.Sections[1].Heading)
	}
}

func TestADFNodes(t *testing.T) {
	tests := []struct {
		name, content string // the doc's content array
		want          string // the HTML written
	}{
		{"heading levels clamp", `[{"type":"heading","attrs":{"level":9},"content":[{"type":"text","text":"A"}]},{"type":"heading","content":[{"type":"text","text":"B"}]}]`,
			"<h6>A</h6><h1>B</h1>"},
		{"marks nest and close in order", `[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"strong"},{"type":"em"},{"type":"textColor","attrs":{"color":"#f00"}}]}]}]`,
			"<p><strong><em>x</em></strong></p>"},
		{"text is escaped", `[{"type":"paragraph","content":[{"type":"text","text":"<b onclick=x>&amp;</b>"}]}]`,
			"<p>&lt;b onclick=x&gt;&amp;amp;&lt;/b&gt;</p>"},
		{"table", `[{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"k"}]}]},{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"v"}]}]}]}]}]`,
			"<table><tr><th><p>k</p></th><td><p>v</p></td></tr></table>"},
		{"mention without text uses the id", `[{"type":"paragraph","content":[{"type":"mention","attrs":{"id":"712020:abc"}}]}]`,
			"<p>712020:abc</p>"},
		{"date as a number", `[{"type":"paragraph","content":[{"type":"date","attrs":{"timestamp":1709251200000}}]}]`, "<p>2024-03-01</p>"},
		{"block card", `[{"type":"blockCard","attrs":{"url":"https://x.example/y"}}]`, "<p>https://x.example/y</p>"},
		{"rule and break", `[{"type":"paragraph","content":[{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"b"}]},{"type":"rule"}]`,
			"<p>a<br>b</p><hr>"},
		{"task list", `[{"type":"taskList","content":[{"type":"taskItem","attrs":{"state":"DONE"},"content":[{"type":"text","text":"t"}]}]}]`,
			"<ul><li>t</li></ul>"},
		{"media and emoji dropped", `[{"type":"mediaGroup","content":[{"type":"media","attrs":{"id":"1"}}]},{"type":"paragraph","content":[{"type":"emoji","attrs":{"shortName":":x:","text":"❌"}}]}]`,
			"<p></p>"},
		{"code block keeps breaks", `[{"type":"codeBlock","content":[{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"<b>"}]}]`,
			"<pre>a\n&lt;b&gt;</pre>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := decodeADF([]byte(`{"type":"doc","version":1,"content":` + tt.content + `}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := adfHTML(doc); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestADFDeepNestingIsBounded(t *testing.T) {
	depth := 2000
	s := strings.Repeat(`{"type":"blockquote","content":[`, depth) + `{"type":"text","text":"deep"}` + strings.Repeat(`]}`, depth)
	doc, err := decodeADF([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	out := adfHTML(doc)
	if !strings.Contains(out, "deep") || strings.Count(out, "<blockquote>") > maxADFDepth+1 {
		t.Errorf("%d blockquotes written", strings.Count(out, "<blockquote>"))
	}
}

func TestDescriptionShapes(t *testing.T) {
	tests := []struct {
		name, desc string
		want       string
		skip       bool
		fail       string
	}{
		{"plain string (older API)", `"First paragraph.\n\nSecond <b>line</b>."`, "Second <b>line</b>.", false, ""},
		{"null", `null`, "", true, ""},
		{"empty doc", `{"type":"doc","version":1,"content":[]}`, "", true, ""},
		{"only media", `{"type":"doc","content":[{"type":"mediaSingle","content":[{"type":"media"}]}]}`, "", true, ""},
		{"array", `[1,2]`, "", false, "Atlassian Document Format"},
		{"typeless object", `{"content":[]}`, "", false, "no type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := convertIssue("issue/1", "https://a.example", adfIssue(t, tt.desc))
			switch {
			case tt.skip:
				if !errorsIsSkip(err) {
					t.Errorf("error %v, want ErrSkip", err)
				}
			case tt.fail != "":
				if err == nil || !strings.Contains(err.Error(), tt.fail) {
					t.Errorf("error %v, want %q", err, tt.fail)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(d.Text, tt.want) {
					t.Errorf("%q not in %q", tt.want, d.Text)
				}
			}
		})
	}
}

func TestDecodeSearchFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/search.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodeSearch(b)
	if err != nil {
		t.Fatal(err)
	}
	is := p.Issues[0]
	if len(p.Issues) != 1 || p.NextPageToken == "" || p.IsLast == nil || *p.IsLast || is.Key != "OPS-17" ||
		is.Fields.Priority.Name != "High" || is.Fields.Components[0].Name != "webhooks" || is.renderedDescription() == "" {
		t.Errorf("decoded %+v", p)
	}
	if u, ok := atlassian.ParseTime(is.Fields.Updated); !ok || !u.Equal(time.Date(2024, 3, 4, 15, 20, 11, 402_000_000, time.UTC)) {
		t.Errorf("updated %v", u)
	}
	d, err := convertIssue("issue/10042", "https://acme.atlassian.net", &is)
	if err != nil || d.Sections[0].Kind != ingest.KindSummary {
		t.Errorf("converted %+v, %v", d.Sections, err)
	}
}

func errorsIsSkip(err error) bool { return err != nil && errors.Is(err, ingest.ErrSkip) }

func BenchmarkConvertADF(b *testing.B) {
	data, err := os.ReadFile("testdata/description-adf.json")
	if err != nil {
		b.Fatal(err)
	}
	is := &issue{ID: "10042", Key: "OPS-17"}
	is.Fields.Summary = "Webhook deliveries delayed"
	is.Fields.Description = data
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := convertIssue("issue/10042", "https://a.example", is); err != nil {
			b.Fatal(err)
		}
	}
}
