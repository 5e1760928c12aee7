-- Assessed debriefs with the question categories each covers (as bits in
-- the guide's order), newest first, for a heatmap.
-- Parameters: the filter of selected_debriefs, $limit, $offset.
SELECT id, title, day, covered_mask
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed
ORDER BY day DESC NULLS LAST, id
LIMIT $limit OFFSET $offset;
