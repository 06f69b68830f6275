package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/x12"
	"github.com/rs/zerolog"
)

// QueueItem is one thing a biller has to act on.
type QueueItem struct {
	ID         string // opaque and unique within its queue; used in action URLs
	EntityKind string // "session" or "claim": where the audit events go
	EntityID   string
	Payer      string
	Code       string // CPT/HCPCS
	Date       string // date of service
	Reason     string // machine code: auth_missing, CARC 197, STC A7:21...
	Words      string // the reason for a person
	Action     string // suggested next step
	Deadline   string // YYYY-MM-DD
	DueFor     string // what the deadline is: "timely filing", "appeal"...
	Amount     x12.Amount
	Assignee   string
	Notes      []Note
	Outcome    string // set once resolved
	Link       string // where the item's full history is, when not the session itself
}

// Note is a biller's note on a queue item.
type Note struct {
	Who, At, Text string
}

// Action is a biller's action on a queue item.
type Action struct {
	Kind     string // assign, note, resolve
	ItemID   string
	Who      string // the signed-in user
	Assignee string // assign
	Text     string // note (also the optional comment of assign/resolve)
	Outcome  string // resolve: one of Queue.Outcomes()
}

// Action kinds.
const (
	ActAssign  = "assign"
	ActNote    = "note"
	ActResolve = "resolve"
)

// ErrNoItem is returned by Act for an id that is not (or no longer) in the queue.
var ErrNoItem = errors.New("no such queue item")

// ErrBadAction is returned by Act for an action the queue does not take.
var ErrBadAction = errors.New("action not allowed on this queue")

// holdWords explains each authorization hold reason and what the biller does about it.
var holdWords = map[string][2]string{
	claims.HoldAuthMissing:            {"No authorization on file for this payer, client and service", "Request the authorization from the payer (retro-authorization if the session already happened)"},
	claims.HoldAuthExpired:            {"The authorization ended before the date of service", "Request a renewal covering the date of service"},
	claims.HoldAuthNotStarted:         {"The date of service is before the authorization starts", "Ask the payer to backdate the authorization, or check the session date"},
	claims.HoldAuthExhausted:          {"The authorization has fewer units left than the session needs", "Request additional units from the payer"},
	claims.HoldAuthCodeNotCovered:     {"The authorization does not cover this service code", "Request an authorization update for the code, or correct the session"},
	claims.HoldAuthAmbiguous:          {"More than one valid authorization could apply", "Ask the practice system to send the authorization number with the session"},
	claims.HoldAuthPOSNotCovered:      {"The authorization is for another place of service", "Request an authorization update for the place of service, or correct the session's place of service"},
	claims.HoldAuthProviderNotCovered: {"The authorization names another rendering provider", "Request an authorization update for this provider, or correct the session's rendering provider"},
}

// HoldWords returns the reason in words and the suggested action of a hold reason.
func HoldWords(reason string) (words, action string) {
	if w, ok := holdWords[reason]; ok {
		return w[0], w[1]
	}
	return reason, "Review the session"
}

// HoldQueue is the holds queue: sessions on an authorization hold and claims the scrubber
// held, read through the store. Holds leave the queue on their own (a new authorization
// releases the session, a corrected session rebuilds the claim), so the queue offers no
// resolve; assignments and notes are the audit events themselves, read back from history.
type HoldQueue struct {
	Store  Store
	Config *config.Config
}

