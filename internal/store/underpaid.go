package store

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// recordExpected keeps the fee-schedule comparison of a posted CLP (remit.Step.Expected)
// for the underpayments report. The claim's latest adjudication is what counts: its rows
// replace the ones an earlier 835 left, and a reversal removes them.
func (b *Batch) recordExpected(f ResponseFile, p *remit.Payment, st *remit.Step) error {
	if st.Post == nil || (len(st.Expected) == 0 && !st.Post.CLP.Reversal()) {
		return nil
	}
	if _, err := b.exec(`DELETE FROM remit_expected WHERE claim_id = ?`, st.Claim); err != nil {
		return fmt.Errorf("expected payments: %w", err)
	}
	rows := make([][]any, 0, len(st.Expected))
	for _, e := range st.Expected {
		rows = append(rows, []any{st.Claim, e.Line, e.Payer, p.PayerID, p.Check, e.Code, e.Date, int64(e.Contract),
			int64(e.Patient), int64(e.Expected), int64(e.Paid), e.Source, f.Name})
	}
	if _, err := b.insertSparse(remitExpectedTable, rows, ""); err != nil {
		return fmt.Errorf("expected payments: %w", err)
	}
	return nil
}

// UnderpaymentRow is one payer's paid lines against its fee schedule.
type UnderpaymentRow struct {
	Payer      string     `json:"payer"`
	Lines      int        `json:"lines"` // lines with a contracted rate
	Expected   x12.Amount `json:"expected"`
	Paid       x12.Amount `json:"paid"`
	Underpaid  int        `json:"underpaid"` // lines paid below their expected amount
	Short      x12.Amount `json:"short"`     // what those lines lack
	OpenItems  int        `json:"open_items"`
	OpenAmount x12.Amount `json:"open_amount"` // underpayment items not yet resolved
}

// UnderpaymentReport is expected vs paid per payer over every posted line with a
// contracted rate, and the underpayment items still open.
func (db *DB) UnderpaymentReport(ctx context.Context) ([]UnderpaymentRow, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT payer, COUNT(*), COALESCE(SUM(expected_cents), 0), COALESCE(SUM(paid_cents), 0),
		COALESCE(SUM(CASE WHEN paid_cents < expected_cents THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN paid_cents < expected_cents THEN expected_cents - paid_cents ELSE 0 END), 0)
		FROM remit_expected GROUP BY payer ORDER BY payer`)
	if err != nil {
		return nil, fmt.Errorf("store: underpayment report: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (UnderpaymentRow, error) {
		var r UnderpaymentRow
		var exp, paid, short int64
		err := sc.Scan(&r.Payer, &r.Lines, &exp, &paid, &r.Underpaid, &short)
		r.Expected, r.Paid, r.Short = x12.Amount(exp), x12.Amount(paid), x12.Amount(short)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: underpayment report: %w", err)
	}
	// Open items carry the 835's payer id (N104); the rows know which configured payer it is.
	open, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT e.payer, COUNT(*), COALESCE(SUM(q.amount_cents), 0) FROM queue_items q
		JOIN remit_expected e ON e.claim_id = q.claim_id AND e.line_no = q.line_no
		WHERE q.category = ? AND q.state = ? GROUP BY e.payer`), remit.CategoryUnderpaid, QueueOpen)
	if err != nil {
		return nil, fmt.Errorf("store: underpayment report: %w", err)
	}
	type openSum struct {
		payer string
		n     int
		amt   int64
	}
	sums, err := collectRows(open, func(sc scanner) (openSum, error) {
		var o openSum
		return o, sc.Scan(&o.payer, &o.n, &o.amt)
	})
	if err != nil {
		return nil, fmt.Errorf("store: underpayment report: %w", err)
	}
	for _, o := range sums {
		for i := range out {
			if out[i].Payer == o.payer {
				out[i].OpenItems, out[i].OpenAmount = o.n, x12.Amount(o.amt)
			}
		}
	}
	return out, nil
}
