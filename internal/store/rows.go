package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collectRows scans every row of rows with scan, in order, and closes rows: the loop of
// the list queries, which differ only in their SQL and how a row becomes a value. No rows
// gives a nil slice.
func collectRows[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if len(out) == cap(out) {
			// Doubling: append grows a large slice by a quarter, so listing 100,000
			// sessions (large records) copied each of them about four times.
			grown := make([]T, len(out), max(2*cap(out), 16))
			copy(grown, out)
			out = grown
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanString reads a one-column row of text (collectRows(rows, scanString) lists ids).
func scanString(sc scanner) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}

// countBy runs a "SELECT key, COUNT(*) ... GROUP BY key" query into a map; what names it
// in errors.
func (db *DB) countBy(ctx context.Context, what, q string) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// inList is the "(?, ?, ...)" of an IN over ids and its arguments. The text depends only
// on len(ids), so a batch prepares one statement per chunk size.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}
