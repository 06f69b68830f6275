package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// What the 835s say of each claim is folded from its postings (claimRemits): its sums and
// its latest adjudication as the denial report counts it. The posting transaction folds
// the claims it posted with the same code that rebuilds the kept figures, from the new
// postings alone for a claim never posted before, else from all the claim's postings, so
// what it keeps is by construction what reading every posting would give: the report
// sums (remit_groups), the claims rows' paid sums, and claim_remit (migrations 0720,
// 0841), one row per claim posted saying whether a later posting overturned a denial.

// eachFunc runs a query and calls fn for each row (Batch.eachRow, or a transaction's).
type eachFunc func(q string, args []any, fn func(scan func(...any) error) error) error

// posting is one CLP as the aggregates need it.
type posting struct {
	k                           [2]int64 // payment_id, seq: posting order
	claim, payerID, claimPayer  string
	date, provider, codes, outc string
	paid, patient               int64
	hasClaim                    bool
	filed                       string // the claim's first 837P day (claims.first_filed), "" for a void
}

// claimRemit is one claim's figures folded from its postings: what the reports count of
// it (contribute) and the claims row's paid sums; claim_remit keeps its id and overturned.
type claimRemit struct {
	id, payer, firstPaid  string
	paid, patient         int64
	overturned, adjudicat bool
	adj                   adjClaim
}

// readPostings reads the postings of ids (every posting when ids is nil) and their
// denial adjustments.
func readPostings(each eachFunc, ids []string) ([]posting, map[[2]int64][]denialAdj, error) {
	var ps []posting
	scanPosting := func(sc func(...any) error) error {
		var p posting
		var cp, filed, freq sql.NullString
		if err := sc(&p.k[0], &p.k[1], &p.claim, &p.payerID, &cp, &p.date, &p.provider, &p.codes, &p.outc, &p.paid, &p.patient, &filed, &freq); err != nil {
			return err
		}
		if freq.String != claims.FrequencyVoid {
			p.filed = filed.String
		}
		p.claimPayer, p.hasClaim = cp.String, cp.Valid
		ps = append(ps, p)
		return nil
	}
	const cols = `SELECT c.payment_id, c.seq, c.claim_id, c.payer_id, cl.payer, c.pay_date, c.rendering_npi, c.line_codes, c.outcome,
		c.paid_cents, c.patient_cents, cl.first_filed, cl.frequency FROM remit_claims c LEFT JOIN claims cl ON cl.id = c.claim_id`
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
			return nil, nil, fmt.Errorf("claim remittance totals: %w", err)
		}
		if err := each(adjCols+` WHERE a.category <> '' ORDER BY a.payment_id, a.seq, a.line_no`, nil, scanAdj); err != nil {
			return nil, nil, fmt.Errorf("claim remittance totals: %w", err)
		}
	} else {
		for part := range slices.Chunk(ids, 500) {
			in, args := inList(part)
			if err := each(cols+` WHERE c.claim_id IN `+in, args, scanPosting); err != nil {
				return nil, nil, fmt.Errorf("claim remittance totals: %w", err)
			}
			if err := each(adjCols+` JOIN remit_claims c ON c.payment_id = a.payment_id AND c.seq = a.seq
				WHERE a.category <> '' AND c.claim_id IN `+in+` ORDER BY a.payment_id, a.seq, a.line_no`, args, scanAdj); err != nil {
				return nil, nil, fmt.Errorf("claim remittance totals: %w", err)
			}
		}
	}
	sortPostings(ps)
	return ps, adjs, nil
}

// groupSums is one remit_groups row's figures.
type groupSums struct {
	claims, lines, denied, deniedLines, deniedCents, paid, patient int64
}

func (g *groupSums) add(o groupSums, sign int64) {
	g.claims += sign * o.claims
	g.lines += sign * o.lines
	g.denied += sign * o.denied
	g.deniedLines += sign * o.deniedLines
	g.deniedCents += sign * o.deniedCents
	g.paid += sign * o.paid
	g.patient += sign * o.patient
}

// groupKey is a remit_groups key: a grouping (by_what) and its key.
type groupKey struct{ by, key string }

