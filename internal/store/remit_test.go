package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

const remitData = "../../remit/testdata/"

// seedClaims inserts bare filed claims with the ids the response fixtures speak of, and
// records them in one 837 file (ISA 101, GS 101, ST 0001/0002) for 999 matching.
func seedClaims(t testing.TB, db *store.DB, ids ...string) {
	t.Helper()
	ctx := context.Background()
	sq := db.SQL()
	if _, err := sq.ExecContext(ctx, db.Rebind(`INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
		VALUES ('sim', 'f.x12', 'T', 101, 101, 1, 0, 'x', 't')`)); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if _, err := sq.ExecContext(ctx, db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date,
			frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES (?, ?, 'p', 'demo-commercial', 'sim', 'c', '2024-11-15', '1', 'P', 15000, 'filed', '{}', 't', 't')`), id, id); err != nil {
			t.Fatal(err)
		}
		st := "0001"
		if i%2 == 1 {
			st = "0002"
		}
		if _, err := sq.ExecContext(ctx, db.Rebind(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)
			VALUES (?, 1, 101, 101, ?)`), id, st); err != nil {
			t.Fatal(err)
		}
	}
}

func response(t *testing.T, path string) (store.ResponseFile, *remit.Document) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remit.Read(context.Background(), strings.NewReader(string(b)), remit.ReadOptions{Guides: guides.Registry})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return store.ResponseFile{SHA256: hex.EncodeToString(h[:]), Name: path[strings.LastIndex(path, "/")+1:]}, d
}

func state(t *testing.T, db *store.DB, id string) lifecycle.State {
	t.Helper()
	s, _, err := db.ClaimState(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// applyDoc applies a response as the pipeline does: facts, plan (remit.PlanResponse), apply.
func applyDoc(ctx context.Context, db *store.DB, f store.ResponseFile, d *remit.Document) (store.ApplyResult, error) {
	p, err := remit.PlanResponse(ctx, db, f.Name, d, remit.Deadlines{})
	if err != nil {
		return store.ApplyResult{}, err
	}
	return db.ApplyResponse(ctx, f, p)
}

func TestPostRemittanceIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seedClaims(t, db, "PCN1001")
	f, d := response(t, remitData+"835-paid.x12")
	r1, err := applyDoc(ctx, db, f, d)
	if err != nil || r1.Applied != 1 || r1.Duplicate {
		t.Fatalf("first post: %+v %v", r1, err)
	}
	// The same file again: nothing.
	r2, err := applyDoc(ctx, db, f, d)
	if err != nil || !r2.Duplicate || r2.Applied != 0 {
		t.Fatalf("same file: %+v %v", r2, err)
	}
	// The same payment re-sent in a new envelope (another hash): the CLP is not posted twice.
	f.SHA256, f.Name = "other", "835-paid-resent.x12"
	r3, err := applyDoc(ctx, db, f, d)
	if err != nil || r3.Duplicate || r3.Repeated != 1 || r3.Applied != 0 {
		t.Fatalf("re-sent: %+v %v", r3, err)
	}
	rc, err := db.RemitClaims(ctx, "PCN1001")
	if err != nil || len(rc) != 1 || rc[0].Paid.String() != "100.00" || rc[0].Outcome != lifecycle.Paid {
		t.Fatalf("posted = %+v %v", rc, err)
	}
	rec, err := db.Claim(ctx, "PCN1001")
	if err != nil || rec.ID != "PCN1001" {
		t.Fatal(err)
	}
	if st := state(t, db, "PCN1001"); st != lifecycle.Paid {
		t.Errorf("state %s", st)
	}
}

func TestResponsesOutOfOrder(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seedClaims(t, db, "PCN1001", "PCN2001", "PCN3001", "PCN4001")
	// The 835 arrives before the 277CA.
	f, d := response(t, remitData+"835-paid.x12")
	if _, err := applyDoc(ctx, db, f, d); err != nil {
		t.Fatal(err)
	}
	f, d = response(t, remitData+"277ca-mix.x12")
	res, err := applyDoc(ctx, db, f, d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 3 || res.Applied != 3 {
		t.Errorf("277CA result %+v, want 3 rejections queued and applied (the paid claim does not move)", res)
	}
	if st := state(t, db, "PCN1001"); st != lifecycle.Paid {
		t.Errorf("paid claim moved back to %s by a late 277CA", st)
	}
	if st := state(t, db, "PCN2001"); st != lifecycle.Rejected {
		t.Errorf("PCN2001 %s", st)
	}
	evs, err := db.Events(ctx, "claim", "PCN1001")
	if err != nil || len(evs) < 2 || evs[len(evs)-1].Kind != lifecycle.Accepted.Event() || !strings.Contains(string(evs[len(evs)-1].Detail), `"moved":false`) {
		t.Errorf("late acceptance not in history: %+v", evs)
	}
	rej, err := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, OpenOnly: true})
	if err != nil || len(rej) != 3 || rej[0].Reason != "A7:562" || !strings.Contains(rej[0].Message, "National Provider Identifier") {
		t.Errorf("rejections = %+v %v", rej, err)
	}
	for _, it := range rej {
		if it.Amount != x12.MustAmount("150") { // STC04 of each rejected claim
			t.Errorf("rejection %s amount %s, want the claim's 150.00", it.ClaimID, it.Amount)
		}
	}
}

