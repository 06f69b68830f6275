package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/scheduler"
	"github.com/rs/zerolog"
)

// QueueService is the one queue service (pipeline.Queues) that `edigate queue` uses too,
// so an action taken here means what it means on the command line: the same thread
// entries, events and corrected claims.
type QueueService interface {
	Items(ctx context.Context, kind queue.Kind) ([]queue.Item, error)
	Act(ctx context.Context, kind queue.Kind, key string, a queue.Action) error
}

// Queue is one work queue as the pages use it. The service records the action (thread
// and history) itself.
type Queue interface {
	// Items lists the open items, nearest deadline first.
	Items(ctx context.Context) ([]queue.Item, error)
	// Act applies an action to the item with key: queue.ErrNoItem for an item not in this
	// queue, queue.ErrResolved for one resolved meanwhile, queue.ErrBadAction for an action
	// the item does not take.
	Act(ctx context.Context, key string, a queue.Action) error
}

// ServiceQueues returns the queues of kinds over s (every queue when none is named).
func ServiceQueues(s QueueService, kinds ...queue.Kind) map[queue.Kind]Queue {
	if len(kinds) == 0 {
		kinds = queue.Kinds()
	}
	out := map[queue.Kind]Queue{}
	for _, k := range kinds {
		out[k] = serviceQueue{s, k}
	}
	return out
}

type serviceQueue struct {
	s    QueueService
	kind queue.Kind
}

func (q serviceQueue) Items(ctx context.Context) ([]queue.Item, error) { return q.s.Items(ctx, q.kind) }

func (q serviceQueue) Act(ctx context.Context, key string, a queue.Action) error {
	return q.s.Act(ctx, q.kind, key, a)
}

// The store is the production implementation of what the pages read.
var _ Store = (*store.DB)(nil)

// StoreDeps is the usual wiring: the store for pages, every queue over the queue service,
// and the scheduler's job and clearinghouse states. The daemon adds the appeal letters.
func StoreDeps(db *store.DB, cfg *config.Config, users Users, queues QueueService, jobs func() []scheduler.JobStatus,
	health func() []scheduler.Health, log zerolog.Logger) Deps {
	return Deps{Store: db, Config: cfg, Users: users, Queues: ServiceQueues(queues), Jobs: jobs, Health: health, Log: log}
}

type queuesPage struct {
	pageBase
	Today  string
	Queues []queueSummary
	// Conflicts are corrections the practice system has since sent other values for.
	Conflicts []claims.Conflict
}

