package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// TestHoldPage: the holds queue paged, filtered and counted in the store gives the rows
// of sorting every hold by queue.SortByDue's order (deadline = date of service + the
// payer's filing limit, undated last, then key), page by page; on SQLite and PostgreSQL.
func TestHoldPage(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testHoldPage(t, filepath.Join(t.TempDir(), "edigate.db")) })
	t.Run("postgres", func(t *testing.T) { testHoldPage(t, postgresSchemas(t)(t)) })
}

type hold struct {
	key, payer, due, assignee string
}

func testHoldPage(t *testing.T, target string) {
	ctx := context.Background()
	db, err := store.Open(ctx, target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	days := map[string]int{"p90": 90, "p30": 30}
	var all []hold
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	payers := []string{"p90", "p30", "none"}
	for i := range 37 {
		p := payers[i%3]
		date := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+(i*7)%28)
		due := ""
		if d := days[p]; d > 0 {
			due = shift(t, date, d)
		}
		state := "held"
		if i%10 == 9 {
			state = "billed" // not a hold
		}
		id := fmt.Sprintf("S%02d", i)
		exec(`INSERT INTO sessions (id, practice, client_id, payer, member_id, code, service_date, status, state, hold_reason, data, hash,
			received_at, updated_at) VALUES (?, 'p', 'C', ?, 'M', '90837', ?, 'completed', ?, 'auth_missing', '{}', ?, 't', 't')`, id, p, date, state, id)
		if i%4 == 0 {
			cid := fmt.Sprintf("C%02d", i)
			exec(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id, service_date, frequency, responsibility,
				total_cents, state, data, created_at, updated_at) VALUES (?, ?, 'p', ?, 'sim', 'C', ?, '1', 'P', 100, 'held', '{}', 't', 't')`, cid, cid, p, date)
			all = append(all, hold{key: "claim-" + cid, payer: p, due: due})
		}
		if state == "held" {
			h := hold{key: "session-" + id, payer: p, due: due}
			if i%5 == 0 {
				// Assigned to kim, then (for some) reassigned to lee: the latest wins.
				exec(`INSERT INTO events (entity_kind, entity_id, kind, at, detail) VALUES ('session', ?, 'queue_assign', 't', ?)`,
					id, `{"item":"session-`+id+`","assignee":"kim"}`)
				h.assignee = "kim"
				if i%10 == 0 {
					exec(`INSERT INTO events (entity_kind, entity_id, kind, at, detail) VALUES ('session', ?, 'queue_assign', 't', ?)`,
						id, `{"item":"session-`+id+`","assignee":"lee"}`)
					h.assignee = "lee"
				}
			}
			all = append(all, h)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if (a.due == "") != (b.due == "") {
			return a.due != ""
		}
		if a.due != b.due {
			return a.due < b.due
		}
		return a.key < b.key
	})
	for _, tc := range []struct {
		name string
		f    store.QueuePageFilter
		keep func(hold) bool
	}{
		{"all", store.QueuePageFilter{}, func(hold) bool { return true }},
		{"one limited payer", store.QueuePageFilter{Payer: "p30"}, func(h hold) bool { return h.payer == "p30" }},
		{"payer without a limit", store.QueuePageFilter{Payer: "none"}, func(h hold) bool { return h.payer == "none" }},
		{"due by Apr 15", store.QueuePageFilter{Until: "2026-04-15"}, func(h hold) bool { return h.due != "" && h.due <= "2026-04-15" }},
		{"assigned to kim", store.QueuePageFilter{Assignee: "kim"}, func(h hold) bool { return h.assignee == "kim" }},
		{"unassigned", store.QueuePageFilter{Assignee: "none"}, func(h hold) bool { return h.assignee == "" }},
		{"a category (holds have none)", store.QueuePageFilter{Category: "CO"}, func(hold) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, h := range all {
				if tc.keep(h) {
					want = append(want, h.key)
				}
			}
			var got []string
			for off := 0; ; off += 4 {
				f := tc.f
				f.FilingDays, f.Page = days, store.Page{Limit: 4, Offset: off}
				refs, total, err := db.HoldPage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("total %d, want %d", total, len(want))
				}
				for _, r := range refs {
					got = append(got, r.Key())
				}
				if len(refs) < 4 {
					break
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pages give\n%v\nwant\n%v", got, want)
			}
		})
	}
	// The dashboard's counts agree with the list.
	s, err := db.QueueSummarize(ctx, queue.Holds, "2026-06-01", days)
	if err != nil {
		t.Fatal(err)
	}
	want := store.QueueSummary{Open: len(all), Nearest: all[0].due}
	for _, h := range all {
		if h.due != "" && h.due < "2026-06-01" {
			want.Overdue++
		}
	}
	if s != want {
		t.Errorf("summary %+v, want %+v", s, want)
	}
}

// TestQueuePage: a stored queue's open items page in deadline order (dated first, then
// undated by id) across the page where the two meet, filtered by payer, assignee,
// category and deadline, and counted.
func TestQueuePage(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "edigate.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type row struct {
		id                                 int
		payer, category, due, assignee, st string
	}
	var rows []row
	for i := 1; i <= 23; i++ {
		r := row{id: i, payer: []string{"a", "b"}[i%2], category: []string{"CO", "PR", "OA"}[i%3], st: "open"}
		if i%3 != 0 {
			r.due = fmt.Sprintf("2026-12-%02d", 28-i)
		}
		if i%4 == 0 {
			r.assignee = "kim"
		}
		if i == 7 {
			r.st = "resolved"
		}
		rows = append(rows, r)
		if _, err := db.SQL().ExecContext(ctx, db.Rebind(`INSERT INTO queue_items (id, kind, claim_id, payer, reason, category, due, state,
			assignee, created_at) VALUES (?, 'denials', ?, ?, 'CO-197', ?, ?, ?, ?, 't')`), i, fmt.Sprint("C", i), r.payer, r.category, r.due, r.st, r.assignee); err != nil {
			t.Fatal(err)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.due == "") != (b.due == "") {
			return a.due != ""
		}
		if a.due != b.due {
			return a.due < b.due
		}
		return a.id < b.id
	})
	for _, tc := range []struct {
		name string
		f    store.QueuePageFilter
		keep func(row) bool
	}{
		{"all open", store.QueuePageFilter{}, func(row) bool { return true }},
		{"payer b", store.QueuePageFilter{Payer: "b"}, func(r row) bool { return r.payer == "b" }},
		{"category PR", store.QueuePageFilter{Category: "PR"}, func(r row) bool { return r.category == "PR" }},
		{"kim's", store.QueuePageFilter{Assignee: "kim"}, func(r row) bool { return r.assignee == "kim" }},
		{"nobody's", store.QueuePageFilter{Assignee: "none"}, func(r row) bool { return r.assignee == "" }},
		{"due by Dec 15", store.QueuePageFilter{Until: "2026-12-15"}, func(r row) bool { return r.due != "" && r.due <= "2026-12-15" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got []int64
			for _, r := range rows {
				if r.st == "open" && tc.keep(r) {
					want = append(want, int64(r.id))
				}
			}
			for off := 0; ; off += 5 {
				f := tc.f
				f.Kind, f.Page = queue.Denials, store.Page{Limit: 5, Offset: off}
				items, total, err := db.QueuePage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("total %d, want %d", total, len(want))
				}
				for _, it := range items {
					got = append(got, it.ID)
				}
				if len(items) < 5 {
					break
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pages give %v, want %v", got, want)
			}
		})
	}
}

func shift(t *testing.T, date string, days int) string {
	t.Helper()
	d, err := timeParse(date)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, days).Format("2006-01-02")
}

func timeParse(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
