package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/edigate/edigate/internal/store"
)

// RemitQueueStore is the queue service package remit's posting fills (rejections, denials,
// appeals, follow-up, review); *store.DB implements it and `edigate queue` uses the same
// functions.
type RemitQueueStore interface {
	QueueItems(ctx context.Context, f store.QueueFilter) ([]store.QueueItem, error)
	AssignQueueItem(ctx context.Context, id int64, who string) error
	NoteQueueItem(ctx context.Context, id int64, note string) error
	ResolveQueueItem(ctx context.Context, id int64, outcome, note string) (store.QueueItem, error)
}

var _ RemitQueueStore = (*store.DB)(nil)

// RemitQueue shows one kind of the store's queue items. Resolving goes through
// ResolveQueueItem, which moves the claim on (appeal sent -> appealed, resubmitted ->
// corrected, written off -> closed) exactly as the CLI does.
type RemitQueue struct {
	DB   RemitQueueStore
	Kind string // store.QueueRejections, store.QueueDenials...
}

// RemitQueues returns the rejections, denials, appeals, follow-up and review queues over db.
func RemitQueues(db RemitQueueStore) map[string]Queue {
	out := map[string]Queue{}
	for _, k := range []string{store.QueueRejections, store.QueueDenials, store.QueueAppeals, store.QueueFollowUp, store.QueueReview} {
		out[k] = &RemitQueue{DB: db, Kind: k}
	}
	return out
}

// Items lists the open items, nearest deadline first (the store's order).
func (q *RemitQueue) Items(ctx context.Context) ([]QueueItem, error) {
	its, err := q.DB.QueueItems(ctx, store.QueueFilter{Kind: q.Kind, OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%s queue: %w", q.Kind, err)
	}
	out := make([]QueueItem, 0, len(its))
	for _, it := range its {
		reason := it.Reason
		if it.Category != "" {
			reason += " · " + it.Category
		}
		v := QueueItem{ID: strconv.FormatInt(it.ID, 10), EntityKind: "claim", EntityID: it.ClaimID, Payer: it.Payer,
			Reason: reason, Words: it.Message, Action: it.Action, Deadline: it.Due, DueFor: dueFor(q.Kind),
			Amount: it.Amount, Assignee: it.Assignee, Outcome: it.Outcome}
		if it.Line > 0 {
			v.Code = fmt.Sprintf("line %d", it.Line)
		}
		for _, n := range strings.Split(it.Notes, "\n") {
			if n = strings.TrimSpace(n); n != "" {
				who, text, ok := strings.Cut(n, ": ")
				if !ok {
					who, text = "", n
				}
				v.Notes = append(v.Notes, Note{Who: who, Text: text})
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func dueFor(kind string) string {
	switch kind {
	case store.QueueDenials, store.QueueAppeals:
		return "appeal"
	case store.QueueRejections:
		return "timely filing"
	case store.QueueFollowUp:
		return "follow-up"
	}
	return ""
}

// Act calls the store's queue functions. Notes are stored as "who: text" because the
// store keeps one notes text per item; the audit event carries who separately as well.
func (q *RemitQueue) Act(ctx context.Context, a Action) error {
	id, err := strconv.ParseInt(a.ItemID, 10, 64)
	if err != nil {
		return ErrNoItem
	}
	switch a.Kind {
	case ActAssign:
		err = q.DB.AssignQueueItem(ctx, id, a.Assignee)
	case ActNote:
		err = q.DB.NoteQueueItem(ctx, id, a.Who+": "+a.Text)
	case ActResolve:
		note := ""
		if a.Text != "" {
			note = a.Who + ": " + a.Text
		}
		_, err = q.DB.ResolveQueueItem(ctx, id, a.Outcome, note)
	default:
		return ErrBadAction
	}
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoItem
	}
	return err
}

// Outcomes are the store's; an appeal being followed ends won or lost.
func (q *RemitQueue) Outcomes() []string {
	if q.Kind == store.QueueAppeals {
		return []string{store.OutcomeAppealWon, store.OutcomeAppealLost, store.OutcomeNoAction}
	}
	return []string{store.OutcomeResubmitted, store.OutcomeAppealSent, store.OutcomeWrittenOff, store.OutcomeNoAction}
}
