-- 0530 several instances on one database. A claim's revision counts its rebuilds, so
-- filing leases exactly the content that went into the file (state built at that
-- revision): a rebuild by another instance in between makes the lease fail instead of
-- billing sessions the file does not carry. A claim file's origin names the data folder
-- it was written in, so only an instance of that folder judges whether it went missing.
ALTER TABLE claims ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claim_files ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE INDEX claim_files_origin ON claim_files (origin);