// contribute adds (sign 1) or takes away (sign -1) what one claim's postings (in posting
// order) count for in the reports: under its latest adjudication's payer, month,
// provider, CPT and 'all' for every adjudicated claim, under its CARC and category when
// denied (the denial report's base, DenialBase); in the payments report under its payer
// and under each month it has a posting in.
func contribute(to map[groupKey]*groupSums, ps []posting, adjs map[[2]int64][]denialAdj, sign int64) {
	if len(ps) == 0 {
		return
	}
	add := func(by, key string, g groupSums) {
		k := groupKey{by, key}
		if to[k] == nil {
			to[k] = &groupSums{}
		}
		to[k].add(g, sign)
	}
	r := foldClaim(ps, adjs)
	add("pay-payer", r.payer, groupSums{claims: 1, paid: r.paid, patient: r.patient})
	// Days in A/R of the paid claims: how many, and their days from first filing to
	// first payment summed (in lines), so the A/R report reads only the unpaid claims.
	if days, ok := daysToPay(ps[0].filed, r.firstPaid); ok {
		add("ar-paid", "", groupSums{claims: 1, lines: days})
	}
	months := map[string]*groupSums{}
	var order []string
	for _, p := range ps {
		m := prefix(p.date, 6)
		if months[m] == nil {
			months[m] = &groupSums{claims: 1}
			order = append(order, m)
		}
		months[m].paid += p.paid
		months[m].patient += p.patient
	}
	for _, m := range order {
		add("pay-month", m, *months[m])
	}
	if !r.adjudicat {
		return
	}
	a := r.adj
	g := groupSums{claims: 1, lines: int64(len(a.codes))}
	add("all", "", g)
	var d groupSums
	if a.denied {
		d = groupSums{denied: 1, deniedLines: int64(a.deniedLines()), deniedCents: int64(a.deniedAmount())}
	}
	for _, by := range []string{"payer", "month", "provider", "cpt"} {
		gd := g
		gd.add(d, 1)
		add(by, a.key(by), gd)
	}
	if a.denied {
		for _, by := range []string{"carc", "category"} {
			add(by, a.key(by), d)
		}
	}
}

// writeGroups adds the sums to remit_groups (in key order, so two PostgreSQL
// transactions take the row locks in one order); all-zero sums are skipped.
func (b *Batch) writeGroups(sums map[groupKey]*groupSums) error {
	keys := make([]groupKey, 0, len(sums))
	for k, g := range sums {
		if *g != (groupSums{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b groupKey) int {
		if c := strings.Compare(a.by, b.by); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		g := sums[k]
		rows[i] = []any{k.by, k.key, g.claims, g.lines, g.denied, g.deniedLines, g.deniedCents, g.paid, g.patient}
	}
	if _, err := b.insertSparse(remitGroupsTable, rows, ` ON CONFLICT (by_what, group_key) DO UPDATE SET claims = remit_groups.claims + excluded.claims,
		lines = remit_groups.lines + excluded.lines, denied = remit_groups.denied + excluded.denied,
		denied_lines = remit_groups.denied_lines + excluded.denied_lines, denied_cents = remit_groups.denied_cents + excluded.denied_cents,
		paid_cents = remit_groups.paid_cents + excluded.paid_cents, patient_cents = remit_groups.patient_cents + excluded.patient_cents`); err != nil {
		return fmt.Errorf("report sums: %w", err)
	}
	return nil
}

// groupDeltas adds to out what the new postings (keys in posted) change in remit_groups:
// each claim's contribution with them, less its contribution without them.
func groupDeltas(out map[groupKey]*groupSums, ps []posting, adjs map[[2]int64][]denialAdj, posted map[[2]int64]bool) {
	byClaim(ps, func(cps []posting) {
		contribute(out, cps, adjs, 1)
		var old []posting
		for _, p := range cps {
			if !posted[p.k] {
				old = append(old, p)
			}
		}
		contribute(out, old, adjs, -1)
	})
}

// sortPostings orders postings by claim, then posting order.
func sortPostings(ps []posting) {
	slices.SortFunc(ps, func(a, b posting) int {
		if c := strings.Compare(a.claim, b.claim); c != 0 {
			return c
		}
		if a.k[0] != b.k[0] {
			return cmpInt(a.k[0], b.k[0])
		}
		return cmpInt(a.k[1], b.k[1])
	})
}

// byClaim calls fn with each claim's postings (ps sorted by sortPostings).
func byClaim(ps []posting, fn func([]posting)) {
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].claim == ps[i].claim {
			j++
		}
		fn(ps[i:j])
		i = j
	}
}

// claimRemits folds sorted postings into one claim_remit row per claim.
func claimRemits(ps []posting, adjs map[[2]int64][]denialAdj) []claimRemit {
	var out []claimRemit
	byClaim(ps, func(cps []posting) { out = append(out, foldClaim(cps, adjs)) })
	return out
}