func TestDenialQueueAndAppeal(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seedClaims(t, db, "PCN3001", "PCN4001", "PCN9001")
	for _, name := range []string{"835-denied-co197.x12", "835-reversal.x12", "835-unknown-carc.x12", "835-unbalanced.x12"} {
		f, d := response(t, remitData+name)
		if _, err := applyDoc(ctx, db, f, d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if st := state(t, db, "PCN4001"); st != lifecycle.Paid {
		t.Errorf("reversal then new adjudication: %s, want paid", st)
	}
	den, err := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, ClaimID: "PCN3001"})
	if err != nil || len(den) != 1 {
		t.Fatalf("denials = %+v %v", den, err)
	}
	it := den[0]
	if it.Reason != "CO-197" || it.Category != remit.CategoryAuthorization || it.Action != remit.ActionAppeal ||
		it.Due != "2025-05-30" || it.Amount.String() != "150.00" || !strings.Contains(it.Message, "N54") {
		t.Errorf("denial item = %+v", it)
	}
	rev, _ := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueReview})
	if len(rev) != 2 { // the unbalanced payment and its claim PCN6001 we never built
		t.Errorf("review items = %+v", rev)
	}
	c, err := queue.Record(it, queue.Action{Kind: queue.ActAssign, Who: "lead", Assignee: "biller1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyQueueChange(ctx, it, c, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := resolve(ctx, db, it.ID, store.OutcomeAppealSent, "faxed with auth record")
	if n, _ := got.LatestNote(); err != nil || got.State != store.QueueResolved || got.Assignee != "biller1" || n.Text != "faxed with auth record" {
		t.Fatalf("resolved = %+v %v", got, err)
	}
	if st := state(t, db, "PCN3001"); st != lifecycle.Appealed {
		t.Errorf("after appeal sent: %s", st)
	}
	ap, _ := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueAppeals, OpenOnly: true})
	if len(ap) != 1 || ap[0].ClaimID != "PCN3001" || ap[0].Due != "2025-05-30" {
		t.Errorf("appeals = %+v", ap)
	}
	if _, err := resolve(ctx, db, it.ID, store.OutcomeWrittenOff, ""); err == nil {
		t.Error("resolving twice succeeded")
	}
	if _, err := resolve(ctx, db, ap[0].ID, "bogus", ""); err == nil {
		t.Error("unknown outcome accepted")
	}

	rows, err := db.DenialReport(ctx, "carc")
	if err != nil {
		t.Fatal(err)
	}
	amounts := map[string]string{}
	for _, r := range rows {
		amounts[r.Key] = r.DeniedAmount.String()
	}
	// One base (claims): the claim denied CO-16 $100 and CO-ZZ9 $20 counts once, under the
	// CARC holding most of its denied amount, with all of its amount.
	if amounts["CO-197"] != "150.00" || amounts["CO-16"] != "120.00" || amounts["CO-ZZ9"] != "" || amounts["CO-45"] != "" {
		t.Errorf("by carc = %+v", rows)
	}
	rows, err = db.DenialReport(ctx, "payer")
	var claims, denied int
	var amount x12.Amount
	for _, r := range rows {
		claims, denied, amount = claims+r.Claims, denied+r.Denied, amount+r.DeniedAmount
	}
	if err != nil || claims != 4 || denied != 2 || amount.String() != "270.00" {
		t.Errorf("by payer = %+v %v", rows, err)
	}
	if _, err := db.DenialReport(ctx, "nope"); err == nil {
		t.Error("bad grouping accepted")
	}
}

