-- Question coverage: per period (NULL without $unit) the assessed debriefs,
-- and per period and question category the debriefs covering it. Rows with
-- a NULL category give the period's total. With $unit set, undated
-- debriefs are left out.
-- Parameters: the filter of selected_debriefs.
WITH assessed AS (
    SELECT period, covered FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
    WHERE assessed AND ($unit::VARCHAR IS NULL OR day IS NOT NULL)
)
SELECT period, NULL AS category, count(*) AS debriefs FROM assessed GROUP BY period
UNION ALL
SELECT period, category, count(*)
FROM (SELECT period, unnest(covered) AS category FROM assessed)
GROUP BY period, category
ORDER BY period NULLS FIRST, category NULLS FIRST;
