-- selected_debriefs again (migration 0003 says what it is and what its
-- parameters mean), with the same rows: a debrief listing any of the
-- teams, services or tags asked for is kept. It tests each name asked for
-- with list_contains instead of calling list_has_any, which builds a set
-- for every row it looks at and made a filter on teams and tags cost more
-- than the counting it narrows (about 25 of 30 ms at 100,000 debriefs;
-- this way about 10).
CREATE OR REPLACE MACRO selected_debriefs(from_ts, to_ts, sources, teams, services, severities, tags, unit) AS TABLE
SELECT f.*,
       CASE WHEN unit IS NULL THEN NULL ELSE date_trunc(unit, f.day) END AS period
FROM facts f
WHERE (from_ts IS NULL OR f.day >= make_timestamp(epoch_us(from_ts)))
  AND (to_ts IS NULL OR f.day < make_timestamp(epoch_us(to_ts)))
  AND (len(sources) = 0 OR list_contains(sources, f.source))
  AND (len(severities) = 0 OR list_contains(severities, f.severity))
  AND (len(teams) = 0 OR len(list_filter(teams, x -> list_contains(f.teams, x))) > 0)
  AND (len(services) = 0 OR len(list_filter(services, x -> list_contains(f.services, x))) > 0)
  AND (len(tags) = 0 OR len(list_filter(tags, x -> list_contains(f.tags, x))) > 0);
