package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// claim_remit (migration 0720) is what the 835s say of each claim: the sums of its
// postings and its latest adjudication as the denial report counts it. The posting
// transaction recomputes the rows of the claims it posted from their postings, with the
// same code that rebuilds the table (claimRemits), so the kept rows are by construction
// what reading every posting would give; the reports then group one row per claim.

// eachFunc runs a query and calls fn for each row (Batch.eachRow, or a transaction's).
type eachFunc func(q string, args []any, fn func(scan func(...any) error) error) error

// posting is one CLP as the aggregates need it.
type posting struct {
	k                           [2]int64 // payment_id, seq: posting order
	claim, payerID, claimPayer  string
	date, provider, codes, outc string
	paid, patient               int64
	hasClaim                    bool
}

// claimRemit is one claim_remit row.
type claimRemit struct {
	id, payer, firstPaid  string
	paid, patient         int64
	overturned, adjudicat bool
	adj                   adjClaim
}

// readClaimRemits computes the claim_remit rows of ids (every claim with a posting when
// ids is nil) from their postings and denial adjustments.
func readClaimRemits(each eachFunc, ids []string) ([]claimRemit, error) {
	var ps []posting
	scanPosting := func(sc func(...any) error) error {
		var p posting
		var cp sql.NullString
		if err := sc(&p.k[0], &p.k[1], &p.claim, &p.payerID, &cp, &p.date, &p.provider, &p.codes, &p.outc, &p.paid, &p.patient); err != nil {
			return err
		}
		p.claimPayer, p.hasClaim = cp.String, cp.Valid
		ps = append(ps, p)
		return nil
	}
	const cols = `SELECT c.payment_id, c.seq, c.claim_id, c.payer_id, cl.payer, c.pay_date, c.rendering_npi, c.line_codes, c.outcome,
		c.paid_cents, c.patient_cents FROM remit_claims c LEFT JOIN claims cl ON cl.id = c.claim_id`
	adjs := map[[2]int64][]denialAdj{}
	scanAdj := func(sc func(...any) error) error {
		var k [2]int64
		var a denialAdj
		var amt int64
		if err := sc(&k[0], &k[1], &a.line, &a.code, &a.grp, &a.reason, &a.category, &amt); err != nil {
			return err
		}
		a.amount = x12.Amount(amt)
		adjs[k] = append(adjs[k], a)
		return nil
	}
	const adjCols = `SELECT a.payment_id, a.seq, a.line_no, a.code, a.grp, a.reason, a.category, a.amount_cents FROM remit_adjustments a`
	if ids == nil {
		if err := each(cols, nil, scanPosting); err != nil {
			return nil, fmt.Errorf("claim remittance totals: %w", err)
		}
		if err := each(adjCols+` WHERE a.category <> '' ORDER BY a.payment_id, a.seq, a.line_no`, nil, scanAdj); err != nil {
			return nil, fmt.Errorf("claim remittance totals: %w", err)
		}
	} else {
		for part := range slices.Chunk(ids, 500) {
			in, args := inList(part)
			if err := each(cols+` WHERE c.claim_id IN `+in, args, scanPosting); err != nil {
				return nil, fmt.Errorf("claim remittance totals: %w", err)
			}
			if err := each(adjCols+` JOIN remit_claims c ON c.payment_id = a.payment_id AND c.seq = a.seq
				WHERE a.category <> '' AND c.claim_id IN `+in+` ORDER BY a.payment_id, a.seq, a.line_no`, args, scanAdj); err != nil {
				return nil, fmt.Errorf("claim remittance totals: %w", err)
			}
		}
	}
	return claimRemits(ps, adjs), nil
}

// claimRemits folds postings (any order) and the denial adjustments of each posting into
// one row per claim.
func claimRemits(ps []posting, adjs map[[2]int64][]denialAdj) []claimRemit {
	slices.SortFunc(ps, func(a, b posting) int {
		if c := strings.Compare(a.claim, b.claim); c != 0 {
			return c
		}
		if a.k[0] != b.k[0] {
			return cmpInt(a.k[0], b.k[0])
		}
		return cmpInt(a.k[1], b.k[1])
	})
	var out []claimRemit
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].claim == ps[i].claim {
			j++
		}
		out = append(out, foldClaim(ps[i:j], adjs))
		i = j
	}
	return out
}

// foldClaim is one claim's row from its postings in posting order.
func foldClaim(ps []posting, adjs map[[2]int64][]denialAdj) claimRemit {
	r := claimRemit{id: ps[0].claim}
	var latest *posting
	denied := false
	for i := range ps {
		p := &ps[i]
		r.paid += p.paid
		r.patient += p.patient
		reversed := p.outc == string(lifecycle.Reversed)
		if p.paid > 0 && !reversed && (r.firstPaid == "" || p.date < r.firstPaid) {
			r.firstPaid = p.date
		}
		switch lifecycle.State(p.outc) {
		case lifecycle.Denied:
			denied = true
		case lifecycle.Paid, lifecycle.PartiallyPaid:
			r.overturned = r.overturned || denied
		}
		if !reversed {
			latest = p
		}
	}
	payerOf := func(p *posting) string {
		if p.hasClaim {
			return p.claimPayer
		}
		return p.payerID
	}
	r.payer = payerOf(&ps[len(ps)-1])
	if latest == nil {
		return r
	}
	r.adjudicat = true
	r.payer = payerOf(latest)
	r.adj = adjClaim{payer: r.payer, month: prefix(latest.date, 6), provider: latest.provider, codes: strings.Fields(latest.codes),
		denied: latest.outc == string(lifecycle.Denied), adjs: adjs[latest.k]}
	r.adj.denied = r.adj.denied || len(r.adj.adjs) > 0
	return r
}

