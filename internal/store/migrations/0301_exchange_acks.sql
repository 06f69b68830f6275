-- 0301 silence from a clearinghouse is a failure too: which uploads a 999 (or a rejecting
-- TA1) has answered, so that the alerts job can raise ack_overdue for the ones that stay
-- unanswered and claim_ack_overdue for claims with no 277CA.

-- Every AK1 (functional group answered by a 999) and TA1 found in a downloaded response.
CREATE TABLE exchange_acks (
    clearinghouse  TEXT NOT NULL,
    file_sha       TEXT NOT NULL,             -- inbound_files.sha256 of the 999/TA1 file
    kind           TEXT NOT NULL,             -- 999, TA1
    functional_id  TEXT NOT NULL DEFAULT '',  -- AK101 (HC for 837, HS for 270); '' for a TA1
    control        BIGINT NOT NULL,           -- AK102 = our GS06, or TA101 = our ISA13
    accepted       INTEGER NOT NULL,          -- AK901 A/E/P, TA104 A/E
    received_at    TEXT NOT NULL,
    PRIMARY KEY (file_sha, kind, functional_id, control)
);
CREATE INDEX exchange_acks_control ON exchange_acks (clearinghouse, kind, control);

-- Response files already read for exchange_acks (with or without acknowledgements in them).
CREATE TABLE exchange_ack_files (
    sha256      TEXT NOT NULL PRIMARY KEY,
    scanned_at  TEXT NOT NULL
);

-- When the upload's acknowledgement arrived; '' while it is awaited.
ALTER TABLE exchange_uploads ADD COLUMN acked_at TEXT NOT NULL DEFAULT '';
CREATE INDEX exchange_uploads_unacked ON exchange_uploads (state, acked_at);

-- "Raised once per file/claim" looks up cleared alerts too, not only open ones.
CREATE INDEX alerts_entity ON alerts (entity_kind, entity_id, kind);
