package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// seedClaimList stores 7 claims C-1..C-7 on consecutive dates of service, alternating two
// payers and two rendering NPIs, with states and payments to filter and sort on.
func seedClaimList(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	states := []string{"paid", "denied", "filed", "paid", "accepted", "denied", "paid"}
	for i := 1; i <= 7; i++ {
		payer, npi := "demo-commercial", "1245319599"
		if i%2 == 0 {
			payer, npi = "demo-medicaid", "1679576722"
		}
		id := fmt.Sprintf("C-%d", i)
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id,
			service_date, frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES (?, ?, 'p', ?, 'sim', 'c1', ?, '1', 'P', ?, ?, ?, 't', 't')`),
			id, id, payer, fmt.Sprintf("2026-11-%02d", i), int64(1000*i), states[i-1], `{"rendering_npi":"`+npi+`"}`); err != nil {
			t.Fatal(err)
		}
		if states[i-1] == "paid" {
			if _, err := db.SQL().ExecContext(ctx, db.Rebind(`INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no,
				status, payer_claim, charge_cents, paid_cents, patient_cents, outcome, pay_date) VALUES (1, ?, ?, 'X', 'CHK', '1', '', ?, ?, 500, 'paid', '20261201')`),
				i, id, int64(1000*i), int64(1000*i-500)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Postings written directly: the per-claim totals the posting transaction keeps, once.
	if err := db.RebuildClaimRemit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestClaimList(t *testing.T) {
	db := openSQLite(t)
	seedClaimList(t, db)
	tests := []struct {
		name  string
		f     store.ClaimListFilter
		want  []string
		total int
	}{
		{"all, first page of 3", store.ClaimListFilter{Page: store.Page{Limit: 3}}, []string{"C-1", "C-2", "C-3"}, 7},
		{"second page", store.ClaimListFilter{Page: store.Page{Limit: 3, Offset: 3}}, []string{"C-4", "C-5", "C-6"}, 7},
		{"last page", store.ClaimListFilter{Page: store.Page{Limit: 3, Offset: 6}}, []string{"C-7"}, 7},
		{"state", store.ClaimListFilter{State: "denied"}, []string{"C-2", "C-6"}, 2},
		{"payer", store.ClaimListFilter{Payer: "demo-medicaid"}, []string{"C-2", "C-4", "C-6"}, 3},
		{"provider", store.ClaimListFilter{Provider: "1245319599", State: "paid"}, []string{"C-1", "C-7"}, 2},
		{"date range", store.ClaimListFilter{From: "2026-11-03", To: "2026-11-05"}, []string{"C-3", "C-4", "C-5"}, 3},
		{"sort by paid, descending", store.ClaimListFilter{Sort: "paid", Desc: true, Page: store.Page{Limit: 2}}, []string{"C-7", "C-4"}, 7},
		{"sort by total", store.ClaimListFilter{Sort: "total", Page: store.Page{Limit: 2}}, []string{"C-1", "C-2"}, 7},
		{"unknown sort is by date", store.ClaimListFilter{Sort: "x; DROP TABLE claims", Desc: true, Page: store.Page{Limit: 1}}, []string{"C-7"}, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, total, err := db.ClaimList(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.want) || total != tc.total {
				t.Fatalf("got %v of %d, want %v of %d", ids, total, tc.want, tc.total)
			}
		})
	}
	rows, _, err := db.ClaimList(t.Context(), store.ClaimListFilter{State: "paid", Page: store.Page{Limit: 1}})
	if err != nil || rows[0].Paid != 500 || rows[0].Patient != 500 || rows[0].Total != 1000 {
		t.Fatalf("paid row = %+v, %v", rows, err)
	}
	if _, _, err := db.ClaimList(t.Context(), store.ClaimListFilter{Provider: "12%"}); err == nil {
		t.Fatal("a provider that is not an NPI was accepted")
	}
}

func TestSessionPage(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	if err := db.Batch(ctx, nil, func(b *store.Batch) error {
		for i := 1; i <= 5; i++ {
			s := claimSession(fmt.Sprintf("S-%d", i))
			s.Date = fmt.Sprintf("2026-03-%02d", i)
			if _, err := b.PutSession(&s, "f.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    store.Page
		want []string
	}{
		{store.Page{Limit: 2}, []string{"S-1", "S-2"}},
		{store.Page{Limit: 2, Offset: 4}, []string{"S-5"}},
		{store.Page{Limit: 2, Offset: 9}, nil},
	} {
		rows, total, err := db.SessionPage(ctx, store.SessionFilter{}, tc.p)
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if err != nil || total != 5 || !slices.Equal(ids, tc.want) {
			t.Errorf("page %+v: %v of %d (%v), want %v of 5", tc.p, ids, total, err, tc.want)
		}
	}
}
