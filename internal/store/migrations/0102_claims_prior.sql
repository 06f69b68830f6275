-- 0102: the primary claim a secondary (COB) claim was built from, so each primary claim's
-- adjudication becomes one secondary claim and the secondary finds the 835 it quotes.
ALTER TABLE claims ADD COLUMN prior_claim TEXT NOT NULL DEFAULT '';
CREATE INDEX claims_prior ON claims (prior_claim);
