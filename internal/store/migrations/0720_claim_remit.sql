-- 0720 what the 835s say of each claim, kept beside the postings: the reports and the
-- claims list read one row per claim (or a few hundred grouped rows) instead of every
-- posting and adjustment each time a page is shown (354 ms at 60,000 postings before).
-- Written by the posting transaction itself (remitAggregates in claimremit.go), so it
-- never lags the postings; rebuilt from them when this migration first runs.
CREATE TABLE claim_remit (
    claim_id      TEXT NOT NULL PRIMARY KEY,
    payer         TEXT NOT NULL,            -- the claim's configured payer, else the 835's payer id
    paid_cents    BIGINT NOT NULL,          -- every posting, a reversal negative
    patient_cents BIGINT NOT NULL,
    first_paid    TEXT NOT NULL DEFAULT '', -- earliest pay date (YYYYMMDD) of a posting that paid, reversals aside
    overturned    BIGINT NOT NULL DEFAULT 0, -- 1: a posting denied it and a later one paid it
    -- Its latest adjudication no reversal is (adjudicated 0: only reversals), as the denial
    -- report counts it (DenialBase): month, provider, the CPT/CARC/category key holding
    -- most of the denied amount, its lines and denied lines.
    adjudicated   BIGINT NOT NULL DEFAULT 0,
    month         TEXT NOT NULL DEFAULT '',
    provider      TEXT NOT NULL DEFAULT '',
    cpt           TEXT NOT NULL DEFAULT '',
    carc          TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    lines         BIGINT NOT NULL DEFAULT 0,
    denied        BIGINT NOT NULL DEFAULT 0,
    denied_lines  BIGINT NOT NULL DEFAULT 0,
    denied_cents  BIGINT NOT NULL DEFAULT 0
);
-- The claims list sorts by amount paid off an index instead of summing every claim's
-- postings for each page (282 ms at 60,000 claims before).
ALTER TABLE claims ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN patient_cents BIGINT NOT NULL DEFAULT 0;
UPDATE claims SET paid_cents = COALESCE((SELECT SUM(r.paid_cents) FROM remit_claims r WHERE r.claim_id = claims.id), 0),
    patient_cents = COALESCE((SELECT SUM(r.patient_cents) FROM remit_claims r WHERE r.claim_id = claims.id), 0);
CREATE INDEX claims_paid ON claims (paid_cents, id);
-- Work the store does in Go after its migrations (Open), named here so it happens once,
-- in the transaction that deletes the name: claim_remit is computed from the postings.
CREATE TABLE store_rebuilds (name TEXT NOT NULL PRIMARY KEY);
INSERT INTO store_rebuilds (name) VALUES ('claim_remit');
