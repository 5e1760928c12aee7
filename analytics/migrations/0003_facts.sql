-- facts holds one row per visible (not removed) debrief with what the
-- analytic queries filter and count on, so that each of them scans one
-- narrow table: no join, no JSON, no time zone arithmetic, no lambdas at
-- query time. The store refreshes the rows of every debrief a write
-- touches, in the same transaction, and fills it when this migration
-- runs on a store that holds debriefs (analytics/facts.go).
CREATE TABLE facts (
    id                VARCHAR NOT NULL,
    title             VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    severity          VARCHAR NOT NULL,   -- upper case; UNSPECIFIED when none
    day               TIMESTAMP,          -- the debrief's date as a UTC wall time; NULL when undated
    teams             VARCHAR[] NOT NULL, -- lower case
    services          VARCHAR[] NOT NULL, -- lower case
    tags              VARCHAR[] NOT NULL, -- lower case
    duration_minutes  DOUBLE,             -- resolved minus started; NULL unless both are known; negative when out of order
    detect_minutes    DOUBLE,             -- detected minus started; likewise
    assessed          BOOLEAN NOT NULL,
    depth_class       VARCHAR,
    depth_score       INTEGER,
    blame             INTEGER,
    counterfactuals   INTEGER,
    -- factor categories as bit indexes and as bits, in the taxonomy's order
    -- (config_change is 0, code_change 1, ... pressure 21), and question
    -- categories covered as bits in the guide's order (cues is 0, ...
    -- resilience 12): analytics/facts.go
    factor_bits       UTINYINT[],
    factor_mask       BIGINT,
    covered_mask      INTEGER,
    depth_reasons     VARCHAR[],
    factor_keys       UBIGINT[]           -- hash(key) of its distinct factor keys, "unspecified" left out
);

-- factor_labels describes each factor key found in visible debriefs: the
-- shortest of its wordings as a label (with that factor's categories),
-- how many different wordings there are, and whether some debrief states
-- it explicitly. The store rewrites the rows of the keys a write touches.
CREATE TABLE factor_labels (
    key_hash   UBIGINT NOT NULL,
    key        VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    categories VARCHAR[] NOT NULL,
    wordings   INTEGER NOT NULL,
    explicit   BOOLEAN NOT NULL
);

-- The hash of each factor's key, as facts.factor_keys holds it, and of its
-- text with the text's length: recurring factors count wordings and pick
-- the shortest as a label on integers, not on the texts.
ALTER TABLE factors ADD COLUMN key_hash UBIGINT;
ALTER TABLE factors ADD COLUMN text_hash UBIGINT;
ALTER TABLE factors ADD COLUMN text_len INTEGER;
UPDATE factors SET key_hash = hash(key), text_hash = hash(text), text_len = length(text);

-- Queries filter undated debriefs out with "day IS NOT NULL", not with
-- "period IS NOT NULL": DuckDB 1.4 loses the latter filter on this macro.
--
-- selected_debriefs is what every analytic query counts: the facts of the
-- debriefs matching a filter, each with the period its date falls in. It
-- is stored in the database, so the queries under analytics/queries also
-- run in the DuckDB CLI against a copy of the store, e.g.
--   SELECT * FROM selected_debriefs(NULL, NULL, [], [], [], [], [], 'quarter');
--
-- from_ts, to_ts   date bounds (TIMESTAMPTZ; from inclusive, to exclusive);
--                  NULL: none. With either set, undated debriefs are left out.
-- sources          source names; [] keeps all.
-- teams, services, tags
--                  lower-case names: a debrief listing any of them is kept;
--                  [] keeps all.
-- severities       upper-case severities; [] keeps all.
-- unit             month, quarter or year: period is the date truncated to
--                  it (NULL for undated debriefs); NULL: period is NULL.
CREATE MACRO selected_debriefs(from_ts, to_ts, sources, teams, services, severities, tags, unit) AS TABLE
SELECT f.*,
       CASE WHEN unit IS NULL THEN NULL ELSE date_trunc(unit, f.day) END AS period
FROM facts f
WHERE (from_ts IS NULL OR f.day >= make_timestamp(epoch_us(from_ts)))
  AND (to_ts IS NULL OR f.day < make_timestamp(epoch_us(to_ts)))
  AND (len(sources) = 0 OR list_contains(sources, f.source))
  AND (len(severities) = 0 OR list_contains(severities, f.severity))
  AND (len(teams) = 0 OR list_has_any(f.teams, teams))
  AND (len(services) = 0 OR list_has_any(f.services, services))
  AND (len(tags) = 0 OR list_has_any(f.tags, tags));
