-- 0740 lookups a step makes on every run seek instead of reading all history (issue 15,
-- cost follows the new work): the scrubber loads only the authorizations its claims name
-- (by number: a claim's REF*G1 does not say which payer's), and a 999 or 277CA finds the
-- claims of an 837P set by GS and ST control numbers, without the ISA the older index
-- (claim_submissions_st) leads with.
CREATE INDEX authorizations_number ON authorizations (number);
CREATE INDEX claim_submissions_set ON claim_submissions (gs_control, st_control);
