-- Recurring contributing factors, grouped by their normalised key (the same
-- factor worded differently in different debriefs has the same key): the
-- debriefs stating it, their share of all assessed debriefs, first and last
-- dates, and from factor_labels the key, its shortest wording as a label
-- with its categories, how many different wordings the store holds, and
-- whether some debrief states it explicitly. Factors without a key
-- ("unspecified") are left out; the examples come from recent.sql.
-- Parameters: the filter of selected_debriefs, $min_debriefs, $limit.
WITH assessed AS (
    SELECT day, factor_keys FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
),
top AS (
    SELECT key_hash, count(*) AS debriefs, min(day) AS first_seen, max(day) AS last_seen
    FROM (SELECT unnest(factor_keys) AS key_hash, day FROM assessed)
    GROUP BY key_hash
    HAVING count(*) >= $min_debriefs
    ORDER BY debriefs DESC, key_hash
    LIMIT $limit
)
SELECT l.key, t.debriefs, t.debriefs / (SELECT count(*) FROM assessed) AS share,
       t.first_seen, t.last_seen, l.wordings, l.label, l.categories, l.explicit, t.key_hash
FROM top t JOIN factor_labels l ON l.key_hash = t.key_hash
ORDER BY t.debriefs DESC, l.key;
