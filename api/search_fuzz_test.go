package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/secondstory/secondstory/api"
	"github.com/secondstory/secondstory/ingest/dir"
)

// FuzzSearchHandler sends any query string to GET /api/v1/search over a
// real store and index: the answer is a result within its bounds or an
// error the client caused, in the one error shape; never a 500.
func FuzzSearchHandler(f *testing.F) {
	for _, s := range []string{
		"q=queue", "q=%22backed+up%22+-deploy", "q=title:checkout&severity=SEV2", "q=work*&sort=date&limit=1&offset=1",
		"q=%22unclosed", "q=colour:red", "q=-", "q=***", "q=a:b:c&source=notes,wiki", "from=2025-01-01&to=2025-12-31&year=2025",
		"q=queue&category=config_change&depth=shallow&covers=timeline", "q=%FF%FE", "q=%00", "limit=0", "offset=10001",
		"q=queue&tag=" + string(bytes.Repeat([]byte("x"), 300)), "q=" + string(bytes.Repeat([]byte("a "), 600)),
	} {
		f.Add(s)
	}
	g := newGuarded(f, guardOptions{options: func(o *api.Options) {
		o.Limits = api.Limits{SearchRate: 1e6, SearchBurst: 1e6}
	}})
	for name, fsys := range map[string]fstest.MapFS{"notes": notes, "wiki": markup} {
		if _, err := g.runner.Run(context.Background(), name, dir.NewFS(fsys, dir.Options{}), nil); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
			var r searchResponse
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
				t.Fatalf("%q: 200 with body %s: %v", raw, w.Body, err)
			}
			if r.Limit < 1 || r.Limit > 100 || len(r.Hits) > r.Limit || r.Total < 0 || r.Offset < 0 {
				t.Fatalf("%q: result out of bounds: total %d, limit %d, offset %d, %d hits", raw, r.Total, r.Limit, r.Offset, len(r.Hits))
			}
		case http.StatusBadRequest, http.StatusRequestURITooLong:
			errorMessage(t, response{status: w.Code, body: w.Body.Bytes()})
		default:
			t.Fatalf("%q: status %d: %s", raw, w.Code, w.Body)
		}
	})
}
