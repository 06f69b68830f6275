-- 0531 several instances on one database ask each question once. At most one 270 is open
-- (requested) per payer, member and date of service: the unique index is the claim an
-- instance takes before writing its file, and the loser leaves the inquiry out. Stores
-- from before may hold two open inquiries for one key (two instances asked); the newer
-- stands, as LatestEligibility already reads it.
UPDATE eligibility_checks SET state = 'superseded'
    WHERE state = 'requested'
    AND EXISTS (SELECT 1 FROM eligibility_checks n WHERE n.state = 'requested' AND n.payer = eligibility_checks.payer
        AND n.member_id = eligibility_checks.member_id AND n.service_date = eligibility_checks.service_date
        AND (n.requested_at > eligibility_checks.requested_at
            OR (n.requested_at = eligibility_checks.requested_at AND n.trace > eligibility_checks.trace)));
CREATE UNIQUE INDEX eligibility_checks_open ON eligibility_checks (payer, member_id, service_date) WHERE state = 'requested';

-- A follow-up item's last 276, which the next inquiry's guarded update expects, so two
-- instances due the same item send one 276.
ALTER TABLE queue_items ADD COLUMN inquired_at TEXT NOT NULL DEFAULT '';
UPDATE queue_items SET inquired_at = (SELECT MAX(i.created_at) FROM status_inquiries i WHERE i.claim_id = queue_items.claim_id)
    WHERE kind = 'follow-up' AND EXISTS (SELECT 1 FROM status_inquiries i WHERE i.claim_id = queue_items.claim_id);
