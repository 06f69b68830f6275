-- 0671 web users with roles, and the audit trail of what they did.
-- A user's password is a bcrypt hash; disabled users cannot sign in (kept, not deleted, so
-- the audit trail still names them).
CREATE TABLE web_users (
    name        TEXT NOT NULL PRIMARY KEY,
    hash        TEXT NOT NULL,
    role        TEXT NOT NULL,            -- admin, biller, viewer
    disabled    BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- Every action: who, what, when, from where. Append-only: the store has no UPDATE or
-- DELETE of it, and the database refuses both (triggers below).
CREATE TABLE audit_log (
    id      {{serial}},
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    action  TEXT NOT NULL,               -- what, in words
    target  TEXT NOT NULL DEFAULT '',    -- the path or id acted on (ids only, never PHI)
    remote  TEXT NOT NULL DEFAULT '',    -- the client's address
    outcome TEXT NOT NULL DEFAULT '',    -- done, refused, failed
    source  TEXT NOT NULL DEFAULT 'web'  -- web or cli
);
CREATE INDEX audit_log_who ON audit_log (who, id);
-- sqlite: CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- sqlite: CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- postgres: CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
-- postgres: CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- postgres: CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
