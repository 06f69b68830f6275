-- 0742 the hourly alerts check reads the authorizations not ended yet (and those with an
-- open alert) instead of every authorization the practice ever had.
CREATE INDEX authorizations_end ON authorizations (end_date);
