-- 0611 the scrubber runs on every intake: the holds and findings of a ready session's dry
-- build are kept on the session, so `sessions list`, the holds queue and the web show them
-- within a minute of the session arriving instead of at the next claims run.
-- scrub_hash is the content hash the scrub saw: a session whose hash differs (new, or
-- changed by the practice system) is scrubbed again.
ALTER TABLE sessions ADD COLUMN scrub_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN scrub_rules TEXT NOT NULL DEFAULT '';   -- error rule ids, comma-separated
ALTER TABLE sessions ADD COLUMN scrub_findings TEXT NOT NULL DEFAULT ''; -- claims.Finding JSON list; '' when clean
-- The sessions waiting for the scrub (one index entry per new ready session), and the few
-- the scrubber holds (none for a clean session).
CREATE INDEX sessions_unscrubbed ON sessions (id) WHERE state = 'ready' AND scrub_hash <> hash;
CREATE INDEX sessions_scrub_held ON sessions (id) WHERE state = 'ready' AND scrub_rules <> '';
