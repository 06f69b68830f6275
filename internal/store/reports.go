package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// The reports read a practice's worth of rows and aggregate in Go: one query per table,
// the same on SQLite and PostgreSQL, and no date arithmetic in SQL dialects.

// ARBucket is one age bucket of open claims.
type ARBucket struct {
	Bucket string     `json:"bucket"` // 0-30, 31-60, 61-90, 90+
	Claims int        `json:"claims"`
	Amount x12.Amount `json:"amount"` // billed charges (CLM02)
}

// ARReport is days in accounts receivable: how long paid claims took from submission to
// their first payment, and how old the claims still waiting for one are.
type ARReport struct {
	AsOf        string     `json:"as_of"`
	PaidClaims  int        `json:"paid_claims"`
	AverageDays float64    `json:"average_days"` // submission (837P filed) to first 835 payment
	OpenClaims  int        `json:"open_claims"`
	OpenAmount  x12.Amount `json:"open_amount"`
	Open        []ARBucket `json:"open"`
}

type submitted struct {
	id, freq, state string
	at              time.Time
	total           x12.Amount
}

// submissions lists every filed claim with its first filing time and response state.
func (db *DB) submissions(ctx context.Context) ([]submitted, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT c.id, c.frequency, COALESCE(cs.state, ''), MIN(f.created_at), c.total_cents
		FROM claims c JOIN claim_submissions s ON s.claim_id = c.id JOIN claim_files f ON f.id = s.file_id
		LEFT JOIN claim_status cs ON cs.claim_id = c.id GROUP BY c.id, c.frequency, cs.state, c.total_cents ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	return collectRows(rows, func(sc scanner) (submitted, error) {
		var s submitted
		var at string
		var total int64
		if err := sc.Scan(&s.id, &s.freq, &s.state, &at, &total); err != nil {
			return s, err
		}
		s.total = x12.Amount(total)
		if len(at) >= 10 {
			s.at, _ = time.Parse("2006-01-02", at[:10])
		}
		return s, nil
	})
}

