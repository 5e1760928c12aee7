-- factor_categories.sql without a filter, from category_totals: the same
-- rows (every visible assessed debrief counts).
SELECT NULL AS category, count(*) AS debriefs, NULL AS first_seen, NULL AS last_seen FROM facts WHERE assessed
UNION ALL
SELECT category, debriefs, first_seen, last_seen FROM category_totals;
