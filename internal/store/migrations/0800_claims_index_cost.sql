-- 0800 every index on claims is written by each claim the claims step stores (one
-- 100,000-session run stores ~90,000 claims, already filed): an index kept only for a
-- query that never reads most of its rows is paid for by every insert. Partial indexes
-- hold only the rows their queries read; the queries repeat the index's WHERE terms
-- literally, which is what lets SQLite use a partial index.
--
-- prior_claim is set on the few claims built from an earlier payer's claim (secondary,
-- tertiary) and '' on every other: one partial index serves both the lookup of a family's
-- onward claims (o.prior_claim = f.id AND o.prior_claim <> '') and the COB families of a
-- responsibility level (a scan of these few rows), which claims_onward served before.
DROP INDEX claims_prior;
DROP INDEX claims_onward;
CREATE INDEX claims_prior ON claims (prior_claim, responsibility) WHERE prior_claim <> '';
-- The A/R report counts the filed claims not paid yet: a paid claim leaves the index.
DROP INDEX claims_ar;
CREATE INDEX claims_ar ON claims (first_filed, state, frequency, total_cents) WHERE first_paid = '' AND first_filed <> '';
