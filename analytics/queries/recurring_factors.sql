-- Recurring contributing factors, grouped by their normalised key (the same
-- factor worded differently in different debriefs has the same key): the
-- debriefs stating it, their share of all assessed debriefs, first and last
-- dates, and from the factors themselves how many different wordings were
-- seen, the shortest as a label with its categories, and whether some
-- debrief states it explicitly. Wordings are counted and compared by the
-- hash and length of their text. Factors without a key ("unspecified") are
-- left out; the examples come from recent.sql.
-- Parameters: the filter of selected_debriefs, $min_debriefs, $limit.
WITH assessed AS (
    SELECT id, day, factor_keys FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) WHERE assessed
),
top AS (
    SELECT key_hash, count(*) AS debriefs, min(day) AS first_seen, max(day) AS last_seen
    FROM (SELECT unnest(factor_keys) AS key_hash, day FROM assessed)
    GROUP BY key_hash
    HAVING count(*) >= $min_debriefs
    ORDER BY debriefs DESC, key_hash
    LIMIT $limit
),
wording AS (
    SELECT key_hash,
           count(DISTINCT text_hash) AS wordings,
           arg_min(text_hash, {'len': text_len, 'hash': text_hash}) AS label_hash,
           bool_or(explicit) AS explicit
    FROM factors
    WHERE key_hash IN (SELECT key_hash FROM top)
      AND debrief_id IN (SELECT id FROM assessed)
    GROUP BY key_hash
),
label AS (
    SELECT key_hash, text_hash, any_value(key) AS key, any_value(text) AS text, any_value(categories) AS categories
    FROM factors
    WHERE key_hash IN (SELECT key_hash FROM top) AND text_hash IN (SELECT label_hash FROM wording)
    GROUP BY key_hash, text_hash
)
SELECT l.key, t.debriefs, t.debriefs / (SELECT count(*) FROM assessed) AS share,
       t.first_seen, t.last_seen, w.wordings, l.text, l.categories, w.explicit, t.key_hash
FROM top t
JOIN wording w ON w.key_hash = t.key_hash
JOIN label l ON l.key_hash = w.key_hash AND l.text_hash = w.label_hash
ORDER BY t.debriefs DESC, l.key;