// Items lists held sessions and held claims, nearest timely-filing deadline first.
func (q *HoldQueue) Items(ctx context.Context) ([]QueueItem, error) {
	ss, err := q.Store.Sessions(ctx, store.SessionFilter{State: store.StateHeld})
	if err != nil {
		return nil, fmt.Errorf("holds queue: %w", err)
	}
	var out []QueueItem
	for _, s := range ss {
		w, a := HoldWords(s.HoldReason)
		it := QueueItem{ID: "session-" + s.ID, EntityKind: "session", EntityID: s.ID, Payer: s.Payer, Code: s.Code,
			Date: s.Date, Reason: s.HoldReason, Words: w, Action: a, Deadline: q.filingDeadline(s.Payer, s.Date),
			DueFor: "timely filing", Amount: s.Session.Charge}
		if err := q.history(ctx, &it); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	cs, err := q.Store.Claims(ctx, store.ClaimFilter{State: store.ClaimHeld})
	if err != nil {
		return nil, fmt.Errorf("holds queue: %w", err)
	}
	for _, c := range cs {
		it := QueueItem{ID: "claim-" + c.ID, EntityKind: "claim", EntityID: c.ID, Payer: c.Payer, Date: c.Date,
			Reason: joinRules(c.HoldRules), Words: "The scrubber found errors the payer would reject",
			Action:   "Open the claim's findings, correct the session in the practice system and resend it",
			Deadline: q.filingDeadline(c.Payer, c.Date), DueFor: "timely filing", Amount: c.Total}
		if err := q.history(ctx, &it); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	sortItems(out)
	return out, nil
}

func joinRules(r []string) string {
	s := ""
	for i, x := range r {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// sortItems puts the nearest deadline first; items without one go last.
func sortItems(items []QueueItem) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Deadline, items[j].Deadline
		if (a == "") != (b == "") {
			return a != ""
		}
		if a != b {
			return a < b
		}
		return items[i].ID < items[j].ID
	})
}

// filingDeadline is the payer's timely-filing limit counted from the date of service: a
// hold not worked by then becomes a timely-filing denial (CARC 29).
func (q *HoldQueue) filingDeadline(payer, date string) string {
	days := 0
	if q.Config != nil {
		for _, p := range q.Config.Payers {
			if p.ID == payer {
				days = p.TimelyFilingDays
			}
		}
	}
	d, err := time.Parse(time.DateOnly, date)
	if days <= 0 || err != nil {
		return ""
	}
	return d.AddDate(0, 0, days).Format(time.DateOnly)
}

// history fills the assignee and notes from the entity's audit events.
func (q *HoldQueue) history(ctx context.Context, it *QueueItem) error {
	evs, err := q.Store.Events(ctx, it.EntityKind, it.EntityID)
	if err != nil {
		return fmt.Errorf("holds queue: %s %s history: %w", it.EntityKind, it.EntityID, err)
	}
	applyAudit(it, evs)
	return nil
}

// applyAudit replays queue_* audit events onto an item: the last assignment wins and every
// note (including an assignment's comment) is listed in order.
func applyAudit(it *QueueItem, evs []store.Event) {
	for _, e := range evs {
		if e.Kind != "queue_"+ActAssign && e.Kind != "queue_"+ActNote {
			continue
		}
		var d map[string]string
		if json.Unmarshal(e.Detail, &d) != nil || d["item"] != it.ID {
			continue
		}
		if e.Kind == "queue_"+ActAssign {
			it.Assignee = d["assignee"]
		}
		if d["text"] != "" {
			it.Notes = append(it.Notes, Note{Who: d["who"], At: e.At, Text: d["text"]})
		}
	}
}

// Act checks that the item is held and the action is one holds take.
func (q *HoldQueue) Act(ctx context.Context, a Action) error {
	switch a.Kind {
	case ActAssign, ActNote:
	default:
		return ErrBadAction
	}
	items, err := q.Items(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.ID == a.ItemID {
			return nil
		}
	}
	return ErrNoItem
}

// Outcomes is empty: holds are released by the authorization or the correction itself.
func (q *HoldQueue) Outcomes() []string { return nil }

// StoreAuditor appends audit events through the store's batch, in a transaction of their own.
type StoreAuditor struct {
	DB *store.DB
}

// Audit appends the event; the biller's name goes into the detail with the rest.
func (s StoreAuditor) Audit(ctx context.Context, e AuditEvent) error {
	d := map[string]string{"who": e.Who}
	for k, v := range e.Detail {
		d[k] = v
	}
	// No authorization rules: an event touches no units.
	err := s.DB.Batch(ctx, nil, func(b *store.Batch) error {
		return b.Event(e.EntityKind, e.EntityID, e.Kind, "web", d)
	})
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", e.EntityKind, e.Kind, err)
	}
	return nil
}

// The store is the production implementation of what the pages read.
var _ Store = (*store.DB)(nil)

// StoreDeps is the usual wiring: the store for pages and audit, the holds queue over it,
// and the scheduler's job and clearinghouse states. The daemon adds the remit queues and
// appeal letters to the result when those services exist.
func StoreDeps(db *store.DB, cfg *config.Config, users Users, jobs func() []scheduler.JobStatus,
	health func() []scheduler.Health, log zerolog.Logger) Deps {
	queues := RemitQueues(db)
	queues[QueueHolds] = &HoldQueue{Store: db, Config: cfg}
	return Deps{Store: db, Auditor: StoreAuditor{DB: db}, Config: cfg, Users: users,
		Queues: queues, Jobs: jobs, Health: health, Log: log}
}
