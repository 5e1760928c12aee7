-- category_totals holds, per factor category (as its bit index,
-- facts.factor_bits), the assessed visible debriefs with a factor of it
-- and their first and last dates: what factor_categories.sql counts when
-- no filter is set. Like factor_totals (migration 0005) the store keeps it
-- with every write (analytics/facts.go), and the view every dashboard
-- opens on reads a few rows instead of every debrief's categories.
CREATE TABLE category_totals (
    category   UTINYINT NOT NULL,
    debriefs   BIGINT NOT NULL,
    first_seen TIMESTAMP,
    last_seen  TIMESTAMP
);

INSERT INTO category_totals
SELECT category, count(*), min(day), max(day)
FROM (SELECT unnest(factor_bits) AS category, day FROM facts WHERE assessed)
GROUP BY category;
