package store

import (
	"context"
	"database/sql"
	"errors"
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

// arGroup is the unpaid filed claims sharing a first filing day and a state: their age is
// the same, so SQL groups the claims and Go does the date arithmetic per group (no date
// functions in SQL dialects).
type arGroup struct {
	sent   string
	state  lifecycle.State
	claims int
	total  x12.Amount
}

// arUnpaidQuery groups the unpaid filed claims, voids aside, by filing day and state.
const arUnpaidQuery = `SELECT first_filed, state, COUNT(*), SUM(total_cents) FROM claims
	WHERE first_paid = '' AND first_filed <> '' AND frequency <> ? GROUP BY first_filed, state`

// ARReport computes days in A/R as of the store's clock. A claim is open while no 835 has
// paid it and it is not closed (written off) or corrected (its replacement carries on);
// voids are never receivables.
func (db *DB) ARReport(ctx context.Context) (ARReport, error) {
	now := db.now().UTC()
	rep := ARReport{AsOf: now.Format("2006-01-02"), Open: []ARBucket{{Bucket: "0-30"}, {Bucket: "31-60"}, {Bucket: "61-90"}, {Bucket: "90+"}}}
	// The paid claims' count and days are kept in remit_groups by the posting transaction
	// (claimremit.go); the unpaid claims are grouped by filing day and state off the
	// claims_ar index, which holds the unpaid filed claims only (its WHERE, 0800, is this
	// query's first two terms).
	var paidClaims, paidDays int64
	err := db.sql.QueryRowContext(ctx, `SELECT claims, lines FROM remit_groups WHERE by_what = 'ar-paid' AND group_key = ''`).Scan(&paidClaims, &paidDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rep, fmt.Errorf("store: A/R report: %w", err)
	}
	rep.PaidClaims = int(paidClaims)
	rows, err := db.sql.QueryContext(ctx, db.Rebind(arUnpaidQuery), claims.FrequencyVoid)
	if err != nil {
		return rep, fmt.Errorf("store: A/R report: %w", err)
	}
	groups, err := collectRows(rows, func(sc scanner) (arGroup, error) {
		var g arGroup
		var total int64
		err := sc.Scan(&g.sent, &g.state, &g.claims, &total)
		g.total = x12.Amount(total)
		return g, err
	})
	if err != nil {
		return rep, fmt.Errorf("store: A/R report: %w", err)
	}
	for _, g := range groups {
		at, err := time.Parse("2006-01-02", g.sent)
		if err != nil {
			continue
		}
		if g.state == lifecycle.Closed || g.state == lifecycle.Corrected || g.state == lifecycle.Void {
			continue
		}
		age := int(now.Sub(at).Hours() / 24)
		i := 3
		switch {
		case age <= 30:
			i = 0
		case age <= 60:
			i = 1
		case age <= 90:
			i = 2
		}
		rep.Open[i].Claims += g.claims
		rep.Open[i].Amount += g.total
		rep.OpenClaims += g.claims
		rep.OpenAmount += g.total
	}
	if rep.PaidClaims > 0 {
		rep.AverageDays = math.Round(10*float64(paidDays)/float64(rep.PaidClaims)) / 10
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

// AcceptanceReport computes the first-pass acceptance rate from the claims' histories:
// a claim with a rejection event is rejected, one with any other verdict accepted, one
// with neither pending (claims.verdict).
func (db *DB) AcceptanceReport(ctx context.Context) (AcceptanceReport, error) {
	var rep AcceptanceReport
	// claims.verdict is kept by a trigger on the claim's history (migration 0720); the
	// count reads the claims_verdict index.
	rows, err := db.sql.QueryContext(ctx, `SELECT verdict, COUNT(*) FROM claims WHERE id = base_id AND `+sent("state")+` GROUP BY verdict`)
	if err != nil {
		return rep, fmt.Errorf("store: acceptance report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v, n int
		if err := rows.Scan(&v, &n); err != nil {
			return rep, fmt.Errorf("store: acceptance report: %w", err)
		}
		rep.Submitted += n
		switch v {
		case 2:
			rep.Rejected += n
		case 1:
			rep.Accepted += n
		default:
			rep.Pending += n
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("store: acceptance report: %w", err)
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
	// A claim a posting denied and a later one paid (claim_remit.overturned, kept with the postings).
	overturned := map[string]bool{}
	rows, err := db.sql.QueryContext(ctx, `SELECT claim_id FROM claim_remit WHERE overturned = 1`)
	if err != nil {
		return rep, fmt.Errorf("store: appeals report: %w", err)
	}
	ids, err := collectRows(rows, scanString)
	if err != nil {
		return rep, fmt.Errorf("store: appeals report: %w", err)
	}
	for _, id := range ids {
		overturned[id] = true
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
