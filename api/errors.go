package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics"
	"github.com/secondstory/secondstory/index"
	"github.com/secondstory/secondstory/ingest"
)

// badRequest is an error in what the client sent; its message is shown.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badRequest{msg: fmt.Sprintf(format, args...)}
}

// errorBody is the one JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// fail maps err to a status and renders it. Errors the client caused are
// explained; anything else is logged and answered with a generic message,
// so that internal details (paths, SQL) do not leak.
func fail(c *gin.Context, log *slog.Logger, err error) {
	status, msg := http.StatusInternalServerError, "internal error; the server log has the details"
	var br *badRequest
	switch {
	case errors.As(err, &br):
		status, msg = http.StatusBadRequest, br.msg
	case errors.Is(err, index.ErrBadSearch):
		status, msg = http.StatusBadRequest, strings.TrimPrefix(err.Error(), index.ErrBadSearch.Error()+": ")
	case errors.As(err, new(*notFoundError)):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, analytics.ErrBadQuery):
		status, msg = http.StatusBadRequest, strings.TrimPrefix(err.Error(), analytics.ErrBadQuery.Error()+": ")
	case errors.Is(err, analytics.ErrNotFound), errors.Is(err, ingest.ErrUnknownSource):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, ingest.ErrRunning):
		status, msg = http.StatusConflict, err.Error()
	case errors.Is(err, ingest.ErrShuttingDown):
		status, msg = http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, c.Request.Context().Err()) && c.Request.Context().Err() != nil:
		status, msg = http.StatusServiceUnavailable, "the request was cancelled or timed out"
	case isBodyTooLarge(err):
		status, msg = http.StatusRequestEntityTooLarge, "the request body is larger than the limit"
	default:
		log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err, "request_id", c.GetString("request_id"))
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Status: status, Message: msg}})
}

// notFound answers routes that do not exist in the same JSON shape, or,
// for a browser asking for a page outside /api/, with the pages' own
// "not found" page when they set one.
func (s *server) notFound(c *gin.Context) {
	if s.pageNotFound != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") &&
		(c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) &&
		strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.pageNotFound(c)
		return
	}
	c.JSON(http.StatusNotFound, errorBody{Error: errorDetail{Status: http.StatusNotFound,
		Message: fmt.Sprintf("no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path)}})
}
