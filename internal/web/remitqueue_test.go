package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// memQueue is an in-memory RemitQueueStore that keeps the store's rules that matter to the
// UI: only open items listed, resolve closes, unknown ids are ErrNotFound.
type memQueue struct {
	mu    sync.Mutex
	items []store.QueueItem
}

func (m *memQueue) QueueItems(_ context.Context, f store.QueueFilter) ([]store.QueueItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.QueueItem
	for _, it := range m.items {
		if (f.Kind == "" || it.Kind == f.Kind) && (!f.OpenOnly || it.State == store.QueueOpen) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (m *memQueue) find(id int64) *store.QueueItem {
	for i := range m.items {
		if m.items[i].ID == id {
			return &m.items[i]
		}
	}
	return nil
}

func (m *memQueue) AssignQueueItem(_ context.Context, id int64, who string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.find(id)
	if it == nil {
		return store.ErrNotFound
	}
	it.Assignee = who
	return nil
}

func (m *memQueue) NoteQueueItem(_ context.Context, id int64, note string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.find(id)
	if it == nil {
		return store.ErrNotFound
	}
	it.Notes = strings.TrimPrefix(it.Notes+"\n"+note, "\n")
	return nil
}

func (m *memQueue) ResolveQueueItem(_ context.Context, id int64, outcome, note string) (store.QueueItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.find(id)
	if it == nil {
		return store.QueueItem{}, store.ErrNotFound
	}
	if it.State == store.QueueResolved {
		return *it, errors.New("already resolved")
	}
	it.State, it.Outcome = store.QueueResolved, outcome
	return *it, nil
}

func TestRemitQueues(t *testing.T) {
	mq := &memQueue{items: []store.QueueItem{
		{ID: 7, Kind: store.QueueDenials, ClaimID: "PCN3001", Payer: "demo-commercial", Reason: "CO-197", Category: "authorization",
			Action: "appeal", Message: "Precertification/authorization absent. N54", Due: "2025-05-30", Amount: x12.MustAmount("150.00"), State: store.QueueOpen},
		{ID: 8, Kind: store.QueueDenials, ClaimID: "PCN3002", Reason: "CO-16", Due: "2027-01-10", State: store.QueueOpen},
		{ID: 9, Kind: store.QueueRejections, ClaimID: "PCN5001", Reason: "A7:21", State: store.QueueOpen},
	}}
	f := newFixture(t, func(d *Deps) {
		for k, q := range RemitQueues(mq) {
			d.Queues[k] = q
		}
	})
	c := f.login(t, testUser, testPassword)
	dash := squash(f.page(t, c, "/"))
	// 2025-05-30 is before the fixture's today (2026-11-20): overdue.
	if want := `<a href="/queues/denials">Denials</a></th> <td class="num">2</td> <td>next due <span class="bad">2025-05-30</span> · <span class="bad">1 overdue</span></td>`; !strings.Contains(dash, want) {
		t.Errorf("dashboard lacks %q\n%s", want, dash)
	}
	page := squash(f.page(t, c, "/queues/denials"))
	for _, want := range []string{
		`<span class="tag hold">CO-197 · authorization</span> Precertification/authorization absent. N54`,
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
		{"/queues/denials/9/resolve", url.Values{"outcome": {"appeal_sent"}}, http.StatusNotFound}, // a rejection, not a denial
		{"/queues/denials/7/resolve", url.Values{"outcome": {"appeal_sent"}}, http.StatusSeeOther},
		{"/queues/denials/7/resolve", url.Values{"outcome": {"written_off"}}, http.StatusNotFound}, // resolved: left the queue
	} {
		step.form.Set("csrf", tok)
		if resp := f.post(t, c, step.path, step.form); resp.StatusCode != step.want {
			t.Fatalf("POST %s %v: status %d, want %d", step.path, step.form, resp.StatusCode, step.want)
		}
	}
	it := mq.find(7)
	if it.Assignee != "kim" || it.Notes != "biller: faxed auth record" || it.Outcome != store.OutcomeAppealSent {
		t.Errorf("store item after actions = %+v", it)
	}
	if got := f.eventKinds(t, "claim", "PCN3001"); !slices.Equal(got, []string{"queue_assign", "queue_note", "queue_resolve"}) {
		t.Errorf("audit events on the claim = %v", got)
	}
	if page := f.page(t, c, "/queues/denials"); strings.Contains(page, `id="7"`) {
		t.Error("resolved item still listed")
	}
}
