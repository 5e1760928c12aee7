-- Debriefs whose assessment found a single root cause, newest first: the
-- ones to revisit. body holds the assessment with the depth reasons; total
-- is the number of rows without the page.
-- Parameters: the filter of selected_debriefs, $limit, $offset.
SELECT s.id, s.title, s.date, a.depth_score, a.body, count(*) OVER () AS total
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) s
JOIN assessments a ON a.debrief_id = s.id
WHERE a.depth_class = 'single_root_cause'
ORDER BY s.date DESC NULLS LAST, s.id
LIMIT $limit OFFSET $offset;
