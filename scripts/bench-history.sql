-- Multiplies the history of a SQLite store that one real `edigate run --once` and the
-- simulator's answers filled (scripts/bench-history.sh): copy k (1..copies-1) of every
-- session, claim, event, eligibility answer, authorization and remittance is the same
-- practice k weeks earlier. Ids get "-hK"; one copy in ten keeps the clients' and members'
-- ids, so a client has years of sessions and authorizations; the rest are other clients.
-- Copies are settled history: what was ready or held then is void now (the live holds
-- are the base's, the latest weeks), claims are paid, one in ten denied, older than a
-- year closed; a client's authorizations follow one another (each copy's window is the
-- ten weeks before the next), so intake matches a new session to one of them.
-- Run by the sqlite3 shell with the copies count bound: .parameter set @copies N
PRAGMA foreign_keys = OFF;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
CREATE TEMP TABLE copies (k INTEGER PRIMARY KEY, sfx TEXT NOT NULL, csfx TEXT NOT NULL, shift TEXT NOT NULL);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < @copies)
INSERT INTO copies SELECT k, '-h' || k, CASE k % 10 WHEN 0 THEN '' ELSE '-g' || (k % 10) END, '-' || (7 * k) || ' days' FROM n;
CREATE TEMP TABLE b_sessions AS SELECT * FROM sessions;
CREATE TEMP TABLE b_claims AS SELECT * FROM claims;

INSERT INTO clients (id, practice, data, hash, updated_at)
SELECT c.id || k.csfx, c.practice, c.data, c.hash, c.updated_at FROM clients c, copies k WHERE k.csfx <> '';

INSERT INTO authorizations (payer, number, client_id, member_id, unit_kind, units, used, start_date, end_date, data, hash, created_at, updated_at)
SELECT a.payer, a.number || k.sfx, a.client_id || k.csfx, a.member_id || k.csfx, a.unit_kind, a.units, a.used,
       date(a.start_date, k.shift), date(a.start_date, k.shift, '+69 days'),
       -- intake reads the record, not the columns: it carries the copy's number, client and window
       replace(replace(replace(replace(replace(a.data,
           '"number":"' || a.number || '"', '"number":"' || a.number || k.sfx || '"'),
           '"client_id":"' || a.client_id || '"', '"client_id":"' || a.client_id || k.csfx || '"'),
           '"member_id":"' || a.member_id || '"', '"member_id":"' || a.member_id || k.csfx || '"'),
           '"start":"' || a.start_date || '"', '"start":"' || date(a.start_date, k.shift) || '"'),
           '"end":"' || a.end_date || '"', '"end":"' || date(a.start_date, k.shift, '+69 days') || '"'),
       a.hash, a.created_at, a.updated_at
FROM authorizations a, copies k;

INSERT INTO sessions (id, practice, client_id, payer, member_id, code, service_date, status, state, hold_reason,
    auth_payer, auth_number, auth_units, claim_ref, pending_kind, pending_data, data, hash, source_file, received_at,
    updated_at, scrub_hash, scrub_rules, scrub_findings)
SELECT s.id || k.sfx, s.practice, s.client_id || k.csfx, s.payer, s.member_id || k.csfx, s.code, date(s.service_date, k.shift),
       CASE WHEN s.state IN ('ready', 'held') THEN 'void' ELSE s.status END,
       CASE WHEN s.state IN ('ready', 'held') THEN 'void' ELSE s.state END,
       s.hold_reason,
       s.auth_payer, CASE WHEN s.auth_number = '' THEN '' ELSE s.auth_number || k.sfx END, s.auth_units,
       CASE WHEN s.claim_ref = '' THEN '' ELSE s.claim_ref || k.sfx END, '', '',
       replace(s.data, '"id":"' || s.id || '"', '"id":"' || s.id || k.sfx || '"'), s.hash, s.source_file,
       s.received_at, s.updated_at, s.hash, '', ''
FROM b_sessions s, copies k;

INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility, total_cents,
    payer_claim_ref, state, hold_rules, data, created_at, updated_at, revision, payer_claim_number, prior_claim)
