package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
)

// Responses are decided in package remit (remit.Plan835, Plan277, PlanAcks) from the facts
// ResponseFacts reads; ApplyResponse writes the plan. It decides nothing: it checks every
// state a move expects, posts a CLP once, and records every step.

// ResponseFacts looks up what a response plan needs: which claims our 276 traces, 837P
// sets and interchanges carried, and the claims named, found or not.
func (db *DB) ResponseFacts(ctx context.Context, q remit.FactsQuery) (remit.Facts, error) {
	f := remit.Facts{Claims: map[string]remit.ClaimFacts{}, ByTrace: map[string]string{},
		BySet: map[remit.SetRef][]string{}, ByISA: map[int64][]string{}}
	ids := slices.Clone(q.Claims)
	var err error
	for part := range slices.Chunk(q.Traces, 500) {
		in, args := inList(part)
		if err := db.eachRow(ctx, `SELECT trace, claim_id FROM status_inquiries WHERE trace IN `+in, args, func(sc scanner) error {
			var trace, id string
			if err := sc.Scan(&trace, &id); err != nil {
				return err
			}
			f.ByTrace[trace] = id
			ids = append(ids, id)
			return nil
		}); err != nil {
			return f, fmt.Errorf("store: response facts: 276 traces: %w", err)
		}
	}
	// claimsIn lists the claims an 837P set or interchange carried.
	claimsIn := func(q string, args ...any) ([]string, error) {
		var out []string
		err := db.eachRow(ctx, q+` ORDER BY claim_id`, args, func(sc scanner) error {
			var id string
			err := sc.Scan(&id)
			out = append(out, id)
			return err
		})
		ids = append(ids, out...)
		return out, err
	}
	for _, s := range q.Sets {
		if f.BySet[s], err = claimsIn(`SELECT claim_id FROM claim_submissions WHERE gs_control = ? AND st_control = ?`, s.GS, s.ST); err != nil {
			return f, fmt.Errorf("store: response facts: set %d/%s: %w", s.GS, s.ST, err)
		}
	}
	for _, isa := range q.Interchanges {
		if f.ByISA[isa], err = claimsIn(`SELECT claim_id FROM claim_submissions WHERE isa_control = ?`, isa); err != nil {
			return f, fmt.Errorf("store: response facts: interchange %d: %w", isa, err)
		}
	}
	slices.Sort(ids)
	for part := range slices.Chunk(slices.Compact(ids), 500) {
		in, args := inList(part)
		if err := db.eachRow(ctx, `SELECT id, state, payer, frequency, service_date, payer_claim_number FROM claims WHERE id IN `+in, args,
			func(sc scanner) error {
				var id string
				var c remit.ClaimFacts
				if err := sc.Scan(&id, &c.State, &c.Payer, &c.Frequency, &c.Date, &c.PayerClaim); err != nil {
					return err
				}
				f.Claims[id] = c
				return nil
			}); err != nil {
			return f, fmt.Errorf("store: response facts: claims: %w", err)
		}
	}
	return f, nil
}

