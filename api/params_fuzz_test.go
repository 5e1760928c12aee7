package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/index"
)

// FuzzSearchParams: any query string either gives a search within every
// bound, or a bad request whose message is short, valid UTF-8 and
// explains itself; never a panic. The listing's paging and dates go
// through the same parsers.
func FuzzSearchParams(f *testing.F) {
	for _, s := range []string{
		"", "q=disk+full", "q=%22queue&limit=100&offset=10000", "limit=0", "limit=101", "limit=-1", "limit=1e3",
		"offset=99999999999999999999", "from=2025-03-04&to=2025-03-04", "from=2025-03-04T09:00:00Z&to=2025-03-05",
		"from=1741078800000", "to=-5", "from=2025-02-30", "sort=date", "sort=%00", "source=a,b,,c&source=d",
		"severity=SEV1&severity=SEV2&tag=%FF%FE", "q=" + string(make([]byte, 1100)), "from=2025-03-04T09:00:00.1234567891234Z",
		"%zz=1&limit=%", "q=a&q=b", "year=2025&covers=timeline&depth=shallow&category=config_change",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/api/v1/search", RawQuery: raw}, Header: http.Header{}}
		check := func(what string, err error) {
			t.Helper()
			var br *badRequest
			if !errors.As(err, &br) {
				t.Fatalf("%s of %q: error %v (%T) is not a bad request", what, raw, err, err)
			}
			if br.msg == "" || len(br.msg) > 600 || !utf8.ValidString(br.msg) {
				t.Fatalf("%s of %q: message %q", what, raw, br.msg)
			}
		}
		req, err := searchRequest(c)
		if err != nil {
			check("search", err)
		} else {
			if req.Limit < 1 || req.Limit > maxLimit || req.Offset < 0 || req.Offset > index.MaxOffset || len(req.Query) > index.MaxQueryLength {
				t.Fatalf("%q: search out of bounds: limit %d, offset %d, query of %d bytes", raw, req.Limit, req.Offset, len(req.Query))
			}
			if !req.From.IsZero() && !req.To.IsZero() && !req.From.Before(req.To) {
				t.Fatalf("%q: from %v is not before to %v", raw, req.From, req.To)
			}
			for field, vs := range req.Filters {
				if len(vs) == 0 {
					t.Fatalf("%q: filter %s with no values", raw, field)
				}
			}
		}
		if limit, offset, err := page(c); err != nil {
			check("page", err)
		} else if limit < 1 || limit > maxLimit || offset < 0 || offset > maxOffset {
			t.Fatalf("%q: page out of bounds: %d, %d", raw, limit, offset)
		}
		if _, _, err := timeRange(c); err != nil {
			check("time range", err)
		}
	})
}
