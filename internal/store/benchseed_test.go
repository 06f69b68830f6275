package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// TestSeedBenchClaims fills a store with the claims a fixtures.Write835 file of N claims
// pays (CLP01 C1..CN, filed), so scripts/bench.sh (BENCH_MATCHED=1) can post that file
// against claims edigate built: the realistic case, each CLP moving its claim. Skipped
// unless EDIGATE_SEED_DB (the edigate.db to create or fill) and EDIGATE_SEED_CLAIMS are set.
func TestSeedBenchClaims(t *testing.T) {
	path := os.Getenv("EDIGATE_SEED_DB")
	if path == "" {
		t.Skip("set EDIGATE_SEED_DB and EDIGATE_SEED_CLAIMS to seed a store")
	}
	n, err := strconv.Atoi(os.Getenv("EDIGATE_SEED_CLAIMS"))
	if err != nil || n < 1 {
		t.Fatalf("EDIGATE_SEED_CLAIMS must be a positive number: %q", os.Getenv("EDIGATE_SEED_CLAIMS"))
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO claim_files (clearinghouse, name, usage, isa_control, gs_control, claims, total_cents, sha256, created_at)
		VALUES ('sim', 'seed.x12', 'T', 101, 101, 1, 0, 'seed', '2026-11-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	var file int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT MAX(id) FROM claim_files`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	const chunk = 500 // rows a statement, 5 a row: well under SQLite's bind limit
	for lo := 1; lo <= n; lo += 20 * chunk {
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for s := lo; s < lo+20*chunk && s <= n; s += chunk {
			var claims, subs []any
			q, qs := `INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
				total_cents, state, data, created_at, updated_at) VALUES `, `INSERT INTO claim_submissions (claim_id, file_id, isa_control, gs_control, st_control) VALUES `
			for i := s; i < s+chunk && i <= n; i++ {
				if i > s {
					q, qs = q+", ", qs+", "
				}
				q += `(?, ?, 'p', 'demo-commercial', 'sim', 'c', '2026-10-15', '1', 'P', 25000, 'filed', '{}', 't', 't')`
				qs += `(?, ?, 101, 101, '0001')`
				id := fmt.Sprintf("C%d", i)
				claims, subs = append(claims, id, id), append(subs, id, file)
			}
			if _, err := tx.ExecContext(ctx, q, claims...); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, qs, subs...); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}