SELECT c.id || k.sfx, c.base_id || k.sfx, c.practice, c.payer, c.clearinghouse, c.client_id || k.csfx, date(c.service_date, k.shift),
       c.frequency, c.responsibility, c.total_cents, c.payer_claim_ref,
       CASE WHEN c.state = 'held' THEN 'void' WHEN abs(random()) % 10 = 0 THEN 'denied' WHEN k.k > 52 THEN 'closed' ELSE c.state END,
       c.hold_rules, c.data, c.created_at, c.updated_at, c.revision,
       CASE WHEN c.payer_claim_number = '' THEN '' ELSE c.payer_claim_number || k.sfx END,
       CASE WHEN c.prior_claim = '' THEN '' ELSE c.prior_claim || k.sfx END
FROM b_claims c, copies k;

INSERT INTO claim_lines SELECT l.claim_id || k.sfx, l.line_no, l.session_id || k.sfx, l.code, l.modifiers, l.units, l.charge_cents,
       date(l.service_date, k.shift) FROM claim_lines l, copies k;
INSERT INTO claim_sessions SELECT s.claim_id || k.sfx, s.session_id || k.sfx FROM claim_sessions s, copies k;
INSERT INTO claim_findings SELECT f.claim_id || k.sfx, f.seq, f.rule, f.severity, f.line_no,
       CASE WHEN f.session_id = '' THEN '' ELSE f.session_id || k.sfx END, f.message, f.reference, f.config_key
FROM claim_findings f, copies k;
INSERT INTO claim_submissions SELECT s.claim_id || k.sfx, s.file_id, s.isa_control, s.gs_control, s.st_control FROM claim_submissions s, copies k;

INSERT INTO events (entity_kind, entity_id, kind, at, source_file, detail)
SELECT e.entity_kind, CASE WHEN e.entity_kind IN ('session', 'claim', 'authorization') THEN e.entity_id || k.sfx ELSE e.entity_id END,
       e.kind, e.at, e.source_file, e.detail
FROM copies k, events e ORDER BY k.k DESC, e.id;

INSERT INTO eligibility_checks (trace, payer, member_id, client_id, service_date, session_ids, state, file, answer_file, requested_at,
    answered_at, result, decision)
SELECT e.trace || k.sfx, e.payer, e.member_id || k.csfx, e.client_id || k.csfx, date(e.service_date, k.shift),
       replace(e.session_ids, '",', k.sfx || '",'), CASE WHEN e.state = 'requested' THEN 'answered' ELSE e.state END,
       e.file, e.answer_file, e.requested_at, e.answered_at, e.result, e.decision
FROM eligibility_checks e, copies k;
UPDATE eligibility_checks SET session_ids = replace(session_ids, '"]', substr(trace, instr(trace, '-h')) || '"]') WHERE trace LIKE '%-h%';

CREATE TEMP TABLE b_pay AS SELECT max(id) AS m FROM remit_payments;
INSERT INTO remit_payments (id, file_sha, payer_id, payer, check_no, st_control, pay_date, total_cents, balanced, balance_errors, plb, set_seq)
SELECT p.id + k.k * b.m, p.file_sha, p.payer_id, p.payer, p.check_no || k.sfx, p.st_control, p.pay_date, p.total_cents, p.balanced,
       p.balance_errors, p.plb, p.set_seq
FROM remit_payments p, copies k, b_pay b;
INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents, patient_cents,
    outcome, denial_category, appeal_due, pay_date, rendering_npi, line_codes)
SELECT r.payment_id + k.k * b.m, r.seq, r.claim_id || k.sfx, r.payer_id, r.check_no || k.sfx, r.status, r.payer_claim || k.sfx,
       r.charge_cents, r.paid_cents, r.patient_cents, r.outcome, r.denial_category, r.appeal_due, r.pay_date, r.rendering_npi, r.line_codes
FROM remit_claims r, copies k, b_pay b;
INSERT INTO remit_adjustments SELECT a.payment_id + k.k * b.m, a.seq, a.line_no, a.code, a.grp, a.reason, a.amount_cents, a.category
FROM remit_adjustments a, copies k, b_pay b;
COMMIT;
