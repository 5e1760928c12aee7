package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
)

// Exporter writes a table of the store to a file (analytics.Store.Export).
type Exporter interface {
	Export(ctx context.Context, table, format, path string) error
}

// exportTimeout is the deadline of an export: the whole store may be
// written, so it is longer than the handler timeout.
const exportTimeout = 5 * time.Minute

// export answers GET /api/v1/export/{table}.csv with the table as CSV,
// written by DuckDB into a temporary file that is streamed and removed.
func (s *server) export(c *gin.Context) {
	if err := only(c); err != nil {
		fail(c, s.log, err)
		return
	}
	table, ok := strings.CutSuffix(c.Param("file"), ".csv")
	if !ok || !slices.Contains(analytics.ExportTables, table) {
		fail(c, s.log, &notFoundError{msg: fmt.Sprintf("no export %q; the exports are %s", clip(c.Param("file")),
			strings.Join(exportFiles(), ", "))})
		return
	}
	dir, err := os.MkdirTemp("", "secondstory-export-")
	if err != nil {
		fail(c, s.log, fmt.Errorf("export %s: %w", table, err))
		return
	}
	defer os.RemoveAll(dir)
	path := dir + "/" + table + ".csv"
	if err := s.exporter.Export(c.Request.Context(), table, "csv", path); err != nil {
		fail(c, s.log, err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fail(c, s.log, fmt.Errorf("export %s: %w", table, err))
		return
	}
	defer f.Close()
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+table+`.csv"`)
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, f); err != nil {
		s.log.Warn("export interrupted", "table", table, "err", err, "request_id", c.GetString("request_id"))
	}
}

func exportFiles() []string {
	out := make([]string, len(analytics.ExportTables))
	for i, t := range analytics.ExportTables {
		out[i] = t + ".csv"
	}
	return out
}

// notFoundError is a 404 whose message is shown.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
