-- 0200 responses into the claim lifecycle: posted remittances, claim states, work queues.

-- One row per response file applied (by content hash): the same file twice is applied once.
CREATE TABLE remit_files (
    sha256       TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,              -- 835, 277, 999, TA1
    received_at  TEXT NOT NULL
);

-- One row per 835 transaction set (BPR/TRN), with its balancing verdict and PLB adjustments.
CREATE TABLE remit_payments (
    id              {{serial}},
    file_sha        TEXT NOT NULL,
    payer_id        TEXT NOT NULL,
    payer           TEXT NOT NULL,
    check_no        TEXT NOT NULL,           -- TRN02
    st_control      TEXT NOT NULL,
    pay_date        TEXT NOT NULL,           -- BPR16 YYYYMMDD
    total_cents     BIGINT NOT NULL,
    balanced        BIGINT NOT NULL,
    balance_errors  TEXT NOT NULL DEFAULT '[]',
    plb             TEXT NOT NULL DEFAULT '[]'
);

-- One row per CLP posted. The unique key is what makes a repeated CLP (a file re-sent with
-- a new envelope) post once: payer + check + CLP01 + CLP02.
CREATE TABLE remit_claims (
    payment_id       BIGINT NOT NULL,
    seq              BIGINT NOT NULL,        -- the CLP's place in its payment
    claim_id         TEXT NOT NULL,          -- CLP01
    payer_id         TEXT NOT NULL,
    check_no         TEXT NOT NULL,
    status           TEXT NOT NULL,          -- CLP02
    payer_claim      TEXT NOT NULL,          -- CLP07
    charge_cents     BIGINT NOT NULL,
    paid_cents       BIGINT NOT NULL,
    patient_cents    BIGINT NOT NULL,
    outcome          TEXT NOT NULL,          -- paid, partially_paid, denied, reversed
    denial_category  TEXT NOT NULL DEFAULT '',
    appeal_due       TEXT NOT NULL DEFAULT '',
    pay_date         TEXT NOT NULL,
    rendering_npi    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (payment_id, seq)
);
CREATE UNIQUE INDEX remit_claims_key ON remit_claims (payer_id, check_no, claim_id, status);
CREATE INDEX remit_claims_claim ON remit_claims (claim_id);

-- Every CAS reason, claim level (line_no 0) or line level, for reports by CARC and CPT.
CREATE TABLE remit_adjustments (
    payment_id      BIGINT NOT NULL,
    seq             BIGINT NOT NULL,          -- remit_claims (payment_id, seq)
    line_no         BIGINT NOT NULL,
    code            TEXT NOT NULL DEFAULT '', -- SVC01-2 for a line
    grp             TEXT NOT NULL,
    reason          TEXT NOT NULL,
    amount_cents    BIGINT NOT NULL,
    category        TEXT NOT NULL DEFAULT '' -- denial category; '' when not a denial
);
CREATE INDEX remit_adjustments_claim ON remit_adjustments (payment_id, seq);

-- The lifecycle state of a claim on the response side (claims.state stays the build/file state).
CREATE TABLE claim_status (
    claim_id     TEXT NOT NULL PRIMARY KEY,
    state        TEXT NOT NULL,
    payer_claim  TEXT NOT NULL DEFAULT '',
    first_pass   BIGINT NOT NULL DEFAULT 0,  -- 1 when the first 277CA/999 verdict was an acceptance
    updated_at   TEXT NOT NULL
);

-- Work queues: rejections, denials, appeals, follow-up, review.
CREATE TABLE queue_items (
    id           {{serial}},
    kind         TEXT NOT NULL,
    claim_id     TEXT NOT NULL,
    line_no      BIGINT NOT NULL DEFAULT 0,
    payer        TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,              -- e.g. CO-197, A7:562, IK3 SV1 8
    category     TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL DEFAULT '',
    message      TEXT NOT NULL DEFAULT '',
    due          TEXT NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL DEFAULT 0,
    source       TEXT NOT NULL DEFAULT '',   -- the response file it came from
    state        TEXT NOT NULL,              -- open, resolved
    assignee     TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    resolved_at  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX queue_items_key ON queue_items (kind, claim_id, line_no, reason, source);
CREATE INDEX queue_items_open ON queue_items (kind, state);
