package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPages measures a signed-in page render against the seeded SQLite store,
// handler only (no network): the store queries plus template execution.
func BenchmarkPages(b *testing.B) {
	for _, path := range []string{"/", "/sessions", "/sessions/S-1", "/claims", "/queues/holds"} {
		b.Run(path, func(b *testing.B) {
			f := newFixture(b, nil)
			sid := f.h.auth.start(testUser)
			for b.Loop() {
				servePage(b, f, sid, path)
			}
		})
	}
}

// scalePages are the pages BenchmarkPagesAtScale times: every page of the UI, lists at
// their first and a deep page, over the seeded store (seedScale).
var scalePages = []string{
	"/", "/sessions", "/sessions?state=held&page=300", "/sessions/X-0000003", "/claims", "/claims?sort=paid&desc=1&page=100",
	"/claims/CLX-0000003", "/authorizations", "/queues", "/queues/holds", "/queues/holds?page=400", "/queues/holds?assignee=me",
	"/queues/holds?within=30&payer=demo-commercial", "/queues/denials", "/queues/denials?page=100", "/queues/holds?format=csv",
	"/queues/denials?format=csv", "/reports", "/reports?show=claims", "/reports?show=payments", "/files/sim", "/audit", "/admin/users", "/admin/settings",
}

func init() {
	for _, name := range reportNames {
		scalePages = append(scalePages, "/reports/"+name+".csv")
	}
}

// BenchmarkPagesAtScale renders every page over a store of EDIGATE_WEB_SCALE sessions (40%
// held, the rest billed on one claim each with its 835 posting, a sixth of them denied) and a tenth as many open denials, as the
// issue measured at 100,000, and prints a table of the time per page:
//
//	EDIGATE_WEB_SCALE=100000 go test ./internal/web -run '^$' -bench PagesAtScale -benchtime 3x
func BenchmarkPagesAtScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("EDIGATE_WEB_SCALE"))
	if n <= 0 {
		b.Skip("set EDIGATE_WEB_SCALE to the number of sessions")
	}
	f := newFixture(b, allQueues)
	seedScale(b, f, n)
	sid := f.h.auth.start(testUser)
	type result struct {
		per, cpu time.Duration
		size     int
	}
	got := map[string]result{}
	for _, path := range scalePages {
		b.Run(path, func(b *testing.B) {
			var size int
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				size = servePage(b, f, sid, path)
			}
			got[path] = result{time.Since(start) / time.Duration(b.N), (cpuTime() - cpu0) / time.Duration(b.N), size}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
	// CPU time beside wall time: on a shared machine the wall time is mostly other work.
	fmt.Printf("\n%-48s %10s %12s %10s\n", fmt.Sprintf("page (%d sessions)", n), "ms/page", "CPU ms/page", "KB/page")
	for _, path := range scalePages {
		r := got[path]
		fmt.Printf("%-48s %10.1f %12.1f %10.1f\n", path, float64(r.per.Microseconds())/1000, float64(r.cpu.Microseconds())/1000, float64(r.size)/1024)
	}
}

// servePage renders path for the signed-in session sid and returns the page's size.
func servePage(b *testing.B, f *fixture, sid, path string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sid})
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, w.Code)
	}
	return w.Body.Len()
}

