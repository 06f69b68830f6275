-- 0500 one claim lifecycle: claims.state is the claim's only state (lifecycle.State), from
-- held/built through filed, submitted, the responses' verdicts and the biller's outcomes.
-- Until now a claim had two: claims.state (held, built, filed) and claim_status.state (the
-- response side). The history (events) is untouched; the states and payer claim numbers of
-- claim_status move onto claims, and the table goes.

-- A filed claim whose upload was recorded is submitted.
UPDATE claims SET state = 'submitted'
    WHERE state = 'filed'
    AND id IN (SELECT entity_id FROM events WHERE entity_kind = 'claim' AND kind = 'submitted');

-- The response side, where a response spoke of the claim, is where the claim is.
UPDATE claims SET state = (SELECT cs.state FROM claim_status cs WHERE cs.claim_id = claims.id)
    WHERE state NOT IN ('held', 'built')
    AND id IN (SELECT claim_id FROM claim_status);

UPDATE claims SET payer_claim_number = (SELECT cs.payer_claim FROM claim_status cs WHERE cs.claim_id = claims.id)
    WHERE payer_claim_number = ''
    AND id IN (SELECT claim_id FROM claim_status WHERE payer_claim <> '');

DROP TABLE claim_status;
