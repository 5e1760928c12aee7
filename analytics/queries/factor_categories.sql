-- Recurring contributing factor categories: for each category, the assessed
-- debriefs with a factor of it, their share of all assessed debriefs, and
-- the first and last dates (the examples come from recent.sql).
-- Parameters: the filter of selected_debriefs (migrations/0003), and
-- $min_debriefs, the fewest debriefs a category needs to be listed.
WITH assessed AS (
    SELECT day, factor_categories FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
)
SELECT category,
       count(*) AS debriefs,
       count(*) / (SELECT count(*) FROM assessed) AS share,
       min(day) AS first_seen,
       max(day) AS last_seen
FROM (SELECT unnest(factor_categories) AS category, day FROM assessed)
GROUP BY category
HAVING count(*) >= $min_debriefs
ORDER BY debriefs DESC, category;
