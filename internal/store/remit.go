package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// ResponseFile names a response file being applied; SHA256 makes applying it idempotent.
type ResponseFile struct {
	SHA256 string
	Name   string
}

// ApplyResult counts what applying a response file did.
type ApplyResult struct {
	Duplicate bool `json:"duplicate"` // the file (same content) was applied before: nothing done
	Applied   int  `json:"applied"`   // claims whose record changed
	Repeated  int  `json:"repeated"`  // CLPs already posted from another file (same payer, check, CLP01, CLP02)
	Unmatched int  `json:"unmatched"` // claims the response names that we never built
	Queued    int  `json:"queued"`    // queue items opened
	Review    int  `json:"review"`    // of those, review items (an unbalanced payment, a claim we never built)
	// Unbalanced counts the payments (835 transaction sets) that do not balance: posted,
	// each with a review item (remit parse exits 1 on them; posting them is not an error).
	Unbalanced int `json:"unbalanced"`
}

// fileSeen records a response file; false when it was applied before.
func (b *Batch) fileSeen(f ResponseFile, kind string) (bool, error) {
	res, err := b.exec(`INSERT INTO remit_files (sha256, name, kind, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		f.SHA256, f.Name, kind, timestamp(b.now))
	if err != nil {
		return false, fmt.Errorf("response file %s: %w", f.Name, err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// rates per CPT (DenialReport).
func lineCodes(c *remit.ClaimPayment) string {
	if len(c.Lines) == 0 {
		return ""
	}
	var b strings.Builder
	for i, l := range c.Lines {
		if i > 0 {
			b.WriteByte(' ')
		}
		code := l.Code
		if code == "" {
			code = "-"
		}
		b.WriteString(code)
	}
	return b.String()
}

// eachAdjustment calls fn with each CAS adjustment of a CLP, the claim's (line 0, no
// code) first, then each line's, with the denial category remit gave it ("" none).
func eachAdjustment(c *remit.ClaimPayment, fn func(line int, code string, a remit.Adjustment, category string)) {
	cat := func(line int, a remit.Adjustment) string {
		for _, d := range c.Denials {
			if d.Line == line && d.Group == a.Group && d.Reason == a.Reason {
				return d.Category
			}
		}
		return ""
	}
	for _, a := range c.Adjustments {
		fn(0, "", a, cat(0, a))
	}
	for li, l := range c.Lines {
		for _, a := range l.Adjustments {
			fn(li+1, l.Code, a, cat(li+1, a))
		}
	}
}

// The tables the store writes many rows of at once (an 835 posting a row or more a claim
// of the first four), with their columns' defaults where leaving them out pays.
var (
	remitClaimsTable = &sparseTable{name: "remit_claims",
		cols: []string{"payment_id", "seq", "claim_id", "payer_id", "check_no", "status", "payer_claim", "charge_cents", "paid_cents",
			"patient_cents", "outcome", "denial_category", "appeal_due", "pay_date", "rendering_npi", "line_codes"},
		dflt: []any{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "", "", nil, "", ""}}
	remitAdjustmentsTable = &sparseTable{name: "remit_adjustments",
		cols: []string{"payment_id", "seq", "line_no", "code", "grp", "reason", "amount_cents", "category"},
		dflt: []any{nil, nil, nil, "", nil, nil, nil, ""}}
	claimRemitTable  = &sparseTable{name: "claim_remit", cols: []string{"claim_id", "overturned"}, dflt: []any{nil, 0}}
	remitGroupsTable = &sparseTable{name: "remit_groups",
		cols: []string{"by_what", "group_key", "claims", "lines", "denied", "denied_lines", "denied_cents", "paid_cents", "patient_cents"}}
	remitExpectedTable = &sparseTable{name: "remit_expected",
		cols: []string{"claim_id", "line_no", "payer", "payer_id", "check_no", "code", "service_date", "contract_cents", "patient_cents",
			"expected_cents", "paid_cents", "rate_source", "source_file"}}
	queueItemsTable = &sparseTable{name: "queue_items",
		cols: []string{"kind", "claim_id", "line_no", "payer", "reason", "category", "action", "message", "due", "amount_cents",
			"source", "state", "assignee", "created_at"},
		dflt: []any{nil, nil, 0, "", nil, "", "", "", "", int64(0), "", nil, "", nil}}
)

func (b *Batch) eachRow(q string, args []any, fn func(scan func(...any) error) error) error {
	s, err := b.stmt(q)
	if err != nil {
		return err
	}
	rows, err := s.QueryContext(b.ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ClaimState returns a claim's lifecycle state and its payer claim number; "" for a
// claim edigate never built.
func (db *DB) ClaimState(ctx context.Context, id string) (state lifecycle.State, payerClaim string, err error) {
	err = db.sql.QueryRowContext(ctx, db.Rebind(`SELECT state, payer_claim_number FROM claims WHERE id = ?`), id).Scan(&state, &payerClaim)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("store: claim state %s: %w", id, err)
	}
	return state, payerClaim, nil
}

// RemitClaim is one posted CLP.
type RemitClaim struct {
	ClaimID        string          `json:"claim_id"`
	Payer          string          `json:"payer"`
	Check          string          `json:"check"`
	Status         string          `json:"status"`
	PayerClaim     string          `json:"payer_claim"`
	Charge         x12.Amount      `json:"charge"`
	Paid           x12.Amount      `json:"paid"`
	Patient        x12.Amount      `json:"patient_responsibility"`
	Outcome        lifecycle.State `json:"outcome"`
	DenialCategory string          `json:"denial_category,omitempty"`
	AppealDue      string          `json:"appeal_due,omitempty"`
	Date           string          `json:"date"`
}

// RemitClaims lists the CLPs posted for a claim, in posting order.
func (db *DB) RemitClaims(ctx context.Context, claimID string) ([]RemitClaim, error) {
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT claim_id, payer_id, check_no, status, payer_claim, charge_cents, paid_cents,
		patient_cents, outcome, denial_category, appeal_due, pay_date FROM remit_claims WHERE claim_id = ? ORDER BY payment_id, seq`), claimID)
	if err != nil {
		return nil, fmt.Errorf("store: remit claims: %w", err)
	}
	return collectRows(rows, func(sc scanner) (RemitClaim, error) {
		var r RemitClaim
		var c, p, pr int64
		err := sc.Scan(&r.ClaimID, &r.Payer, &r.Check, &r.Status, &r.PayerClaim, &c, &p, &pr, &r.Outcome,
			&r.DenialCategory, &r.AppealDue, &r.Date)
		r.Charge, r.Paid, r.Patient = x12.Amount(c), x12.Amount(p), x12.Amount(pr)
		return r, err
	})
}

// DenialRow is one line of a denial report.
type DenialRow struct {
	Key          string     `json:"key"`
	Claims       int        `json:"claims"`        // adjudicated claims (reversals excluded)
	Denied       int        `json:"denied"`        // claims with a denial
	Rate         float64    `json:"rate"`          // denied / claims; a ratio, not money
	DeniedAmount x12.Amount `json:"denied_amount"` // sum of denied adjustments
	// By cpt, carc and category: service lines, as a denial rate per line (denied lines /
	// lines). Lines of CLPs posted before line codes were kept are not counted.
	Lines       int     `json:"lines,omitempty"`
	DeniedLines int     `json:"denied_lines,omitempty"`
	LineRate    float64 `json:"line_rate,omitempty"`
}

// DenialReport groups denied claims by payer (the claim's configured payer), month
// (YYYYMM of the 835 date), provider (rendering NPI), cpt, carc or category, counting on
// one base (DenialBase) so every grouping adds up to the same denied claims, lines and
// amount.
func (db *DB) DenialReport(ctx context.Context, by string) ([]DenialRow, error) {
	return db.groupedDenials(ctx, by)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
