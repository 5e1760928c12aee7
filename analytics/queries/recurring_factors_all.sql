-- recurring_factors.sql without a filter, from factor_totals: the same
-- rows (every visible assessed debrief counts).
-- Parameters: $min_debriefs, $limit.
WITH top AS (
    SELECT key_hash, debriefs, first_seen, last_seen
    FROM factor_totals
    WHERE debriefs >= $min_debriefs
    ORDER BY debriefs DESC, key_hash
    LIMIT $limit
)
SELECT l.key, t.debriefs, t.debriefs / (SELECT count(*) FROM facts WHERE assessed) AS share,
       t.first_seen, t.last_seen, l.wordings, l.label, l.categories, l.explicit, t.key_hash
FROM top t JOIN factor_labels l ON l.key_hash = t.key_hash
ORDER BY t.debriefs DESC, l.key;
