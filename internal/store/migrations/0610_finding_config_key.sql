-- 0610 a scrubber finding caused by the configuration (an invalid practice NPI, a payer
-- without a telehealth setting) names the key to fix, so the holds queue says "fix
-- practices[0].npi in the config" instead of "correct the session in the practice system".
ALTER TABLE claim_findings ADD COLUMN config_key TEXT NOT NULL DEFAULT '';
