package jira

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// searchPage is one page of GET /rest/api/3/search/jql.
type searchPage struct {
	Issues        []issue `json:"issues"`
	NextPageToken string  `json:"nextPageToken"`
	IsLast        *bool   `json:"isLast"`
}

type issue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary        string          `json:"summary"`
		Description    json.RawMessage `json:"description"`
		Created        string          `json:"created"`
		Updated        string          `json:"updated"`
		ResolutionDate string          `json:"resolutiondate"`
		Labels         []string        `json:"labels"`
		Priority       *named          `json:"priority"`
		Components     []named         `json:"components"`
		Status         *named          `json:"status"`
	} `json:"fields"`
	RenderedFields struct {
		Description json.RawMessage `json:"description"`
	} `json:"renderedFields"`
}

type named struct {
	Name string `json:"name"`
}

// decodeSearch reads one page of a JQL search.
func decodeSearch(data []byte) (*searchPage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty body")
	}
	if data[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, err
	}
	if _, ok := keys["issues"]; !ok {
		return nil, errors.New(`no "issues" in the object`)
	}
	var p searchPage
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	for i, is := range p.Issues {
		if strings.TrimSpace(is.ID) == "" || strings.TrimSpace(is.Key) == "" {
			return nil, fmt.Errorf("issue %d has no id or key", i+1)
		}
	}
	return &p, nil
}

// renderedDescription is the HTML description, "" when absent or null.
func (is *issue) renderedDescription() string {
	var s string
	if json.Unmarshal(is.RenderedFields.Description, &s) != nil {
		return ""
	}
	return s
}
