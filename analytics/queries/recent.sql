-- The most recent assessed debriefs with their factor keys (as hashes):
-- where the examples of a recurring factor are found. With $keys set,
-- only debriefs stating one of those keys.
-- Parameters: the filter of selected_debriefs, $keys ([]: any), $limit.
SELECT id, factor_keys
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed
  AND (len($keys::UBIGINT[]) = 0 OR list_has_any(factor_keys, $keys::UBIGINT[]))
ORDER BY day DESC NULLS LAST, id
LIMIT $limit;
