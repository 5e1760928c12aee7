-- factor_totals holds, per factor key (as facts.factor_keys hashes it), the
-- assessed visible debriefs stating it and their first and last dates:
-- what recurring_factors.sql counts when no filter is set, kept by the
-- store for the keys a write touches (analytics/facts.go), so that the
-- view every dashboard opens on reads a few thousand rows instead of
-- unnesting every debrief's keys (about 20 ms at 100,000 debriefs).
CREATE TABLE factor_totals (
    key_hash   UBIGINT NOT NULL,
    debriefs   BIGINT NOT NULL,
    first_seen TIMESTAMP,
    last_seen  TIMESTAMP
);

-- A store migrated from before migration 0003 has no facts yet: the store
-- fills facts and factor_totals together once its migrations are applied.
INSERT INTO factor_totals
SELECT key_hash, count(*), min(day), max(day)
FROM (SELECT unnest(factor_keys) AS key_hash, day FROM facts WHERE assessed)
GROUP BY key_hash;
