package parse

import (
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// Markdown parses one Markdown document (optionally with YAML or TOML front
// matter and ERB tags) into a debrief.
func Markdown(ref string, data []byte) (ingest.Debrief, error) {
	s, err := checkText(data)
	if err != nil {
		return ingest.Debrief{}, err
	}
	fm, body, err := splitFrontMatter(stripERB(s))
	if err != nil {
		return ingest.Debrief{}, err
	}
	d := newDoc(ref)
	d.addFields(fm, srcFrontMatter)
	d.blocks = markdownBlocks(body)
	return d.build()
}

// markdownBlocks reads Markdown into the block list the builder works on.
func markdownBlocks(body string) []block { return scanMarkdown(body) }

func joinSpace(ls []line) string {
	if len(ls) == 1 {
		return ls[0].text
	}
	var sb strings.Builder
	for i, l := range ls {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

// stripERB removes ERB tags (<% %>, <%= %>, <%# %>) that templated Markdown
// carries; an unclosed tag is left as text.
func stripERB(s string) string {
	if !strings.Contains(s, "<%") {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for {
		i := strings.Index(s, "<%")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "%>")
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		s = s[i+2+j+2:]
	}
	sb.WriteString(s)
	return sb.String()
}
