-- The most recent assessed debriefs with a factor of one of the categories
-- of $mask (bits as in facts.factor_mask), with their categories: where the
-- examples of a factor category are found. Most recent is the latest date,
-- then the greatest id; undated debriefs come last.
-- Parameters: the filter of selected_debriefs, $mask, $limit.
SELECT id, factor_mask
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed AND factor_mask & $mask::BIGINT <> 0
ORDER BY coalesce(day, '0001-01-01'::TIMESTAMP) DESC, id DESC
LIMIT $limit;
