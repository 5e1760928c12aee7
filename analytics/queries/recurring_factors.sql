-- Recurring contributing factors, grouped by their normalised key (the same
-- factor worded differently in different debriefs has the same key): the
-- debriefs stating it, their share of all assessed debriefs, first and last
-- dates, how many different wordings were seen, the shortest wording as a
-- label with its categories, and the three most recent debriefs.
-- Factors without a key ("unspecified") are left out.
-- Parameters: the filter of selected_debriefs, $min_debriefs, $limit.
WITH assessed AS (
    SELECT s.id, s.date
    FROM selected_debriefs($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $sources::VARCHAR[], $teams::VARCHAR[], $services::VARCHAR[], $severities::VARCHAR[], $tags::VARCHAR[], $unit::VARCHAR) s
    JOIN assessments a ON a.debrief_id = s.id
),
total AS (SELECT count(*) AS n FROM assessed),
per AS (
    SELECT f.key, f.text, f.categories, f.explicit, s.id, s.date
    FROM factors f JOIN assessed s ON s.id = f.debrief_id
    WHERE f.key <> 'unspecified'
),
grouped AS (
    SELECT key,
           count(DISTINCT id) AS debriefs,
           min(date) AS first_seen,
           max(date) AS last_seen,
           count(DISTINCT text) AS wordings,
           arg_min(text, length(text)) AS label,
           arg_min(categories, length(text)) AS categories,
           bool_or(explicit) AS explicit
    FROM per
    GROUP BY key
    HAVING count(DISTINCT id) >= $min_debriefs
    ORDER BY debriefs DESC, key
    LIMIT $limit
),
examples AS (
    SELECT key, (list(id ORDER BY date DESC NULLS LAST, id))[1:3] AS examples
    FROM (SELECT DISTINCT p.key, p.id, p.date FROM per p SEMI JOIN grouped g ON g.key = p.key)
    GROUP BY key
)
SELECT g.key, g.debriefs, g.debriefs / (SELECT n FROM total) AS share,
       g.first_seen, g.last_seen, g.wordings, g.label, g.categories, g.explicit, e.examples
FROM grouped g JOIN examples e ON e.key = g.key
ORDER BY g.debriefs DESC, g.key;
