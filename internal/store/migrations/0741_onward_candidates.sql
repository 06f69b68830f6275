-- 0741 the claims step looks for claims to bill onward (secondary, tertiary) and for COB
-- families to correct on every run. Without these it read every claim ever filed, joined
-- each to its client and matched the client's JSON: history, not work. The clients with a
-- secondary or tertiary coverage are a partial index each (the queries repeat the same
-- literal pattern, so both planners match it), their claims come off claims_client_day;
-- secondary and tertiary claims are a partial index of their own.
CREATE INDEX clients_secondary ON clients (practice, id) WHERE LOWER(data) LIKE '%"priority":"secondary"%';
CREATE INDEX clients_tertiary ON clients (practice, id) WHERE LOWER(data) LIKE '%"priority":"tertiary"%';
CREATE INDEX claims_onward ON claims (responsibility, prior_claim) WHERE responsibility <> 'P';
