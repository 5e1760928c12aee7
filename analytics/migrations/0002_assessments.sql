-- What the assessment (analytics/assess) found in each debrief: one row in
-- assessments, with the figures analytics aggregate and the whole
-- assessment (evidence included) as JSON for a person to read, and one row
-- per factor in factors. A debrief whose content or catalog changes has its
-- rows replaced; a removed debrief keeps them (queries join on debriefs and
-- leave removed ones out).
CREATE TABLE assessments (
    debrief_id                VARCHAR NOT NULL,
    catalog_version           VARCHAR NOT NULL,
    depth_class               VARCHAR NOT NULL,   -- single_root_cause, multiple_causes, contributing_factors
    depth_score               INTEGER NOT NULL,   -- 0 to 100
    root_cause_mentions       INTEGER NOT NULL,
    counterfactuals           INTEGER NOT NULL,
    blame                     INTEGER NOT NULL,
    perspectives              INTEGER NOT NULL,
    factor_count              INTEGER NOT NULL,   -- distinct factors
    factor_categories         VARCHAR[] NOT NULL, -- taxonomy keys of the factors
    technical_categories      INTEGER NOT NULL,
    organisational_categories INTEGER NOT NULL,
    covered                   VARCHAR[] NOT NULL, -- question categories covered
    body                      VARCHAR NOT NULL    -- the whole assessment as JSON, evidence included
);

CREATE TABLE factors (
    debrief_id VARCHAR NOT NULL,
    position   INTEGER NOT NULL,   -- order in the debrief's assessment
    text       VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,   -- normalised, to group the same factor across debriefs
    categories VARCHAR[] NOT NULL,
    explicit   BOOLEAN NOT NULL,   -- stated under a factors, root cause or trigger section
    section    VARCHAR NOT NULL    -- kind of the section its evidence is in
);
