package store

import (
	"fmt"
	"strings"
)

// Multi-row statements: a batch that writes thousands of rows pays one statement (one
// round trip on PostgreSQL, one VDBE program run on SQLite) per rowsPerStatement rows
// instead of one per row. Used by the claims and eligibility steps; to batch another
// write, build the rows as flat value lists and call insertValues, or use inList (rows.go)
// for a guarded UPDATE ... WHERE id IN (...) RETURNING id.

// rowsPerStatement bounds the rows of one multi-row statement: 400 rows of 16 columns is
// 6,400 parameters, far under SQLite's (32,766) and PostgreSQL's (65,535) limits.
const rowsPerStatement = 400

// idsPerStatement bounds an IN list.
const idsPerStatement = 500

// valuesList returns "(?, ?, ?), (?, ?, ?)" for rows rows of cols columns.
func valuesList(rows, cols int) string {
	var one strings.Builder
	one.WriteByte('(')
	for c := 0; c < cols; c++ {
		if c > 0 {
			one.WriteString(", ")
		}
		one.WriteByte('?')
	}
	one.WriteByte(')')
	var b strings.Builder
	b.Grow(rows * (one.Len() + 2))
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one.String())
	}
	return b.String()
}

// insertValues inserts vals (cols values a row, flattened) with "head VALUES (...), ..."
// statements of at most rowsPerStatement rows; head is "INSERT INTO t (a, b)".
func (b *Batch) insertValues(head string, cols int, vals []any) error {
	if len(vals)%cols != 0 {
		return fmt.Errorf("store: %s: %d values for %d columns", firstLine(head), len(vals), cols)
	}
	for len(vals) > 0 {
		n := min(len(vals)/cols, rowsPerStatement)
		if _, err := b.exec(b.db.dialect.insertFail(head)+" VALUES "+valuesList(n, cols), vals[:n*cols]...); err != nil {
			return fmt.Errorf("store: %s: %w", firstLine(head), err)
		}
		vals = vals[n*cols:]
	}
	return nil
}

// chunks calls fn with consecutive pieces of ids of at most size each.
func chunks(ids []string, size int, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), size)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// unindexed is col in a WHERE term that must not pick the index on col. SQLite keeps no
// statistics and would otherwise walk every session in a state (the index on state)
// instead of looking up the few ids of an IN list, or seek every id of a 500-id IN list
// for each row of a correlated subquery; "+col" turns the index off there (EXPLAIN QUERY
// PLAN in the comments of the callers). PostgreSQL plans from statistics, but those lag a
// bulk step: right after 20,000 claims are stored as built, the statistics may still say
// "few built claims", and each 500-id chunk of the filing lease then walked every built
// claim off claims_state (O(n^2)). PostgreSQL has no unary plus on text; the column with
// the empty string appended is the same value through an expression no plain index
// matches. Text columns only.
func (d dialect) unindexed(col string) string {
	if d.name == "sqlite" {
		return "+" + col
	}
	return "(" + col + " || '')"
}

// updateFail is insertFail for UPDATE: SQLite's "UPDATE OR FAIL" keeps no statement
// journal for a statement that changes hundreds of rows, which a batch pays for in
// allocations on every statement. Only for statements whose failure fails the batch.
func (d dialect) updateFail(q string) string {
	if d.name != "sqlite" {
		return q
	}
	return strings.Replace(q, "UPDATE ", "UPDATE OR FAIL ", 1)
}
