-- 0612 what each posted 835 line was expected to pay under the payer's fee schedule (its
-- contract less the patient's share), for the underpayments report: expected vs paid per
-- payer. One row per line of the claim's latest adjudication (a reversal or a new 835 for
-- the claim replaces its rows).
CREATE TABLE remit_expected (
    claim_id        TEXT NOT NULL,
    line_no         BIGINT NOT NULL,
    payer           TEXT NOT NULL,              -- configured payer id
    payer_id        TEXT NOT NULL DEFAULT '',   -- 835 N104
    check_no        TEXT NOT NULL DEFAULT '',
    code            TEXT NOT NULL,
    service_date    TEXT NOT NULL DEFAULT '',
    contract_cents  BIGINT NOT NULL,
    patient_cents   BIGINT NOT NULL,
    expected_cents  BIGINT NOT NULL,
    paid_cents      BIGINT NOT NULL,
    rate_source     TEXT NOT NULL DEFAULT '',
    source_file     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (claim_id, line_no)
);
CREATE INDEX remit_expected_payer ON remit_expected (payer);