func (h *handler) queues(w http.ResponseWriter, r *http.Request) {
	p := queuesPage{pageBase: h.base(r, "Queues", "queues"), Today: h.today()}
	for _, k := range queue.Kinds() {
		p.Queues = append(p.Queues, h.summarize(r.Context(), k, p.Today))
	}
	if h.d.Corrections != nil {
		var err error
		if p.Conflicts, err = h.d.Corrections.Conflicts(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, "queues", &p)
}

type queuePage struct {
	pageBase
	Kind      queue.Kind
	Today     string
	Connected bool
	Items     []itemView
	Outcomes  []queue.Outcome
	Letters   bool
	Pager     pager
	Filter    queueFilter
	Payers    []payerOption
	CSV       string // this view as a spreadsheet
	Correct   bool   // items link to the correction form (correct.go)
}

// itemView is a queue item with what the page adds to recognise it.
type itemView struct {
	queue.Item
	Link    string // the session whose page has the claim's whole history
	Words   string // the reason in words
	Patient string // "Last, First" of the session's client
	// Conflicts are corrections of the item's session the practice system has since sent
	// other values for: settled on the card as on the session page.
	Conflicts []claims.Conflict
}

func (h *handler) queue(w http.ResponseWriter, r *http.Request) {
	kind, err := queue.ParseKind(r.PathValue("kind"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	p := queuePage{pageBase: h.base(r, kind.Title(), "queues"), Kind: kind, Today: h.today(),
		Letters: h.d.Appeals != nil && (kind == queue.Appeals || kind == queue.Denials),
		Correct: h.d.Corrections != nil && (kind == queue.Rejections || kind == queue.Denials)}
	if q, ok := h.d.Queues[kind]; ok {
		p.Filter, p.Payers = queueFilterOf(r), h.payerOptions()
		csvQ := r.URL.Query()
		csvQ.Del("page")
		csvQ.Set("format", "csv")
		p.CSV = r.URL.Path + "?" + csvQ.Encode()
		if r.URL.Query().Get("format") == "csv" {
			h.streamQueueCSV(w, r, kind, q, p.Filter.pageFilter(currentUser(r.Context()).name, p.Today, store.Page{}))
			return
		}
		// Paged and counted in the store (PagedQueueService): only the page is read,
		// described and rendered, so 40,000 holds make a page of 50.
		pg := pageOf(r)
		items, total, err := pageQueue(r.Context(), q, p.Filter.pageFilter(currentUser(r.Context()).name, p.Today, pg))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Pager = newPager(r, pg, len(items), total)
		p.Items = make([]itemView, len(items))
		for i, it := range items {
			p.Items[i] = itemView{Item: it, Words: reasonWords(kind, it.Reason)}
		}
		if err := h.describeClaims(r.Context(), p.Items); err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.itemConflicts(r.Context(), p.Items); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Connected, p.Outcomes = true, kind.Outcomes()
	}
	h.render(w, "queue", &p)
}

// describeClaims fills in what a biller needs to recognise a claim item (payer, date of
// service, the denied line's code) and links it to its session, whose page has the whole
// history. Posted items know only claim ids; the claim record knows the rest. A claim the
// store does not have (a review item for a CLP01 we never built) stays as it is.
func (h *handler) describeClaims(ctx context.Context, items []itemView) error {
	for i := range items {
		it := &items[i]
		if it.Line > 0 && it.Code == "" {
			it.Code = fmt.Sprintf("line %d", it.Line)
		}
		if it.SessionID != "" || it.ClaimID == "" {
			continue
		}
		rec, err := h.d.Store.Claim(ctx, it.ClaimID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("queue item %s claim %s: %w", it.Key(), it.ClaimID, err)
		}
		if rec.Payer != "" {
			// Posting keys items by the 835's payer id; the practice knows the payer by its
			// configured id, as on every other page.
			it.Payer = rec.Payer
		}
		if it.Date == "" {
			it.Date = rec.Date
		}
		lines := rec.Claim.Lines
		if n := it.Line; n >= 1 && n <= len(lines) {
			it.Code = lines[n-1].Code + " (line " + fmt.Sprint(n) + ")"
		} else if it.Code == "" && len(lines) == 1 {
			it.Code = lines[0].Code
		}
		if len(lines) > 0 && lines[0].SessionID != "" {
			it.Link = "/sessions/" + lines[0].SessionID
		}
	}
	return h.namePatients(ctx, items)
}

// itemConflicts puts on each item the correction conflicts of its session. Only corrected
// sessions can have one, so every conflict is listed once (as /queues does) and matched to
// the page's items, rather than reading each item's session as sent.
func (h *handler) itemConflicts(ctx context.Context, items []itemView) error {
	if h.d.Corrections == nil || len(items) == 0 {
		return nil
	}
	all, err := h.d.Corrections.Conflicts(ctx)
	if err != nil {
		return fmt.Errorf("correction conflicts: %w", err)
	}
	bySession := map[string][]claims.Conflict{}
	for _, c := range all {
		bySession[c.SessionID] = append(bySession[c.SessionID], c)
	}
	for i := range items {
		it := &items[i]
		sid := it.SessionID
		if sid == "" {
			sid = strings.TrimPrefix(it.Link, "/sessions/")
		}
		it.Conflicts = bySession[sid]
	}
	return nil
}

// namePatients puts the client's name on each item from its session (the held session, or
// the claim's first line's): billers recognise work by the person, not by an id.
func (h *handler) namePatients(ctx context.Context, items []itemView) error {
	for i := range items {
		it := &items[i]
		sid := it.SessionID
		if sid == "" && it.Link != "" {
			sid = strings.TrimPrefix(it.Link, "/sessions/")
		}
		if sid == "" {
			continue
		}
		s, err := h.d.Store.Session(ctx, sid)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("queue item %s session %s: %w", it.Key(), sid, err)
		}
		if c := s.Session.Client; c.LastName != "" {
			it.Patient = c.LastName + ", " + c.FirstName
		}
	}
	return nil
}

// entryWords says a thread entry for the page: a note as written, the others in words.
func entryWords(e queue.Entry) string {
	switch e.What {
	case queue.ActAssign:
		return "assigned to " + e.Text
	case queue.ActResolve:
		return "resolved: " + e.Text
	}
	return e.Text
}

// Limits on what a biller types, so a pasted document cannot bloat the event table.
const (
	maxAssignee = 64
	maxNote     = 2000
)

func (h *handler) queueAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := r.PathValue("id")
	kind, q, ok := h.queueOf(w, r)
	if !ok {
		return
	}
	act, err := queue.ParseAction(r.PathValue("action"))
	if err != nil {
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	u := currentUser(ctx)
	a := queue.Action{Kind: act, Who: u.name, Assignee: strings.TrimSpace(r.PostFormValue("assignee")),
		Text: strings.TrimSpace(r.PostFormValue("text")), Outcome: queue.Outcome(r.PostFormValue("outcome")), Source: "web"}
	switch {
	case act == queue.ActAssign && (a.Assignee == "" || len(a.Assignee) > maxAssignee):
		http.Error(w, "assignee must be 1-64 characters", http.StatusBadRequest)
		return
	case act == queue.ActNote && a.Text == "":
		http.Error(w, "the note is empty", http.StatusBadRequest)
		return
	case len(a.Text) > maxNote:
		http.Error(w, "the note is longer than 2000 characters", http.StatusBadRequest)
		return
	}
	if act == queue.ActResolve {
		if err := kind.Takes(a.Outcome); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	if err := q.Act(ctx, key, a); err != nil {
		switch {
		case errors.Is(err, queue.ErrNoItem), errors.Is(err, queue.ErrResolved):
			// A resolved item has left the queue.
			http.NotFound(w, r)
		case errors.Is(err, queue.ErrBadAction):
			http.Error(w, "this queue does not take that action", http.StatusBadRequest)
		case errors.Is(err, remit.ErrUnchanged):
			// A rejection sent again unchanged would be rejected again: the correction
			// form says why and what to fix.
			h.refusedUnchanged(w, r, key)
		case errors.Is(err, store.ErrNotFound):
			// The item names a claim edigate never stored (a response for someone else's
			// claim): there is nothing to rebuild, and the item stays open for another outcome.
			http.Error(w, "the claim this item names is not stored here, so it cannot be resubmitted: resolve it as written off or no action", http.StatusConflict)
		default:
			h.fail(w, r, fmt.Errorf("queue %s %s %s: %w", kind, key, act, err))
		}
		return
	}
	h.d.Log.Info().Str("user", u.name).Str("queue", string(kind)).Str("item", key).Str("action", string(act)).Msg("web: queue action")
	http.Redirect(w, r, "/queues/"+string(kind), http.StatusSeeOther)
}

// queueOf finds the connected queue the path names, answering 404 when there is none.
func (h *handler) queueOf(w http.ResponseWriter, r *http.Request) (queue.Kind, Queue, bool) {
	kind, err := queue.ParseKind(r.PathValue("kind"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return "", nil, false
	}
	q, ok := h.d.Queues[kind]
	if !ok {
		http.NotFound(w, r)
	}
	return kind, q, ok
}
