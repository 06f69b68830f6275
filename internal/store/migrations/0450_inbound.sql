-- 0450 inbound responses: each downloaded response file (by content hash) is processed once;
-- a failure is kept with its reason for a biller or administrator to look at.
CREATE TABLE inbound_files (
    sha256        TEXT NOT NULL PRIMARY KEY,
    path          TEXT NOT NULL,
    clearinghouse TEXT NOT NULL,
    kind          TEXT NOT NULL,             -- 999, TA1, 277CA, 277, 835, 271, unknown
    state         TEXT NOT NULL,             -- processed, failed
    error         TEXT NOT NULL DEFAULT '',
    processed_at  TEXT NOT NULL
);