func TestApplyAcks999(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seedClaims(t, db, "PCN0001", "PCN0002") // ST 0001 and 0002 of GS 101
	f, d := response(t, "../../fixtures/x12/999-partial.x12")
	res, err := applyDoc(ctx, db, f, d)
	if err != nil || res.Applied != 2 || res.Queued != 1 {
		t.Fatalf("999 result %+v %v", res, err)
	}
	if st := state(t, db, "PCN0001"); st != lifecycle.FileAccepted {
		t.Errorf("PCN0001 %s", st)
	}
	if st := state(t, db, "PCN0002"); st != lifecycle.FileRejected {
		t.Errorf("PCN0002 %s", st)
	}
	rej, _ := db.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections})
	if len(rej) != 1 || !strings.Contains(rej[0].Message, "SV1 at segment 23 (loop 2400): Segment has data element errors; element SV103: Invalid code value") {
		t.Errorf("999 rejection = %+v", rej)
	}
	if r, _ := applyDoc(ctx, db, f, d); !r.Duplicate {
		t.Error("same 999 applied twice")
	}
}

// BenchmarkPostRemittance measures 835 posting into SQLite: claims per second, each CLP
// with its adjustments, claim state, event and (for denials) queue item.
// BenchmarkPostRemittance posts 2,000 CLPs that match claims edigate built: first, claims
// never posted before (each round new claims, seeded outside the measured CPU); again,
// the same claims every round on a new check (each claim's earlier postings grow).
func BenchmarkPostRemittance(b *testing.B) {
	const claims = 2000
	var buf strings.Builder
	if err := fixtures.Write835(&buf, claims, 500); err != nil {
		b.Fatal(err)
	}
	d, err := remit.Read(context.Background(), strings.NewReader(buf.String()), remit.ReadOptions{Guides: guides.Registry})
	if err != nil {
		b.Fatal(err)
	}
	for _, first := range []bool{true, false} {
		name := "again"
		if first {
			name = "first"
		}
		b.Run(name, func(b *testing.B) {
			db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "edigate.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			// round is the remittance of round i: new checks, and with first new claim ids.
			round := func(i int) (*remit.Remittance, []string) {
				r := *d.Remittance
				r.Payments = append([]remit.Payment(nil), r.Payments...)
				var ids []string
				for j := range r.Payments {
					p := &r.Payments[j]
					p.Check = fmt.Sprintf("%s-%d", p.Check, i) // a new payment each round
					p.Claims = append([]remit.ClaimPayment(nil), p.Claims...)
					for k := range p.Claims {
						if first {
							p.Claims[k].PatientControl = fmt.Sprintf("R%d-%s", i, p.Claims[k].PatientControl)
						}
						ids = append(ids, p.Claims[k].PatientControl)
					}
				}
				return &r, ids
			}
			_, ids := round(0)
			seedClaims(b, db, ids...) // posting matches claims edigate built
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, ids := round(i)
				if first && i > 0 {
					b.StopTimer()
					seedMoreClaims(b, db, ids...)
					b.StartTimer()
				}
				cpu0 := cpuTime()
				res, err := applyDoc(context.Background(), db, store.ResponseFile{SHA256: fmt.Sprint(i), Name: "bench.835"}, &remit.Document{Remittance: r})
				cpu += cpuTime() - cpu0
				if err != nil || res.Repeated != 0 || res.Unmatched != 0 {
					b.Fatal(res, err)
				}
			}
			b.ReportMetric(float64(claims*b.N)/b.Elapsed().Seconds(), "claims/s")
			// On a shared machine wall time mostly measures the neighbours; CPU time is the cost.
			b.ReportMetric(float64(claims*b.N)/cpu.Seconds(), "claims/cpu-s")
		})
	}
}

// seedMoreClaims adds filed claims to a store seedClaims seeded (its claim file), in one
// transaction, and checkpoints the SQLite WAL so the posting measured next does not pay
// for writing the seed's pages back.
func seedMoreClaims(t testing.TB, db *store.DB, ids ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date,
			frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES (?, ?, 'p', 'demo-commercial', 'sim', 'c', '2024-11-15', '1', 'P', 15000, 'filed', '{}', 't', 't')`), id, id); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)
			VALUES (?, 1, 101, 101, '0001')`), id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
