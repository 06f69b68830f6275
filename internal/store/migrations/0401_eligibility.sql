-- 0401 eligibility: one row per 270 inquiry (by its TRN trace), what it was for, and the
-- 271 answer applied to the sessions it covers.
CREATE TABLE eligibility_checks (
    trace         TEXT NOT NULL PRIMARY KEY, -- TRN02 sent in the 270, echoed by the 271
    payer         TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    service_date  TEXT NOT NULL,
    session_ids   TEXT NOT NULL,             -- JSON array of session ids
    state         TEXT NOT NULL,             -- requested, answered, retry
    file          TEXT NOT NULL DEFAULT '',  -- outbound 270 file name
    answer_file   TEXT NOT NULL DEFAULT '',
    requested_at  TEXT NOT NULL,
    answered_at   TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL DEFAULT '',  -- eligibility.Result JSON (PHI: member id, plan)
    decision      TEXT NOT NULL DEFAULT ''   -- eligibility.Decision JSON
);
CREATE INDEX eligibility_checks_member ON eligibility_checks (payer, member_id, service_date);
