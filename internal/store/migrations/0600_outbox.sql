-- 0600 outbox: results back to the practice system. One row per event the practice cares
-- about, inserted in the transaction of the state change it reports, numbered by a counter
-- taken in that same transaction (outbox_cursors 'seq'): the counter row is locked until
-- commit, so sequence numbers commit in order and without gaps, and a reader that sees N
-- has seen everything below N. Rows are never changed; writers and the HTTP delivery keep
-- their own cursors.
CREATE TABLE outbox (
    seq         BIGINT NOT NULL PRIMARY KEY,
    at          TEXT NOT NULL,
    event       TEXT NOT NULL,              -- outbox.Kind: received, held, paid, ...
    practice    TEXT NOT NULL DEFAULT '',
    session_id  TEXT NOT NULL,              -- the id the practice sent
    claim_id    TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL               -- the NDJSON line, without its newline (PHI)
);
-- No secondary index: every insert would pay for it (intake writes one row per session);
-- readers go by seq, the statements export scans.

-- Counters and delivery cursors: 'seq' (the last number handed out), 'file' (written
-- through value; pending is the range end being written, so a crash rewrites the same
-- file), 'http' (delivered through value, with the last error and the next attempt).
CREATE TABLE outbox_cursors (
    name          TEXT NOT NULL PRIMARY KEY,
    value         BIGINT NOT NULL,
    pending       BIGINT NOT NULL DEFAULT 0,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    next_attempt  TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_cursors (name, value) VALUES ('seq', 0);
INSERT INTO outbox_cursors (name, value) VALUES ('file', 0);
INSERT INTO outbox_cursors (name, value) VALUES ('http', 0);
