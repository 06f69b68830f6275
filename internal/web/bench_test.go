package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
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

// BenchmarkPagesAtScale renders the list pages over a store of EDIGATE_WEB_SCALE sessions
// (40% held, the rest billed on one claim each), as the issue measured at 100,000:
//
//	EDIGATE_WEB_SCALE=100000 go test ./internal/web -run '^$' -bench PagesAtScale -benchtime 5x
func BenchmarkPagesAtScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("EDIGATE_WEB_SCALE"))
	if n <= 0 {
		b.Skip("set EDIGATE_WEB_SCALE to the number of sessions")
	}
	f := newFixture(b, allQueues)
	ctx := context.Background()
	tx, err := f.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(testSession("X", "C-1", "2026-11-02", "90837"))
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
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	sid := f.h.auth.start(testUser)
	for _, path := range []string{"/", "/sessions", "/sessions?state=held&page=300", "/claims", "/claims?sort=paid&desc=1&page=100", "/queues/holds"} {
		b.Run(path, func(b *testing.B) {
			var size int
			for b.Loop() {
				size = servePage(b, f, sid, path)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
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
