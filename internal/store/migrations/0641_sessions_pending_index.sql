-- 0641 the claims step looks for billed sessions with a pending change (a replacement or
-- void to build) on every run; this index holds just those, so the lookup costs what is
-- pending instead of a scan of every session ever stored.
CREATE INDEX sessions_pending ON sessions (claim_ref) WHERE pending_kind <> '';
