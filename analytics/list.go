package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ListFilter selects debriefs for a listing by date.
type ListFilter struct {
	// From and To bound the debrief's date (From inclusive, To exclusive);
	// zero means unbounded. Debriefs without a date are listed only when
	// neither bound is set.
	From, To time.Time
	// Sources keeps debriefs of these sources; empty keeps all.
	Sources []string
	// IncludeRemoved also lists debriefs that disappeared from their source.
	IncludeRemoved bool
	Limit, Offset  int
}

// Listing is one page of debriefs and the total matching the filter.
type Listing struct {
	Total    int       `json:"total"`
	Debriefs []Summary `json:"debriefs"`
}

// Summary is a debrief as a list shows it.
type Summary struct {
	ID        string    `json:"id"`
	Source    string    `json:"source"`
	Ref       string    `json:"ref"`
	URL       string    `json:"url,omitempty"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary,omitempty"`
	Severity  string    `json:"severity,omitempty"`
	Services  []string  `json:"services,omitempty"`
	Teams     []string  `json:"teams,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Date      time.Time `json:"date,omitzero"`
	RemovedAt time.Time `json:"removed_at,omitzero"`
}

// Debriefs lists debriefs newest first (undated ones last).
func (s *Store) Debriefs(ctx context.Context, f ListFilter) (Listing, error) {
	var where []string
	var args []any
	if !f.IncludeRemoved {
		where = append(where, "removed_at IS NULL")
	}
	if !f.From.IsZero() {
		where = append(where, "date >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "date < ?")
		args = append(args, f.To.UTC())
	}
	if len(f.Sources) > 0 {
		where = append(where, "source IN ("+placeholders(len(f.Sources))+")")
		for _, src := range f.Sources {
			args = append(args, src)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var l Listing
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM debriefs `+cond, args...).Scan(&l.Total); err != nil {
		return l, fmt.Errorf("analytics: count debriefs: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, ref, url, title, summary, severity, services, teams, tags, date, removed_at
		FROM debriefs `+cond+` ORDER BY date DESC NULLS LAST, title, id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return l, fmt.Errorf("analytics: list debriefs: %w", err)
	}
	defer rows.Close()
	l.Debriefs = []Summary{}
	for rows.Next() {
		var d Summary
		var url, summary, severity sql.NullString
		var services, teams, tags stringList
		if err := rows.Scan(&d.ID, &d.Source, &d.Ref, &url, &d.Title, &summary, &severity, &services, &teams, &tags,
			nullableTime{&d.Date}, nullableTime{&d.RemovedAt}); err != nil {
			return l, fmt.Errorf("analytics: list debriefs: %w", err)
		}
		d.URL, d.Summary, d.Severity = url.String, summary.String, severity.String
		d.Services, d.Teams, d.Tags = emptyNil(services), emptyNil(teams), emptyNil(tags)
		l.Debriefs = append(l.Debriefs, d)
	}
	if err := rows.Err(); err != nil {
		return l, fmt.Errorf("analytics: list debriefs: %w", err)
	}
	return l, nil
}
