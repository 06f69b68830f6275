-- 0201 follow-up and reports: the 276 claim status inquiries sent for claims with no 835
-- (a 277 answer is matched by its TRN trace when the payer does not echo REF*EJ), and the
-- procedure codes of each posted CLP's lines, so denial rates per CPT have a denominator.
CREATE TABLE status_inquiries (
    trace        TEXT NOT NULL PRIMARY KEY,   -- 276 2200 TRN02, echoed in the 277 TRN*2
    claim_id     TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    isa_control  BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    answered_at  TEXT NOT NULL DEFAULT '',
    answer       TEXT NOT NULL DEFAULT ''     -- STC01 category:status of the answer
);
CREATE INDEX status_inquiries_claim ON status_inquiries (claim_id);

-- SVC01-2 of each line, space-separated.
ALTER TABLE remit_claims ADD COLUMN line_codes TEXT NOT NULL DEFAULT '';
