-- 0630 nothing billed twice: the scrubber's service.billed_twice rule reads one client's
-- claims of one day of service (StoredClaimsOn) for every claim it checks; this index makes
-- that a lookup instead of a scan of every claim.
CREATE INDEX claims_client_day ON claims (practice, client_id, service_date);
