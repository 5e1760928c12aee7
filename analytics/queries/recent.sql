-- The most recent assessed debriefs, with their factor categories (as
-- bits) and factor keys (as hashes): where the examples of a recurring
-- category or factor are found. With $bits or $keys set, only debriefs
-- with one of those categories or keys.
-- Parameters: the filter of selected_debriefs, $bits (0: any), $keys
-- ([]: any), $limit.
SELECT id, factor_mask, factor_keys
FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR)
WHERE assessed
  AND (($bits::BIGINT = 0 AND len($keys::UBIGINT[]) = 0)
       OR factor_mask & $bits::BIGINT <> 0
       OR list_has_any(factor_keys, $keys::UBIGINT[]))
ORDER BY day DESC NULLS LAST, id
LIMIT $limit;
