-- Incident durations (resolved minus started) and times to detect
-- (detected minus started), in minutes, per period (NULL without $unit):
-- median and 90th percentile (interpolated) and maximum, never only a mean,
-- since incident durations are heavily skewed. A debrief counts in a figure
-- only when it has both times and they are in order; inconsistent counts
-- those whose end comes before their start.
-- Parameters: the filter of selected_debriefs.
WITH t AS (
    SELECT period,
           (epoch_us(resolved_at) - epoch_us(started_at)) / 60e6 AS duration,
           (epoch_us(detected_at) - epoch_us(started_at)) / 60e6 AS detect
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
    WHERE $unit::VARCHAR IS NULL OR period IS NOT NULL
)
SELECT period,
       count(*) AS debriefs,
       count(duration) FILTER (WHERE duration >= 0) AS with_duration,
       quantile_cont(duration, 0.5) FILTER (WHERE duration >= 0) AS duration_median,
       quantile_cont(duration, 0.9) FILTER (WHERE duration >= 0) AS duration_p90,
       max(duration) FILTER (WHERE duration >= 0) AS duration_max,
       count(detect) FILTER (WHERE detect >= 0) AS with_detection,
       quantile_cont(detect, 0.5) FILTER (WHERE detect >= 0) AS detect_median,
       quantile_cont(detect, 0.9) FILTER (WHERE detect >= 0) AS detect_p90,
       max(detect) FILTER (WHERE detect >= 0) AS detect_max,
       count(*) FILTER (WHERE duration < 0 OR detect < 0) AS inconsistent
FROM t
GROUP BY period
ORDER BY period NULLS FIRST;
