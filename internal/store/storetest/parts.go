package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// count runs a COUNT query.
func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(ctx, db.Rebind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// testResponseParts: an 835 payment applied in two parts shares one payment row; the part
// that ends it records its balancing and opens the review item once; a part that is not
// the next one applies nothing (ErrPartApplied); the file is complete after its last
// part and a part sent again is a duplicate.
func testResponseParts(t *testing.T, db *store.DB) {
	claimRow(t, db, "P1", "1", lifecycle.Accepted)
	file := store.ResponseFile{SHA256: "parts", Name: "parts.835"}
	clp := func(id string) remit.ClaimPayment {
		return remit.ClaimPayment{PatientControl: id, Status: "1", Charge: x12.MustAmount("100"), Paid: x12.MustAmount("100")}
	}
	part := func(start, end int, last bool, first int, cs ...remit.ClaimPayment) (store.ApplyResult, error) {
		p := remit.Payment{Payer: "ACME", PayerID: "60054", Check: "CHK1", Control: "0001", Date: "20261101",
			Total: x12.MustAmount("250"), Claims: cs, FirstSeq: first, Open: !last}
		if last {
			p.BalanceErrors = []remit.BalanceError{{Rule: "payment", Message: "payment CHK1: BPR02 250.00 but claims paid 300.00"}}
		}
		r := &remit.Remittance{Payments: []remit.Payment{p}}
		f, err := db.ResponseFacts(ctx, remit.Needs835(r))
		if err != nil {
			t.Fatal(err)
		}
		pl := remit.Plan835(file.Name, r, f)
		pl.Part = &remit.Part{Start: start, End: end, Last: last}
		return db.ApplyResponse(ctx, file, pl)
	}
	if _, err := part(2, 3, true, 2, clp("U2")); !errors.Is(err, store.ErrPartApplied) {
		t.Fatalf("a second part before the first: %v, want ErrPartApplied", err)
	}
	if res, err := part(0, 2, false, 0, clp("P1"), clp("U1")); err != nil || res.Applied != 1 || res.Unmatched != 1 || res.Review != 1 {
		t.Fatalf("part 1: %+v %v", res, err)
	}
	if seen, complete, done, err := db.ResponseProgress(ctx, file.SHA256); err != nil || !seen || complete || done != 2 {
		t.Fatalf("progress after part 1: %v %v %d %v", seen, complete, done, err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM remit_payments WHERE balanced = 0 AND balance_errors = '[]'`); n != 1 {
		t.Fatalf("an open payment: %d rows without a verdict yet", n)
	}
	if _, err := part(0, 2, false, 0, clp("P1"), clp("U1")); !errors.Is(err, store.ErrPartApplied) {
		t.Fatalf("part 1 again: %v, want ErrPartApplied", err)
	}
	if res, err := part(2, 3, true, 2, clp("U2")); err != nil || res.Unmatched != 1 || res.Review != 2 {
		t.Fatalf("part 2: %+v %v (want the unmatched claim's and the unbalanced payment's review items)", res, err)
	}
	if res, err := part(2, 3, true, 2, clp("U2")); err != nil || !res.Duplicate {
		t.Fatalf("part 2 again: %+v %v, want a duplicate", res, err)
	}
	if seen, complete, done, err := db.ResponseProgress(ctx, file.SHA256); err != nil || !seen || !complete || done != 3 {
		t.Fatalf("progress at the end: %v %v %d %v", seen, complete, done, err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM remit_payments`); n != 1 {
		t.Fatalf("%d payment rows, want one for both parts", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM remit_payments WHERE balanced = 0 AND balance_errors <> '[]'`); n != 1 {
		t.Fatal("the last part did not record the payment's balancing")
	}
	if n := count(t, db, `SELECT COUNT(*) FROM remit_claims WHERE seq IN (0, 1, 2)`); n != 3 {
		t.Fatalf("%d CLPs posted, want 3 (seq 0..2)", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM queue_items WHERE kind = ?`, store.QueueReview); n != 3 {
		t.Fatalf("%d review items, want 3 (two unmatched, one unbalanced)", n)
	}
	if st, _ := claimState(t, db, "P1"); st != lifecycle.Paid {
		t.Fatalf("P1 %s, want paid", st)
	}
	// A CLP of a claim edigate never built is recorded by its posting and review item
	// alone (Plan835); a claim of ours keeps its history.
	if n := count(t, db, `SELECT COUNT(*) FROM events WHERE entity_kind = 'claim' AND entity_id IN ('U1', 'U2')`); n != 0 {
		t.Fatalf("%d history events for the unmatched CLPs, want none", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM events WHERE entity_kind = 'claim' AND entity_id = 'P1' AND kind = 'paid'`); n != 1 {
		t.Fatalf("%d paid events for P1, want 1", n)
	}
}

// testResponsesCrossing: two 835s naming the same claims in opposite orders, applied at
// once (two instances downloading different files of one payer), both post every claim:
// neither fails on a deadlock between the claims' row locks.
func testResponsesCrossing(t *testing.T, db *store.DB) {
	const n = 200
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("X%04d", i)
		claimRow(t, db, ids[i], "1", lifecycle.Accepted)
	}
	apply := func(name, check string, order []string) error {
		cs := make([]remit.ClaimPayment, len(order))
		for i, id := range order {
			cs[i] = remit.ClaimPayment{PatientControl: id, Status: "1", Charge: x12.MustAmount("100"), Paid: x12.MustAmount("1")}
		}
		r := &remit.Remittance{Payments: []remit.Payment{{Payer: "ACME", PayerID: "60054", Check: check, Control: "0001",
			Date: "20261101", Total: x12.MustAmount(strconv.Itoa(len(cs))), Claims: cs}}}
		f, err := db.ResponseFacts(ctx, remit.Needs835(r))
		if err != nil {
			return err
		}
		_, err = db.ApplyResponse(ctx, store.ResponseFile{SHA256: name, Name: name}, remit.Plan835(name, r, f))
		return err
	}
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	errs := make(chan error, 2)
	go func() { errs <- apply("up.835", "CHKUP", ids) }()
	go func() { errs <- apply("down.835", "CHKDOWN", reversed) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("crossing 835s: %v", err)
		}
	}
	if got := count(t, db, `SELECT COUNT(*) FROM remit_claims`); got != 2*n {
		t.Fatalf("%d CLPs posted, want %d (each claim once from each file)", got, 2*n)
	}
}
