-- Assessed debriefs with the question categories each covers, newest
-- first, for a heatmap; total is the number of rows without the page.
-- Parameters: the filter of selected_debriefs, $limit, $offset.
SELECT s.id, s.title, s.date, a.covered, count(*) OVER () AS total
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) s
JOIN assessments a ON a.debrief_id = s.id
ORDER BY s.date DESC NULLS LAST, s.id
LIMIT $limit OFFSET $offset;
