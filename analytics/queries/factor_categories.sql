-- Recurring contributing factor categories: for each category (as its bit
-- index, facts.factor_bits), the assessed debriefs with a factor of it and
-- the first and last dates; the row with a NULL category gives the number
-- of assessed debriefs. The examples come from recent_categories.sql: an
-- arg_max over a (day, id) key here cost twice the rest of the query.
-- Parameters: the filter of selected_debriefs (migrations/0003).
WITH assessed AS (
    SELECT day, factor_bits FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
)
SELECT NULL AS category, count(*) AS debriefs, NULL AS first_seen, NULL AS last_seen FROM assessed
UNION ALL
SELECT category, count(*), min(day), max(day)
FROM (SELECT unnest(factor_bits) AS category, day FROM assessed)
GROUP BY category;