// seedScale stores n sessions, 40% held for a missing authorization and the rest billed
// on one paid claim each, in one transaction.
func seedScale(b testing.TB, f *fixture, n int) {
	ctx := context.Background()
	tx, err := f.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(testSession("X", "C-1", "2026-11-02", "90837"))
	// The 837P files the billed claims went out in, a thousand claims a file (the A/R and
	// acceptance reports read each claim's first filing).
	for f := 0; f <= n/1000; f++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claim_files (id, clearinghouse, name, usage, isa_control, gs_control, claims, total_cents,
			sha256, created_at) VALUES (?, 'sim', ?, 'T', ?, ?, 1000, 0, 'x', ?)`, f+1, fmt.Sprint("f", f), f+1, f+1,
			fmt.Sprintf("2026-%02d-%02dT10:00:00Z", 1+f%11, 1+f%28)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		id := fmt.Sprintf("X-%07d", i)
		state, reason := "billed", ""
		if i%5 < 2 {
			state, reason = "held", "auth_missing"
		}
		date := fmt.Sprintf("2026-%02d-%02d", 1+i%11, 1+i%28)
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, practice, client_id, payer, member_id, code, service_date, status,
			state, hold_reason, data, hash, received_at, updated_at) VALUES (?, 'p', ?, 'demo-commercial', 'M', '90837', ?, 'completed', ?, ?, ?, ?, 't', 't')`,
			id, fmt.Sprintf("C-%d", i%5000), date, state, reason, string(data), id); err != nil {
			b.Fatal(err)
		}
		if state == "billed" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date,
				frequency, responsibility, total_cents, state, data, created_at, updated_at) VALUES (?, ?, 'p', 'demo-commercial', 'sim', 'C', ?, '1', 'P', 15000, 'paid', '{}', 't', 't')`,
				"CL"+id, "CL"+id, date); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO claim_sessions (claim_id, session_id) VALUES (?, ?)`, "CL"+id, id); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control)
				VALUES (?, ?, ?, ?, '0001')`, "CL"+id, 1+i/1000, 1+i/1000, 1+i/1000); err != nil {
				b.Fatal(err)
			}
			// The fee-schedule comparison of its line (the underpayments report), every eighth short.
			if _, err := tx.ExecContext(ctx, `INSERT INTO remit_expected (claim_id, line_no, payer, payer_id, check_no, code, service_date,
				contract_cents, patient_cents, expected_cents, paid_cents) VALUES (?, 1, 'demo-commercial', '60054', 'CHK', '90837', ?, 16000, 1000, 15000, ?)`,
				"CL"+id, date, 15000-1000*int64(boolInt(i%8 == 1))); err != nil {
				b.Fatal(err)
			}
			// Its history as the responses step writes it: filed, accepted by the 277CA, adjudicated.
			for _, kind := range []string{"filed", "accepted", "paid"} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO events (entity_kind, entity_id, kind, at, source_file, detail)
					VALUES ('claim', ?, ?, 't', 'f', '{}')`, "CL"+id, kind); err != nil {
					b.Fatal(err)
				}
			}
			// Its 835 posting: paid, or denied for a missing authorization (every tenth).
			outcome, paid := "paid", 15000
			if i%10 == 2 {
				outcome, paid = "denied", 0
				if _, err := tx.ExecContext(ctx, `INSERT INTO remit_adjustments (payment_id, seq, line_no, code, grp, reason, amount_cents, category)
					VALUES (?, ?, 1, '90837', 'CO', '197', 15000, 'authorization')`, 1+i/1000, i); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO remit_claims (payment_id, seq, claim_id, payer_id, check_no, status, payer_claim,
				charge_cents, paid_cents, patient_cents, outcome, pay_date, rendering_npi, line_codes) VALUES (?, ?, ?, '60054', ?, '1', 'PC', 15000, ?, 0, ?, ?, '1245319599', '90837')`,
				1+i/1000, i, "CL"+id, fmt.Sprint("CHK", i/1000), paid, outcome, fmt.Sprintf("2026%02d%02d", 1+i%11, 1+i%28)); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Open denials on a tenth of the claims, due over the coming year (0 of 10 undated).
	for i := 0; i < n; i += 10 {
		due := ""
		if i%100 != 0 {
			due = fmt.Sprintf("2027-%02d-%02d", 1+i%12, 1+i%28)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_items (kind, claim_id, payer, reason, category, message, due, amount_cents,
			state, created_at) VALUES ('denials', ?, 'demo-commercial', 'CO-197', 'authorization', 'Precertification absent', ?, 15000, 'open', 't')`,
			fmt.Sprintf("CLX-%07d", i+2), due); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// Postings written directly: the per-claim totals the posting transaction keeps, once.
	if err := f.db.RebuildClaimRemit(ctx); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
