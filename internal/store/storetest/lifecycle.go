package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// exec runs raw SQL ("?" placeholders) against the store.
func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// claimRow inserts a bare claim of client C-77 in a state.
func claimRow(t *testing.T, db *store.DB, id, frequency string, state lifecycle.State) {
	t.Helper()
	exec(t, db, `INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
		total_cents, state, data, created_at, updated_at) VALUES (?, ?, 'demo-practice', 'demo-commercial', 'sim', 'C-77', '2026-11-02', ?, 'P',
		15000, ?, '{}', 't', 't')`, id, id, frequency, state)
}

func claimState(t *testing.T, db *store.DB, id string) (lifecycle.State, string) {
	t.Helper()
	st, pc, err := db.ClaimState(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return st, pc
}

// testClaimStateMigration: a store from before the one claim state (claims.state held,
// built, filed; claim_status the response side) migrates to one state per claim without
// losing its history: the response side where a response spoke, submitted where the upload
// was recorded, the payer claim numbers onto the claims.
func testClaimStateMigration(t *testing.T, db *store.DB) {
	exec(t, db, `CREATE TABLE claim_status (claim_id TEXT NOT NULL PRIMARY KEY, state TEXT NOT NULL,
		payer_claim TEXT NOT NULL DEFAULT '', first_pass BIGINT NOT NULL DEFAULT 0, updated_at TEXT NOT NULL)`)
	for _, c := range []struct {
		id    string
		state lifecycle.State
	}{{"C-H", lifecycle.Held}, {"C-B", lifecycle.Built}, {"C-F", lifecycle.Filed}, {"C-S", lifecycle.Filed},
		{"C-P", lifecycle.Filed}, {"C-R", lifecycle.Filed}, {"C-N", lifecycle.Filed}} {
		claimRow(t, db, c.id, "1", c.state)
	}
	exec(t, db, `UPDATE claims SET payer_claim_number = 'KEEP' WHERE id = 'C-N'`)
	exec(t, db, `INSERT INTO claim_status (claim_id, state, payer_claim, updated_at) VALUES
		('C-P', 'paid', 'PCN-P', 't'), ('C-R', 'rejected', '', 't'), ('C-N', 'denied', 'OTHER', 't'), ('GONE', 'paid', 'X', 't')`)
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		for _, id := range []string{"C-S", "C-P"} {
			if err := b.Event(lifecycle.EntityClaim, id, lifecycle.Submitted.Event(), "837P_1.x12", nil); err != nil {
				return err
			}
		}
		return b.Event(lifecycle.EntityClaim, "C-P", lifecycle.Paid.Event(), "1.835", nil)
	}); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `DELETE FROM schema_migrations WHERE version = 500`)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]struct {
		state lifecycle.State
		pcn   string
	}{
		"C-H": {lifecycle.Held, ""}, "C-B": {lifecycle.Built, ""}, "C-F": {lifecycle.Filed, ""},
		"C-S": {lifecycle.Submitted, ""}, "C-P": {lifecycle.Paid, "PCN-P"}, "C-R": {lifecycle.Rejected, ""},
		"C-N": {lifecycle.Denied, "KEEP"}, "GONE": {"", ""},
	} {
		if st, pc := claimState(t, db, id); st != want.state || pc != want.pcn {
			t.Errorf("%s: %q %q, want %q %q", id, st, pc, want.state, want.pcn)
		}
	}
	if evs := eventKinds(t, db, "claim", "C-P"); len(evs) != 2 || evs[0] != "submitted" || evs[1] != "paid" {
		t.Errorf("C-P history %v", evs)
	}
	if _, err := db.SQL().ExecContext(ctx, `SELECT COUNT(*) FROM claim_status`); err == nil {
		t.Error("claim_status still there")
	}
	counts, err := db.ClaimStateCounts(ctx)
	if err != nil || counts["paid"] != 1 || counts["filed"] != 1 || counts["held"] != 1 {
		t.Errorf("counts %v %v", counts, err)
	}
}

