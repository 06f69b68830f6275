-- 0650 steps that run once per cluster (SFTP upload and download per clearinghouse,
-- responses per data folder, follow-up, alerts, housekeeping) hold a lease while they run.
-- A lease is a row: who holds it, a fencing token counted up on every new holder, and when
-- it expires by the database's clock (Unix milliseconds), so instances on several hosts
-- judge expiry by one clock. A holder renews while its step runs; one that dies stops
-- renewing and loses the lease when it expires.
CREATE TABLE leases (
    name        TEXT NOT NULL PRIMARY KEY,
    holder      TEXT NOT NULL,
    token       BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
