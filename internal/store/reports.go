package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
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
	id, freq string
	state    lifecycle.State
	at       time.Time
	total    x12.Amount
}

// submissions lists every filed claim with its first filing time and response state.
func (db *DB) submissions(ctx context.Context) ([]submitted, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT c.id, c.frequency, c.state, MIN(f.created_at), c.total_cents
		FROM claims c JOIN claim_submissions s ON s.claim_id = c.id JOIN claim_files f ON f.id = s.file_id
		GROUP BY c.id, c.frequency, c.state, c.total_cents ORDER BY c.id`)
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
		if s.state == lifecycle.Closed || s.state == lifecycle.Corrected || s.state == lifecycle.Void {
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
		WHERE c.id = c.base_id AND `+sent("c.state")+` ORDER BY c.id`),
		lifecycle.FileRejected, lifecycle.Rejected, lifecycle.Accepted, lifecycle.Paid, lifecycle.PartiallyPaid,
		lifecycle.Denied, lifecycle.Reversed)
	if err != nil {
		return rep, fmt.Errorf("store: acceptance report: %w", err)
	}
	defer rows.Close()
	verdict := map[string]string{}
	var order []string
	for rows.Next() {
		var id string
		var kind lifecycle.State
		if err := rows.Scan(&id, &kind); err != nil {
			return rep, err
		}
		v, seen := verdict[id]
		if !seen {
			order = append(order, id)
		}
		switch {
		case kind == lifecycle.FileRejected || kind == lifecycle.Rejected:
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
		var id string
		var outcome lifecycle.State
		if err := rows.Scan(&id, &outcome); err != nil {
			rows.Close()
			return rep, err
		}
		switch outcome {
		case lifecycle.Denied:
			denied[id] = true
		case lifecycle.Paid, lifecycle.PartiallyPaid:
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
