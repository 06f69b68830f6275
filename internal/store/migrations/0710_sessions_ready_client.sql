-- 0710 the scrub at intake groups each new session with the ready sessions it may share a
-- claim with (same client, payer and date of service). It looks them up by client here
-- instead of reading every ready session; the scrub now writes its findings with the insert,
-- so a new session has no sessions_unscrubbed entry to pay for instead.
CREATE INDEX sessions_ready_client ON sessions (client_id, service_date) WHERE state = 'ready';
