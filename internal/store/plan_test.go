package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The session indexes are few on purpose (each one costs every intake insert); the
// lookups that need them must still use them rather than scan every session ever received.
func TestSessionLookupsUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"release held by client and member", heldForAuth, []any{"p", "c", "p", "m"},
			[]string{"sessions_held_client", "sessions_held_member"}},
		{"prefetch authorizations by client or member", sqliteDialect.authPrefetch(2, 1), []any{"p", "c1", "c2", "p", "m"},
			[]string{"authorizations_client", "authorizations_member"}},
		{"list by state", `SELECT ` + sessionColumns + ` FROM sessions WHERE state = ? ORDER BY service_date, id`,
			[]any{StateReady}, []string{"sessions_state_page"}},
		{"holds of one payer by deadline", `SELECT id, service_date FROM sessions WHERE state = 'held' AND payer = ? ORDER BY service_date, id LIMIT 50`,
			[]any{"p"}, []string{"sessions_state_payer"}},
		{"held by reason", `SELECT hold_reason, COUNT(*) FROM sessions WHERE state = 'held' GROUP BY hold_reason`,
			nil, []string{"sessions_state_payer"}},
		// The scrub at intake reads only what it has not scrubbed; the holds queue only what
		// the scrub holds.
		{"unscrubbed sessions", `SELECT ` + scrubColumns + ` FROM ` + db.sessionsBy("sessions_unscrubbed") + ` WHERE state = 'ready' AND scrub_hash <> hash ORDER BY id`,
			nil, []string{"sessions_unscrubbed"}},
		{"ready peers by client and day", readyPeersQuery(2, db.sessionsAsBy("s", "sessions_ready_client")), []any{"c1", "d1", "c2", "d2"},
			[]string{"sessions_ready_client"}},
		{"scrub-held sessions", `SELECT ` + sessionColumns + ` FROM ` + db.sessionsBy("sessions_scrub_held") + func() string { w, _ := (SessionFilter{ScrubHeld: true}).where(); return w }(),
			nil, []string{"sessions_scrub_held"}},
	} {
		joined := queryPlan(ctx, t, db, c.name, c.query, c.args)
		for _, w := range c.want {
			if !strings.Contains(joined, "INDEX "+w) {
				t.Errorf("%s: plan %q does not use index %s", c.name, joined, w)
			}
		}
		scanned := joined
		for _, w := range c.want {
			// A scan of a partial index reads only the rows it holds (the unscrubbed, the held).
			scanned = strings.ReplaceAll(scanned, "SCAN sessions USING INDEX "+w, "")
		}
		if strings.Contains(scanned, "SCAN sessions") || strings.Contains(scanned, "SCAN s ") || strings.HasSuffix(scanned, "SCAN s") ||
			strings.Contains(scanned, "SCAN authorizations") {
			t.Errorf("%s: plan %q scans the sessions table", c.name, joined)
		}
	}
}

// Every claim the claims step stores writes each index on claims, so the indexes of the
// reports and of the COB steps are partial (0800): the queries must still use them, which
// SQLite does only when a query's WHERE implies the index's.
func TestClaimQueriesUsePartialIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	streams := holdStreams(QueuePageFilter{FilingDays: map[string]int{"p": 90}})
	held := streams[len(streams)-2] // the claims of the payer with a filing limit
	if held.session || len(held.args) != 1 {
		t.Fatalf("hold streams %+v: not the claims of payer p", streams)
	}
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"A/R report", arUnpaidQuery, "claims_ar", []any{"8"}},
		{"held claims of a payer by deadline", `SELECT id, service_date` + held.where + held.order + ` LIMIT 50`, "claims_state_payer", held.args},
		{"held claims by payer", `SELECT payer, COUNT(*), MIN(service_date) FROM claims WHERE ` + holdTables[1].held + ` GROUP BY payer`, "claims_state_payer", nil},
		{"claims of a state and payer by date", `SELECT id FROM claims WHERE state = ? AND ` + claimsNotFiled + ` AND payer = ? ORDER BY service_date, id LIMIT 50`,
			"claims_state_payer", []any{"paid", "p"}},
		{"claims by state", `SELECT id, revision FROM claims WHERE state = ? ORDER BY service_date, id`, "claims_state", []any{"filed"}},
		{"claim state counts", `SELECT state, COUNT(*) FROM claims GROUP BY state`, "claims_state", nil},
		{"COB families", cobFamiliesQuery, "claims_prior", []any{"S"}},
		{"onward candidates", onwardCandidatesQuery("secondary"), "claims_prior", []any{"P", "8"}},
	} {
		joined := queryPlan(ctx, t, db, c.name, c.query, c.args)
		if !strings.Contains(joined, "INDEX "+c.want) {
			t.Errorf("%s: plan %q does not use index %s", c.name, joined, c.want)
		}
		if strings.Contains(joined, "SCAN claims;") || strings.HasSuffix(joined, "SCAN claims") ||
			strings.Contains(joined, "SCAN c;") || strings.HasSuffix(joined, "SCAN c") {
			t.Errorf("%s: plan %q scans the claims table", c.name, joined)
		}
	}
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of query, its steps joined with "; ".
func queryPlan(ctx context.Context, t *testing.T, db *DB, name, query string, args []any) string {
	t.Helper()
	rows, err := db.sql.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return strings.Join(plan, "; ")
}
