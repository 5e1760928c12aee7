package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/secondstory/secondstory/ingest"
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

// Hit is a debrief as a search result shows it: enough to list it and to
// cut highlighted passages from its sections.
type Hit struct {
	Summary
	// StartedAt is when the incident started, when the debrief says.
	StartedAt        time.Time        `json:"started_at,omitzero"`
	Sections         []ingest.Section `json:"-"`
	DepthClass       string           `json:"depth_class,omitempty"`
	FactorCategories []string         `json:"factor_categories,omitempty"`
}

// Hits returns the debriefs with the given ids, in that order; ids not in
// the store are left out (removed between search and hydration, say).
func (s *Store) Hits(ctx context.Context, ids []string) ([]Hit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, ref, url, title, summary, severity, services, teams, tags,
		date, started_at, removed_at, text, sections, depth_class, factor_categories
		FROM debriefs LEFT JOIN assessments ON debrief_id = id WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: hits: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]Hit, len(ids))
	for rows.Next() {
		var h Hit
		var url, summary, severity, depth sql.NullString
		var services, teams, tags, cats stringList
		var text, sections string
		if err := rows.Scan(&h.ID, &h.Source, &h.Ref, &url, &h.Title, &summary, &severity, &services, &teams, &tags,
			nullableTime{&h.Date}, nullableTime{&h.StartedAt}, nullableTime{&h.RemovedAt}, &text, &sections, &depth, &cats); err != nil {
			return nil, fmt.Errorf("analytics: hits: %w", err)
		}
		h.URL, h.Summary.Summary, h.Severity, h.DepthClass = url.String, summary.String, severity.String, depth.String
		h.Services, h.Teams, h.Tags, h.FactorCategories = emptyNil(services), emptyNil(teams), emptyNil(tags), emptyNil(cats)
		if h.Sections, err = decodeSections([]byte(sections), text); err != nil {
			return nil, fmt.Errorf("analytics: hits: decode sections of %s: %w", h.ID, err)
		}
		if len(h.Sections) == 0 && text != "" {
			h.Sections = []ingest.Section{{Kind: ingest.KindOther, Text: text}}
		}
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("analytics: hits: %w", err)
	}
	out := make([]Hit, 0, len(ids))
	for _, id := range ids {
		if h, ok := byID[id]; ok {
			out = append(out, h)
		}
	}
	return out, nil
}
