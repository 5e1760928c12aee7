-- Pairs of factor categories found in the same assessed debriefs. Rows with
-- a NULL second category give one category's debriefs; the row with both
-- NULL gives the number of assessed debriefs (for lift).
-- Parameters: the filter of selected_debriefs.
WITH assessed AS (
    SELECT s.id, a.factor_categories
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) s
    JOIN assessments a ON a.debrief_id = s.id
),
per AS (SELECT id, unnest(factor_categories) AS category FROM assessed)
SELECT NULL AS a, NULL AS b, count(*) AS debriefs FROM assessed
UNION ALL
SELECT category, NULL, count(*) FROM per GROUP BY category
UNION ALL
SELECT x.category, y.category, count(*)
FROM per x JOIN per y ON x.id = y.id AND x.category < y.category
GROUP BY x.category, y.category;
