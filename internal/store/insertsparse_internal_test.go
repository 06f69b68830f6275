package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// Every column of a sparse table exists, and every default it leaves to the database is
// the column's default in the schema: a column left out of an INSERT must read back as the
// value the caller passed.
func TestSparseTableDefaultsMatchSchema(t *testing.T) {
	ctx := context.Background()
	db := openTempSQLite(t)
	for _, tb := range []*sparseTable{remitClaimsTable, remitAdjustmentsTable, claimRemitTable, queueItemsTable, remitGroupsTable, remitExpectedTable} {
		schema := map[string]sql.NullString{}
		if err := db.eachRow(ctx, `SELECT name, dflt_value FROM pragma_table_info(?)`, []any{tb.name}, func(sc scanner) error {
			var name string
			var d sql.NullString
			err := sc.Scan(&name, &d)
			schema[name] = d
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i, col := range tb.cols {
			var want any
			if i < len(tb.dflt) {
				want = tb.dflt[i]
			}
			d, ok := schema[col]
			switch {
			case !ok:
				t.Errorf("%s.%s: no such column", tb.name, col)
			case want == nil:
			case !d.Valid:
				t.Errorf("%s.%s: default %v, but the column has none", tb.name, col, want)
			case d.String != sqlLiteral(want):
				t.Errorf("%s.%s: default %v, the schema's is %s", tb.name, col, want, d.String)
			}
		}
	}
}

func sqlLiteral(v any) string {
	if s, ok := v.(string); ok {
		return "'" + s + "'"
	}
	return fmt.Sprint(v)
}

// insertSparse leaves out of a statement only the columns at their default in all its
// rows: the rows read back as written, whichever columns each statement carried.
func TestInsertSparseRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTempSQLite(t)
	var rows [][]any
	for i := range 250 {
		cat := ""
		if i == 120 { // one row of the second statement of three holds a category
			cat = "auth"
		}
		rows = append(rows, []any{int64(1), i, 1, "", "CO", "45", int64(100 + i), cat})
	}
	var n int64
	if err := db.Batch(ctx, nil, func(b *Batch) error {
		var err error
		n, err = b.insertSparse(remitAdjustmentsTable, rows, "")
		return err
	}); err != nil || n != 250 {
		t.Fatalf("wrote %d rows, %v", n, err)
	}
	var got [][]any
	if err := db.eachRow(ctx, `SELECT payment_id, seq, line_no, code, grp, reason, amount_cents, category FROM remit_adjustments ORDER BY seq`, nil,
		func(sc scanner) error {
			var pay, amount int64
			var seq, line int
			var code, grp, reason, cat string
			err := sc.Scan(&pay, &seq, &line, &code, &grp, &reason, &amount, &cat)
			got = append(got, []any{pay, seq, line, code, grp, reason, amount, cat})
			return err
		}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Fatalf("read back %d rows differing from the %d written", len(got), len(rows))
	}
}

// openTempSQLite opens a fresh SQLite store in the test's temp dir, closed at its end.
func openTempSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "edigate.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
