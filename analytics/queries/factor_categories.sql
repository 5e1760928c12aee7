-- Recurring contributing factor categories: for each category, the assessed
-- debriefs with a factor of it, their share of all assessed debriefs, the
-- first and last dates, and the three most recent debriefs as examples.
-- Parameters: the filter of selected_debriefs (migrations/0003), and
-- $min_debriefs, the fewest debriefs a category needs to be listed.
WITH assessed AS (
    SELECT s.id, s.date, a.factor_categories
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) s
    JOIN assessments a ON a.debrief_id = s.id
),
total AS (SELECT count(*) AS n FROM assessed),
per AS (SELECT unnest(factor_categories) AS category, id, date FROM assessed)
SELECT category,
       count(*) AS debriefs,
       count(*) / (SELECT n FROM total) AS share,
       min(date) AS first_seen,
       max(date) AS last_seen,
       (list(id ORDER BY date DESC NULLS LAST, id))[1:3] AS examples
FROM per
GROUP BY category
HAVING count(*) >= $min_debriefs
ORDER BY debriefs DESC, category;
