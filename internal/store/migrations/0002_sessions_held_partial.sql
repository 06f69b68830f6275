-- 0002: the held-session lookups index only held sessions. A new ready session (nearly every
-- intake insert) then touches the table, its primary key and the append-only state index
-- instead of two indexes keyed at random by client and member: intake of 100,000 sessions
-- spent about a second in those two indexes (internal/intake/README.md, Throughput).
DROP INDEX sessions_held;
DROP INDEX sessions_held_member;
-- Listing by state (the pipeline reads ready, held and scheduled sessions each run). Keys are
-- (state, rowid): new sessions append at the end of their state's run.
CREATE INDEX sessions_state ON sessions (state);
-- Authorization releases look up held sessions by payer and client or member (auths.go).
CREATE INDEX sessions_held_client ON sessions (payer, client_id) WHERE state = 'held';
CREATE INDEX sessions_held_member ON sessions (payer, member_id) WHERE state = 'held';
