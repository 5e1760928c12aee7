-- Recurring contributing factor categories: for each category (as its bit
-- index, facts.factor_bits), the assessed debriefs with a factor of it,
-- the first and last dates and the three most recent debriefs; the row
-- with a NULL category gives the number of assessed debriefs.
-- Parameters: the filter of selected_debriefs (migrations/0003).
WITH assessed AS (
    SELECT id, day, factor_bits FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
)
SELECT NULL AS category, count(*) AS debriefs, NULL AS first_seen, NULL AS last_seen, NULL AS examples FROM assessed
UNION ALL
SELECT category, count(*), min(day), max(day),
       arg_max(id, {'day': coalesce(day, '0001-01-01'::TIMESTAMP), 'id': id}, 3)
FROM (SELECT unnest(factor_bits) AS category, id, day FROM assessed)
GROUP BY category;
