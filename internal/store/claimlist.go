package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/x12"
)

// Page is one page of a list: Limit rows from Offset. A zero Limit means 50; no list
// loads everything, so a store with 100,000 sessions still renders a page of 50.
type Page struct {
	Limit, Offset int
}

// MaxPageSize bounds what a caller may ask for in one page.
const MaxPageSize = 500

func (p Page) sql() (string, []any) {
	n := p.Limit
	if n <= 0 {
		n = 50
	}
	n = min(n, MaxPageSize)
	return " LIMIT ? OFFSET ?", []any{n, max(p.Offset, 0)}
}

// ClaimListFilter selects and orders claims for the claims list; empty fields match
// everything. Dates are YYYY-MM-DD bounds on the date of service, inclusive.
type ClaimListFilter struct {
	State    lifecycle.State
	Payer    string
	Provider string // rendering NPI (ten digits)
	From, To string
	// Sort is one of date, total, paid, state, payer, updated; Desc reverses it.
	Sort string
	Desc bool
	Page Page
}

// ClaimListRow is one claim in the list: the claims row and what was paid on it.
type ClaimListRow struct {
	ID        string          `json:"id"`
	Payer     string          `json:"payer"`
	ClientID  string          `json:"client_id"`
	Date      string          `json:"date"`
	Frequency string          `json:"frequency"`
	State     lifecycle.State `json:"state"`
	Total     x12.Amount      `json:"total"`
	Paid      x12.Amount      `json:"paid"`
	Patient   x12.Amount      `json:"patient_responsibility"`
	UpdatedAt string          `json:"updated_at"`
}

var claimSorts = map[string]string{
	"date": "service_date", "total": "total_cents", "paid": "paid_cents", "state": "state", "payer": "payer", "updated": "updated_at",
}

// ClaimList returns one page of claims matching f and how many match in all. Paid and
// patient responsibility are the sums of every CLP posted for the claim (a reversal posts
// negative), kept on the claims row.
func (db *DB) ClaimList(ctx context.Context, f ClaimListFilter) ([]ClaimListRow, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.State != "" {
		add("state = ?", string(f.State))
		if f.State != lifecycle.Filed {
			// Redundant, but SQLite reads the partial index of claims in any state but
			// filed (0801) for a state and payer in date order only when it sees it.
			where = append(where, claimsNotFiled)
		}
	}
	if f.Payer != "" {
		add("payer = ?", f.Payer)
	}
	if f.Provider != "" {
		if !isDigits(f.Provider) {
			return nil, 0, fmt.Errorf("store: claim list: provider %q is not an NPI", f.Provider)
		}
		// The rendering NPI lives in the claim document only; matching its JSON text works
		// on both SQLite and PostgreSQL and the digits-only check keeps it exact.
		add("data LIKE ?", `%"rendering_npi":"`+f.Provider+`"%`)
	}
	if f.From != "" {
		add("service_date >= ?", f.From)
	}
	if f.To != "" {
		add("service_date <= ?", f.To)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM claims`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: claim list count: %w", err)
	}
	col, ok := claimSorts[f.Sort]
	if !ok {
		col = "service_date"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	lim, largs := f.Page.sql()
	// Paid and patient responsibility are kept on the claim by the posting transaction
	// (claim_remit.go), so sorting by paid walks an index (claims_paid) like any column.
	q := `SELECT id, payer, client_id, service_date, frequency, state, total_cents, updated_at, paid_cents, patient_cents FROM claims` +
		cond + ` ORDER BY ` + col + dir + `, id` + dir + lim
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), append(args, largs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: claim list: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (ClaimListRow, error) {
		var c ClaimListRow
		var tot, paid, pat int64
		err := sc.Scan(&c.ID, &c.Payer, &c.ClientID, &c.Date, &c.Frequency, &c.State, &tot, &c.UpdatedAt, &paid, &pat)
		c.Total, c.Paid, c.Patient = x12.Amount(tot), x12.Amount(paid), x12.Amount(pat)
		return c, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: claim list: %w", err)
	}
	return out, total, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ClaimPostings returns every CLP posted for a claim with its adjustments, oldest first.
func (db *DB) ClaimPostings(ctx context.Context, claimID string) ([]PostedCLP, error) {
	return db.postedCLPs(ctx, claimID)
}

// SessionPage returns one page of the sessions f selects, by date of service then id, and
// how many match in all.
func (db *DB) SessionPage(ctx context.Context, f SessionFilter, p Page) ([]SessionRecord, int, error) {
	cond, args := f.where()
	var total int
	if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM sessions`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: session page count: %w", err)
	}
	lim, largs := p.sql()
	rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT `+sessionColumns+` FROM sessions`+cond+` ORDER BY service_date, id`+lim),
		append(args, largs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: session page: %w", err)
	}
	out, err := collectRows(rows, scanSession)
	if err != nil {
		return nil, 0, fmt.Errorf("store: session page: %w", err)
	}
	return out, total, nil
}

// HeldByReason counts held sessions per hold reason, for the dashboard: a count, not the
// list, so 40,000 holds cost one indexed scan.
func (db *DB) HeldByReason(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "held by reason", `SELECT hold_reason, COUNT(*) FROM sessions WHERE state = 'held' GROUP BY hold_reason`)
}

// where is the filter's WHERE clause (with its leading space, "" for none) and arguments.
func (f SessionFilter) where() (string, []any) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"state", f.State}, {"payer", f.Payer}, {"client_id", f.ClientID}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.ScrubHeld {
		// The terms of the partial index sessions_scrub_held, so that it serves the list.
		where = append(where, "state = 'ready' AND scrub_rules <> ''")
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// claimsNotFiled is the WHERE of the partial index claims_state_payer (0801).
const claimsNotFiled = "state <> 'filed'"
