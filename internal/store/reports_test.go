package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

type line struct {
	code, charge, paid, carc string
}

// payment builds a classified, balanced one-claim 835 payment: each line's charge - paid
// is one CO adjustment with its CARC.
func payment(check, date, claim, status string, lines ...line) *remit.Remittance {
	c := remit.ClaimPayment{PatientControl: claim, Status: status, PayerClaim: "PC-" + claim}
	for _, l := range lines {
		lp := remit.LinePayment{Code: l.code, Charge: x12.MustAmount(l.charge), Paid: x12.MustAmount(l.paid)}
		if d := lp.Charge - lp.Paid; d != 0 {
			lp.Adjustments = []remit.Adjustment{{Group: "CO", Reason: l.carc, Amount: d}}
		}
		c.Charge += lp.Charge
		c.Paid += lp.Paid
		c.Lines = append(c.Lines, lp)
	}
	p := remit.Payment{Payer: "DEMO", PayerID: "DEMO1", Check: check, Date: date, Total: c.Paid, Claims: []remit.ClaimPayment{c}}
	remit.NewClassifier(nil).Classify(&p)
	p.Balance()
	return &remit.Remittance{Payments: []remit.Payment{p}}
}

// TestReports: days in A/R, first-pass acceptance, appeals won/lost and denial rates per
// line, on claims filed on known days and answered by 277CAs and 835s.
func TestReports(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "edigate.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sq := db.SQL()
	filed := map[string]string{"A": "2024-11-01", "B": "2024-11-11", "C": "2024-12-20", "D": "2024-10-15", "E": "2024-09-01"}
	i := 0
	for _, id := range []string{"A", "B", "C", "D", "E"} {
		i++
		if _, err := sq.ExecContext(ctx, `INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
			VALUES ('sim', ?, 'T', ?, ?, 1, 15000, 'x', ?)`, "f"+id, i, i, filed[id]+"T10:00:00.000000000Z"); err != nil {
			t.Fatal(err)
		}
		if _, err := sq.ExecContext(ctx, `INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date,
			frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES (?, ?, 'p', 'demo-commercial', 'sim', 'c', '2024-10-01', '1', 'P', 15000, 'filed', '{}', 't', 't')`, id, id); err != nil {
			t.Fatal(err)
		}
		if _, err := sq.ExecContext(ctx, `INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control) VALUES (?, ?, ?, ?, '0001')`, id, i, i, i); err != nil {
			t.Fatal(err)
		}
	}
	f := func(n string) store.ResponseFile { return store.ResponseFile{SHA256: n, Name: n} }
	if _, err := applyDoc(ctx, db, f("ack.277"), &remit.Document{Statuses: []*remit.StatusReport{{Version: remit.Version277CA, Claims: []remit.ClaimStatus{
		{PatientControl: "A", Category: "A2", Accepted: true}, {PatientControl: "B", Category: "A7", Status: "562", Rejected: true}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		check string
		rem   *remit.Remittance
	}{
		{"C1", payment("C1", "20241201", "A", "1", line{"90837", "150", "120", "45"})},
		{"C2", payment("C2", "20241201", "B", "1", line{"90837", "150", "120", "45"}, line{"90785", "50", "0", "197"})},
		{"C3", payment("C3", "20241205", "D", "4", line{"90791", "150", "0", "197"})},
	} {
		if _, err := applyDoc(ctx, db, f(r.check), &remit.Document{Remittance: r.rem}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sq.ExecContext(ctx, `UPDATE claims SET state = 'closed' WHERE id = 'E'`); err != nil {
		t.Fatal(err)
	}

	ar, err := db.ARReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A 30 days, B 20 days to payment; open: C 11 days old, D 77 days old (denied, not
	// paid); E closed.
	if ar.PaidClaims != 2 || ar.AverageDays != 25 || ar.OpenClaims != 2 || ar.OpenAmount != x12.MustAmount("300") ||
		ar.Open[0].Claims != 1 || ar.Open[1].Claims != 0 || ar.Open[2].Claims != 1 || ar.Open[3].Claims != 0 {
		t.Errorf("A/R = %+v", ar)
	}

	acc, err := db.AcceptanceReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A accepted by the 277CA, D by its 835; B rejected first (a later payment does not
	// make it first-pass); C and E have no verdict.
	if acc.Submitted != 5 || acc.Accepted != 2 || acc.Rejected != 1 || acc.Pending != 2 || acc.Rate != 0.4 {
		t.Errorf("acceptance = %+v", acc)
	}

	for _, tc := range []struct {
		by                                string
		key                               string
		claims, denied, lines, deniedLine int
	}{
		// By CPT a claim counts under the code of its denied amount (B's 90785, with both
		// of B's lines); A, never denied, under its first code.
		{"cpt", "90785", 1, 1, 2, 1},
		{"cpt", "90791", 1, 1, 1, 1},
		{"carc", "CO-197", 3, 2, 4, 2},
		{"category", remit.CategoryAuthorization, 3, 2, 4, 2},
	} {
		rows, err := db.DenialReport(ctx, tc.by)
		if err != nil {
			t.Fatal(err)
		}
		var got *store.DenialRow
		for i := range rows {
			if rows[i].Key == tc.key {
				got = &rows[i]
			}
			if tc.by == "cpt" && rows[i].Key == "90837" && rows[i].Denied != 0 {
				t.Errorf("cpt 90837 was never denied: %+v", rows[i])
			}
		}
		if got == nil || got.Claims != tc.claims || got.Denied != tc.denied || got.Lines != tc.lines || got.DeniedLines != tc.deniedLine ||
			got.LineRate != float64(tc.deniedLine)/float64(tc.lines) {
			t.Errorf("denials by %s %s = %+v, want claims %d denied %d lines %d denied lines %d", tc.by, tc.key, got, tc.claims, tc.denied, tc.lines, tc.deniedLine)
		}
	}

	// Appeals: B's denial appealed and lost; D's appealed, and a later 835 pays D.
	for _, id := range []string{"B", "D"} {
		items, _ := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, ClaimID: id, OpenOnly: true})
		if len(items) != 1 {
			t.Fatalf("%s denials = %+v", id, items)
		}
		if _, err := resolve(ctx, db, items[0].ID, store.OutcomeAppealSent, ""); err != nil {
			t.Fatal(err)
		}
	}
	ap, err := db.AppealsReport(ctx)
	if err != nil || ap.Appeals != 2 || ap.Pending != 2 || ap.Won != 0 {
		t.Fatalf("appeals before outcomes = %+v %v", ap, err)
	}
	items, _ := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueAppeals, ClaimID: "B", OpenOnly: true})
	if _, err := resolve(ctx, db, items[0].ID, store.OutcomeAppealLost, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := applyDoc(ctx, db, f("C4"), &remit.Document{Remittance: payment("C4", "20241230", "D", "1", line{"90791", "150", "110", "45"})}); err != nil {
		t.Fatal(err)
	}
	ap, err = db.AppealsReport(ctx)
	if err != nil || ap.Appeals != 2 || ap.Won != 1 || ap.Lost != 1 || ap.Pending != 0 || ap.WinRate != 0.5 ||
		len(ap.Overturned) != 1 || ap.Overturned[0] != "D" {
		t.Errorf("appeals = %+v %v", ap, err)
	}
}
