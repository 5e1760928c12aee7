-- Recurring contributing factor categories: for each category (as its bit
-- index, facts.factor_bits), the assessed debriefs with a factor of it and
-- the first and last dates; the row with a NULL category and id gives the
-- number of assessed debriefs. Then the $limit most recent of them with a
-- factor (id and factor_mask; the rest NULL), where the examples are found,
-- in the order of recent_categories.sql: an arg_max over a (day, id) key
-- here cost twice the rest of the query. One statement, so the filter is
-- worked out once.
-- Parameters: the filter of selected_debriefs (migrations/0003), $limit.
WITH assessed AS (
    SELECT id, day, factor_bits, factor_mask FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
)
SELECT NULL AS category, count(*) AS debriefs, NULL AS first_seen, NULL AS last_seen, NULL AS id, NULL AS factor_mask FROM assessed
UNION ALL
SELECT category, count(*), min(day), max(day), NULL, NULL
FROM (SELECT unnest(factor_bits) AS category, day FROM assessed)
GROUP BY category
UNION ALL
(SELECT NULL, NULL, NULL, NULL, id, factor_mask
 FROM assessed
 WHERE factor_mask <> 0
 ORDER BY coalesce(day, '0001-01-01'::TIMESTAMP) DESC, id DESC
 LIMIT $limit);
