package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

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

// groupedDenials is the denial report by by, read from remit_groups (kept by the posting
// transaction, claimremit.go) with the counts groupDenials makes of the claims: Claims and
// Lines per group for payer, month, provider and CPT, of all adjudicated claims for CARC
// and category (only denied claims have those keys).
func (db *DB) groupedDenials(ctx context.Context, by string) ([]DenialRow, error) {
	switch by {
	case "payer", "month", "provider", "cpt", "carc", "category":
	default:
		return nil, fmt.Errorf("store: denial report by %q: want payer, month, provider, cpt, carc or category", by)
	}
	perGroup := by != "carc" && by != "category"
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT group_key, claims, lines, denied, denied_lines, denied_cents
		FROM remit_groups WHERE by_what = ? AND (claims <> 0 OR denied <> 0)`), by)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (DenialRow, error) {
		var r DenialRow
		var amt int64
		err := sc.Scan(&r.Key, &r.Claims, &r.Lines, &r.Denied, &r.DeniedLines, &amt)
		r.DeniedAmount = x12.Amount(amt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	if !perGroup {
		var claims, lines int
		err := db.sql.QueryRowContext(ctx, `SELECT claims, lines FROM remit_groups WHERE by_what = 'all' AND group_key = ''`).Scan(&claims, &lines)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: denial report: %w", err)
		}
		for i := range out {
			out[i].Claims, out[i].Lines = claims, lines
		}
	}
	for i := range out {
		r := &out[i]
		if r.Claims > 0 {
			r.Rate = float64(r.Denied) / float64(r.Claims)
		}
		if r.Lines > 0 {
			r.LineRate = float64(r.DeniedLines) / float64(r.Lines)
		}
	}
	// Byte order, as groupDenials sorts: PostgreSQL's collation may order keys otherwise.
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// DenialGroupings are the groupings of the denial report.
var DenialGroupings = []string{"payer", "cpt", "carc", "category", "provider", "month"}

// DenialReports is the denial report in every grouping (DenialGroupings) from one read of
// the per-claim totals: the reports page shows them side by side.
func (db *DB) DenialReports(ctx context.Context) (map[string][]DenialRow, error) {
	out := map[string][]DenialRow{}
	for _, by := range DenialGroupings {
		rows, err := db.groupedDenials(ctx, by)
		if err != nil {
			return nil, err
		}
		out[by] = rows
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
// payer id of its latest 835) or month (YYYYMM of the 835 date). Every posting counts, a reversal
// negative, so the totals of both groupings are the money received.
func (db *DB) PaymentsReport(ctx context.Context, by string) ([]PaymentRow, error) {
	// remit_groups keeps both sums (claimremit.go): by payer each claim under its payer, by
	// month each claim under every month it has a posting in.
	if by != "payer" && by != "month" {
		return nil, fmt.Errorf("store: payments report by %q: want payer or month", by)
	}
	q := db.Rebind(`SELECT group_key, claims, paid_cents, patient_cents FROM remit_groups WHERE by_what = ? AND claims <> 0`)
	rows, err := db.sql.QueryContext(ctx, q, "pay-"+by)
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
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
