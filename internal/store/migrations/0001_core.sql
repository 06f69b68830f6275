-- 0001 core: clients, sessions, authorizations, events, control-number sequences, inbox
-- files and authorization alerts. Dates of service are civil dates as TEXT (YYYY-MM-DD);
-- instants are UTC RFC 3339 TEXT so both dialects sort and compare them the same way.
-- {{serial}} is the dialect's auto-increment primary key.

CREATE TABLE clients (
    id          TEXT NOT NULL,
    practice    TEXT NOT NULL,
    data        TEXT NOT NULL,            -- claims.Client JSON (PHI)
    hash        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);

CREATE TABLE authorizations (
    payer       TEXT NOT NULL,
    number      TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    unit_kind   TEXT NOT NULL,
    units       BIGINT NOT NULL,
    used        BIGINT NOT NULL DEFAULT 0,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    data        TEXT NOT NULL,            -- claims.Authorization JSON
    hash        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (payer, number),
    -- the conditional UPDATE keeps this true; the CHECK makes a bug fail loudly instead.
    CHECK (used >= 0 AND used <= units)
);
CREATE INDEX authorizations_client ON authorizations (payer, client_id);
CREATE INDEX authorizations_member ON authorizations (payer, member_id);

CREATE TABLE sessions (
    id            TEXT NOT NULL PRIMARY KEY,
    practice      TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    payer         TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    code          TEXT NOT NULL,
    service_date  TEXT NOT NULL,
    status        TEXT NOT NULL,          -- as sent: completed, scheduled, void, replaced
    state         TEXT NOT NULL,          -- ready, held, scheduled, billed, void, replaced
    hold_reason   TEXT NOT NULL DEFAULT '',
    auth_payer    TEXT NOT NULL DEFAULT '',
    auth_number   TEXT NOT NULL DEFAULT '',
    auth_units    BIGINT NOT NULL DEFAULT 0, -- units currently consumed from auth_number
    claim_ref     TEXT NOT NULL DEFAULT '',
    pending_kind  TEXT NOT NULL DEFAULT '', -- replacement or void, for billed sessions changed later
    pending_data  TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,          -- claims.Session JSON (PHI)
    hash          TEXT NOT NULL,
    source_file   TEXT NOT NULL DEFAULT '',
    received_at   TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- (state, ...) prefixes also serve listing by state; every index here costs each intake insert.
CREATE INDEX sessions_held ON sessions (state, payer, client_id);
CREATE INDEX sessions_held_member ON sessions (state, payer, member_id);

CREATE TABLE events (
    id           {{serial}},
    entity_kind  TEXT NOT NULL,           -- session, authorization, file, client
    entity_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    at           TEXT NOT NULL,
    source_file  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events (entity_kind, entity_id, id);

CREATE TABLE sequences (
    sender    TEXT NOT NULL,
    receiver  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (sender, receiver, kind)
);

CREATE TABLE inbox_files (
    hash         TEXT NOT NULL PRIMARY KEY, -- SHA-256 of the content: a file dropped twice is one row
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    state        TEXT NOT NULL,            -- processing, done, rejected
    records      BIGINT NOT NULL DEFAULT 0,
    accepted     BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE alerts (
    id           {{serial}},
    entity_kind  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,            -- payer/number for authorizations
    kind         TEXT NOT NULL,            -- low_units, end_near
    detail       TEXT NOT NULL DEFAULT '{}',
    raised_at    TEXT NOT NULL,
    cleared_at   TEXT NOT NULL DEFAULT ''
);
-- One open alert per threshold: raised once per crossing, cleared when back above it.
CREATE UNIQUE INDEX alerts_open ON alerts (entity_kind, entity_id, kind) WHERE cleared_at = '';
