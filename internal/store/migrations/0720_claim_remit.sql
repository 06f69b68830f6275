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
-- The reports' figures, kept as sums per grouping and key: added to by the posting
-- transaction (what a claim's new postings change: its old contribution taken away, its
-- new one added), so a report reads a few hundred rows however many claims there are.
-- by_what: the denial report's payer, month, provider, cpt, carc, category and 'all'
-- (every adjudicated claim); pay-payer and pay-month for the payments report; ar-paid
-- the paid claims of the A/R report and their days from first filing to first payment
-- summed (in lines).
CREATE TABLE remit_groups (
    by_what       TEXT NOT NULL,
    group_key     TEXT NOT NULL,
    claims        BIGINT NOT NULL DEFAULT 0,
    lines         BIGINT NOT NULL DEFAULT 0,
    denied        BIGINT NOT NULL DEFAULT 0,
    denied_lines  BIGINT NOT NULL DEFAULT 0,
    denied_cents  BIGINT NOT NULL DEFAULT 0,
    paid_cents    BIGINT NOT NULL DEFAULT 0,
    patient_cents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (by_what, group_key)
);
-- The claims list sorts by amount paid off an index instead of summing every claim's
-- postings for each page (282 ms at 60,000 claims before). first_paid (YYYYMMDD, as
-- claim_remit's) is written with them; the rebuild below fills all three.
ALTER TABLE claims ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN patient_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN first_paid TEXT NOT NULL DEFAULT '';
-- The A/R and acceptance reports count claims in SQL off one index each instead of
-- joining every claim to its submissions or its history (590 ms of CPU at 60,000 claims):
-- first_filed is the day of the claim's first 837P (kept by a trigger on
-- claim_submissions: the first submission is the earliest file), verdict its first-pass
-- answer (0 none yet, 1 accepted or adjudicated, 2 rejected by a 999/TA1 or 277CA; kept by
-- a trigger on the claim's history, a rejection winning).
ALTER TABLE claims ADD COLUMN first_filed TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN verdict BIGINT NOT NULL DEFAULT 0;
UPDATE claims SET first_filed = COALESCE((SELECT substr(MIN(f.created_at), 1, 10) FROM claim_submissions s JOIN claim_files f ON f.id = s.file_id
    WHERE s.claim_id = claims.id), '');
UPDATE claims SET verdict = COALESCE((SELECT MAX(CASE WHEN e.kind IN ('file_rejected', 'rejected') THEN 2 ELSE 1 END) FROM events e
    WHERE e.entity_kind = 'claim' AND e.entity_id = claims.id
    AND e.kind IN ('file_rejected', 'rejected', 'accepted', 'paid', 'partially_paid', 'denied', 'reversed')), 0);
-- sqlite: CREATE TRIGGER claims_first_filed AFTER INSERT ON claim_submissions BEGIN UPDATE claims SET first_filed = COALESCE((SELECT substr(created_at, 1, 10) FROM claim_files WHERE id = NEW.file_id), '') WHERE id = NEW.claim_id AND first_filed = ''; END;
-- sqlite: CREATE TRIGGER claims_verdict AFTER INSERT ON events WHEN NEW.entity_kind = 'claim' AND NEW.kind IN ('file_rejected', 'rejected', 'accepted', 'paid', 'partially_paid', 'denied', 'reversed') BEGIN UPDATE claims SET verdict = CASE WHEN NEW.kind IN ('file_rejected', 'rejected') THEN 2 ELSE 1 END WHERE id = NEW.entity_id AND verdict < CASE WHEN NEW.kind IN ('file_rejected', 'rejected') THEN 2 ELSE 1 END; END;
-- postgres: CREATE FUNCTION claims_first_filed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE claims SET first_filed = COALESCE((SELECT substr(created_at, 1, 10) FROM claim_files WHERE id = NEW.file_id), '') WHERE id = NEW.claim_id AND first_filed = ''; RETURN NULL; END $$;
-- postgres: CREATE TRIGGER claims_first_filed AFTER INSERT ON claim_submissions FOR EACH ROW EXECUTE FUNCTION claims_first_filed();
-- postgres: CREATE FUNCTION claims_verdict() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE v BIGINT := CASE WHEN NEW.kind IN ('file_rejected', 'rejected') THEN 2 ELSE 1 END; BEGIN UPDATE claims SET verdict = v WHERE id = NEW.entity_id AND verdict < v; RETURN NULL; END $$;
-- postgres: CREATE TRIGGER claims_verdict AFTER INSERT ON events FOR EACH ROW WHEN (NEW.entity_kind = 'claim' AND NEW.kind IN ('file_rejected', 'rejected', 'accepted', 'paid', 'partially_paid', 'denied', 'reversed')) EXECUTE FUNCTION claims_verdict();
CREATE INDEX claims_ar ON claims (first_paid, first_filed, state, frequency, total_cents);
CREATE INDEX claims_verdict ON claims (verdict, state, base_id, id);
UPDATE claims SET paid_cents = COALESCE((SELECT SUM(r.paid_cents) FROM remit_claims r WHERE r.claim_id = claims.id), 0),
    patient_cents = COALESCE((SELECT SUM(r.patient_cents) FROM remit_claims r WHERE r.claim_id = claims.id), 0);
CREATE INDEX claims_paid ON claims (paid_cents, id);
-- Work the store does in Go after its migrations (Open), named here so it happens once,
-- in the transaction that deletes the name: claim_remit is computed from the postings.
CREATE TABLE store_rebuilds (name TEXT NOT NULL PRIMARY KEY);
INSERT INTO store_rebuilds (name) VALUES ('claim_remit');
