-- 0660 biller corrections: a field of a session a biller corrected after a rejection or
-- denial (claims.Override). Claims rebuilt from the session carry the biller's value; the
-- practice system's value at the time is kept, so a later re-send that changes the field is
-- shown as a conflict instead of overwriting the correction or being lost (PHI: 0600 store).
CREATE TABLE session_corrections (
    session_id TEXT NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    practice   TEXT NOT NULL,
    claim_id   TEXT NOT NULL DEFAULT '',
    who        TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    PRIMARY KEY (session_id, field)
);
