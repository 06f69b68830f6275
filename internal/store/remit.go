package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
)

// ResponseFile names a response file being applied; SHA256 makes applying it idempotent.
type ResponseFile struct {
	SHA256 string
	Name   string
}

// ApplyResult counts what applying a response file did.
type ApplyResult struct {
	Duplicate bool `json:"duplicate"` // the file (same content) was applied before: nothing done
	Applied   int  `json:"applied"`   // claims whose record changed
	Repeated  int  `json:"repeated"`  // CLPs already posted from another file (same payer, check, CLP01, CLP02)
	Unmatched int  `json:"unmatched"` // claims the response names that we never built
	Queued    int  `json:"queued"`    // queue items opened
	Review    int  `json:"review"`    // of those, review items (an unbalanced payment, a claim we never built)
}

// claimStateRow is the current lifecycle state of a claim and whether we built it.
func (b *Batch) claimState(id string) (state string, known, hasStatus bool, err error) {
	row, err := b.queryRow(`SELECT (SELECT state FROM claim_status WHERE claim_id = ?), (SELECT COUNT(*) FROM claims WHERE id = ?)`, id, id)
	if err != nil {
		return "", false, false, err
	}
	var st sql.NullString
	var n int64
	if err := row.Scan(&st, &n); err != nil {
		return "", false, false, err
	}
	return st.String, n > 0, st.Valid, nil
}

// moveClaim applies a lifecycle event: the state moves only forward (remit.Transition) but
// the event is always recorded, so a late 277CA after the 835 still shows in the history.
func (b *Batch) moveClaim(id, to, payerClaim, source string, firstVerdict int, detail map[string]any) (bool, error) {
	return b.moveClaimAs(id, to, to, payerClaim, source, firstVerdict, detail)
}

