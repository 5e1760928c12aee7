package api

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// Bounds on what a request may ask for.
const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 100_000
)

// page reads limit and offset, within bounds.
func page(c *gin.Context) (limit, offset int, err error) {
	limit, err = intParam(c, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return 0, 0, err
	}
	offset, err = intParam(c, "offset", 0, 0, maxOffset)
	return limit, offset, err
}

func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	raw, ok := c.GetQuery(name)
	if !ok || raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, badRequestf("%s must be a whole number, got %q", name, clip(raw))
	}
	if n < lo || n > hi {
		return 0, badRequestf("%s must be between %d and %d, got %d", name, lo, hi, n)
	}
	return n, nil
}

// timeParam reads an ISO date (2025-03-04), an RFC 3339 time or epoch
// milliseconds. A bare date used as an upper bound ends with that day.
func timeParam(c *gin.Context, name string, upper bool) (time.Time, error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, raw); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if ms, err := strconv.ParseInt(raw, 10, 64); err == nil && ms >= 0 && ms < 1e14 {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, badRequestf("%s must be a date (2025-03-04), an RFC 3339 time or epoch milliseconds, got %q", name, clip(raw))
}

// timeRange reads from and to and checks their order.
func timeRange(c *gin.Context) (from, to time.Time, err error) {
	if from, err = timeParam(c, "from", false); err != nil {
		return
	}
	if to, err = timeParam(c, "to", true); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = badRequestf("from (%s) must be before to (%s)", clip(c.Query("from")), clip(c.Query("to")))
	}
	return
}

// listParam reads a parameter that may repeat or hold comma-separated
// values.
func listParam(c *gin.Context, name string) []string {
	var out []string
	for _, v := range c.QueryArray(name) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// clip shortens what a client sent before it is echoed in a message.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
