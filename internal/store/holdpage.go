package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/queue"
)

// The holds queue is not stored: a hold is a held session or a claim the scrubber held, due
// at its payer's timely-filing deadline (date of service + the payer's limit). The store
// pages and counts it without computing a date per row (a date function over 40,000 rows
// costs most of a second in SQLite): within one payer the deadline order is the
// date-of-service order, which the partial indexes of 0670 keep, so a page merges each
// payer's first rows; a deadline bound becomes a date-of-service bound per payer.

// HoldRef names one hold: a held session or a claim the scrubber held.
type HoldRef struct {
	Session bool
	ID      string
	Due     string // the filing deadline, "" when the payer has no limit
}

// Key is the hold's queue key (queue.Item.Key).
func (r HoldRef) Key() string {
	if r.Session {
		return "session-" + r.ID
	}
	return "claim-" + r.ID
}

// holdLess is queue.SortByDue's order: nearest deadline first, undated last, then by key.
func holdLess(a, b HoldRef) int { return queue.ByDue(a.Due, a.Key(), b.Due, b.Key()) }

// shiftDate moves a YYYY-MM-DD date by days ("" when it does not parse).
func shiftDate(d string, days int) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}

// limitedPayers are the payers with a filing limit, sorted.
func limitedPayers(days map[string]int) []string {
	var out []string
	for p, n := range days {
		if n > 0 {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// holdTables are where holds are and the condition that selects them. The claims' one
// repeats the WHERE of the partial index claims_state_payer (0801) so SQLite reads it.
var holdTables = []struct {
	table   string
	session bool
	held    string
}{{"sessions", true, "state = 'held'"}, {"claims", false, "state = 'held' AND " + claimsNotFiled}}

// holdStreams is one query per (table, payer group): each limited payer's holds in
// date-of-service order, and the holds of payers without a limit in id order.
type holdStream struct {
	session bool
	days    int // 0: no limit
	where   string
	args    []any
	order   string
}

func holdStreams(f QueuePageFilter) []holdStream {
	limited := limitedPayers(f.FilingDays)
	var out []holdStream
	for _, t := range holdTables {
		for _, p := range limited {
			if f.Payer != "" && f.Payer != p {
				continue
			}
			d := f.FilingDays[p]
			where, args := ` FROM `+t.table+` WHERE `+t.held+` AND payer = ?`, []any{p}
			if f.Until != "" {
				where += ` AND service_date <= ?`
				args = append(args, shiftDate(f.Until, -d))
			}
			out = append(out, holdStream{t.session, d, where, args, ` ORDER BY service_date, id`})
		}
		if f.Until != "" {
			continue // no limit, no deadline: never due within a bound
		}
		where, args := ` FROM `+t.table+` WHERE `+t.held, []any{}
		if f.Payer != "" {
			if f.FilingDays[f.Payer] > 0 {
				continue
			}
			where += ` AND payer = ?`
			args = append(args, f.Payer)
		} else if len(limited) > 0 {
			where += ` AND payer NOT IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(limited)), ", ") + `)`
			for _, p := range limited {
				args = append(args, p)
			}
		}
		out = append(out, holdStream{t.session, 0, where, args, ` ORDER BY id`})
	}
	return out
}

func (db *DB) readHolds(ctx context.Context, st holdStream, limit int) ([]HoldRef, error) {
	q := `SELECT id, service_date` + st.where + st.order
	args := st.args
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(slices.Clone(args), limit)
	}
	rows, err := db.sql.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	return collectRows(rows, func(sc scanner) (HoldRef, error) {
		r := HoldRef{Session: st.session}
		var date string
		err := sc.Scan(&r.ID, &date)
		if st.days > 0 {
			r.Due = shiftDate(date, st.days)
		}
		return r, err
	})
}

// HoldPage returns one page of the holds queue in queue.SortByDue's order and how many
// match in all. Assignee filters read the latest assignment of every hold (holds keep
// their thread in the held session's or claim's history) and filter here.
func (db *DB) HoldPage(ctx context.Context, f QueuePageFilter) ([]HoldRef, int, error) {
	if f.Category != "" {
		return nil, 0, nil // holds have no denial category
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = 50
	}
	limit, offset := min(limit, MaxPageSize), max(f.Page.Offset, 0)
	streams := holdStreams(f)
	var all []HoldRef
	total := 0
	// Assigned holds are few next to the held sessions: a named assignee reads just those
	// by key, and "nobody" reads each stream as far as the page plus the assigned ones
	// could reach and leaves the assigned out.
	var assigned map[string]bool
	if f.Assignee != "" {
		latest, err := db.holdAssignees(ctx)
		if err != nil {
			return nil, 0, err
		}
		assigned = map[string]bool{}
		var keys []string
		for k, a := range latest {
			if a != "" {
				assigned[k] = true
			}
			if f.Assignee != "none" && a == f.Assignee {
				keys = append(keys, k)
			}
		}
		if f.Assignee != "none" {
			all, err := db.holdsByKey(ctx, keys, f)
			if err != nil {
				return nil, 0, err
			}
			slices.SortFunc(all, holdLess)
			return all[min(offset, len(all)):min(offset+limit, len(all))], len(all), nil
		}
		var assignedKeys []string
		for k := range assigned {
			assignedKeys = append(assignedKeys, k)
		}
		matching, err := db.holdsByKey(ctx, assignedKeys, f)
		if err != nil {
			return nil, 0, err
		}
		total -= len(matching)
	}
	for _, st := range streams {
		var n int
		if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*)`+st.where), st.args...).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("store: holds count: %w", err)
		}
		total += n
		if n == 0 {
			continue
		}
		// Each stream's first offset+limit rows (plus those left out) hold every row of
		// the page.
		rs, err := db.readHolds(ctx, st, offset+limit+len(assigned))
		if err != nil {
			return nil, 0, err
		}
		for _, r := range rs {
			if !assigned[r.Key()] {
				all = append(all, r)
			}
		}
	}
	slices.SortFunc(all, holdLess)
	return all[min(offset, len(all)):min(offset+limit, len(all))], total, nil
}