// apply applies a hand-built plan of one step.
func apply(t *testing.T, db *store.DB, file string, st remit.Step) store.ApplyResult {
	t.Helper()
	res, err := db.ApplyResponse(ctx, store.ResponseFile{SHA256: file, Name: file}, &remit.Plan{Kind: "277", Steps: []remit.Step{st}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// testMoveExpectsState: a plan's move names the state it expects; when the claim is
// elsewhere the move is recomputed from the state found (never blindly overwritten), and a
// late event leaves the state but is recorded.
func testMoveExpectsState(t *testing.T, db *store.DB) {
	claimRow(t, db, "C1", "1", lifecycle.Filed)
	// The plan thought the claim submitted; it is filed: filed -> paid is still a move.
	res := apply(t, db, "a", remit.Step{Claim: "C1", Move: &remit.Move{From: lifecycle.Submitted, To: lifecycle.Paid,
		Next: lifecycle.Paid, Kind: lifecycle.Paid.Event(), Detail: remit.Detail{}}})
	if st, _ := claimState(t, db, "C1"); st != lifecycle.Paid || res.Applied != 1 {
		t.Fatalf("C1 %s, applied %d", st, res.Applied)
	}
	// A stale plan moving it to accepted (from filed) finds it paid: nothing moves.
	res = apply(t, db, "b", remit.Step{Claim: "C1", Move: &remit.Move{From: lifecycle.Filed, To: lifecycle.Accepted,
		Next: lifecycle.Accepted, Kind: lifecycle.Accepted.Event(), Detail: remit.Detail{}}})
	if st, _ := claimState(t, db, "C1"); st != lifecycle.Paid || res.Applied != 0 {
		t.Fatalf("late acceptance moved C1 to %s (applied %d)", st, res.Applied)
	}
	evs, err := db.Events(ctx, "claim", "C1")
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %v %v", evs, err)
	}
	var d struct {
		From  lifecycle.State `json:"from"`
		Moved bool            `json:"moved"`
	}
	if err := json.Unmarshal(evs[0].Detail, &d); err != nil || d.From != lifecycle.Filed || !d.Moved {
		t.Errorf("first event %s", evs[0].Detail)
	}
	if err := json.Unmarshal(evs[1].Detail, &d); err != nil || d.From != lifecycle.Paid || d.Moved || evs[1].Kind != lifecycle.Accepted.Event() {
		t.Errorf("late event %s %s", evs[1].Kind, evs[1].Detail)
	}
	// One entry point moves a claim outside a plan, by the same rule.
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		moved, err := b.MoveClaim("C1", lifecycle.Appealed, "", nil)
		if err == nil && !moved {
			t.Error("paid -> appealed did not move")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := claimState(t, db, "C1"); st != lifecycle.Appealed {
		t.Errorf("C1 %s, want appealed", st)
	}
}

// testVoidAcceptedReturnsUnits: when the payer accepts a void (frequency 8), the claim is
// void and the units its voided sessions used go back to the authorization, once.
func testVoidAcceptedReturnsUnits(t *testing.T, db *store.DB) {
	put(t, db, Auth("A", 3, "2026-10-01", "2027-03-31"), Session("S-1", "2026-11-02"), Session("S-2", "2026-11-03"))
	if a := auth(t, db, "A"); a.Used != 2 {
		t.Fatalf("used %d", a.Used)
	}
	claimRow(t, db, "V1", "8", lifecycle.FileAccepted)
	exec(t, db, `UPDATE sessions SET state = ?, claim_ref = 'V1' WHERE id = 'S-1'`, store.StateVoid)
	for i, file := range []string{"v.277", "v2.277"} {
		f, err := db.ResponseFacts(ctx, remit.FactsQuery{Claims: []string{"V1"}})
		if err != nil {
			t.Fatal(err)
		}
		pl := remit.Plan277(file, []*remit.StatusReport{{Version: remit.Version277CA, Claims: []remit.ClaimStatus{
			{PatientControl: "V1", Category: "A2", Accepted: true}}}}, f, remit.Deadlines{})
		if _, err := db.ApplyResponse(ctx, store.ResponseFile{SHA256: file, Name: file}, pl); err != nil {
			t.Fatal(err)
		}
		if st, _ := claimState(t, db, "V1"); st != lifecycle.Void {
			t.Fatalf("round %d: V1 %s, want void", i, st)
		}
		if a := auth(t, db, "A"); a.Used != 1 {
			t.Fatalf("round %d: used %d, want the void's unit back", i, a.Used)
		}
	}
	if s := session(t, db, "S-1"); s.AuthUnits != 0 || s.ClaimState != lifecycle.Void {
		t.Errorf("S-1 %+v", s)
	}
	if evs := eventKinds(t, db, "session", "S-1"); evs[len(evs)-1] != string(lifecycle.UnitsReturned) {
		t.Errorf("S-1 history %v", evs)
	}
}

// post835 posts an 835 as the pipeline does: the facts, remit's plan, the store's apply.
func post835(t *testing.T, db *store.DB, name string, r *remit.Remittance) store.ApplyResult {
	t.Helper()
	pl, err := remit.PlanResponse(ctx, db, name, &remit.Document{Remittance: r}, remit.Deadlines{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ApplyResponse(ctx, store.ResponseFile{SHA256: name, Name: name}, pl)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// testPostingPayerClaimNumber: an 835 posting writes the payer claim number (CLP07) and
// the claim's first-pass verdict with its state move, and records the number before the
// move as before; when the number changed between plan and apply, the move still happens
// and the number recorded is the 835's, once.
func testPostingPayerClaimNumber(t *testing.T, db *store.DB) {
	claimRow(t, db, "N1", "1", lifecycle.Filed)
	claimRow(t, db, "N2", "1", lifecycle.Filed)
	claimRow(t, db, "N3", "1", lifecycle.Filed)
	exec(t, db, `UPDATE claims SET payer_claim_number = 'PCN-3' WHERE id = 'N3'`)
	clp := func(id, pcn string) remit.ClaimPayment {
		return remit.ClaimPayment{PatientControl: id, Status: "1", Charge: x12.MustAmount("150"), Paid: x12.MustAmount("150"), PayerClaim: pcn}
	}
	r := &remit.Remittance{Payments: []remit.Payment{{Payer: "ACME", PayerID: "60054", Check: "CHK-N", Control: "0001", Date: "20261101",
		Total: x12.MustAmount("450"), Balanced: true, Claims: []remit.ClaimPayment{clp("N1", "PCN-1"), clp("N2", "PCN-2"), clp("N3", "PCN-3")}}}}
	f, err := db.ResponseFacts(ctx, remit.Needs835(r))
	if err != nil {
		t.Fatal(err)
	}
	pl := remit.Plan835("n.835", r, f)
	// Between the plan and its apply another file gave N2 a number.
	exec(t, db, `UPDATE claims SET payer_claim_number = 'OTHER' WHERE id = 'N2'`)
	res, err := db.ApplyResponse(ctx, store.ResponseFile{SHA256: "n.835", Name: "n.835"}, pl)
	if err != nil || res.Applied != 3 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	for id, want := range map[string]struct {
		pcn    string
		events string
	}{
		"N1": {"PCN-1", "payer_claim_number paid"},
		"N2": {"PCN-2", "payer_claim_number paid"},
		"N3": {"PCN-3", "paid"}, // the number it had: nothing to record
	} {
		st, pc := claimState(t, db, id)
		if st != lifecycle.Paid || pc != want.pcn {
			t.Errorf("%s: %s %q, want paid %q", id, st, pc, want.pcn)
		}
		if evs := strings.Join(eventKinds(t, db, "claim", id), " "); evs != want.events {
			t.Errorf("%s history %q, want %q", id, evs, want.events)
		}
		if v := count(t, db, `SELECT verdict FROM claims WHERE id = ?`, id); v != 1 {
			t.Errorf("%s verdict %d, want 1 (adjudicated)", id, v)
		}
		if n := count(t, db, `SELECT paid_cents FROM claims WHERE id = ?`, id); n != 15000 {
			t.Errorf("%s paid %d cents, want 15000", id, n)
		}
	}
}
