-- Depth beyond a single root cause: per period (NULL without $unit) the
-- assessed debriefs, their counts per depth class, the median depth score,
-- and the debriefs using blame or counterfactual language.
-- Parameters: the filter of selected_debriefs.
SELECT period,
       count(*) AS debriefs,
       count(*) FILTER (WHERE depth_class = 'single_root_cause') AS single_root_cause,
       count(*) FILTER (WHERE depth_class = 'multiple_causes') AS multiple_causes,
       count(*) FILTER (WHERE depth_class = 'contributing_factors') AS contributing_factors,
       median(depth_score) AS median_score,
       count(*) FILTER (WHERE blame > 0) AS with_blame,
       count(*) FILTER (WHERE counterfactuals > 0) AS with_counterfactuals
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed AND ($unit::VARCHAR IS NULL OR day IS NOT NULL)
GROUP BY period
ORDER BY period NULLS FIRST;