// holdAssignees is the latest assignee of every hold that was ever assigned, by key.
func (db *DB) holdAssignees(ctx context.Context) (map[string]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT entity_kind, entity_id, detail FROM events
		WHERE kind = 'queue_assign' AND entity_kind IN ('session', 'claim') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: hold assignees: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var kind, id string
		var detail []byte
		if err := rows.Scan(&kind, &id, &detail); err != nil {
			return nil, fmt.Errorf("store: hold assignees: %w", err)
		}
		var d struct {
			Item, Assignee string
		}
		if json.Unmarshal(detail, &d) == nil && d.Item == kind+"-"+id {
			out[d.Item] = d.Assignee
		}
	}
	return out, rows.Err()
}

// holdSummary counts the holds, those past their deadline on today, and the nearest
// deadline, from per-payer aggregates.
func (db *DB) holdSummary(ctx context.Context, today string, days map[string]int) (QueueSummary, error) {
	var s QueueSummary
	for _, t := range holdTables {
		rows, err := db.sql.QueryContext(ctx, `SELECT payer, COUNT(*), MIN(service_date) FROM `+t.table+` WHERE `+t.held+` GROUP BY payer`)
		if err != nil {
			return s, fmt.Errorf("store: holds summary: %w", err)
		}
		type group struct {
			payer, first string
			n            int
		}
		gs, err := collectRows(rows, func(sc scanner) (group, error) {
			var g group
			return g, sc.Scan(&g.payer, &g.n, &g.first)
		})
		if err != nil {
			return s, fmt.Errorf("store: holds summary: %w", err)
		}
		for _, g := range gs {
			s.Open += g.n
			d := days[g.payer]
			if d <= 0 {
				continue
			}
			if due := shiftDate(g.first, d); due != "" && (s.Nearest == "" || due < s.Nearest) {
				s.Nearest = due
			}
			// Overdue: the deadline (date + d) before today, i.e. the date before today - d.
			var n int
			if err := db.sql.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM `+t.table+` WHERE `+t.held+` AND payer = ? AND service_date < ?`),
				g.payer, shiftDate(today, -d)).Scan(&n); err != nil {
				return s, fmt.Errorf("store: holds summary: %w", err)
			}
			s.Overdue += n
		}
	}
	return s, nil
}

// holdsByKey reads the holds among keys that f's payer and deadline select (a key no longer
// held is left out).
func (db *DB) holdsByKey(ctx context.Context, keys []string, f QueuePageFilter) ([]HoldRef, error) {
	var out []HoldRef
	for _, t := range holdTables {
		prefix := "claim-"
		if t.session {
			prefix = "session-"
		}
		var ids []any
		for _, k := range keys {
			if id, ok := strings.CutPrefix(k, prefix); ok {
				ids = append(ids, id)
			}
		}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			rows, err := db.sql.QueryContext(ctx, db.Rebind(`SELECT id, payer, service_date FROM `+t.table+` WHERE state = 'held' AND id IN (`+
				strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+`)`), chunk...)
			if err != nil {
				return nil, fmt.Errorf("store: holds by key: %w", err)
			}
			rs, err := collectRows(rows, func(sc scanner) (HoldRef, error) {
				r := HoldRef{Session: t.session}
				var payer, date string
				err := sc.Scan(&r.ID, &payer, &date)
				if d := f.FilingDays[payer]; d > 0 {
					r.Due = shiftDate(date, d)
				}
				if f.Payer != "" && payer != f.Payer {
					r.ID = ""
				}
				return r, err
			})
			if err != nil {
				return nil, fmt.Errorf("store: holds by key: %w", err)
			}
			for _, r := range rs {
				if r.ID != "" && (f.Until == "" || (r.Due != "" && r.Due <= f.Until)) {
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}
