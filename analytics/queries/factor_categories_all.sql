-- factor_categories.sql without a filter, from category_totals: the same
-- counts (every visible assessed debriefs counts); the most recent debriefs
-- come from recent_categories.sql, run at the same time.
SELECT NULL AS category, count(*) AS debriefs, NULL AS first_seen, NULL AS last_seen, NULL AS id, NULL AS factor_mask FROM facts WHERE assessed
UNION ALL
SELECT category, debriefs, first_seen, last_seen, NULL, NULL FROM category_totals;
