-- Incident durations (resolved minus started) and times to detect
-- (detected minus started), in minutes, per period (NULL without $unit):
-- median and 90th percentile (interpolated between ranks) and maximum,
-- never only a mean, since incident durations are heavily skewed. A
-- debrief counts in a figure only when it has both times and they are in
-- order; inconsistent counts those whose end comes before their start.
-- Times to detect are in detection.sql, which the store runs at the same
-- time: each percentile is a sort of its own, and the two queries use the
-- two cores (30 ms for both in one query at 100,000 debriefs).
-- Parameters: the filter of selected_debriefs.
WITH sel AS (
    SELECT period, duration_minutes AS d, detect_minutes AS t
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
    WHERE $unit::VARCHAR IS NULL OR day IS NOT NULL
)
SELECT period,
       count(*) AS debriefs,
       count(*) FILTER (WHERE d >= 0) AS with_duration,
       quantile_cont(CASE WHEN d >= 0 THEN d END, [0.5, 0.9]) AS duration_quantiles,
       max(CASE WHEN d >= 0 THEN d END) AS duration_max,
       count(*) FILTER (WHERE d < 0 OR t < 0) AS inconsistent
FROM sel
GROUP BY period
ORDER BY period NULLS FIRST;
