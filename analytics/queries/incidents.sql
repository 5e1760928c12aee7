-- Debriefs per period (NULL without $unit), severity and source. Every
-- visible debrief counts, assessed or not; with $unit set, undated ones
-- are left out.
-- Parameters: the filter of selected_debriefs.
SELECT period, severity, source, count(*) AS debriefs
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE $unit::VARCHAR IS NULL OR day IS NOT NULL
GROUP BY period, severity, source
ORDER BY period NULLS FIRST, severity, source;
