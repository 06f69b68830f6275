-- 0620 large response files (835, 277CA) are applied in parts, each in its own transaction,
-- so memory is bounded by a part and not by the file. remit_files records how far a file
-- got: items_done counts the claims (835 CLPs, 277 claims) of the file applied, in file
-- order, and complete says the last part is in. A run that died after part k resumes
-- with part k+1: nothing is posted twice and nothing is lost. Files applied before this
-- migration were applied whole.
ALTER TABLE remit_files ADD COLUMN items_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE remit_files ADD COLUMN complete BIGINT NOT NULL DEFAULT 1;

-- A payment (835 set) that spans parts is found again by its file and its place in it.
ALTER TABLE remit_payments ADD COLUMN set_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX remit_payments_file ON remit_payments (file_sha, set_seq);
