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
//
// A plan with a Part is one part of a large file: it is applied only when the file's
// parts before it are in (ResponseProgress says where to resume), and records its end in
// the same transaction, so a run stopped after any part neither posts a part twice nor
// loses the rest. Another run applying the same part meanwhile makes it ErrPartApplied.
func (db *DB) ApplyResponse(ctx context.Context, f ResponseFile, p *remit.Plan) (ApplyResult, error) {
	var out ApplyResult
	err := db.Batch(ctx, nil, func(b *Batch) error {
		out = ApplyResult{}
		var dup bool
		var err error
		if p.Part == nil {
			dup, err = b.fileSeen(f, p.Kind)
		} else {
			dup, err = b.partSeen(f, p.Kind, p.Part)
		}
		if err != nil || dup {
			out.Duplicate = dup
			return err
		}
		if err := b.lockClaimsInOrder(planClaims(p)); err != nil {
			return err
		}
		for i := range p.Payments {
			pp := &p.Payments[i]
			if err := b.applyPayment(f, pp, p.Part != nil, &out); err != nil {
				return fmt.Errorf("%s %s payment %s: %w", p.Kind, f.Name, pp.Payment.Check, err)
			}
		}
		for i := range p.Steps {
			if err := b.applyStep(f, &p.Steps[i], &out, nil); err != nil {
				return fmt.Errorf("%s %s claim %s: %w", p.Kind, f.Name, p.Steps[i].Claim, err)
			}
		}
		if p.Part != nil {
			return b.partDone(f, p.Part)
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("store: apply %s: %w", p.Kind, err)
	}
	return out, nil
}

// planClaims lists the claims a plan names that edigate built (unmatched ones have no row).
func planClaims(p *remit.Plan) []string {
	var ids []string
	add := func(steps []remit.Step) {
		for i := range steps {
			if !steps[i].Unmatched && steps[i].Claim != "" {
				ids = append(ids, steps[i].Claim)
			}
		}
	}
	for i := range p.Payments {
		add(p.Payments[i].Steps)
	}
	add(p.Steps)
	return ids
}

// ErrPartApplied says a part of a response file is not where the file's progress is: an
// earlier part is missing, or another run applied this one meanwhile. Nothing of it was
// applied; ResponseProgress tells where to resume.
var ErrPartApplied = errors.New("response file part is not the next one to apply")

// ResponseProgress says how far a response file (by content hash) was applied: seen when
// it was recorded at all, complete when every part is in, and done, the number of its
// claims (835 CLPs, 277 claims, in file order) applied so far.
func (db *DB) ResponseProgress(ctx context.Context, sha string) (seen, complete bool, done int, err error) {
	var c int64
	err = db.sql.QueryRowContext(ctx, db.Rebind(`SELECT items_done, complete FROM remit_files WHERE sha256 = ?`), sha).Scan(&done, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, 0, nil
	}
	if err != nil {
		return false, false, 0, fmt.Errorf("store: response progress: %w", err)
	}
	return true, c == 1, done, nil
}

// partSeen records the first part of a file applied in parts and checks that part is
// the next one; true when the whole file was applied before.
func (b *Batch) partSeen(f ResponseFile, kind string, pt *remit.Part) (bool, error) {
	if _, err := b.exec(`INSERT INTO remit_files (sha256, name, kind, received_at, items_done, complete) VALUES (?, ?, ?, ?, 0, 0)
		ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Name, kind, timestamp(b.now)); err != nil {
		return false, fmt.Errorf("response file %s: %w", f.Name, err)
	}
	row, err := b.queryRow(`SELECT items_done, complete FROM remit_files WHERE sha256 = ?`, f.SHA256)
	if err != nil {
		return false, err
	}
	var done, complete int64
	if err := row.Scan(&done, &complete); err != nil {
		return false, fmt.Errorf("response file %s: %w", f.Name, err)
	}
	switch {
	case complete == 1:
		return true, nil
	case done != int64(pt.Start):
		return false, fmt.Errorf("%w: %s has %d claim(s) applied, this part starts at %d", ErrPartApplied, f.Name, done, pt.Start)
	}
	return false, nil
}

// partDone records a part as applied: the file's progress moves from the part's start to
// its end (one row, else another run got there first and nothing of this part stays).
func (b *Batch) partDone(f ResponseFile, pt *remit.Part) error {
	res, err := b.exec(`UPDATE remit_files SET items_done = ?, complete = ? WHERE sha256 = ? AND items_done = ? AND complete = 0`,
		pt.End, boolInt(pt.Last), f.SHA256, pt.Start)
	if err != nil {
		return fmt.Errorf("response file %s progress: %w", f.Name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: %s moved past claim %d meanwhile", ErrPartApplied, f.Name, pt.Start)
	}
	return nil
}

// applyPayment writes one 835 payment: its row, its CLPs and adjustments in multi-row
// statements (per-CLP statements capped posting at a few thousand claims a second), and
// each CLP's step. In a file applied in parts the payment row is written by the first
// part of its set and found again by the next ones (by file and set); the part that ends
// the set writes its balancing and PLB, and opens the review item of an unbalanced one.
func (b *Batch) applyPayment(f ResponseFile, pp *remit.PaymentPlan, parts bool, out *ApplyResult) error {
	p := pp.Payment
	var payID int64
	if parts {
		if err := b.eachRow(`SELECT id FROM remit_payments WHERE file_sha = ? AND set_seq = ?`, []any{f.SHA256, p.Set},
			func(sc func(...any) error) error { return sc(&payID) }); err != nil {
			return err
		}
	}
	balErrs, plb := jsonText(p.BalanceErrors), jsonText(p.PLB)
	if p.Open {
		balErrs, plb = "[]", "[]" // known when the set ends
	}
	switch {
	case payID == 0:
		row, err := b.queryRow(`INSERT INTO remit_payments (file_sha, payer_id, payer, check_no, st_control, pay_date, total_cents, balanced, balance_errors, plb, set_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			f.SHA256, p.PayerID, p.Payer, p.Check, p.Control, p.Date, int64(p.Total), boolInt(p.Balanced && !p.Open), balErrs, plb, p.Set)
		if err != nil {
			return err
		}
		if err := row.Scan(&payID); err != nil {
			return err
		}
	case !p.Open:
		if _, err := b.exec(`UPDATE remit_payments SET balanced = ?, balance_errors = ?, plb = ? WHERE id = ?`,
			boolInt(p.Balanced), balErrs, plb, payID); err != nil {
			return err
		}
	}
	if pp.Review != nil {
		out.Unbalanced++
		if err := b.enqueue(*pp.Review, out); err != nil {
			return err
		}
	}
	// The CLPs of this payment already posted (from another file, or earlier in this
	// one), looked up for the claims at hand only: a check paying 500,000 claims in parts
	// is not read again for every part. The same rows (off the one index, 0840) say which
	// claims were posted before at all, whose report figures are then recomputed.
	posted := map[string]bool{}
	before := map[string]bool{}
	ids := make([]string, 0, len(pp.Steps))
	for i := range pp.Steps {
		ids = append(ids, pp.Steps[i].Post.CLP.PatientControl)
	}
	slices.Sort(ids)
	for part := range slices.Chunk(slices.Compact(ids), 500) {
		in, args := inList(part)
		if err := b.eachRow(`SELECT claim_id, payer_id, check_no, status FROM remit_claims WHERE claim_id IN `+in, args,
			func(sc func(...any) error) error {
				var id, payer, check, st string
				if err := sc(&id, &payer, &check, &st); err != nil {
					return err
				}
				before[id] = true
				if payer == p.PayerID && check == p.Check {
					posted[id+"\x00"+st] = true
				}
				return nil
			}); err != nil {
			return err
		}
	}
	claimRows, adjRows := make([][]any, 0, len(pp.Steps)), make([][]any, 0, 2*len(pp.Steps))
	items := make([]QueueItem, 0, len(pp.Steps)) // opened together after the steps
	news := make([]posting, 0, len(pp.Steps))    // the report sums' view of the new postings
	newAdjs := map[[2]int64][]denialAdj{}
	for i := range pp.Steps {
		st := &pp.Steps[i]
		c, seq := st.Post.CLP, st.Post.Seq
		key := c.PatientControl + "\x00" + c.Status
		if posted[key] {
			out.Repeated++
			continue
		}
		posted[key] = true
		codes := lineCodes(c)
		claimRows = append(claimRows, []any{payID, seq, c.PatientControl, p.PayerID, p.Check, c.Status, c.PayerClaim, int64(c.Charge),
			int64(c.Paid), int64(c.PatientResponsibility), string(st.Post.Outcome), c.DenialCategory, c.AppealDue, p.Date, c.RenderingNPI, codes})
		k := [2]int64{payID, int64(seq)}
		eachAdjustment(c, func(line int, code string, a remit.Adjustment, category string) {
			adjRows = append(adjRows, []any{payID, seq, line, code, a.Group, a.Reason, int64(a.Amount), category})
			if category != "" {
				newAdjs[k] = append(newAdjs[k], denialAdj{line: line, code: code, grp: a.Group, reason: a.Reason, category: category, amount: a.Amount})
			}
		})
		news = append(news, posting{k: k, claim: c.PatientControl, payerID: p.PayerID, date: p.Date, provider: c.RenderingNPI, codes: codes,
			outc: string(st.Post.Outcome), paid: int64(c.Paid), patient: int64(c.PatientResponsibility)})
		// What this posting adds to the claim's paid sums goes with its state move.
		t := remit.FoldPostings([]remit.Posted{{Outcome: st.Post.Outcome, Date: p.Date, Paid: int64(c.Paid), Patient: int64(c.PatientResponsibility)}})
		d := &paidDelta{paid: t.Paid, patient: t.Patient, firstPaid: t.FirstPaid}
		// An 835 step's items come last in it (no follow-up note after them), so they
		// can wait for one multi-row statement.
		s := *st
		items, s.Queue = append(items, st.Queue...), nil
		if err := b.applyStep(f, &s, out, d); err != nil {
			return fmt.Errorf("claim %s: %w", st.Claim, err)
		}
		if err := b.recordExpected(f, p, st); err != nil {
			return fmt.Errorf("claim %s: %w", st.Claim, err)
		}
	}
	if err := b.enqueueMany(items, out); err != nil {
		return err
	}
	if _, err := b.insertSparse(remitClaimsTable, claimRows, ""); err != nil {
		return fmt.Errorf("remit claims: %w", err)
	}
	if _, err := b.insertSparse(remitAdjustmentsTable, adjRows, ""); err != nil {
		return fmt.Errorf("remit adjustments: %w", err)
	}
	// The reports' and the claims list's per-claim totals, in this same transaction.
	return b.refreshClaimRemits(news, newAdjs, before)
}

// applyStep writes what a response says of one claim; paid is what its 835 posting adds
// to the claim's paid sums (nil for other responses).
func (b *Batch) applyStep(f ResponseFile, st *remit.Step, out *ApplyResult, paid *paidDelta) error {
	if st.Unmatched {
		out.Unmatched++
	}
	if st.Answer != nil {
		if _, err := b.exec(`UPDATE status_inquiries SET answered_at = ?, answer = ? WHERE trace = ? AND claim_id = ?`,
			timestamp(b.now), st.Answer.Answer, st.Answer.Trace, st.Answer.Claim); err != nil {
			return fmt.Errorf("277 trace %s: %w", st.Answer.Trace, err)
		}
	}
	// The payer claim number goes with the claim's move when it can (one UPDATE of the
	// claims row and its indexes instead of two): applyMove writes it guarded by the number
	// the plan saw, and records it the way SetPayerClaimNumber does, before the move.
	var pcn *payerClaimSet
	if st.PayerClaim != "" {
		if st.Move != nil && st.Record == nil && st.PayerClaimWas != nil && *st.PayerClaimWas != st.PayerClaim {
			pcn = &payerClaimSet{number: st.PayerClaim, was: *st.PayerClaimWas}
		} else if err := b.SetPayerClaimNumber(st.Claim, st.PayerClaim, f.Name); err != nil {
			return err
		}
	}
	if st.Record != nil {
		if err := b.Event(lifecycle.EntityClaim, st.Claim, st.Record.Kind, f.Name, st.Record.Detail); err != nil {
			return err
		}
	}
	switch {
	case st.Move != nil:
		moved, err := b.applyMoveWith(st.Claim, st.Move, f.Name, paid, pcn)
		if err != nil {
			return err
		}
		if moved {
			out.Applied++
		}
	case !st.Unmatched && st.Claim != "":
		if err := b.addPaid(st.Claim, paid); err != nil {
			return err
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
	return b.applyMove(id, &remit.Move{From: cur, To: to, Next: next, Kind: to.Event(), Detail: remit.Detail(detail)}, source, nil)
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
// whether the claim moved, so a late 277CA still shows in the history. paid (an 835
// posting's, else nil) is added to the claim's paid sums by the move's own statement, or
// alone when the claim does not move.
func (b *Batch) applyMove(id string, m *remit.Move, source string, paid *paidDelta) (bool, error) {
	return b.applyMoveWith(id, m, source, paid, nil)
}

// payerClaimSet is a payer claim number applyMoveWith writes with the move, from the one
// the plan saw.
type payerClaimSet struct{ number, was string }

// verdictOf is the first-pass answer an event of kind k gives its claim, as the
// claims_verdict trigger (migration 0720) sets it: 2 rejected, 1 accepted or adjudicated,
// 0 none. The move's own UPDATE raises the verdict too, so the trigger, firing when the
// event is inserted, finds it set and writes the claims row no second time.
func verdictOf(k lifecycle.EventKind) int64 {
	switch k {
	case "file_rejected", "rejected":
		return 2
	case "accepted", "paid", "partially_paid", "denied", "reversed":
		return 1
	}
	return 0
}

// applyMoveWith is applyMove that also writes pcn (nil: none) in the move's first UPDATE,
// which then expects the number the plan saw as well as the state; when either changed
// meanwhile the number is written by SetPayerClaimNumber and the move retried alone.
func (b *Batch) applyMoveWith(id string, m *remit.Move, source string, paid *paidDelta, pcn *payerClaimSet) (bool, error) {
	from, next := m.From, m.Next
	set, setArgs := paid.set()
	if v := verdictOf(m.Kind); v > 0 {
		set += `, verdict = CASE WHEN verdict < ? THEN ? ELSE verdict END`
		setArgs = append(setArgs, v, v)
	}
	pcnWritten := false
	for try := 0; next != from; try++ {
		q, args := `UPDATE claims SET state = ?, updated_at = ?`+set, append([]any{next, b.nowStamp()}, setArgs...)
		where, whereArgs := ` WHERE id = ? AND state = ?`, []any{id, from}
		if pcn != nil {
			q, args = q+`, payer_claim_number = ?`, append(args, pcn.number)
			where, whereArgs = where+` AND payer_claim_number = ?`, append(whereArgs, pcn.was)
		}
		res, err := b.exec(q+where, append(args, whereArgs...)...)
		if err != nil {
			return false, fmt.Errorf("claim %s %s -> %s: %w", id, from, next, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			set = ""
			pcnWritten = pcn != nil
			break
		}
		if pcn != nil {
			// Moved or renumbered since the plan: the number on its own, as without a move.
			if err := b.SetPayerClaimNumber(id, pcn.number, source); err != nil {
				return false, err
			}
			pcn = nil
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
	if pcn != nil && !pcnWritten {
		// The claim was already where the move goes: no UPDATE ran to carry the number.
		if err := b.SetPayerClaimNumber(id, pcn.number, source); err != nil {
			return false, err
		}
	}
	if pcnWritten {
		if err := b.Event(lifecycle.EntityClaim, id, lifecycle.PayerClaimNumber, source, map[string]string{"payer_claim_number": pcn.number}); err != nil {
			return false, err
		}
	}
	if set != "" && from != "" { // not moved (a claim edigate never built has no sums)
		if err := b.addPaid(id, paid); err != nil {
			return false, err
		}
	}
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
