package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// TestReportDenialTotalsAgree: `edigate report denials --json` adds up to the same denied
// claims, lines and amount whichever grouping it is asked for, on claims denied for more
// than one reason (the case where counting by payer and by CARC used to disagree), and
// `report payments` by payer and by month add up to the same money.
func TestReportDenialTotalsAgree(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 14; i++ {
		exec := func(q string, args ...any) {
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		outcome, paid := "denied", 0
		if i%4 == 0 {
			outcome, paid = "paid", 9000
		}
		exec(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents, patient_cents,
			outcome, pay_date, rendering_npi, line_codes) VALUES (1, ?, ?, ?, 'CHK', ?, 'PC', 10000, ?, 0, ?, ?, ?, '90837 90785')`,
			i, fmt.Sprint("CL", i), []string{"60054", "77027"}[i%2], fmt.Sprint(i), paid, outcome, []string{"20261203", "20261105"}[i%2], []string{"1245319599", "1003000126"}[i%3%2])
		if outcome == "denied" {
			exec(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES (1, ?, 1, '90837', 'CO', '197', 6000, 'authorization')`, i)
			if i%3 == 0 {
				exec(`INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category) VALUES (1, ?, 2, '90785', 'CO', '16', 4000, 'documentation')`, i)
			}
		}
	}
	// Postings written directly: the per-claim totals the posting transaction keeps, once.
	if err := db.RebuildClaimRemit(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	type totals struct {
		denied, lines int
		amount        x12.Amount
	}
	var first *totals
	for _, by := range store.DenialGroupings {
		code, out, stderr := runCmd(t, "", "report", "denials", "--data="+dir, "--by", by, "--json")
		var rep struct{ Rows []store.DenialRow }
		if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil {
			t.Fatalf("report denials --by %s: %d %s %s", by, code, out, stderr)
		}
		var got totals
		for _, r := range rep.Rows {
			got.denied, got.lines, got.amount = got.denied+r.Denied, got.lines+r.DeniedLines, got.amount+r.DeniedAmount
		}
		if first == nil {
			first = &got
			if got.denied != 11 {
				t.Fatalf("by %s: %d denied claims, want 11", by, got.denied)
			}
		} else if got != *first {
			t.Errorf("by %s: totals %+v, by %s %+v", by, got, store.DenialGroupings[0], *first)
		}
	}
	var paid [2]x12.Amount
	for i, by := range []string{"payer", "month"} {
		code, out, _ := runCmd(t, "", "report", "payments", "--data="+dir, "--by", by, "--json")
		var rep struct{ Rows []store.PaymentRow }
		if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil {
			t.Fatalf("report payments --by %s: %d %s", by, code, out)
		}
		for _, r := range rep.Rows {
			paid[i] += r.Paid
		}
	}
	if paid[0] != paid[1] || paid[0] != x12.MustAmount("270") {
		t.Errorf("payments by payer %s, by month %s, want $270.00 both", paid[0], paid[1])
	}
}
