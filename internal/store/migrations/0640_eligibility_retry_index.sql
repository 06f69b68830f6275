-- 0640 the 270 step reads the inquiries waiting for a retry (a payer that could not
-- answer, AAA 42) on every run to supersede those it asks again; this index holds just
-- them, so that read costs what is waiting, not every check ever made.
CREATE INDEX eligibility_checks_retry ON eligibility_checks (state) WHERE state = 'retry';
