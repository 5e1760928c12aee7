-- Assessed debriefs per period, and per period and factor category the
-- debriefs with a factor of that category. Rows with a NULL category give
-- the period's total. Undated debriefs have no period and are left out.
-- Parameters: the filter of selected_debriefs ($unit: month, quarter, year).
WITH assessed AS (
    SELECT period, factor_categories FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed AND day IS NOT NULL
)
SELECT period, NULL AS category, count(*) AS debriefs FROM assessed GROUP BY period
UNION ALL
SELECT period, category, count(*) AS debriefs
FROM (SELECT period, unnest(factor_categories) AS category FROM assessed)
GROUP BY period, category
ORDER BY period, category NULLS FIRST;
