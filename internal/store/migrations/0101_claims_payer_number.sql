-- 0101: the payer's claim control number (277CA STC/REF*1K, 835 CLP07) of each claim, which
-- a replacement (frequency 7) or void (8) must quote in REF*F8.
ALTER TABLE claims ADD COLUMN payer_claim_number TEXT NOT NULL DEFAULT '';
