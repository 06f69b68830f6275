-- 0670 work queues page in the store: the open items of a queue in deadline order come
-- straight off an index (kind, state, due, id), so page 1 of 40,000 open items reads 50
-- rows, and the dashboard's per-queue counts are aggregates over the same index.
CREATE INDEX queue_items_page ON queue_items (kind, state, due, id);
-- The sessions list pages in date-of-service order, all or by state (a page deep into
-- 40,000 held sessions read them all and sorted them without these).
CREATE INDEX sessions_page ON sessions (service_date, id);
CREATE INDEX sessions_state_page ON sessions (state, service_date, id);
-- It serves every lookup by state that sessions_state (0002) did: one index fewer per insert.
DROP INDEX sessions_state;
-- The holds queue reads each payer's held sessions and claims in date-of-service order
-- (their filing-deadline order) and counts them per payer (holdpage.go).
-- State first (not a partial index on held rows): the planner then reads these covering
-- indexes for every held-by-payer count and group instead of the table.
-- The hold reason rides along so the dashboard's held-by-reason count reads this index too.
CREATE INDEX sessions_state_payer ON sessions (state, payer, service_date, id, hold_reason);
CREATE INDEX claims_state_payer ON claims (state, payer, service_date, id);
