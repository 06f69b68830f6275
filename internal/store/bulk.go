package store

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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

// insertValues inserts vals (cols values a row, flattened) after the batch's pending writes;
// head is "INSERT INTO t (a, b)". See bulkInsert.
func (b *Batch) insertValues(head string, cols int, vals []any) error {
	if err := b.flushWrites(); err != nil {
		return err
	}
	return b.bulkInsert(head, cols, rowsPerStatement, vals)
}

// bulkInsert inserts vals (cols values a row, flattened) with plain inserts: no ON CONFLICT,
// no RETURNING. head is "INSERT INTO t (a, b)" (a trailing VALUES is allowed). SQLite runs
// "head VALUES (...), ..." statements of at most perStatement rows; PostgreSQL takes every
// row in one COPY on the batch's connection, inside its transaction: no statement to parse
// and plan, no parameter list, a fraction of a multi-row INSERT's server time.
func (b *Batch) bulkInsert(head string, cols, perStatement int, vals []any) error {
	if len(vals)%cols != 0 {
		return fmt.Errorf("store: %s: %d values for %d columns", firstLine(head), len(vals), cols)
	}
	if len(vals) == 0 {
		return nil
	}
	if b.db.dialect.name == "postgres" {
		return b.copyRows(head, cols, vals)
	}
	head = strings.TrimSuffix(strings.TrimSpace(head), "VALUES")
	for len(vals) > 0 {
		n := min(len(vals)/cols, perStatement)
		if _, err := b.execRaw(b.db.dialect.insertFail(head)+" VALUES "+valuesList(n, cols), vals[:n*cols]...); err != nil {
			return fmt.Errorf("store: %s: %w", firstLine(head), err)
		}
		vals = vals[n*cols:]
	}
	return nil
}

// copyRows is bulkInsert's PostgreSQL form: COPY ... FROM STDIN (binary) through the pgx
// connection under the batch's *sql.Tx. The transaction is the connection's, so the rows
// commit or roll back with the rest of the batch; a failed COPY aborts the transaction
// like a failed statement.
func (b *Batch) copyRows(head string, cols int, vals []any) error {
	table, columns, err := insertTarget(head)
	if err != nil {
		return err
	}
	if len(columns) != cols {
		return fmt.Errorf("store: %s: %d columns named, %d given", firstLine(head), len(columns), cols)
	}
	return b.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: copy into %s: connection is %T, not pgx", table, dc)
		}
		rows := &flatRows{vals: vals, cols: cols, at: -cols}
		n, err := c.Conn().CopyFrom(b.ctx, pgx.Identifier{table}, columns, rows)
		if err != nil {
			return fmt.Errorf("store: copy into %s: %w", table, err)
		}
		if want := int64(len(vals) / cols); n != want {
			return fmt.Errorf("store: copy into %s: %d rows of %d", table, n, want)
		}
		if b.copied == nil {
			b.copied = map[string]int{}
		}
		b.copied[table] += int(n)
		return nil
	})
}

// insertTarget reads the table and columns of "INSERT INTO t (a, b, c) [VALUES]".
func insertTarget(head string) (string, []string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(head), "INSERT INTO ")
	open, end := strings.IndexByte(rest, '('), strings.IndexByte(rest, ')')
	if !ok || open < 0 || end < open {
		return "", nil, fmt.Errorf("store: %q is not INSERT INTO table (columns)", firstLine(head))
	}
	columns := strings.Split(rest[open+1:end], ",")
	for i := range columns {
		columns[i] = strings.TrimSpace(columns[i])
	}
	return strings.TrimSpace(rest[:open]), columns, nil
}

// flatRows is a pgx.CopyFromSource over rows flattened into one slice, cols values each:
// the batch's pending rows go to COPY without a slice per row.
type flatRows struct {
	vals []any
	cols int
	at   int // first value of the current row
}

func (r *flatRows) Next() bool             { r.at += r.cols; return r.at < len(r.vals) }
func (r *flatRows) Values() ([]any, error) { return r.vals[r.at : r.at+r.cols], nil }
func (r *flatRows) Err() error             { return nil }

// sparseTable is a table the store writes many rows of at once: its columns and the value
// each defaults to in its schema (nil, or dflt shorter than cols: none, always written). A
// default must have the Go type the callers pass (a string, int or int64), else it never
// matches and is written anyway.
type sparseTable struct {
	name string
	cols []string
	dflt []any
}

// insertSparse writes rows (a value a column of t, in order) with multi-row INSERT
// statements of up to 100 rows (well under the bind-parameter limits of SQLite and
// PostgreSQL), leaving out of each statement the columns that hold their default in every
// row of it: the database fills them in, and every value bound costs the driver a
// conversion and a copy into SQLite (posting an 835 bound about 76 values a claim, a sixth
// of its CPU). suffix may follow the VALUES (ON CONFLICT); it returns the rows written.
func (b *Batch) insertSparse(t *sparseTable, rows [][]any, suffix string) (int64, error) {
	const chunk = 100
	var written int64
	keep := make([]bool, len(t.cols))
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		kept := 0
		for c := range t.cols {
			keep[c] = c >= len(t.dflt) || t.dflt[c] == nil
			for r := 0; r < n && !keep[c]; r++ {
				keep[c] = rows[r][c] != t.dflt[c]
			}
			if keep[c] {
				kept++
			}
		}
		var q strings.Builder
		q.WriteString("INSERT INTO ")
		q.WriteString(t.name)
		q.WriteString(" (")
		ph := make([]byte, 0, 3*kept+1)
		ph = append(ph, '(')
		for c, name := range t.cols {
			if !keep[c] {
				continue
			}
			if len(ph) > 1 {
				q.WriteString(", ")
				ph = append(ph, ", "...)
			}
			q.WriteString(name)
			ph = append(ph, '?')
		}
		ph = append(ph, ')')
		q.WriteString(") VALUES ")
		args := make([]any, 0, n*kept)
		for r := 0; r < n; r++ {
			if r > 0 {
				q.WriteString(", ")
			}
			q.Write(ph)
			for c, v := range rows[r] {
				if keep[c] {
					args = append(args, v)
				}
			}
		}
		q.WriteString(suffix)
		res, err := b.exec(q.String(), args...)
		if err != nil {
			return written, err
		}
		k, _ := res.RowsAffected()
		written += k
		rows = rows[n:]
	}
	return written, nil
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
