-- Store identity: the search index records which store it was built from.
-- Every change to a debrief carries the number of the batch that made it;
-- the search index records the highest number it has applied.
CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE debriefs (
    id               VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,
    ref              VARCHAR NOT NULL,
    document         VARCHAR NOT NULL,
    doc_hash         VARCHAR NOT NULL,   -- hash of the source document; equal hash = skip parsing
    url              VARCHAR,
    title            VARCHAR NOT NULL,
    summary          VARCHAR,
    text             VARCHAR NOT NULL,
    sections         VARCHAR NOT NULL,   -- JSON array of {kind, heading, level, start, end}: byte range in text (or text)
    severity         VARCHAR,
    status           VARCHAR,
    services         VARCHAR[] NOT NULL,
    teams            VARCHAR[] NOT NULL,
    tags             VARCHAR[] NOT NULL,
    authors          VARCHAR[] NOT NULL,
    participants     VARCHAR[] NOT NULL,
    extra            VARCHAR,            -- JSON object of other metadata keys, kept as-is
    started_at       TIMESTAMPTZ,
    detected_at      TIMESTAMPTZ,
    resolved_at      TIMESTAMPTZ,
    published_at     TIMESTAMPTZ,
    date             TIMESTAMPTZ,        -- started, else detected, resolved, published
    timeline         VARCHAR NOT NULL,   -- JSON array of {at, when, text}
    content_hash     VARCHAR NOT NULL,
    fetched_at       TIMESTAMPTZ NOT NULL,
    first_seen_at    TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    removed_at       TIMESTAMPTZ,        -- set when the debrief disappeared from its source
    seq              BIGINT NOT NULL     -- change sequence of the batch that last changed it, removal included
);

CREATE SEQUENCE run_ids START 1;

CREATE TABLE runs (
    id         BIGINT PRIMARY KEY DEFAULT nextval('run_ids'),
    source     VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ,
    status     VARCHAR NOT NULL,         -- running, ok, failed, interrupted
    seen       BIGINT NOT NULL DEFAULT 0,
    added      BIGINT NOT NULL DEFAULT 0,
    updated    BIGINT NOT NULL DEFAULT 0,
    unchanged  BIGINT NOT NULL DEFAULT 0,
    removed    BIGINT NOT NULL DEFAULT 0,
    skipped    BIGINT NOT NULL DEFAULT 0,
    failed     BIGINT NOT NULL DEFAULT 0,
    error      VARCHAR
);

CREATE TABLE run_failures (
    run_id BIGINT NOT NULL,
    ref    VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

CREATE TABLE source_state (
    source     VARCHAR PRIMARY KEY,
    cursor     VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
