-- Question coverage: per period (NULL without $unit) and combination of
-- question categories covered (covered_mask, one bit per category in the
-- guide's order), the assessed debriefs; the shares per category follow
-- from these rows (analytics/coverage.go). With $unit set, undated
-- debriefs are left out.
-- Parameters: the filter of selected_debriefs.
SELECT period, covered_mask, count(*) AS debriefs
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed AND ($unit::VARCHAR IS NULL OR day IS NOT NULL)
GROUP BY period, covered_mask;
