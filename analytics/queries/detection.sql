-- Times to detect (detected minus started), in minutes, per period (NULL
-- without $unit): median and 90th percentile (interpolated between ranks)
-- and maximum, over the debriefs with both times in order; the other half
-- of durations.sql, run beside it.
-- Parameters: the filter of selected_debriefs.
WITH sel AS (
    SELECT period, detect_minutes AS t
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
    WHERE $unit::VARCHAR IS NULL OR day IS NOT NULL
)
SELECT period,
       count(*) FILTER (WHERE t >= 0) AS with_detection,
       quantile_cont(CASE WHEN t >= 0 THEN t END, [0.5, 0.9]) AS detect_quantiles,
       max(CASE WHEN t >= 0 THEN t END) AS detect_max
FROM sel
GROUP BY period;