// ARReport computes days in A/R as of the store's clock. A claim is open while no 835 has
// paid it and it is not closed (written off) or corrected (its replacement carries on);
// voids are never receivables.
func (db *DB) ARReport(ctx context.Context) (ARReport, error) {
	now := db.now().UTC()
	rep := ARReport{AsOf: now.Format("2006-01-02"), Open: []ARBucket{{Bucket: "0-30"}, {Bucket: "31-60"}, {Bucket: "61-90"}, {Bucket: "90+"}}}
	subs, err := db.submissions(ctx)
	if err != nil {
		return rep, fmt.Errorf("store: A/R report: %w", err)
	}
	paid := map[string]time.Time{}
	rows, err := db.sql.QueryContext(ctx, `SELECT claim_id, MIN(pay_date) FROM remit_claims WHERE paid_cents > 0 AND outcome <> 'reversed' GROUP BY claim_id`)
	if err != nil {
		return rep, fmt.Errorf("store: A/R report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, d string
		if err := rows.Scan(&id, &d); err != nil {
			return rep, err
		}
		if t, err := time.Parse("20060102", d); err == nil {
			paid[id] = t
		}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	var days float64
	for _, s := range subs {
		if s.freq == claims.FrequencyVoid || s.at.IsZero() {
			continue
		}
		if t, ok := paid[s.id]; ok {
			rep.PaidClaims++
			days += math.Max(0, t.Sub(s.at).Hours()/24)
			continue
		}
		if s.state == remit.StateClosed || s.state == remit.StateCorrected {
			continue
		}
		age := int(now.Sub(s.at).Hours() / 24)
		i := 3
		switch {
		case age <= 30:
			i = 0
		case age <= 60:
			i = 1
		case age <= 90:
			i = 2
		}
		rep.Open[i].Claims++
		rep.Open[i].Amount += s.total
		rep.OpenClaims++
		rep.OpenAmount += s.total
	}
	if rep.PaidClaims > 0 {
		rep.AverageDays = math.Round(10*days/float64(rep.PaidClaims)) / 10
	}
	return rep, nil
}

// AcceptanceReport is the first-pass acceptance rate: of the original claims submitted
// (first submission of each claim family), how many the 999 and 277CA let through without
// a rejection.
type AcceptanceReport struct {
	Submitted int     `json:"submitted"`
	Accepted  int     `json:"accepted"` // 277CA accepted (or adjudicated by an 835) with no 999/TA1/277CA rejection
	Rejected  int     `json:"rejected"` // a 999/TA1 or 277CA rejection
	Pending   int     `json:"pending"`  // no verdict yet
	Rate      float64 `json:"rate"`     // accepted / submitted
}

// AcceptanceReport computes the first-pass acceptance rate from the claims' histories.
func (db *DB) AcceptanceReport(ctx context.Context) (AcceptanceReport, error) {
	var rep AcceptanceReport
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT c.id, COALESCE(e.kind, '') FROM claims c
		LEFT JOIN events e ON e.entity_kind = 'claim' AND e.entity_id = c.id AND e.kind IN (?, ?, ?, ?, ?, ?, ?)
		WHERE c.id = c.base_id AND c.state = ? ORDER BY c.id`),
		remit.StateFileRejected, remit.StateRejected, remit.StateAccepted, remit.StatePaid, remit.StatePartiallyPaid,
		remit.StateDenied, remit.StateReversed, ClaimFiled)
	if err != nil {
		return rep, fmt.Errorf("store: acceptance report: %w", err)
	}
	defer rows.Close()
	verdict := map[string]string{}
	var order []string
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return rep, err
		}
		v, seen := verdict[id]
		if !seen {
			order = append(order, id)
		}
		switch {
		case kind == remit.StateFileRejected || kind == remit.StateRejected:
			v = "rejected"
		case kind != "" && v == "":
			v = "accepted"
		}
		verdict[id] = v
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for _, id := range order {
		rep.Submitted++
		switch verdict[id] {
		case "rejected":
			rep.Rejected++
		case "accepted":
			rep.Accepted++
		default:
			rep.Pending++
		}
	}
	if rep.Submitted > 0 {
		rep.Rate = float64(rep.Accepted) / float64(rep.Submitted)
	}
	return rep, nil
}

// AppealsReport counts appeals won and lost, per claim.
type AppealsReport struct {
	Appeals    int      `json:"appeals"` // claims appealed (appeals items) or overturned
	Won        int      `json:"won"`     // resolved appeal_won, or paid by a later 835 after a denial
	Lost       int      `json:"lost"`    // resolved appeal_lost
	Pending    int      `json:"pending"` // appeals items still open
	WinRate    float64  `json:"win_rate"`
	Overturned []string `json:"overturned"` // claims a later 835 paid after denying them
}

// AppealsReport computes appeals won and lost from the appeals queue and the 835s: a
// claim denied by one CLP and paid by a later one counts as won even if no biller
// recorded the outcome.
func (db *DB) AppealsReport(ctx context.Context) (AppealsReport, error) {
	rep := AppealsReport{Overturned: []string{}}
	denied := map[string]bool{}
	overturned := map[string]bool{}
	rows, err := db.sql.QueryContext(ctx, `SELECT claim_id, outcome FROM remit_claims ORDER BY payment_id, seq`)
	if err != nil {
		return rep, fmt.Errorf("store: appeals report: %w", err)
	}
	for rows.Next() {
		var id, outcome string
		if err := rows.Scan(&id, &outcome); err != nil {
			rows.Close()
			return rep, err
		}
		switch outcome {
		case remit.StateDenied:
			denied[id] = true
		case remit.StatePaid, remit.StatePartiallyPaid:
			if denied[id] {
				overturned[id] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	status := map[string]string{} // claim -> won, lost, pending
	rows, err = db.sql.QueryContext(ctx, db.Rebind(`SELECT claim_id, state, outcome FROM queue_items WHERE kind = ? ORDER BY id`), string(QueueAppeals))
	if err != nil {
		return rep, fmt.Errorf("store: appeals report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var state queue.State
		var outcome queue.Outcome
		if err := rows.Scan(&id, &state, &outcome); err != nil {
			return rep, err
		}
		switch {
		case outcome == OutcomeAppealWon:
			status[id] = "won"
		case outcome == OutcomeAppealLost && status[id] != "won":
			status[id] = "lost"
		case state == QueueOpen && status[id] == "":
			status[id] = "pending"
		}
		if _, ok := status[id]; !ok {
			status[id] = ""
		}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for id := range overturned {
		status[id] = "won"
		rep.Overturned = append(rep.Overturned, id)
	}
	sort.Strings(rep.Overturned)
	for _, s := range status {
		rep.Appeals++
		switch s {
		case "won":
			rep.Won++
		case "lost":
			rep.Lost++
		case "pending":
			rep.Pending++
		}
	}
	if rep.Won+rep.Lost > 0 {
		rep.WinRate = float64(rep.Won) / float64(rep.Won+rep.Lost)
	}
	return rep, nil
}

// denialReportByLine groups denials by cpt, carc or category with line rates: DeniedLines
// are the adjudicated service lines carrying such a denial (a claim-level denial denies
// every line of its claim), Lines the adjudicated lines of the code (cpt) or all of them
// (carc, category). Claims and Denied count claims alike. Reversals are left out.
func (db *DB) denialReportByLine(ctx context.Context, by string) ([]DenialRow, error) {
	type clp struct {
		codes []string
	}
	clps := map[[2]int64]*clp{}
	linesByCode := map[string]int{}
	claimsByCode := map[string]map[[2]int64]bool{}
	allLines := 0
	rows, err := db.sql.QueryContext(ctx, `SELECT payment_id, seq, line_codes FROM remit_claims WHERE outcome <> 'reversed'`)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	for rows.Next() {
		var k [2]int64
		var codes string
		if err := rows.Scan(&k[0], &k[1], &codes); err != nil {
			rows.Close()
			return nil, err
		}
		c := &clp{codes: strings.Fields(codes)}
		clps[k] = c
		for _, code := range c.codes {
			linesByCode[code]++
			if claimsByCode[code] == nil {
				claimsByCode[code] = map[[2]int64]bool{}
			}
			claimsByCode[code][k] = true
		}
		allLines += len(c.codes)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type acc struct {
		claims map[[2]int64]bool
		lines  map[[3]int64]bool
		amount x12.Amount
	}
	groups := map[string]*acc{}
	rows, err = db.sql.QueryContext(ctx, `SELECT payment_id, seq, line_no, code, grp, reason, category, amount_cents FROM remit_adjustments WHERE category <> ''`)
	if err != nil {
		return nil, fmt.Errorf("store: denial report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k [2]int64
		var line, amt int64
		var code, grp, reason, cat string
		if err := rows.Scan(&k[0], &k[1], &line, &code, &grp, &reason, &cat, &amt); err != nil {
			return nil, err
		}
		c, ok := clps[k]
		if !ok {
			continue // a reversal's adjustments
		}
		add := func(key string, lineNo int64) {
			g := groups[key]
			if g == nil {
				g = &acc{claims: map[[2]int64]bool{}, lines: map[[3]int64]bool{}}
				groups[key] = g
			}
			g.claims[k] = true
			if lineNo > 0 {
				g.lines[[3]int64{k[0], k[1], lineNo}] = true
			}
		}
		var key string
		switch by {
		case "cpt":
			key = code
		case "carc":
			key = grp + "-" + reason
		default:
			key = cat
		}
		if line > 0 {
			add(key, line)
		} else if by == "cpt" {
			for i, lc := range c.codes {
				add(lc, int64(i+1))
			}
			key = ""
		} else {
			add(key, 0)
			for i := range c.codes {
				groups[key].lines[[3]int64{k[0], k[1], int64(i + 1)}] = true
			}
		}
		if key != "" {
			groups[key].amount += x12.Amount(amt)
		} else if len(c.codes) > 0 {
			// A claim-level denial by CPT: its amount goes to the claim's first code.
			groups[c.codes[0]].amount += x12.Amount(amt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []DenialRow{}
	for key, g := range groups {
		r := DenialRow{Key: key, Denied: len(g.claims), DeniedLines: len(g.lines), DeniedAmount: g.amount}
		if by == "cpt" {
			r.Claims, r.Lines = len(claimsByCode[key]), linesByCode[key]
		} else {
			r.Claims, r.Lines = len(clps), allLines
		}
		if r.Claims > 0 {
			r.Rate = float64(r.Denied) / float64(r.Claims)
		}
		if r.Lines > 0 {
			r.LineRate = float64(r.DeniedLines) / float64(r.Lines)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
