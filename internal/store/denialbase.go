package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/edigate/edigate/x12"
)

// DenialBase is what the denial report counts, whatever it is grouped by: claims, as each
// stands after its latest adjudication that no reversal undid. A denied claim counts once
// in every grouping, under one key: the CPT, CARC or category carrying most of its denied
// amount (the lower key on a tie), so the totals by payer, CPT, CARC, category, provider
// and month agree with each other. Its denied lines and denied amount go with it.
const DenialBase = "claims"

// adjClaim is one claim's latest adjudication with its denial adjustments.
type adjClaim struct {
	payer, month, provider string
	codes                  []string // line procedure codes in line order
	denied                 bool     // CLP outcome denied, or any adjustment with a denial category
	adjs                   []denialAdj
}

// denialAdj is one adjustment carrying a denial category, on a line (line > 0) or on the
// whole claim (line 0).
type denialAdj struct {
	line                        int
	code, grp, reason, category string
	amount                      x12.Amount
}

// key is the claim's key when grouped by by: the key holding most of its denied amount for
// cpt, carc and category (a claim-level denial counts for the first line's code).
func (c adjClaim) key(by string) string {
	switch by {
	case "payer":
		return c.payer
	case "month":
		return c.month
	case "provider":
		return c.provider
	}
	amounts := map[string]x12.Amount{}
	var keys []string
	for _, a := range c.adjs {
		var k string
		switch by {
		case "cpt":
			k = a.code
			if a.line == 0 && len(c.codes) > 0 {
				k = c.codes[0]
			}
		case "carc":
			k = a.grp + "-" + a.reason
		default:
			k = a.category
		}
		if _, ok := amounts[k]; !ok {
			keys = append(keys, k)
		}
		amounts[k] += a.amount
	}
	if len(keys) == 0 {
		if by == "cpt" && len(c.codes) > 0 {
			return c.codes[0] // a claim not denied, or denied with no adjustment: its first code
		}
		return ""
	}
	sort.Strings(keys)
	best := keys[0]
	for _, k := range keys[1:] {
		if amounts[k] > amounts[best] {
			best = k
		}
	}
	return best
}

// deniedLines counts the claim's denied lines: those with a line denial, or all of them
// under a claim-level denial.
func (c adjClaim) deniedLines() int {
	lines := map[int]bool{}
	for _, a := range c.adjs {
		if a.line == 0 {
			return len(c.codes)
		}
		lines[a.line] = true
	}
	return len(lines)
}

func (c adjClaim) deniedAmount() x12.Amount {
	var t x12.Amount
	for _, a := range c.adjs {
		t += a.amount
	}
	return t
}

