-- 0100 claims: 837P claims, their lines, the sessions behind them, scrubber findings, the
-- files they were sent in (with ISA/GS/ST control numbers for 999 and 277CA matching).
-- Money is BIGINT cents (x12.Amount); data columns hold claims.Claim JSON (PHI).

CREATE TABLE claims (
    id               TEXT NOT NULL PRIMARY KEY, -- CLM01
    base_id          TEXT NOT NULL,             -- CLM01 of the original claim of the family
    practice         TEXT NOT NULL,
    payer            TEXT NOT NULL,
    clearinghouse    TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    service_date     TEXT NOT NULL,
    frequency        TEXT NOT NULL,             -- CLM05-3: 1, 7, 8
    responsibility   TEXT NOT NULL,             -- SBR01: P, S, T
    total_cents      BIGINT NOT NULL,
    payer_claim_ref  TEXT NOT NULL DEFAULT '',  -- REF*F8 sent (replacement/void)
    state            TEXT NOT NULL,             -- held, built, filed
    hold_rules       TEXT NOT NULL DEFAULT '',  -- comma-separated rule ids that hold it
    data             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX claims_state ON claims (state, clearinghouse);
CREATE INDEX claims_base ON claims (base_id);

CREATE TABLE claim_lines (
    claim_id      TEXT NOT NULL REFERENCES claims (id),
    line_no       BIGINT NOT NULL,            -- LX01
    session_id    TEXT NOT NULL,
    code          TEXT NOT NULL,
    modifiers     TEXT NOT NULL DEFAULT '',   -- colon-separated, as in SV101
    units         BIGINT NOT NULL,
    charge_cents  BIGINT NOT NULL,
    service_date  TEXT NOT NULL,
    PRIMARY KEY (claim_id, line_no)
);

-- The lookup table from CLM01 back to sessions (and from a session to every claim it was on).
CREATE TABLE claim_sessions (
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    session_id  TEXT NOT NULL,
    PRIMARY KEY (claim_id, session_id)
);
CREATE INDEX claim_sessions_session ON claim_sessions (session_id);

CREATE TABLE claim_findings (
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    seq         BIGINT NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    line_no     BIGINT NOT NULL DEFAULT 0,
    session_id  TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL,
    reference   TEXT NOT NULL,
    PRIMARY KEY (claim_id, seq)
);

CREATE TABLE claim_files (
    id             {{serial}},
    clearinghouse  TEXT NOT NULL,
    name           TEXT NOT NULL,             -- file name in DATA/outbound/
    usage          TEXT NOT NULL,             -- ISA15 T or P
    isa_control    BIGINT NOT NULL,
    gs_control     BIGINT NOT NULL,
    claims         BIGINT NOT NULL,
    total_cents    BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX claim_files_isa ON claim_files (clearinghouse, isa_control);

-- One row per claim per file: where a 999 (ST02) or 277CA finds the claim.
CREATE TABLE claim_submissions (
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    file_id     BIGINT NOT NULL REFERENCES claim_files (id),
    isa_control BIGINT NOT NULL,
    gs_control  BIGINT NOT NULL,
    st_control  TEXT NOT NULL,
    PRIMARY KEY (claim_id, file_id)
);
CREATE INDEX claim_submissions_st ON claim_submissions (isa_control, gs_control, st_control);
