-- 0801 a claim is stored filed (the claims step files clean claims as it stores them,
-- ~90,000 in a 100,000-session run) and leaves that state at its upload, minutes later.
-- claims_state_payer (state, payer, service_date, id; the holds queue's and the claims
-- list's date order per state and payer, 0670) placed each new claim at its date, a
-- different page each: 0.55 CPU-s of inserting 90,000 claims. Its filed claims are few at
-- any time, so it skips them; the queries that read it repeat its WHERE (claimsNotFiled),
-- which SQLite needs to use a partial index. Lookups by state, filed included, and the
-- counts by state read claims_state (state, clearinghouse), whose key is the same for
-- every new claim of a clearinghouse: each one is appended.
DROP INDEX claims_state_payer;
CREATE INDEX claims_state_payer ON claims (state, payer, service_date, id) WHERE state <> 'filed';