// groupDenials is the denial report over adjudicated claims grouped by by. Claims and Lines
// are the adjudicated claims and lines of the group (payer, month, provider, CPT) or of all
// (CARC and category, which only denied claims have), so Rate is a denial rate or, for CARC
// and category, that reason's share of all claims.
func groupDenials(by string, cs []adjClaim) []DenialRow {
	rows := map[string]*DenialRow{}
	row := func(k string) *DenialRow {
		r := rows[k]
		if r == nil {
			r = &DenialRow{Key: k}
			rows[k] = r
		}
		return r
	}
	perGroup := by != "carc" && by != "category"
	var allClaims, allLines int
	for _, c := range cs {
		allClaims++
		allLines += len(c.codes)
		k := c.key(by)
		if perGroup {
			r := row(k)
			r.Claims++
			r.Lines += len(c.codes)
		}
		if !c.denied {
			continue
		}
		r := row(k)
		r.Denied++
		r.DeniedLines += c.deniedLines()
		r.DeniedAmount += c.deniedAmount()
	}
	out := make([]DenialRow, 0, len(rows))
	for _, r := range rows {
		if !perGroup {
			r.Claims, r.Lines = allClaims, allLines
		}
		if r.Claims > 0 {
			r.Rate = float64(r.Denied) / float64(r.Claims)
		}
		if r.Lines > 0 {
			r.LineRate = float64(r.DeniedLines) / float64(r.Lines)
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// adjudicatedClaims reads each claim's latest adjudication that no reversal undid, with its
// denial adjustments. The payer is the claim's configured payer when edigate built the
// claim (the 835's payer id otherwise), the month the 835's (YYYYMM). The latest is picked
// here from one pass over the postings rather than by a subquery per posting.
func (db *DB) adjudicatedClaims(ctx context.Context) ([]adjClaim, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT c.payment_id, c.seq, c.claim_id, COALESCE(cl.payer, c.payer_id), substr(c.pay_date, 1, 6),
			c.rendering_npi, c.line_codes, c.outcome FROM remit_claims c LEFT JOIN claims cl ON cl.id = c.claim_id
		WHERE c.outcome <> 'reversed'`)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	type keyed struct {
		k  [2]int64
		id string
		c  adjClaim
	}
	all, err := collectRows(rows, func(sc scanner) (keyed, error) {
		var r keyed
		var codes, outcome string
		err := sc.Scan(&r.k[0], &r.k[1], &r.id, &r.c.payer, &r.c.month, &r.c.provider, &codes, &outcome)
		r.c.codes = strings.Fields(codes)
		r.c.denied = outcome == "denied"
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	latest := map[string]int{}
	for i, r := range all {
		if j, ok := latest[r.id]; !ok || r.k[0] > all[j].k[0] || (r.k[0] == all[j].k[0] && r.k[1] > all[j].k[1]) {
			latest[r.id] = i
		}
	}
	ks := make([]keyed, 0, len(latest))
	for i, r := range all {
		if latest[r.id] == i {
			ks = append(ks, r)
		}
	}
	idx := make(map[[2]int64]int, len(ks))
	out := make([]adjClaim, len(ks))
	for i, r := range ks {
		idx[r.k], out[i] = i, r.c
	}
	arows, err := db.sql.QueryContext(ctx, `SELECT payment_id, seq, line_no, code, grp, reason, category, amount_cents
		FROM remit_adjustments WHERE category <> '' ORDER BY payment_id, seq, line_no`)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var k [2]int64
		var a denialAdj
		var amt int64
		if err := arows.Scan(&k[0], &k[1], &a.line, &a.code, &a.grp, &a.reason, &a.category, &amt); err != nil {
			return nil, fmt.Errorf("store: denial report: %w", err)
		}
		i, ok := idx[k]
		if !ok {
			continue // an adjudication since superseded, or a reversal's
		}
		a.amount = x12.Amount(amt)
		out[i].adjs = append(out[i].adjs, a)
		out[i].denied = true
	}
	return out, arows.Err()
}

// DenialGroupings are the groupings of the denial report.
var DenialGroupings = []string{"payer", "cpt", "carc", "category", "provider", "month"}

// DenialReports is the denial report in every grouping (DenialGroupings) from one read of
// the postings: the reports page shows them side by side.
func (db *DB) DenialReports(ctx context.Context) (map[string][]DenialRow, error) {
	cs, err := db.adjudicatedClaims(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]DenialRow{}
	for _, by := range DenialGroupings {
		out[by] = groupDenials(by, cs)
	}
	return out, nil
}

// PaymentRow is one line of the payments report: what 835s paid, net of reversals.
type PaymentRow struct {
	Key     string     `json:"key"`
	Claims  int        `json:"claims"` // distinct claims with a posting
	Paid    x12.Amount `json:"paid"`
	Patient x12.Amount `json:"patient"` // patient responsibility
}

// PaymentsReport sums what the 835s paid by payer (the claim's configured payer, else the
// 835's payer id) or month (YYYYMM of the 835 date). Every posting counts, a reversal
// negative, so the totals of both groupings are the money received.
func (db *DB) PaymentsReport(ctx context.Context, by string) ([]PaymentRow, error) {
	key := map[string]string{"payer": "COALESCE(cl.payer, c.payer_id)", "month": "substr(c.pay_date, 1, 6)"}[by]
	if key == "" {
		return nil, fmt.Errorf("store: payments report by %q: want payer or month", by)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+key+`, COUNT(DISTINCT c.claim_id), SUM(c.paid_cents), SUM(c.patient_cents)
		FROM remit_claims c LEFT JOIN claims cl ON cl.id = c.claim_id GROUP BY `+key+` ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: payments report: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (PaymentRow, error) {
		var r PaymentRow
		var paid, pat int64
		err := sc.Scan(&r.Key, &r.Claims, &paid, &pat)
		r.Paid, r.Patient = x12.Amount(paid), x12.Amount(pat)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: payments report: %w", err)
	}
	return out, nil
}