// foldClaim is one claim's row from its postings in posting order: the sums, first
// payment and latest adjudication are remit.FoldPostings' to decide; this adds the store's
// keys (payer, report groupings) of the adjudication it picks.
func foldClaim(ps []posting, adjs map[[2]int64][]denialAdj) claimRemit {
	in := make([]remit.Posted, len(ps))
	for i := range ps {
		in[i] = remit.Posted{Outcome: lifecycle.State(ps[i].outc), Date: ps[i].date, Paid: ps[i].paid, Patient: ps[i].patient}
	}
	t := remit.FoldPostings(in)
	r := claimRemit{id: ps[0].claim, paid: t.Paid, patient: t.Patient, firstPaid: t.FirstPaid, overturned: t.Overturned}
	payerOf := func(p *posting) string {
		if p.hasClaim {
			return p.claimPayer
		}
		return p.payerID
	}
	r.payer = payerOf(&ps[len(ps)-1])
	if t.Latest < 0 {
		return r
	}
	latest := &ps[t.Latest]
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

// writeClaimRemits replaces the claim_remit rows of rows' claims (replace false: they have
// none yet) and, with claimsToo, the paid and patient sums and first payment day on their
// claims rows (a posting adds its own to those as it moves the claim: paidDelta).
func writeClaimRemits(exec func(q string, args ...any) error, insert func(t *sparseTable, rows [][]any) error, rows []claimRemit, replace, claimsToo bool) error {
	ids := make([]string, len(rows))
	vals := make([][]any, len(rows))
	for i, r := range rows {
		ids[i] = r.id
		vals[i] = []any{r.id, boolInt(r.overturned)}
	}
	for part := range slices.Chunk(ids, 500) {
		if !replace {
			break
		}
		in, args := inList(part)
		if err := exec(`DELETE FROM claim_remit WHERE claim_id IN `+in, args...); err != nil {
			return fmt.Errorf("claim remittance totals: %w", err)
		}
	}
	if err := insert(claimRemitTable, vals); err != nil {
		return fmt.Errorf("claim remittance totals: %w", err)
	}
	for _, r := range rows {
		if !claimsToo {
			break
		}
		if err := exec(`UPDATE claims SET paid_cents = ?, patient_cents = ?, first_paid = ? WHERE id = ?
			AND (paid_cents <> ? OR patient_cents <> ? OR first_paid <> ?)`,
			r.paid, r.patient, r.firstPaid, r.id, r.paid, r.patient, r.firstPaid); err != nil {
			return fmt.Errorf("claim %s paid: %w", r.id, err)
		}
	}
	return nil
}

// refreshClaimRemits keeps claim_remit and remit_groups in the posting's transaction
// for the new postings ps (in memory, with their denial adjustments adjs; already
// inserted). A claim's first postings are folded from ps alone: its row is new and its
// report sums are only added. A claim posted before (before: it had postings when ps
// were looked up, applyPayment, so it has a claim_remit row) is recomputed from all its
// postings read back, and its old contribution taken away, by the same code that rebuilds
// the tables (claimRemits, contribute), so the kept rows are what reading every posting
// would give. On PostgreSQL the claims rows are locked first (in id order, by
// ApplyResponse before any lookup), so a second instance posting the same claim waits and
// then reads this one's postings; two posting a claim edigate never built for the first
// time both insert its claim_remit row, and the second fails.
// The claims rows' paid sums are not written here: each posting adds its own (paidDelta).
func (b *Batch) refreshClaimRemits(ps []posting, adjs map[[2]int64][]denialAdj, before map[string]bool) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	for i := range ps {
		ids[i] = ps[i].claim
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if err := b.lockClaimsInOrder(ids); err != nil {
		return err
	}
	type claimRow struct{ payer, filed string }
	built := map[string]claimRow{}
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		if err := b.eachRow(`SELECT id, payer, first_filed, frequency FROM claims WHERE id IN `+in, args, func(sc func(...any) error) error {
			var id, freq string
			var c claimRow
			if err := sc(&id, &c.payer, &c.filed, &freq); err != nil {
				return err
			}
			if freq == claims.FrequencyVoid {
				c.filed = ""
			}
			built[id] = c
			return nil
		}); err != nil {
			return fmt.Errorf("claim remittance totals: %w", err)
		}
	}
	var fresh []posting
	var again []string
	posted := make(map[[2]int64]bool, len(ps))
	for _, p := range ps {
		posted[p.k] = true
		if before[p.claim] {
			again = append(again, p.claim)
			continue
		}
		c, ok := built[p.claim]
		p.hasClaim, p.claimPayer, p.filed = ok, c.payer, c.filed
		fresh = append(fresh, p)
	}
	sums := map[groupKey]*groupSums{}
	sortPostings(fresh)
	byClaim(fresh, func(cps []posting) { contribute(sums, cps, adjs, 1) })
	exec := func(q string, args ...any) error { _, err := b.exec(q, args...); return err }
	insert := func(t *sparseTable, rows [][]any) error { _, err := b.insertSparse(t, rows, ""); return err }
	if err := writeClaimRemits(exec, insert, claimRemits(fresh, adjs), false, false); err != nil {
		return err
	}
	if len(again) > 0 {
		slices.Sort(again)
		again = slices.Compact(again)
		all, allAdjs, err := readPostings(b.eachRow, again)
		if err != nil {
			return err
		}
		groupDeltas(sums, all, allAdjs, posted)
		if err := writeClaimRemits(exec, insert, claimRemits(all, allAdjs), true, false); err != nil {
			return err
		}
	}
	return b.writeGroups(sums)
}

