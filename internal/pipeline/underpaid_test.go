package pipeline

import (
	"context"
	"testing"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// TestUnderpaymentPosted: with a contracted rate of $150.00 for 90791, the primary's 835
// pays the line $120.00 and the patient owes a $20.00 deductible: $10.00 short of the
// expected $130.00. Posting opens one underpayment review item with the difference, the
// report shows expected vs paid for the payer, and the same 835 again changes nothing.
func TestUnderpaymentPosted(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	p.Cfg.Payers[0].FeeSchedule = []config.FeeEntry{{Code: "90791", Rate: "150.00", From: "2026-01-01"}}
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	b, err := p.BuildClaims(ctx)
	if err != nil || len(b.Claims) != 1 || b.Results[0].Held || len(b.Results[0].Findings) != 0 {
		t.Fatalf("build (charge at the contract: no warning): %+v %v", b, err)
	}
	if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.FileClaims(ctx); err != nil {
		t.Fatal(err)
	}
	claim := b.Claims[0].ID
	for range 2 {
		if _, _, err := p.ApplyResponse(ctx, "remit1.835", remit835(claim, "1", "CHK1")); err != nil {
			t.Fatal(err)
		}
	}
	items, err := p.DB.QueueItems(ctx, store.QueueFilter{Kind: queue.Review, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var under []queue.Item
	for _, it := range items {
		if it.Category == remit.CategoryUnderpaid {
			under = append(under, it)
		}
	}
	if len(under) != 1 || under[0].Amount != x12.MustAmount("10.00") || under[0].ClaimID != claim || under[0].Line != 1 {
		t.Fatalf("underpayment items: %+v", items)
	}
	rows, err := p.DB.UnderpaymentReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := store.UnderpaymentRow{Payer: "demo-commercial", Lines: 1, Expected: x12.MustAmount("130"), Paid: x12.MustAmount("120"),
		Underpaid: 1, Short: x12.MustAmount("10"), OpenItems: 1, OpenAmount: x12.MustAmount("10")}
	if len(rows) != 1 || rows[0] != want {
		t.Fatalf("report %+v, want %+v", rows, want)
	}

	// The payer reverses and pays again at the contract: the claim's latest adjudication
	// is what the report counts.
	if _, _, err := p.ApplyResponse(ctx, "remit2.835", remit835(claim, "22", "CHK2")); err != nil {
		t.Fatal(err)
	}
	if rows, _ = p.DB.UnderpaymentReport(ctx); len(rows) != 0 {
		t.Errorf("after the reversal: %+v", rows)
	}
}
