-- selected_debriefs is what every analytic query counts: the visible
-- (not removed) debriefs matching a filter, each with the period its date
-- falls in. Stored in the database, so the queries under analytics/queries
-- also run in the DuckDB CLI against a copy of the store, e.g.
--   SELECT * FROM selected_debriefs(NULL, NULL, [], [], [], [], [], 'quarter');
--
-- from_ts, to_ts   date bounds (from inclusive, to exclusive); NULL: none.
--                  With either bound set, undated debriefs are left out.
-- sources          source names; [] keeps all.
-- teams, services, tags
--                  lower-case names: a debrief is kept when it lists one
--                  of them, compared case-insensitively; [] keeps all.
-- severities       upper-case severities; [] keeps all.
-- unit             month, quarter or year: period is the date truncated to
--                  it (NULL for undated debriefs); NULL: period is NULL.
CREATE MACRO selected_debriefs(from_ts, to_ts, sources, teams, services, severities, tags, unit) AS TABLE
SELECT
    d.id, d.source, d.title, d.date,
    coalesce(nullif(upper(trim(d.severity)), ''), 'UNSPECIFIED') AS severity,
    d.started_at, d.detected_at, d.resolved_at,
    -- Truncated as a plain TIMESTAMP of the UTC time: date_trunc on a
    -- TIMESTAMPTZ goes through the time zone calendar, ten times slower.
    CASE WHEN unit IS NULL THEN NULL ELSE date_trunc(unit, make_timestamp(epoch_us(d.date))) END AS period
FROM debriefs d
WHERE d.removed_at IS NULL
  AND (from_ts IS NULL OR d.date >= from_ts)
  AND (to_ts IS NULL OR d.date < to_ts)
  AND (len(sources) = 0 OR list_contains(sources, d.source))
  AND (len(severities) = 0 OR list_contains(severities, coalesce(nullif(upper(trim(d.severity)), ''), 'UNSPECIFIED')))
  AND (len(teams) = 0 OR list_has_any(list_transform(d.teams, x -> lower(x)), teams))
  AND (len(services) = 0 OR list_has_any(list_transform(d.services, x -> lower(x)), services))
  AND (len(tags) = 0 OR list_has_any(list_transform(d.tags, x -> lower(x)), tags));