func (db *DB) eachRow(ctx context.Context, q string, args []any, fn func(scanner) error) error {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ApplyResponse applies a response plan in one transaction. The same file twice is a
// no-op (by content hash), and a CLP already posted from another file (payer + check +
// CLP01 + CLP02) is not posted again, nor is anything it would have led to.
func (db *DB) ApplyResponse(ctx context.Context, f ResponseFile, p *remit.Plan) (ApplyResult, error) {
	var out ApplyResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = ApplyResult{}
		dup, err := b.fileSeen(f, p.Kind)
		if err != nil || dup {
			out.Duplicate = dup
			return err
		}
		for i := range p.Payments {
			pp := &p.Payments[i]
			if err := b.applyPayment(f, pp, &out); err != nil {
				return fmt.Errorf("%s %s payment %s: %w", p.Kind, f.Name, pp.Payment.Check, err)
			}
		}
		for i := range p.Steps {
			if err := b.applyStep(f, &p.Steps[i], &out); err != nil {
				return fmt.Errorf("%s %s claim %s: %w", p.Kind, f.Name, p.Steps[i].Claim, err)
			}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("store: apply %s: %w", p.Kind, err)
	}
	return out, nil
}

// applyPayment writes one 835 payment: its row, its CLPs and adjustments in multi-row
// statements (per-CLP statements capped posting at a few thousand claims a second), and
// each CLP's step.
func (b *Batch) applyPayment(f ResponseFile, pp *remit.PaymentPlan, out *ApplyResult) error {
	p := pp.Payment
	row, err := b.queryRow(`INSERT INTO remit_payments (file_sha, payer_id, payer, check_no, st_control, pay_date, total_cents, balanced, balance_errors, plb)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.SHA256, p.PayerID, p.Payer, p.Check, p.Control, p.Date, int64(p.Total), boolInt(p.Balanced), jsonText(p.BalanceErrors), jsonText(p.PLB))
	if err != nil {
		return err
	}
	var payID int64
	if err := row.Scan(&payID); err != nil {
		return err
	}
	if pp.Review != nil {
		if err := b.enqueue(*pp.Review, out); err != nil {
			return err
		}
	}
	posted := map[string]bool{}
	if err := b.eachRow(`SELECT claim_id, status FROM remit_claims WHERE payer_id = ? AND check_no = ?`, []any{p.PayerID, p.Check},
		func(sc func(...any) error) error {
			var id, st string
			if err := sc(&id, &st); err != nil {
				return err
			}
			posted[id+"\x00"+st] = true
			return nil
		}); err != nil {
		return err
	}
	var claimRows, adjRows [][]any
	for i := range pp.Steps {
		st := &pp.Steps[i]
		c, seq := st.Post.CLP, st.Post.Seq
		key := c.PatientControl + "\x00" + c.Status
		if posted[key] {
			out.Repeated++
			continue
		}
		posted[key] = true
		claimRows = append(claimRows, []any{payID, seq, c.PatientControl, p.PayerID, p.Check, c.Status, c.PayerClaim, int64(c.Charge),
			int64(c.Paid), int64(c.PatientResponsibility), string(st.Post.Outcome), c.DenialCategory, c.AppealDue, p.Date, c.RenderingNPI, lineCodes(c)})
		adjRows = appendAdjustments(adjRows, payID, seq, c)
		if err := b.applyStep(f, st, out); err != nil {
			return fmt.Errorf("claim %s: %w", st.Claim, err)
		}
		if err := b.recordExpected(f, p, st); err != nil {
			return fmt.Errorf("claim %s: %w", st.Claim, err)
		}
	}
	if err := b.insertRows(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents,
		patient_cents, outcome, denial_category, appeal_due, pay_date, rendering_npi, line_codes) VALUES `, claimRows, ""); err != nil {
		return fmt.Errorf("remit claims: %w", err)
	}
	if err := b.insertRows(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES `, adjRows, ""); err != nil {
		return fmt.Errorf("remit adjustments: %w", err)
	}
	return nil
}

// applyStep writes what a response says of one claim.
func (b *Batch) applyStep(f ResponseFile, st *remit.Step, out *ApplyResult) error {
	if st.Unmatched {
		out.Unmatched++
	}
	if st.Answer != nil {
		if _, err := b.exec(`UPDATE status_inquiries SET answered_at = ?, answer = ? WHERE trace = ? AND claim_id = ?`,
			timestamp(b.now), st.Answer.Answer, st.Answer.Trace, st.Answer.Claim); err != nil {
			return fmt.Errorf("277 trace %s: %w", st.Answer.Trace, err)
		}
	}
	if st.PayerClaim != "" {
		if err := b.SetPayerClaimNumber(st.Claim, st.PayerClaim, f.Name); err != nil {
			return err
		}
	}
	if st.Record != nil {
		if err := b.Event(lifecycle.EntityClaim, st.Claim, st.Record.Kind, f.Name, st.Record.Detail); err != nil {
			return err
		}
	}
	if st.Move != nil {
		moved, err := b.applyMove(st.Claim, st.Move, f.Name)
		if err != nil {
			return err
		}
		if moved {
			out.Applied++
		}
	}
	for _, it := range st.Queue {
		if err := b.enqueue(it, out); err != nil {
			return err
		}
	}
	if st.FollowUpNote != "" {
		if _, err := b.exec(`UPDATE queue_items SET message = ? WHERE kind = ? AND claim_id = ? AND state = ?`,
			st.FollowUpMessage, QueueFollowUp, st.Claim, QueueOpen); err != nil {
			return fmt.Errorf("follow-up message: %w", err)
		}
		if err := b.noteOpen(QueueFollowUp, st.Claim, st.FollowUpNote); err != nil {
			return fmt.Errorf("follow-up note: %w", err)
		}
	}
	return nil
}

// MoveClaim moves a claim towards state to (lifecycle.Next from where it is) and records
// the event, moved or not: the one way a claim's state changes outside a response plan
// (uploaded, appealed, corrected, closed).
func (b *Batch) MoveClaim(id string, to lifecycle.State, source string, detail map[string]any) (bool, error) {
	cur, err := b.claimStateOf(id)
	if err != nil {
		return false, err
	}
	next, _ := lifecycle.Next(cur, to)
	if detail == nil {
		detail = map[string]any{}
	}
	return b.applyMove(id, &remit.Move{From: cur, To: to, Next: next, Kind: to.Event(), Detail: remit.Detail(detail)}, source)
}

// claimStateOf reads a claim's state; "" for a claim edigate never built.
func (b *Batch) claimStateOf(id string) (lifecycle.State, error) {
	row, err := b.queryRow(`SELECT state FROM claims WHERE id = ?`, id)
	if err != nil {
		return "", err
	}
	var st lifecycle.State
	if err := row.Scan(&st); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("claim %s state: %w", id, err)
	}
	return st, nil
}

// applyMove writes a move only from the state it expects (exactly one row); when the
// claim is elsewhere (another file or instance moved it since the plan was made), the
// move is recomputed from the state found. The event is recorded either way, saying
// whether the claim moved, so a late 277CA still shows in the history.
func (b *Batch) applyMove(id string, m *remit.Move, source string) (bool, error) {
	from, next := m.From, m.Next
	for try := 0; next != from; try++ {
		res, err := b.exec(`UPDATE claims SET state = ?, updated_at = ? WHERE id = ? AND state = ?`, next, timestamp(b.now), id, from)
		if err != nil {
			return false, fmt.Errorf("claim %s %s -> %s: %w", id, from, next, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			break
		}
		if try == 3 {
			return false, fmt.Errorf("claim %s: state keeps changing under %s -> %s", id, from, next)
		}
		if from, err = b.claimStateOf(id); err != nil {
			return false, err
		}
		next, _ = lifecycle.Next(from, m.To)
		if from == "" { // not a claim edigate built: history only
			next = ""
		}
	}
	moved := next != from
	m.Detail.SetMove(from, m.To, moved)
	if err := b.Event(lifecycle.EntityClaim, id, m.Kind, source, m.Detail); err != nil {
		return false, err
	}
	if moved && m.ReturnUnits {
		if err := b.returnClaimUnits(id, source); err != nil {
			return false, err
		}
	}
	return moved, nil
}

// returnClaimUnits gives the authorization units of a claim's voided sessions back.
func (b *Batch) returnClaimUnits(claimID, source string) error {
	type held struct {
		id, payer, number string
		units             int
	}
	var hs []held
	if err := b.eachRow(`SELECT id, auth_payer, auth_number, auth_units FROM sessions WHERE claim_ref = ? AND state = ? AND auth_units > 0 ORDER BY id`,
		[]any{claimID, StateVoid}, func(sc func(...any) error) error {
			var h held
			err := sc(&h.id, &h.payer, &h.number, &h.units)
			hs = append(hs, h)
			return err
		}); err != nil {
		return fmt.Errorf("claim %s sessions: %w", claimID, err)
	}
	for _, h := range hs {
		if err := b.returnUnits(h.id, h.payer, h.number, h.units, source); err != nil {
			return fmt.Errorf("claim %s session %s: %w", claimID, h.id, err)
		}
	}
	return nil
}
