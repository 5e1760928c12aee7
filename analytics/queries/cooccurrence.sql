-- Assessed debriefs per combination of factor categories (factor_mask,
-- one bit per category): pairs, their counts and lift follow from these
-- rows (analytics/factors.go).
-- Parameters: the filter of selected_debriefs.
SELECT factor_mask, count(*) AS debriefs
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed
GROUP BY factor_mask;
