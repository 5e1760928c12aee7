-- Assessed debriefs per period, and per period and factor category (as its
-- bit index) the debriefs with a factor of that category. Rows with a NULL
-- category give the period's total. Undated debriefs are left out.
-- Parameters: the filter of selected_debriefs ($unit: month, quarter, year).
WITH assessed AS (
    SELECT period, factor_bits FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed AND day IS NOT NULL
)
SELECT period, NULL AS category, count(*) AS debriefs FROM assessed GROUP BY period
UNION ALL
SELECT period, category, count(*) AS debriefs
FROM (SELECT period, unnest(factor_bits) AS category FROM assessed)
GROUP BY period, category;
