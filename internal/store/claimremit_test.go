package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12/guides"
)

// TestClaimRemitKeptWithPostings: the per-claim totals and report sums the posting
// transaction keeps (claim_remit, remit_groups, claims.paid_cents) are exactly what computing them again from every
// posting gives, after payments, a denial overturned by a later payment, a reversal and
// its new adjudication, and a file posted twice; and the claims list's paid is the sum
// of the claim's postings.
func TestClaimRemitKeptWithPostings(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *store.DB{"sqlite": openSQLite, "postgres": func(t *testing.T) *store.DB { return openPostgres(t)(t) }} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			seedClaims(t, db, "PCN1001", "PCN2001", "PCN3001", "PCN4001", "PCN5001", "PCN7001", "PCN7002", "PCN9001")
			post := func(name, data string) {
				t.Helper()
				d, err := remit.Read(ctx, strings.NewReader(data), remit.ReadOptions{Guides: guides.Registry})
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.Sum256([]byte(data))
				if _, err := applyDoc(ctx, db, store.ResponseFile{SHA256: hex.EncodeToString(h[:]), Name: name}, d); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			file := func(name string) string {
				b, err := os.ReadFile(remitData + name)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			paid := file("835-paid.x12")
			for _, n := range []string{"835-paid.x12", "835-partial-pr.x12", "835-denied-co197.x12", "835-plb.x12", "835-two-payments.x12", "835-unknown-carc.x12"} {
				post(n, file(n))
			}
			post("835-paid.x12 again", paid) // the same file: nothing posted twice
			// PCN3001 denied above, paid on a later check: overturned.
			post("835-paid-3001.x12", strings.NewReplacer("PCN1001", "PCN3001", "CHK1001", "CHK3002").Replace(paid))
			// PCN4001 paid, then reversed and adjudicated again.
			post("835-first-4001.x12", strings.NewReplacer("PCN1001", "PCN4001", "PAYER1001", "PAYER4001", "CHK1001", "CHK3999").Replace(paid))
			post("835-reversal.x12", file("835-reversal.x12"))

			kept := claimRemitRows(t, db)
			if len(kept) < 8+10 {
				t.Fatalf("claim_remit has %d rows, want one per posted claim: %v", len(kept), kept)
			}
			if err := db.RebuildClaimRemit(ctx); err != nil {
				t.Fatal(err)
			}
			if again := claimRemitRows(t, db); !reflect.DeepEqual(kept, again) {
				t.Fatalf("kept by the postings:\n%v\ncomputed from every posting:\n%v", kept, again)
			}
			var overturned int
			if err := db.SQL().QueryRowContext(ctx, db.Rebind(`SELECT overturned FROM claim_remit WHERE claim_id = ?`), "PCN3001").Scan(&overturned); err != nil || overturned != 1 {
				t.Fatalf("PCN3001 denied then paid: overturned = %d, %v", overturned, err)
			}
			rows, _, err := db.ClaimList(ctx, store.ClaimListFilter{Sort: "paid", Desc: true, Page: store.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				ps, err := db.RemitClaims(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				var sum, pat int64
				for _, p := range ps {
					sum, pat = sum+int64(p.Paid), pat+int64(p.Patient)
				}
				if int64(r.Paid) != sum || int64(r.Patient) != pat {
					t.Errorf("%s: list says paid %v patient %v, postings %d %d", r.ID, r.Paid, r.Patient, sum, pat)
				}
			}
			for i := 1; i < len(rows); i++ {
				if rows[i].Paid > rows[i-1].Paid {
					t.Fatalf("sort by paid, descending: %s (%v) after %s (%v)", rows[i].ID, rows[i].Paid, rows[i-1].ID, rows[i-1].Paid)
				}
			}
		})
	}
}

// claimRemitRows is claim_remit and each claim's kept paid and patient sums and first
// payment day (added by each posting, not recomputed), as text.
func claimRemitRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT r.claim_id, r.overturned,
		COALESCE(c.paid_cents, -1), COALESCE(c.patient_cents, -1), COALESCE(c.first_paid, '-') FROM claim_remit r LEFT JOIN claims c ON c.id = r.claim_id ORDER BY r.claim_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, 5)
		p := make([]any, 5)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(v...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The report sums, but for keys whose sums went back to zero.
	g, err := db.SQL().QueryContext(context.Background(), `SELECT by_what, group_key, claims, lines, denied, denied_lines, denied_cents,
		paid_cents, patient_cents FROM remit_groups WHERE claims <> 0 OR lines <> 0 OR denied <> 0 OR denied_lines <> 0 OR denied_cents <> 0
		OR paid_cents <> 0 OR patient_cents <> 0 ORDER BY by_what, group_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for g.Next() {
		var by, key string
		var n [7]int64
		if err := g.Scan(&by, &key, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6]); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint("group ", by, " ", key, " ", n))
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