func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeClaimRemits replaces the claim_remit rows of rows' claims and the paid and patient
// sums on their claims rows.
func writeClaimRemits(exec func(q string, args ...any) error, insert func(prefix string, rows [][]any) error, rows []claimRemit) error {
	ids := make([]string, len(rows))
	vals := make([][]any, len(rows))
	for i, r := range rows {
		ids[i] = r.id
		a := r.adj
		var denied, deniedLines, deniedCents int64
		if a.denied {
			denied, deniedLines, deniedCents = 1, int64(a.deniedLines()), int64(a.deniedAmount())
		}
		vals[i] = []any{r.id, r.payer, r.paid, r.patient, r.firstPaid, boolInt(r.overturned), boolInt(r.adjudicat), a.month, a.provider,
			a.key("cpt"), a.key("carc"), a.key("category"), int64(len(a.codes)), denied, deniedLines, deniedCents}
	}
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		if err := exec(`DELETE FROM claim_remit WHERE claim_id IN `+in, args...); err != nil {
			return fmt.Errorf("claim remittance totals: %w", err)
		}
	}
	if err := insert(`INSERT INTO claim_remit (claim_id, payer, paid_cents, patient_cents, first_paid, overturned, adjudicated, month,
		provider, cpt, carc, category, lines, denied, denied_lines, denied_cents) VALUES `, vals); err != nil {
		return fmt.Errorf("claim remittance totals: %w", err)
	}
	for _, r := range rows {
		if err := exec(`UPDATE claims SET paid_cents = ?, patient_cents = ? WHERE id = ? AND (paid_cents <> ? OR patient_cents <> ?)`,
			r.paid, r.patient, r.id, r.paid, r.patient); err != nil {
			return fmt.Errorf("claim %s paid: %w", r.id, err)
		}
	}
	return nil
}

// refreshClaimRemits recomputes, in the posting's transaction, the claim_remit rows of the
// claims it posted. On PostgreSQL the claims rows are locked first (in id order), so a
// second instance posting the same claim waits and then reads this one's postings.
func (b *Batch) refreshClaimRemits(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := b.flushWrites(); err != nil {
		return err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if b.db.dialect.name == "postgres" {
		for part := range slices.Chunk(ids, 500) {
			in, args := inList(part)
			if err := b.eachRow(`SELECT id FROM claims WHERE id IN `+in+` ORDER BY id FOR UPDATE`, args,
				func(func(...any) error) error { return nil }); err != nil {
				return fmt.Errorf("lock claims: %w", err)
			}
		}
	}
	rows, err := readClaimRemits(b.eachRow, ids)
	if err != nil {
		return err
	}
	return writeClaimRemits(func(q string, args ...any) error { _, err := b.exec(q, args...); return err },
		func(prefix string, rows [][]any) error { return b.insertRows(prefix, rows, "") }, rows)
}

// RebuildClaimRemit computes claim_remit again from every posting (and the claims' paid
// sums), in one transaction. Open does it once after migration 0720; tests that write
// postings directly call it.
func (db *DB) RebuildClaimRemit(ctx context.Context) error {
	return db.Batch(ctx, nil, func(b *Batch) error { return b.rebuildClaimRemit() })
}

func (b *Batch) rebuildClaimRemit() error {
	rows, err := readClaimRemits(b.eachRow, nil)
	if err != nil {
		return err
	}
	if _, err := b.exec(`DELETE FROM claim_remit`); err != nil {
		return fmt.Errorf("claim remittance totals: %w", err)
	}
	if _, err := b.exec(`UPDATE claims SET paid_cents = 0, patient_cents = 0 WHERE paid_cents <> 0 OR patient_cents <> 0`); err != nil {
		return fmt.Errorf("claim remittance totals: %w", err)
	}
	return writeClaimRemits(func(q string, args ...any) error { _, err := b.exec(q, args...); return err },
		func(prefix string, rows [][]any) error { return b.insertRows(prefix, rows, "") }, rows)
}

// pendingRebuilds does the rebuilds a migration asked for (store_rebuilds), each in the
// transaction that deletes its name: a second instance starting meanwhile finds the name
// gone (PostgreSQL waits for the first's commit) and does nothing.
func (db *DB) pendingRebuilds(ctx context.Context) error {
	return db.Batch(ctx, nil, func(b *Batch) error {
		res, err := b.exec(`DELETE FROM store_rebuilds WHERE name = ?`, "claim_remit")
		if err != nil {
			return fmt.Errorf("store: rebuilds: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := b.rebuildClaimRemit(); err != nil {
			return fmt.Errorf("store: rebuild claim_remit: %w", err)
		}
		return nil
	})
}
