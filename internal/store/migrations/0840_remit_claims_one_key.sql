-- 0840 remit_claims keeps one index for its CLP key and its claim lookups: the key led by
-- the claim serves both the repeated-CLP lookup (claim_id IN, payer_id, check_no) and
-- every lookup by claim (a claim's postings, trace, reports), which remit_claims_claim
-- served. Each CLP posted paid for a second random-order insert into an index as large as
-- the table (issue 16: a 1 GB 835 at 20,000 claims/s).
CREATE UNIQUE INDEX remit_claims_claim_key ON remit_claims (claim_id, payer_id, check_no, status);
DROP INDEX remit_claims_key;
DROP INDEX remit_claims_claim;
