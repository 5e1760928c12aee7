package confluence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest/atlassian"
)

// The payloads we read, in the shape of Confluence's REST API: the v1 CQL
// content search (list), the v2 page with its storage body (Cloud) and the
// v1 content with its storage body (Data Center).

type searchPage struct {
	Results []searchResult `json:"results"`
	Links   struct {
		Base string `json:"base"`
		Next string `json:"next"`
	} `json:"_links"`
}

type searchResult struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Status  string `json:"status"`
	Title   string `json:"title"`
	Version *struct {
		Number int    `json:"number"`
		When   string `json:"when"`
	} `json:"version"`
	Metadata struct {
		Labels struct {
			Results []struct {
				Name string `json:"name"`
			} `json:"results"`
		} `json:"labels"`
	} `json:"metadata"`
	Links struct {
		WebUI string `json:"webui"`
	} `json:"_links"`
}

// decodeSearch reads one page of a CQL content search.
func decodeSearch(data []byte) (*searchPage, error) {
	var p searchPage
	if err := decodeObject(data, &p, "results"); err != nil {
		return nil, err
	}
	for i, r := range p.Results {
		if strings.TrimSpace(r.ID) == "" {
			return nil, fmt.Errorf("result %d has no id", i+1)
		}
	}
	return &p, nil
}

// pageBody is a page as its body fetch gives it, v1 or v2.
type pageBody struct {
	ID      string
	Title   string
	Storage string
	Created time.Time
	Version int
	Base    string
	WebUI   string
}

// decodePageV2 reads GET /wiki/api/v2/pages/{id}?body-format=storage.
func decodePageV2(data []byte) (*pageBody, error) {
	var p struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		CreatedAt string `json:"createdAt"`
		Version   struct {
			Number int `json:"number"`
		} `json:"version"`
		Body struct {
			Storage *struct {
				Value *string `json:"value"`
			} `json:"storage"`
		} `json:"body"`
		Links struct {
			Base  string `json:"base"`
			WebUI string `json:"webui"`
		} `json:"_links"`
	}
	if err := decodeObject(data, &p, "id"); err != nil {
		return nil, err
	}
	if p.Body.Storage == nil || p.Body.Storage.Value == nil {
		return nil, errors.New("the page has no storage body (body.storage.value)")
	}
	created, _ := atlassian.ParseTime(p.CreatedAt)
	return &pageBody{ID: p.ID, Title: p.Title, Storage: *p.Body.Storage.Value, Created: created,
		Version: p.Version.Number, Base: p.Links.Base, WebUI: p.Links.WebUI}, nil
}

// decodeContentV1 reads GET /rest/api/content/{id}?expand=body.storage,version,history.
func decodeContentV1(data []byte) (*pageBody, error) {
	var p struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Version struct {
			Number int `json:"number"`
		} `json:"version"`
		History struct {
			CreatedDate string `json:"createdDate"`
		} `json:"history"`
		Body struct {
			Storage *struct {
				Value *string `json:"value"`
			} `json:"storage"`
		} `json:"body"`
		Links struct {
			Base  string `json:"base"`
			WebUI string `json:"webui"`
		} `json:"_links"`
	}
	if err := decodeObject(data, &p, "id"); err != nil {
		return nil, err
	}
	if p.Body.Storage == nil || p.Body.Storage.Value == nil {
		return nil, errors.New("the page has no storage body (body.storage.value)")
	}
	created, _ := atlassian.ParseTime(p.History.CreatedDate)
	return &pageBody{ID: p.ID, Title: p.Title, Storage: *p.Body.Storage.Value, Created: created,
		Version: p.Version.Number, Base: p.Links.Base, WebUI: p.Links.WebUI}, nil
}

// decodeObject unmarshals a JSON object that must hold the key named
// (so that an unrelated object, an error body, is not read as empty).
func decodeObject(data []byte, v any, key string) error {
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
	return json.Unmarshal(data, v)
}
