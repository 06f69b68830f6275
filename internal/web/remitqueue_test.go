package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// allQueues connects every queue through the queue service over the fixture's store.
func allQueues(d *Deps) {
	svc := pipeline.Queues{Pipeline: &pipeline.Pipeline{Cfg: d.Config, DB: d.Store.(*store.DB), Now: d.Now}}
	d.Queues = ServiceQueues(svc)
}

// openItems stores queue items as posting would have opened them.
func openItems(t *testing.T, db *store.DB, rows ...string) {
	t.Helper()
	for _, r := range rows {
		if _, err := db.SQL().ExecContext(context.Background(), `INSERT INTO queue_items (id, kind, claim_id, line_no, payer, reason,
			category, action, message, due, amount_cents, state, created_at) VALUES `+r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRemitQueues: the denials queue lists the posted items with their deadlines; assign,
// note and resolve go through the queue service, which records them on the item's thread
// and the claim's history; the appeal the denial becomes shows who has it and the denial's
// notes.
func TestRemitQueues(t *testing.T) {
	f := newFixture(t, allQueues)
	openItems(t, f.db,
		`(7, 'denials', 'PCN3001', 0, 'demo-commercial', 'CO-197', 'authorization', 'appeal', 'Precertification/authorization absent. N54', '2025-05-30', 15000, 'open', 't')`,
		`(8, 'denials', 'PCN3002', 0, '', 'CO-16', '', '', '', '2027-01-10', 0, 'open', 't')`,
		`(9, 'rejections', 'PCN5001', 0, '', 'A7:21', '', '', '', '', 0, 'open', 't')`)
	c := f.login(t, testUser, testPassword)
	dash := squash(f.page(t, c, "/"))
	// 2025-05-30 is before the fixture's today (2026-11-20): overdue.
	if want := `<a href="/queues/denials">Denials</a></th> <td class="num">2</td> <td>next due <span class="bad">2025-05-30</span> · <span class="bad">1 overdue</span></td>`; !strings.Contains(dash, want) {
		t.Errorf("dashboard lacks %q\n%s", want, dash)
	}
	page := squash(f.page(t, c, "/queues/denials"))
	for _, want := range []string{
		`<span class="tag hold">CO-197 · authorization</span> <span class="reason">Precertification/authorization/notification/pre-treatment absent</span> Precertification/authorization absent. N54`,
		`<span class="due bad">appeal due 2025-05-30</span>`,
		`<option>appeal_sent</option>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("denials page lacks %q\n%s", want, page)
		}
	}
	tok := csrfOf(t, page)
	for _, step := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/queues/denials/7/assign", url.Values{"assignee": {"kim"}}, http.StatusSeeOther},
		{"/queues/denials/7/note", url.Values{"text": {"faxed auth record"}}, http.StatusSeeOther},
		{"/queues/denials/7/resolve", url.Values{"outcome": {"bogus"}}, http.StatusBadRequest},
		{"/queues/denials/7/resolve", url.Values{"outcome": {"appeal_won"}}, http.StatusBadRequest}, // an appeal's outcome
		{"/queues/denials/9/resolve", url.Values{"outcome": {"appeal_sent"}}, http.StatusNotFound},  // a rejection, not a denial
		{"/queues/denials/x/note", url.Values{"text": {"x"}}, http.StatusNotFound},
		{"/queues/denials/8/resolve", url.Values{"outcome": {"resubmitted"}}, http.StatusConflict}, // its claim is not stored
		{"/queues/denials/8/resolve", url.Values{"outcome": {"written_off"}}, http.StatusSeeOther}, // still open: another outcome works
		{"/queues/denials/7/resolve", url.Values{"outcome": {"appeal_sent"}, "text": {"sent today"}}, http.StatusSeeOther},
		{"/queues/denials/7/resolve", url.Values{"outcome": {"written_off"}}, http.StatusNotFound}, // resolved: left the queue
		{"/queues/denials/7/note", url.Values{"text": {"late"}}, http.StatusNotFound},
	} {
		step.form.Set("csrf", tok)
		if resp := f.post(t, c, step.path, step.form); resp.StatusCode != step.want {
			t.Fatalf("POST %s %v: status %d, want %d", step.path, step.form, resp.StatusCode, step.want)
		}
	}
	// Unknown queues and outcomes say the valid ones.
	if resp, body := f.get(t, c, "/queues/denial"); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "holds, rejections, denials, appeals, follow-up, review") {
		t.Errorf("unknown queue: %d %q", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/queues/appeals/8/resolve", strings.NewReader(url.Values{"outcome": {"appeal_sent"}, "csrf": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "appeal_won, appeal_lost, no_action") {
		t.Errorf("outcome not offered: %d %q", resp.StatusCode, b)
	}
	it, err := f.db.QueueItem(context.Background(), 7)
	if n, _ := it.LatestNote(); err != nil || it.Assignee != "kim" || n.Text != "sent today" || n.Who != testUser ||
		it.Outcome != queue.AppealSent || len(it.Thread) != 4 {
		t.Errorf("store item after actions = %+v %v", it, err)
	}
	var kinds []string
	for _, k := range f.eventKinds(t, "claim", "PCN3001") {
		if strings.HasPrefix(k, "queue_") {
			kinds = append(kinds, k)
		}
	}
	if !slices.Equal(kinds, []string{"queue_assign", "queue_note", "queue_resolve"}) {
		t.Errorf("queue events on the claim = %v", kinds)
	}
	if page := f.page(t, c, "/queues/denials"); strings.Contains(page, `id="7"`) {
		t.Error("resolved item still listed")
	}
	// The appeal keeps the denial's assignee and shows its notes, marked as the denial's.
	ap := squash(f.page(t, c, "/queues/appeals"))
	for _, want := range []string{
		`<b>claim PCN3001</b>`,
		`Assigned to: <b>kim</b>`,
		`biller:</span> faxed auth record <span class="muted">(on item 7)</span>`,
		`biller:</span> resolved: appeal_sent <span class="muted">(on item 7)</span>`,
		`<option>appeal_won</option>`,
	} {
		if !strings.Contains(ap, want) {
			t.Errorf("appeals page lacks %q\n%s", want, ap)
		}
	}
}
