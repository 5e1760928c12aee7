package incidentio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// listPage is one page of GET /v1/postmortem_documents.
type listPage struct {
	Documents []document `json:"postmortem_documents"`
	Meta      struct {
		After    string `json:"after"`
		PageSize int    `json:"page_size"`
	} `json:"pagination_meta"`
}

// document is a post-mortem document as the list gives it.
type document struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Status       string   `json:"status"`
	Type         string   `json:"type"`
	IncidentID   string   `json:"incident_id"`
	DocumentURL  string   `json:"document_url"`
	ExportedURLs []string `json:"exported_urls"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Editors      []struct {
		Name string `json:"name"`
	} `json:"editors"`
}

// decodeList reads one page of the post-mortem document list.
func decodeList(data []byte) (*listPage, error) {
	if err := requireKey(data, "postmortem_documents"); err != nil {
		return nil, err
	}
	var p listPage
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	for i, d := range p.Documents {
		if strings.TrimSpace(d.ID) == "" {
			return nil, fmt.Errorf("document %d has no id", i+1)
		}
	}
	return &p, nil
}

// decodeContent reads GET /v1/postmortem_documents/{id}/content.
func decodeContent(data []byte) (string, error) {
	if err := requireKey(data, "markdown"); err != nil {
		return "", err
	}
	var c struct {
		Markdown *string `json:"markdown"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return "", err
	}
	if c.Markdown == nil {
		return "", nil
	}
	return *c.Markdown, nil
}

// requireKey checks that data is a JSON object holding key, so that an
// unrelated object (an error body) is not read as an empty answer.
func requireKey(data []byte, key string) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return errors.New("empty body")
	}
	if data[0] != '{' {
		return errors.New("not a JSON object")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	if _, ok := keys[key]; !ok {
		return fmt.Errorf("no %q in the object", key)
	}
	return nil
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
