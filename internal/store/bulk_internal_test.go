package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/testenv"
)

// eachDialect runs fn on a fresh SQLite file and on a fresh PostgreSQL schema.
func eachDialect(t *testing.T, fn func(t *testing.T, db *DB)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "edigate.db")
			if name == "postgres" {
				target = testenv.PostgresSchema(t)
			}
			db, err := Open(context.Background(), target, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, db)
		})
	}
}

func countEvents(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, db *DB, entity string) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), db.Rebind("SELECT COUNT(*) FROM events WHERE entity_id = ?"), entity).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func eventRows(entity string, n int) []any {
	vals := make([]any, 0, 6*n)
	for i := range n {
		vals = append(vals, "file", entity, "test", "2026-12-05T00:00:00.000000000Z", fmt.Sprint(i), "{}")
	}
	return vals
}

// Bulk rows (COPY on PostgreSQL) are part of the batch's transaction: the batch reads them
// back, and they roll back with it, whether the batch's own code fails or the bulk insert
// itself does; the connection is usable afterwards.
func TestBulkInsertInBatchTransaction(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const n = 2500 // several statements on SQLite
		boom := errors.New("boom")
		err := db.Batch(ctx, nil, func(b *Batch) error {
			if err := b.bulkInsert(eventsInsert, 6, 100, eventRows("rolled-back", n)); err != nil {
				return err
			}
			if got := countEvents(t, b.tx, db, "rolled-back"); got != n {
				t.Errorf("the batch sees %d of its %d rows", got, n)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("batch: %v", err)
		}
		if got := countEvents(t, db.sql, db, "rolled-back"); got != 0 {
			t.Errorf("%d rows of a rolled-back batch stored", got)
		}

		// A failing bulk insert (a duplicate key) fails the batch and takes its earlier rows with it.
		err = db.Batch(ctx, nil, func(b *Batch) error {
			if err := b.bulkInsert(eventsInsert, 6, 100, eventRows("before-failure", n)); err != nil {
				return err
			}
			return b.bulkInsert(`INSERT INTO sequences (sender, receiver, kind, value)`, 4, 100, []any{"S", "R", "837", 1, "S", "R", "837", 2})
		})
		if err == nil || !strings.Contains(err.Error(), "sequences") {
			t.Fatalf("duplicate key: %v", err)
		}
		if got := countEvents(t, db.sql, db, "before-failure"); got != 0 {
			t.Errorf("%d rows of a failed batch stored", got)
		}

		// Committed rows keep their order (event ids follow the rows).
		if err := db.Batch(ctx, nil, func(b *Batch) error {
			return b.bulkInsert(eventsInsert, 6, 100, eventRows("committed", n))
		}); err != nil {
			t.Fatal(err)
		}
		evs, err := db.Events(ctx, "file", "committed")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != n {
			t.Fatalf("%d events committed, want %d", len(evs), n)
		}
		for i, e := range evs {
			if e.SourceFile != fmt.Sprint(i) {
				t.Fatalf("event %d is row %s", i, e.SourceFile)
			}
		}
	})
}

func TestInsertTarget(t *testing.T) {
	table, cols, err := insertTarget("INSERT INTO claim_lines (claim_id, line_no,\n\t\tcode) VALUES ")
	if err != nil || table != "claim_lines" || strings.Join(cols, "|") != "claim_id|line_no|code" {
		t.Fatalf("got %q %q %v", table, cols, err)
	}
	if _, _, err := insertTarget("UPDATE sessions SET a = 1"); err == nil {
		t.Fatal("an UPDATE parsed as an insert")
	}
}

// Claim child rows carry no foreign key on PostgreSQL (0860: their writers name a parent
// written or locked in the same transaction, and the per-row check cost more than the
// insert); SQLite keeps checking them, so the conformance suite still catches an orphan.
func TestClaimChildForeignKeys(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		q := `SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN
			('claim_lines', 'claim_sessions', 'claim_findings', 'claim_submissions')`
		want := 0
		if db.dialect.name == "sqlite" {
			q = `SELECT (SELECT COUNT(*) FROM pragma_foreign_key_list('claim_lines')) + (SELECT COUNT(*) FROM pragma_foreign_key_list('claim_sessions'))
				+ (SELECT COUNT(*) FROM pragma_foreign_key_list('claim_findings')) + (SELECT COUNT(*) FROM pragma_foreign_key_list('claim_submissions'))`
			want = 5
		}
		var n int
		if err := db.sql.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("%d foreign keys on the claim child tables, want %d", n, want)
		}
	})
}

// Once batches have copied analyzeRows rows into a table, the last of them analyzes it after
// its commit (PostgreSQL), with a small sample; fewer rows leave the statistics alone.
func TestBatchAnalyzesCopiedTables(t *testing.T) {
	testenv.PostgresURL(t)
	db, err := Open(context.Background(), testenv.PostgresSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	analyzed := func() (cols, buckets int) {
		t.Helper()
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(array_length(histogram_bounds::text::text[], 1)), 0)
			FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'events'`).Scan(&cols, &buckets); err != nil {
			t.Fatal(err)
		}
		return cols, buckets
	}
	batch := func(n int) {
		t.Helper()
		if err := db.Batch(ctx, nil, func(b *Batch) error {
			return b.bulkInsert(eventsInsert, 6, eventsPerInsert, eventRows(fmt.Sprint("e", n), n))
		}); err != nil {
			t.Fatal(err)
		}
	}
	batch(analyzeRows - 1)
	if cols, _ := analyzed(); cols != 0 {
		t.Fatalf("events analyzed after %d rows", analyzeRows-1)
	}
	batch(1)
	cols, buckets := analyzed()
	if cols == 0 {
		t.Fatalf("events not analyzed after %d rows in two batches", analyzeRows)
	}
	if buckets > 11 {
		t.Errorf("histogram of %d bounds: the sample was not the small one", buckets)
	}
}
