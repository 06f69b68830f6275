package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/outbox"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// outboxMessages reads the whole outbox, checking the numbers run 1..n without a gap.
func outboxMessages(t *testing.T, db *store.DB) []outbox.Message {
	t.Helper()
	rows, err := db.OutboxRange(ctx, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]outbox.Message, len(rows))
	for i, r := range rows {
		if r.Seq != int64(i+1) {
			t.Fatalf("outbox row %d has seq %d: numbers have a gap or repeat", i, r.Seq)
		}
		if err := json.Unmarshal([]byte(r.Body), &out[i]); err != nil {
			t.Fatalf("seq %d: %v", r.Seq, err)
		}
		if out[i].Seq != r.Seq || out[i].Version != outbox.Version || out[i].SessionID != r.SessionID {
			t.Fatalf("seq %d body %s", r.Seq, r.Body)
		}
	}
	if last, err := db.OutboxLast(ctx); err != nil || last != int64(len(rows)) {
		t.Fatalf("last %d (%v), %d rows", last, err, len(rows))
	}
	return out
}

func outboxEvents(ms []outbox.Message) string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m.Event)+":"+m.SessionID)
	}
	return fmt.Sprint(s)
}

// testOutboxWithStateChange: every state change the practice is told of writes its outbox
// row in the change's transaction: a session taken in and held, a rolled-back batch
// leaves neither, a claim paid names the claim's session with the amounts and the
// patient's share in words, and a late response that moves nothing tells nothing.
func testOutboxWithStateChange(t *testing.T, db *store.DB) {
	put(t, db, Session("S-1", "2026-11-02")) // no authorization: held auth_missing
	ms := outboxMessages(t, db)
	if outboxEvents(ms) != "[received:S-1 held:S-1]" {
		t.Fatalf("outbox %s", outboxEvents(ms))
	}
	if h := ms[1].Hold; h == nil || h.Reason != "auth_missing" || h.Who != outbox.ActorPractice || h.Words == "" || h.Action == "" || ms[1].Practice != "demo-practice" {
		t.Fatalf("hold %+v", ms[1])
	}

	// A batch that fails after its change leaves no session, no event and no outbox row.
	boom := errors.New("boom")
	err := db.Batch(ctx, Rules(t), func(b *store.Batch) error {
		if _, err := b.PutSession(Session("S-2", "2026-11-03"), "x.json"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := len(outboxMessages(t, db)); n != 2 {
		t.Fatalf("rolled-back batch left outbox rows: %d", n)
	}

	// A claim of S-1, paid by an 835 with a PR copay on its line.
	claimRow(t, db, "CLM-1", "1", lifecycle.Accepted)
	exec(t, db, `INSERT INTO claim_sessions (claim_id, session_id) VALUES ('CLM-1', 'S-1')`)
	exec(t, db, `INSERT INTO claim_lines (claim_id, line_no, session_id, code, units, charge_cents, service_date) VALUES ('CLM-1', 1, 'S-1', '90837', 1, 15000, '2026-11-02')`)
	pe := &remit.PaymentEvent{Check: "CHK1", Payer: "P1", CLP02: "1", Charge: "150.00", Paid: "80.00", Patient: "25.00",
		Lines: []remit.PaymentEventLine{{Line: 1, Code: "90837", Charge: x12.MustAmount("150"), Paid: x12.MustAmount("80"),
			Adjustments: []remit.Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("45")}, {Group: "PR", Reason: "3", Amount: x12.MustAmount("25")}},
			Remarks:     []remit.Remark{{Code: "N130"}}}}}
	apply(t, db, "835-a", remit.Step{Claim: "CLM-1", PayerClaim: "PCN-9", Move: &remit.Move{From: lifecycle.Accepted, To: lifecycle.Paid,
		Next: lifecycle.Paid, Kind: lifecycle.Paid.Event(), Detail: pe}})
	ms = outboxMessages(t, db)
	if outboxEvents(ms) != "[received:S-1 held:S-1 paid:S-1]" {
		t.Fatalf("outbox %s", outboxEvents(ms))
	}
	paid := ms[2]
	if paid.ClaimID != "CLM-1" || paid.PayerClaimNumber != "PCN-9" || paid.Payment == nil {
		t.Fatalf("paid %+v", paid)
	}
	p := paid.Payment
	if p.ClaimPaid != x12.MustAmount("80") || p.ClaimPatientResponsibility != x12.MustAmount("25") || len(p.Lines) != 1 {
		t.Fatalf("payment %+v", p)
	}
	l := p.Lines[0]
	if l.Date != "2026-11-02" || l.PatientResponsibility != x12.MustAmount("25") || len(l.Adjustments) != 2 ||
		l.Adjustments[1].Words != "Co-payment amount" || l.Adjustments[1].GroupWords != "patient responsibility" || len(l.Remarks) != 1 || l.Remarks[0].Words == "" {
		t.Fatalf("line %+v", l)
	}

	// A late 277CA acceptance of the paid claim is recorded in the history, not told.
	apply(t, db, "277-late", remit.Step{Claim: "CLM-1", Move: &remit.Move{From: lifecycle.Submitted, To: lifecycle.Accepted,
		Next: lifecycle.Accepted, Kind: lifecycle.Accepted.Event(), Detail: remit.Detail{}}})
	if n := len(outboxMessages(t, db)); n != 3 {
		t.Fatalf("a move that did not happen was told: %d rows", n)
	}
	// The biller appeals: told, with the claim.
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.MoveClaim("CLM-1", lifecycle.Appealed, "", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ms = outboxMessages(t, db)
	if last := ms[len(ms)-1]; last.Event != outbox.Appealed || last.ClaimID != "CLM-1" || last.SessionID != "S-1" {
		t.Fatalf("appeal %+v", last)
	}
}

// testOutboxConcurrentNumbers: batches committing at once number their rows without a gap
// or a repeat (the counter is taken in each batch's transaction).
func testOutboxConcurrentNumbers(t *testing.T, db *store.DB) {
	const workers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := db.Batch(ctx, nil, func(b *store.Batch) error {
					return b.Event(lifecycle.EntitySession, fmt.Sprintf("S-%d-%d", w, i), lifecycle.SessionBilled, "", map[string]string{"claim_ref": "C"})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ms := outboxMessages(t, db) // checks 1..n
	if len(ms) != workers*each {
		t.Fatalf("%d rows, want %d", len(ms), workers*each)
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.SessionID] || m.Event != outbox.Billed || m.ClaimID != "C" {
			t.Fatalf("row %+v", m)
		}
		seen[m.SessionID] = true
	}
}

// testOutboxCursors: a cursor moves only from the value (and pending end) its caller read;
// anyone else's stale move is refused, so two writers never both advance one range.
func testOutboxCursors(t *testing.T, db *store.DB) {
	for _, name := range []string{store.CursorFile, store.CursorHTTP} {
		if c, err := db.OutboxCursor(ctx, name); err != nil || c.Value != 0 || c.Pending != 0 || c.Attempts != 0 {
			t.Fatalf("%s: %+v %v", name, c, err)
		}
	}
	if _, err := db.OutboxCursor(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown cursor: %v", err)
	}
	if err := db.SetOutboxPending(ctx, store.CursorFile, 0, 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOutboxPending(ctx, store.CursorFile, 0, 0, 20); !errors.Is(err, store.ErrCursorMoved) {
		t.Fatalf("stale pending: %v", err)
	}
	if err := db.AdvanceOutbox(ctx, store.CursorFile, 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := db.AdvanceOutbox(ctx, store.CursorFile, 0, 10); !errors.Is(err, store.ErrCursorMoved) {
		t.Fatalf("second advance of one range: %v", err)
	}
	next := Today.Add(time.Minute)
	if err := db.OutboxFailed(ctx, store.CursorHTTP, 0, 2, "receiver answered 500", next); err != nil {
		t.Fatal(err)
	}
	c, err := db.OutboxCursor(ctx, store.CursorHTTP)
	if err != nil || c.Attempts != 2 || c.LastError != "receiver answered 500" || !c.NextAttempt.Equal(next) {
		t.Fatalf("failed: %+v %v", c, err)
	}
	if err := db.AdvanceOutbox(ctx, store.CursorHTTP, 0, 5); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.OutboxCursor(ctx, store.CursorHTTP); c.Value != 5 || c.Attempts != 0 || c.LastError != "" || !c.NextAttempt.IsZero() {
		t.Fatalf("advance clears failures: %+v", c)
	}
}