// paidDelta is what one posting adds to its claim's paid sums on the claims row
// (paid_cents, patient_cents, first_paid; remit.FoldPostings of that posting alone):
// written by the posting's own state move, or alone when the claim does not move.
type paidDelta struct {
	paid, patient int64
	firstPaid     string
}

func (d *paidDelta) none() bool {
	return d == nil || (d.paid == 0 && d.patient == 0 && d.firstPaid == "")
}

// set is the SET clause that adds d (with its arguments), "" when d adds nothing.
func (d *paidDelta) set() (string, []any) {
	if d.none() {
		return "", nil
	}
	q, args := `, paid_cents = paid_cents + ?, patient_cents = patient_cents + ?`, []any{d.paid, d.patient}
	if d.firstPaid != "" {
		q += `, first_paid = CASE WHEN first_paid = '' OR first_paid > ? THEN ? ELSE first_paid END`
		args = append(args, d.firstPaid, d.firstPaid)
	}
	return q, args
}

// addPaid adds d to a claim that did not move.
func (b *Batch) addPaid(id string, d *paidDelta) error {
	set, args := d.set()
	if set == "" {
		return nil
	}
	if _, err := b.exec(`UPDATE claims SET `+set[2:]+` WHERE id = ?`, append(args, id)...); err != nil {
		return fmt.Errorf("claim %s paid: %w", id, err)
	}
	return nil
}

// RebuildClaimRemit computes claim_remit and remit_groups again from every posting (and
// the claims' paid sums), in one transaction. Open does it once after migration 0720; tests that write
// postings directly call it.
func (db *DB) RebuildClaimRemit(ctx context.Context) error {
	return db.Batch(ctx, nil, func(b *Batch) error { return b.rebuildClaimRemit() })
}

func (b *Batch) rebuildClaimRemit() error {
	ps, adjs, err := readPostings(b.eachRow, nil)
	if err != nil {
		return err
	}
	rows := claimRemits(ps, adjs)
	for _, t := range []string{"claim_remit", "remit_groups"} {
		if _, err := b.exec(`DELETE FROM ` + t); err != nil {
			return fmt.Errorf("claim remittance totals: %w", err)
		}
	}
	sums := map[groupKey]*groupSums{}
	byClaim(ps, func(cps []posting) { contribute(sums, cps, adjs, 1) })
	if err := b.writeGroups(sums); err != nil {
		return err
	}
	if _, err := b.exec(`UPDATE claims SET paid_cents = 0, patient_cents = 0, first_paid = '' WHERE paid_cents <> 0 OR patient_cents <> 0 OR first_paid <> ''`); err != nil {
		return fmt.Errorf("claim remittance totals: %w", err)
	}
	return writeClaimRemits(func(q string, args ...any) error { _, err := b.exec(q, args...); return err },
		func(t *sparseTable, rows [][]any) error { _, err := b.insertSparse(t, rows, ""); return err }, rows, true, true)
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

// daysToPay is the whole days from a claim's first filing (YYYY-MM-DD) to its first
// payment (YYYYMMDD), never negative; false when either is unknown.
func daysToPay(filed, paid string) (int64, bool) {
	f, err := time.Parse(time.DateOnly, filed)
	if err != nil {
		return 0, false
	}
	p, err := time.Parse("20060102", paid)
	if err != nil {
		return 0, false
	}
	return max(0, int64(p.Sub(f).Hours()/24)), true
}