// moveClaimAs is moveClaim with the event named kind rather than after the state, for
// events whose name says more than the state they lead to (an X212 "status_f1").
func (b *Batch) moveClaimAs(id, to, kind, payerClaim, source string, firstVerdict int, detail map[string]any) (bool, error) {
	cur, _, has, err := b.claimState(id)
	if err != nil {
		return false, fmt.Errorf("claim %s state: %w", id, err)
	}
	if !has {
		cur = remit.StateSubmitted
	}
	next, moved := remit.Transition(cur, to)
	if !has {
		if _, err := b.exec(`INSERT INTO claim_status (claim_id, state, payer_claim, first_pass, updated_at) VALUES (?, ?, ?, ?, ?)`,
			id, next, payerClaim, firstVerdict, timestamp(b.now)); err != nil {
			return false, fmt.Errorf("claim %s status: %w", id, err)
		}
	} else if moved || payerClaim != "" {
		if _, err := b.exec(`UPDATE claim_status SET state = ?, payer_claim = CASE WHEN ? = '' THEN payer_claim ELSE ? END, updated_at = ? WHERE claim_id = ?`,
			next, payerClaim, payerClaim, timestamp(b.now), id); err != nil {
			return false, fmt.Errorf("claim %s status: %w", id, err)
		}
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["from"], detail["to"], detail["moved"] = cur, to, moved
	return moved, b.Event("claim", id, kind, source, detail)
}

// fileSeen records a response file; false when it was applied before.
func (b *Batch) fileSeen(f ResponseFile, kind string) (bool, error) {
	res, err := b.exec(`INSERT INTO remit_files (sha256, name, kind, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		f.SHA256, f.Name, kind, timestamp(b.now))
	if err != nil {
		return false, fmt.Errorf("response file %s: %w", f.Name, err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// PostRemittance posts an 835: payments, claim payments, adjustments, claim states, and
// queue items for denials, unbalanced payments and unknown claims, in one transaction.
// The same file twice is a no-op (by content hash), and a CLP already posted from another
// file (payer + check + CLP01 + CLP02) is not posted again.
func (db *DB) PostRemittance(ctx context.Context, f ResponseFile, r *remit.Remittance) (ApplyResult, error) {
	var out ApplyResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = ApplyResult{}
		dup, err := b.fileSeen(f, "835")
		if err != nil || dup {
			out.Duplicate = dup
			return err
		}
		for pi := range r.Payments {
			p := &r.Payments[pi]
			if err := b.postPayment(f, p, &out); err != nil {
				return fmt.Errorf("835 %s payment %s: %w", f.Name, p.Check, err)
			}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("store: post remittance: %w", err)
	}
	return out, nil
}

func (b *Batch) postPayment(f ResponseFile, p *remit.Payment, out *ApplyResult) error {
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
	var queue []QueueItem
	if !p.Balanced {
		var msgs []string
		for _, e := range p.BalanceErrors {
			msgs = append(msgs, e.Message)
		}
		queue = append(queue, QueueItem{Kind: QueueReview, Payer: p.PayerID, Reason: "unbalanced " + p.Check,
			Message: strings.Join(msgs, "; "), Amount: p.Total, Source: f.Name})
	}
	// Set-based posting: what is already posted for this check, and the claims' states,
	// are read once per payment; rows are written in multi-row statements. Per-claim
	// statements capped posting at a few thousand claims a second.
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
	ids := make([]string, 0, len(p.Claims))
	for i := range p.Claims {
		ids = append(ids, p.Claims[i].PatientControl)
	}
	known, err := b.lookup(`SELECT id, payer_claim_number FROM claims WHERE id IN `, ids)
	if err != nil {
		return err
	}
	states, err := b.lookup(`SELECT claim_id, state FROM claim_status WHERE claim_id IN `, ids)
	if err != nil {
		return err
	}
	now := timestamp(b.now)
	var claimRows, adjRows, eventRows [][]any
	changed := map[string]string{} // claim id -> payer claim number to store on the claim
	pc := map[string]string{}      // claim id -> payer claim number of its latest adjudication
	for ci := range p.Claims {
		c := &p.Claims[ci]
		key := c.PatientControl + "\x00" + c.Status
		if posted[key] {
			out.Repeated++
			continue
		}
		posted[key] = true
		outcome := remit.Outcome(c)
		claimRows = append(claimRows, []any{payID, ci, c.PatientControl, p.PayerID, p.Check, c.Status, c.PayerClaim, int64(c.Charge),
			int64(c.Paid), int64(c.PatientResponsibility), outcome, c.DenialCategory, c.AppealDue, p.Date, c.RenderingNPI, lineCodes(c)})
		adjRows = appendAdjustments(adjRows, payID, ci, c)
		number, isKnown := known[c.PatientControl]
		if !isKnown {
			out.Unmatched++
			queue = append(queue, QueueItem{Kind: QueueReview, ClaimID: c.PatientControl, Payer: p.PayerID, Reason: "unmatched CLP01",
				Message: "835 pays a claim edigate did not build", Amount: c.Paid, Source: f.Name})
		} else if c.PayerClaim != "" && !c.Reversal() && number != c.PayerClaim {
			changed[c.PatientControl] = c.PayerClaim
			known[c.PatientControl] = c.PayerClaim
		}
		if c.PayerClaim != "" && !c.Reversal() {
			pc[c.PatientControl] = c.PayerClaim
		}
		if outcome == "" {
			continue
		}
		cur, has := states[c.PatientControl]
		if !has {
			cur = remit.StateSubmitted
		}
		next, moved := remit.Transition(cur, outcome)
		states[c.PatientControl] = next
		if moved && isKnown { // a claim we never built is unmatched, not applied
			out.Applied++
		}
		d, err := json.Marshal(remitEvent{From: cur, To: outcome, Moved: moved, Check: p.Check, Payer: p.PayerID, ISA: p.ISAControl,
			GS: p.GSControl, ST: p.Control, CLP02: c.Status, Paid: c.Paid.String(), Patient: c.PatientResponsibility.String()})
		if err != nil {
			return err
		}
		eventRows = append(eventRows, []any{"claim", c.PatientControl, outcome, now, f.Name, string(d)})
		for _, dn := range c.Denials {
			queue = append(queue, QueueItem{Kind: QueueDenials, ClaimID: c.PatientControl, Line: dn.Line, Payer: p.PayerID,
				Reason: dn.Group + "-" + dn.Reason, Category: dn.Category, Action: dn.Action, Message: denialMessage(dn),
				Due: c.AppealDue, Amount: dn.Amount, Source: f.Name})
		}
	}
	// Write the state of every claim this payment moved or first spoke of.
	var statusRows [][]any
	seen := map[string]bool{}
	for i := range p.Claims {
		id := p.Claims[i].PatientControl
		st, ok := states[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		statusRows = append(statusRows, []any{id, st, pc[id], 1, now})
	}
	if err := b.insertRows(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents,
		patient_cents, outcome, denial_category, appeal_due, pay_date, rendering_npi, line_codes) VALUES `, claimRows, ""); err != nil {
		return fmt.Errorf("remit claims: %w", err)
	}
	if err := b.insertRows(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES `, adjRows, ""); err != nil {
		return fmt.Errorf("remit adjustments: %w", err)
	}
	if err := b.insertRows(`INSERT INTO claim_status (claim_id, state, payer_claim, first_pass, updated_at) VALUES `, statusRows,
		` ON CONFLICT (claim_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
		payer_claim = CASE WHEN excluded.payer_claim = '' THEN claim_status.payer_claim ELSE excluded.payer_claim END`); err != nil {
		return fmt.Errorf("claim status: %w", err)
	}
	if err := b.insertRows(`INSERT INTO events (entity_kind, entity_id, kind, at, source_file, detail) VALUES `, eventRows, ""); err != nil {
		return fmt.Errorf("claim events: %w", err)
	}
	for id, n := range changed {
		if err := b.SetPayerClaimNumber(id, n, f.Name); err != nil {
			return err
		}
	}
	for _, it := range queue {
		if err := b.enqueue(it, out); err != nil {
			return err
		}
	}
	return nil
}

// remitEvent is the detail of a claim event from an 835: ids and codes, no PHI.
type remitEvent struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Moved   bool   `json:"moved"`
	Check   string `json:"check"`
	Payer   string `json:"payer"`
	ISA     string `json:"isa"`
	GS      string `json:"gs"`
	ST      string `json:"st"`
	CLP02   string `json:"clp02"`
	Paid    string `json:"paid"`
	Patient string `json:"patient"`
}

// lineCodes lists the procedure codes of a CLP's lines, the denominator of the denial
// rates per CPT (DenialReport).
func lineCodes(c *remit.ClaimPayment) string {
	if len(c.Lines) == 0 {
		return ""
	}
	var b strings.Builder
	for i, l := range c.Lines {
		if i > 0 {
			b.WriteByte(' ')
		}
		code := l.Code
		if code == "" {
			code = "-"
		}
		b.WriteString(code)
	}
	return b.String()
}

func appendAdjustments(rows [][]any, payID int64, seq int, c *remit.ClaimPayment) [][]any {
	cat := func(line int, a remit.Adjustment) string {
		for _, d := range c.Denials {
			if d.Line == line && d.Group == a.Group && d.Reason == a.Reason {
				return d.Category
			}
		}
		return ""
	}
	for _, a := range c.Adjustments {
		rows = append(rows, []any{payID, seq, 0, "", a.Group, a.Reason, int64(a.Amount), cat(0, a)})
	}
	for li, l := range c.Lines {
		for _, a := range l.Adjustments {
			rows = append(rows, []any{payID, seq, li + 1, l.Code, a.Group, a.Reason, int64(a.Amount), cat(li+1, a)})
		}
	}
	return rows
}

// insertRows writes rows with multi-row INSERT statements of up to 100 rows (well under
// the bind-parameter limits of SQLite and PostgreSQL).
func (b *Batch) insertRows(prefix string, rows [][]any, suffix string) error {
	const chunk = 100
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		var q strings.Builder
		q.WriteString(prefix)
		args := make([]any, 0, n*len(rows[0]))
		for i := 0; i < n; i++ {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(ph)
			args = append(args, rows[i]...)
		}
		q.WriteString(suffix)
		if _, err := b.exec(q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// lookup runs "SELECT key, value FROM ... WHERE col IN " over ids in chunks.
func (b *Batch) lookup(prefix string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		if err := b.eachRow(prefix+in, args, func(sc func(...any) error) error {
			var k, v string
			if err := sc(&k, &v); err != nil {
				return err
			}
			out[k] = v
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *Batch) eachRow(q string, args []any, fn func(scan func(...any) error) error) error {
	s, err := b.stmt(q)
	if err != nil {
		return err
	}
	rows, err := s.QueryContext(b.ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func denialMessage(d remit.Denial) string {
	var parts []string
	if d.Words != "" {
		parts = append(parts, d.Words)
	}
	for _, r := range d.Remarks {
		s := r.Code
		if r.Text != "" {
			s += " " + r.Text
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// ApplyClaimStatuses applies 277CA (X214) and 277 claim status (X212) answers. A 277CA
// acceptance moves the claim to accepted and stores the payer claim number; a rejection
// moves it to rejected and opens a rejection queue item with the status in words. An X212
// answer (to a follow-up 276) is found by REF*EJ or else by the 276's trace, lands in the
// claim's history as a status_<category> event, and moves the claim: pending (P*) and
// acknowledged (A1/A2) to accepted, finalized paid (F1) to paid, finalized denied (F2, F4)
// to denied. The open follow-up item gets the answer in words as a note.
func (db *DB) ApplyClaimStatuses(ctx context.Context, f ResponseFile, reports []*remit.StatusReport) (ApplyResult, error) {
	var out ApplyResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = ApplyResult{}
		dup, err := b.fileSeen(f, "277")
		if err != nil || dup {
			out.Duplicate = dup
			return err
		}
		for _, r := range reports {
			for _, c := range r.Claims {
				if r.Version == remit.Version277 {
					if err := b.applyStatus212(f, r, c, &out); err != nil {
						return err
					}
					continue
				}
				_, known, _, err := b.claimState(c.PatientControl)
				if err != nil {
					return err
				}
				if !known {
					out.Unmatched++
				} else if c.Accepted && c.PayerClaim != "" {
					if err := b.SetPayerClaimNumber(c.PatientControl, c.PayerClaim, f.Name); err != nil {
						return err
					}
				}
				detail := map[string]any{"version": r.Version, "st": r.Control, "isa": r.ISAControl, "category": c.Category, "status": c.Status}
				var to string
				first := 0
				switch {
				case c.Rejected:
					to = remit.StateRejected
				case c.Accepted:
					to, first = remit.StateAccepted, 1
				default:
					if err := b.Event("claim", c.PatientControl, "status_"+strings.ToLower(c.Category), f.Name, detail); err != nil {
						return err
					}
					continue
				}
				moved, err := b.moveClaim(c.PatientControl, to, c.PayerClaim, f.Name, first, detail)
				if err != nil {
					return err
				}
				if moved && known { // a claim we never built is unmatched, not applied
					out.Applied++
				}
				if to == remit.StateRejected {
					it := QueueItem{Kind: QueueRejections, ClaimID: c.PatientControl, Reason: c.Category + ":" + c.Status,
						Category: "277CA", Action: remit.ActionCorrectedClaim, Message: c.Message, Source: f.Name}
					if c.Charge != nil { // STC04: what the rejection keeps from being paid
						it.Amount = *c.Charge
					}
					if err := b.enqueue(it, &out); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("store: apply claim statuses: %w", err)
	}
	return out, nil
}

// applyStatus212 applies one claim of an X212 277 (see ApplyClaimStatuses).
func (b *Batch) applyStatus212(f ResponseFile, r *remit.StatusReport, c remit.ClaimStatus, out *ApplyResult) error {
	id := c.PatientControl
	_, known, _, err := b.claimState(id)
	if err != nil {
		return err
	}
	if !known && c.Trace != "" {
		// The payer did not echo REF*EJ: the trace of our 276 names the claim.
		row, err := b.queryRow(`SELECT claim_id FROM status_inquiries WHERE trace = ?`, c.Trace)
		if err != nil {
			return err
		}
		var byTrace string
		if err := row.Scan(&byTrace); err == nil {
			id, known = byTrace, true
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("277 trace %s: %w", c.Trace, err)
		}
	}
	if !known {
		out.Unmatched++
		return nil
	}
	if c.Trace != "" {
		if _, err := b.exec(`UPDATE status_inquiries SET answered_at = ?, answer = ? WHERE trace = ? AND claim_id = ?`,
			timestamp(b.now), c.Category+":"+c.Status, c.Trace, id); err != nil {
			return fmt.Errorf("277 trace %s: %w", c.Trace, err)
		}
	}
	if c.PayerClaim != "" && !c.Rejected {
		if err := b.SetPayerClaimNumber(id, c.PayerClaim, f.Name); err != nil {
			return err
		}
	}
	detail := map[string]any{"version": r.Version, "st": r.Control, "isa": r.ISAControl, "category": c.Category,
		"status": c.Status, "trace": c.Trace}
	if c.Date != "" {
		detail["date"] = c.Date
	}
	if c.Paid != nil {
		detail["paid"] = c.Paid.String()
	}
	kind := "status_" + strings.ToLower(c.Category)
	to := ""
	finalized := func(cat string) bool {
		for _, st := range c.Statuses {
			if st.Category == cat {
				return true
			}
		}
		return false
	}
	switch {
	case c.Finalized && finalized("F1"):
		to = remit.StatePaid
	case c.Finalized && (finalized("F2") || finalized("F4")):
		to = remit.StateDenied
	case c.Rejected:
		// An X212 rejection (A4 not found, A3/A6-A8) speaks of the inquiry or says the
		// payer has no such claim; the biller decides, from the follow-up item.
	case c.Pending || c.Accepted || c.Finalized || c.Category == "A1":
		to = remit.StateAccepted
	}
	if to == "" {
		if err := b.Event("claim", id, kind, f.Name, detail); err != nil {
			return err
		}
	} else {
		pc := c.PayerClaim
		if c.Rejected {
			pc = ""
		}
		moved, err := b.moveClaimAs(id, to, kind, pc, f.Name, 0, detail)
		if err != nil {
			return err
		}
		if moved {
			out.Applied++
		}
	}
	if _, err := b.exec(`UPDATE queue_items SET message = ? WHERE kind = ? AND claim_id = ? AND state = ?`, c.Message, QueueFollowUp, id, QueueOpen); err != nil {
		return err
	}
	return b.noteOpen(QueueFollowUp, id, "277 "+f.Name+": "+c.Message)
}

// ApplyAcks applies 999s and TA1s to the claims of the files they answer: a 999 set
// matches by GS06 + ST02, a TA1 by ISA13. A rejected set or interchange puts its claims on
// the rejection queue with the IK3/IK4 errors in words.
func (db *DB) ApplyAcks(ctx context.Context, f ResponseFile, acks []*ack.Ack999, ta1s []ack.TA1) (ApplyResult, error) {
	var out ApplyResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = ApplyResult{}
		dup, err := b.fileSeen(f, "999")
		if err != nil || dup {
			out.Duplicate = dup
			return err
		}
		apply := func(ids []string, accepted bool, reason, msg string, detail map[string]any) error {
			to, first := remit.StateFileAccepted, 1
			if !accepted {
				to, first = remit.StateFileRejected, 0
			}
			for _, id := range ids {
				moved, err := b.moveClaim(id, to, "", f.Name, first, detail)
				if err != nil {
					return err
				}
				if moved {
					out.Applied++
				}
				if !accepted {
					if err := b.enqueue(QueueItem{Kind: QueueRejections, ClaimID: id, Reason: reason, Category: "999",
						Action: remit.ActionCorrectedClaim, Message: msg, Source: f.Name}, &out); err != nil {
						return err
					}
				}
			}
			return nil
		}
		for _, a := range acks {
			for _, s := range a.Sets {
				ids, err := b.claimsIn(`SELECT claim_id FROM claim_submissions WHERE gs_control = ? AND st_control = ?`, atoi64(a.GroupControl), s.Control)
				if err != nil {
					return err
				}
				detail := map[string]any{"gs": a.GroupControl, "st": s.Control, "ik501": s.Status}
				if err := apply(ids, s.Accepted(), "IK5 "+s.Status, setErrors(s), detail); err != nil {
					return err
				}
			}
		}
		for _, t := range ta1s {
			if t.Accepted() {
				continue // a TA1 A says only that the envelope was sound; the 999 speaks for the sets
			}
			ids, err := b.claimsIn(`SELECT claim_id FROM claim_submissions WHERE isa_control = ?`, atoi64(t.Control))
			if err != nil {
				return err
			}
			if err := apply(ids, false, "TA1 "+t.Note, t.NoteMessage, map[string]any{"isa": t.Control, "ta104": t.Status, "ta105": t.Note}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("store: apply acknowledgements: %w", err)
	}
	return out, nil
}

func (b *Batch) claimsIn(q string, args ...any) ([]string, error) {
	s, err := b.stmt(q)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(b.ctx, args...)
	if err != nil {
		return nil, err
	}
	return collectRows(rows, scanString)
}

// setErrors renders a 999 set's IK3/IK4 errors in words (no IK404 values: they may be PHI).
func setErrors(s ack.SetAck) string {
	var parts []string
	for _, c := range s.Codes {
		parts = append(parts, c.Message)
	}
	for _, e := range s.Errors {
		p := fmt.Sprintf("%s at segment %d", e.Segment, e.Position)
		if e.Loop != "" {
			p += " (loop " + e.Loop + ")"
		}
		p += ": " + e.Message
		for _, el := range e.Elements {
			p += fmt.Sprintf("; element %s%02d: %s", e.Segment, el.Position, el.Message)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// ClaimState returns a claim's lifecycle state on the response side ("" when no response
// has spoken of it) and its payer claim number.
func (db *DB) ClaimState(ctx context.Context, id string) (state, payerClaim string, err error) {
	err = db.sql.QueryRowContext(ctx, db.Rebind(`SELECT state, payer_claim FROM claim_status WHERE claim_id = ?`), id).Scan(&state, &payerClaim)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("store: claim state %s: %w", id, err)
	}
	return state, payerClaim, nil
}

// RemitClaim is one posted CLP.
type RemitClaim struct {
	ClaimID        string     `json:"claim_id"`
	Payer          string     `json:"payer"`
	Check          string     `json:"check"`
	Status         string     `json:"status"`
	PayerClaim     string     `json:"payer_claim"`
	Charge         x12.Amount `json:"charge"`
	Paid           x12.Amount `json:"paid"`
	Patient        x12.Amount `json:"patient_responsibility"`
	Outcome        string     `json:"outcome"`
	DenialCategory string     `json:"denial_category,omitempty"`
	AppealDue      string     `json:"appeal_due,omitempty"`
	Date           string     `json:"date"`
}

// RemitClaims lists the CLPs posted for a claim, in posting order.
func (db *DB) RemitClaims(ctx context.Context, claimID string) ([]RemitClaim, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents,
		patient_cents, outcome, denial_category, appeal_due, pay_date FROM remit_claims WHERE claim_id = ? ORDER BY payment_id, seq`), claimID)
	if err != nil {
		return nil, fmt.Errorf("store: remit claims: %w", err)
	}
	return collectRows(rows, func(sc scanner) (RemitClaim, error) {
		var r RemitClaim
		var c, p, pr int64
		err := sc.Scan(&r.ClaimID, &r.Payer, &r.Check, &r.Status, &r.PayerClaim, &c, &p, &pr, &r.Outcome,
			&r.DenialCategory, &r.AppealDue, &r.Date)
		r.Charge, r.Paid, r.Patient = x12.Amount(c), x12.Amount(p), x12.Amount(pr)
		return r, err
	})
}

// DenialRow is one line of a denial report.
type DenialRow struct {
	Key          string     `json:"key"`
	Claims       int        `json:"claims"`        // adjudicated claims (reversals excluded)
	Denied       int        `json:"denied"`        // claims with a denial
	Rate         float64    `json:"rate"`          // denied / claims; a ratio, not money
	DeniedAmount x12.Amount `json:"denied_amount"` // sum of denied adjustments
	// By cpt, carc and category: service lines, as a denial rate per line (denied lines /
	// lines). Lines of CLPs posted before line codes were kept are not counted.
	Lines       int     `json:"lines,omitempty"`
	DeniedLines int     `json:"denied_lines,omitempty"`
	LineRate    float64 `json:"line_rate,omitempty"`
}

// DenialReport groups denials by payer, month (YYYYMM of the 835 date), provider
// (rendering NPI), cpt, carc or category.
func (db *DB) DenialReport(ctx context.Context, by string) ([]DenialRow, error) {
	var q string
	switch by {
	case "payer", "month", "provider":
		key := map[string]string{"payer": "c.payer_id", "month": "substr(c.pay_date, 1, 6)", "provider": "c.rendering_npi"}[by]
		// One row per claim: its latest adjudication that a reversal has not undone, so a
		// claim paid, reversed and paid again counts once, as it stands now.
		q = `WITH latest AS (SELECT c.* FROM remit_claims c WHERE c.outcome <> 'reversed' AND NOT EXISTS (
				SELECT 1 FROM remit_claims n WHERE n.claim_id = c.claim_id AND n.outcome <> 'reversed'
				AND (n.payment_id > c.payment_id OR (n.payment_id = c.payment_id AND n.seq > c.seq))))
			SELECT ` + key + `, COUNT(*), SUM(CASE WHEN c.denial_category <> '' OR c.outcome = 'denied' THEN 1 ELSE 0 END),
			COALESCE(SUM(a.amt), 0)
			FROM latest c LEFT JOIN (SELECT payment_id, seq, SUM(amount_cents) AS amt FROM remit_adjustments
				WHERE category <> '' GROUP BY payment_id, seq) a ON a.payment_id = c.payment_id AND a.seq = c.seq
			GROUP BY ` + key + ` ORDER BY 1`
	case "cpt", "carc", "category":
		return db.denialReportByLine(ctx, by)
	default:
		return nil, fmt.Errorf("store: denial report by %q: want payer, month, provider, cpt, carc or category", by)
	}
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	return collectRows(rows, func(sc scanner) (DenialRow, error) {
		var r DenialRow
		var amt int64
		if err := sc.Scan(&r.Key, &r.Claims, &r.Denied, &amt); err != nil {
			return r, err
		}
		r.DeniedAmount = x12.Amount(amt)
		if r.Claims > 0 {
			r.Rate = float64(r.Denied) / float64(r.Claims)
		}
		return r, nil
	})
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimLeft(s, "0"), 10, 64)
	return n
}
