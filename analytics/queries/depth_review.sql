-- Debriefs whose assessment found a single root cause, newest first: the
-- ones to revisit, with the reasons of their depth score.
-- Parameters: the filter of selected_debriefs, $limit, $offset.
SELECT id, title, day, depth_score, depth_reasons
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed AND depth_class = 'single_root_cause'
ORDER BY day DESC NULLS LAST, id
LIMIT $limit OFFSET $offset;
