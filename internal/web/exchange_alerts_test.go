package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
)

// card returns the dashboard section whose heading is title.
func card(t *testing.T, page, title string) string {
	t.Helper()
	start := strings.Index(page, "<h2>"+title+"</h2>")
	if start < 0 {
		t.Fatalf("no %q card:\n%s", title, page)
	}
	c := page[start:]
	return c[:strings.Index(c, "</section>")]
}

// TestDashboardClearinghouseAlerts: an 837 that got no 999 in time (raised by the store's
// own overdue check) and an outbound file that could not be sent show in the
// "Clearinghouse alerts" card in words, with the file, since when and what to do; they stay
// out of the authorization alerts, which still show AUTH1.
func TestDashboardClearinghouseAlerts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	sent := today.Add(-30 * time.Hour)
	if err := f.db.PutExchangeUpload(ctx, store.ExchangeUpload{Clearinghouse: "sim", SHA256: "sha-837", LocalName: "837P_sim_000000501.x12",
		RemoteName: "outbound/837_000000501.x12", Set: "837", Control: "000000501", Groups: []string{"501"},
		State: "uploaded", CreatedAt: sent, UploadedAt: sent}, ""); err != nil {
		t.Fatal(err)
	}
	if res, err := f.db.CheckExchangeOverdue(ctx, store.OverdueCheck{Now: today, AckAfter: 24 * time.Hour}); err != nil || res.Raised != 1 {
		t.Fatalf("overdue check: %+v, %v", res, err)
	}
	if _, err := f.db.RaiseAlert(ctx, "file", "sim/broken.x12", store.AlertOutboundInvalid,
		map[string]any{"clearinghouse": "sim", "file": "broken.x12", "code": "not_x12", "path": "/data/outbound/sim/rejected/broken.x12"}); err != nil {
		t.Fatal(err)
	}

	page := squash(f.page(t, f.login(t, testUser, testPassword), "/"))
	panel := card(t, page, "Clearinghouse alerts")
	for _, want := range []string{
		`<td>edigate clearinghouse simulator (sim)</td><td class="bad">No 999 acknowledgement for an 837 claim file</td>`,
		`<code>837P_sim_000000501.x12</code><br><span class="muted">sent as outbound/837_000000501.x12</span>`,
		`sent 2026-11-19 06:00:00<br><span class="muted">answer was due 2026-11-20 06:00:00</span>`,
		`Ask the clearinghouse whether it received 837_000000501.x12; if it did not, send the file again.`,
		`<td class="bad">Outbound file could not be sent: it is not an X12 file</td>`,
		`rejected 2026-11-20 12:00:00`,
		`The reason is in broken.x12.error.json in outbound/sim/rejected/. Fix or rebuild the file, then put it back in outbound/sim/.`,
	} {
		if !strings.Contains(panel, want) {
			t.Errorf("clearinghouse alerts lack %q", want)
		}
	}
	auth := card(t, page, "Authorization alerts")
	if !strings.Contains(auth, "<td>AUTH1</td>") || strings.Contains(auth, "ack_overdue") || strings.Contains(auth, "outbound_rejected") {
		t.Errorf("authorization alerts should hold AUTH1 only:\n%s", auth)
	}
	if t.Failed() {
		t.Log(panel)
	}
}

func TestDashboardNoClearinghouseAlerts(t *testing.T) {
	f := newFixture(t, nil)
	panel := card(t, squash(f.page(t, f.login(t, testUser, testPassword), "/")), "Clearinghouse alerts")
	if !strings.Contains(panel, `<p class="ok">No open clearinghouse alerts`) {
		t.Errorf("empty panel:\n%s", panel)
	}
}

func TestDescribeExchangeAlert(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name    string
		alert   store.Alert
		problem string
		todo    string
	}{
		{"270 ack", store.Alert{EntityKind: "upload", Kind: store.AlertAckOverdue,
			Detail: []byte(`{"clearinghouse":"other","file":"270_x.x12","remote":"in/270_x.x12","set":"270"}`)},
			"No 999 acknowledgement for a 270 eligibility file", "take 270 out of acks_expected_for"},
		{"claim 277CA", store.Alert{EntityKind: "claim", EntityID: "CLM-9", Kind: store.AlertClaimAckOverdue,
			Detail: []byte(`{"clearinghouse":"sim","file":"837P.x12","submitted_at":"2026-11-10T09:00:00Z"}`)},
			"No 277CA claim acknowledgement for claim CLM-9", "whether claim CLM-9 reached the payer"},
		{"unknown kind", store.Alert{EntityKind: "mailbox", EntityID: "sim", Kind: "login_failing", Detail: []byte(`not json`)},
			"login failing", "See /alerts on the admin server"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := f.h.describeExchangeAlert(c.alert)
			if v.Problem != c.problem || !strings.Contains(v.Todo, c.todo) {
				t.Errorf("got %+v, want problem %q and a todo with %q", v, c.problem, c.todo)
			}
		})
	}
}
