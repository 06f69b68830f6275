package web

import (
	"context"
	"strings"
	"testing"
)

// seedClaimStates stores three claims of session S-1 and S-2 in their lifecycle states:
// CLM-P paid, CLM-D denied, CLM-F filed (heard nothing yet).
func seedClaimStates(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	sq := f.db.SQL()
	for _, c := range []struct{ id, session, state string }{
		{"CLM-P", "S-1", "paid"}, {"CLM-D", "S-2", "denied"}, {"CLM-F", "S-2", "filed"},
	} {
		if _, err := sq.ExecContext(ctx, f.db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id,
			service_date, frequency, responsibility, total_cents, state, data, created_at, updated_at)
			VALUES (?, ?, 'demo-practice', 'demo-commercial', 'sim', 'C-77', '2026-11-02', '1', 'P', 15000, ?, '{}', 't', 't')`),
			c.id, c.id, c.state); err != nil {
			t.Fatal(err)
		}
		if _, err := sq.ExecContext(ctx, f.db.Rebind(`INSERT INTO claim_sessions (claim_id, session_id) VALUES (?, ?)`), c.id, c.session); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClaimLifecycleState: the dashboard and the session page show where a claim is in its
// lifecycle (paid, denied), and offer the appeal letter only for a denial.
func TestClaimLifecycleState(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.Appeals = fakeLetters{} })
	seedClaimStates(t, f)
	c := f.login(t, testUser, testPassword)

	dash := squash(f.page(t, c, "/"))
	start := strings.Index(dash, "<h2>Claim pipeline</h2>")
	if start < 0 {
		t.Fatalf("no claim pipeline card:\n%s", dash)
	}
	card := dash[start:]
	card = card[:strings.Index(card, "</section>")]
	for _, want := range []string{
		`<tr><th>filed</th><td class="num">1</td></tr>`,
		`<tr><th>paid</th><td class="num">1</td></tr>`,
		`<tr><th>denied</th><td class="num">1</td></tr>`,
	} {
		if !strings.Contains(card, want) {
			t.Errorf("claim pipeline lacks %q:\n%s", want, card)
		}
	}
	if strings.Index(card, ">filed<") > strings.Index(card, ">paid<") || strings.Index(card, ">paid<") > strings.Index(card, ">denied<") {
		t.Errorf("claim pipeline not in lifecycle order:\n%s", card)
	}

	s1 := squash(f.page(t, c, "/sessions/S-1"))
	if !strings.Contains(s1, `<td><a href="/claims/CLM-P">CLM-P</a></td><td>1</td><td><span class="tag">paid</span>`) {
		t.Errorf("S-1 does not show CLM-P as paid:\n%s", s1)
	}
	if strings.Contains(s1, "/appeals/CLM-P/letter") {
		t.Errorf("S-1 offers an appeal letter for a paid claim")
	}
	s2 := squash(f.page(t, c, "/sessions/S-2"))
	if !strings.Contains(s2, `<td><a href="/claims/CLM-D">CLM-D</a></td><td>1</td><td><span class="tag">denied</span>`) ||
		!strings.Contains(s2, `<td><a href="/claims/CLM-F">CLM-F</a></td><td>1</td><td><span class="tag">filed</span>`) {
		t.Errorf("S-2 claim states:\n%s", s2)
	}
	if !strings.Contains(s2, "/appeals/CLM-D/letter") || strings.Contains(s2, "/appeals/CLM-F/letter") {
		t.Errorf("S-2: want the appeal letter for the denied claim only:\n%s", s2)
	}
}

// TestQueueItemsDescribeClaims: a denial item names the payer as configured, the date of
// service and the denied line's code, and links to the session's history; an item for a
// claim we never built stays as posted; the resolve form makes the biller pick an outcome.
func TestQueueItemsDescribeClaims(t *testing.T) {
	f := newFixture(t, allQueues)
	openItems(t, f.db,
		`(7, 'denials', 'CLM-D', 1, '60054', 'CO-197', '', '', '', '', 0, 'open', 't')`,
		`(8, 'denials', 'NEVER-BUILT', 0, '60054', 'CO-16', '', '', '', '', 0, 'open', 't')`)
	ctx := context.Background()
	data := `{"id":"CLM-D","payer":"demo-commercial","date":"2026-11-09","lines":[{"session_id":"S-2","code":"90837","charge":"150.00","units":1}]}`
	if _, err := f.db.SQL().ExecContext(ctx, f.db.Rebind(`INSERT INTO claims (id, base_id, practice, payer, clearinghouse, client_id,
		service_date, frequency, responsibility, total_cents, state, data, created_at, updated_at)
		VALUES ('CLM-D', 'CLM-D', 'demo-practice', 'demo-commercial', 'sim', 'C-77', '2026-11-09', '1', 'P', 15000, 'filed', ?, 't', 't')`), data); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, testUser, testPassword)
	page := squash(f.page(t, c, "/queues/denials"))
	for _, want := range []string{
		`<a href="/sessions/S-2">claim CLM-D</a></b> <span>Demo Commercial Health</span> <span>90837 (line 1)</span> <span>2026-11-09</span>`,
		`<b>claim NEVER-BUILT</b> <span>60054</span>`,
		`<p class="patient">Patient: <b>Doe-C-77, Jane</b></p>`, // the claim's session's client
		`<select name="outcome" aria-label="outcome" required><option value="" selected disabled>outcome…</option>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("denials page lacks %q\n%s", want, page)
		}
	}
}
