package queue

import (
	"fmt"
	"time"

	"github.com/edigate/edigate/lifecycle"
)

// Deadlines are the dates a resolution gives the work it creates.
type Deadlines struct {
	// AppealAnswerDays is how long the payer has to answer an appeal: the appeals item is
	// due that many days after the appeal was sent. Zero keeps the denial's appeal deadline.
	AppealAnswerDays int
}

// Plan is what resolving an item does, decided before anything is written: the resolved
// item and its new thread entries, the claim's move, the work it opens and the history it
// records. The store applies it in one transaction, expecting the item still open.
type Plan struct {
	Item    Item    // the item as resolved (state, outcome, thread with Entries)
	Entries []Entry // appended to the item's thread
	// To is the claim's new lifecycle state ("" for none): appealed, corrected, closed.
	To        lifecycle.State
	Events    []Event
	FollowUps []Item // opened with their thread: a denial appealed becomes an appeals item
	// Resubmit says a corrected claim must be built and stored with the plan: a rejection or
	// denial resolved as resubmitted.
	Resubmit bool
}

// Resolve decides what resolving it with outcome leads to. note is the biller's optional
// comment; who the biller. An appeal sent moves the claim to appealed and opens an appeals
// item that keeps the denial's assignee and thread (with the resolution), so whoever
// follows the appeal sees the denial's history; resubmitted moves the claim to corrected;
// written off closes it; an appeal won or lost is recorded on the claim.
func Resolve(it Item, outcome Outcome, note, who string, now time.Time, d Deadlines) (Plan, error) {
	if it.State == Resolved {
		return Plan{}, fmt.Errorf("item %s: %w (%s)", it.Key(), ErrResolved, it.Outcome)
	}
	if err := it.Kind.Takes(outcome); err != nil {
		return Plan{}, err
	}
	at := Stamp(now)
	p := Plan{}
	if note != "" {
		p.Entries = append(p.Entries, Entry{At: at, Who: who, What: ActNote, Text: note})
	}
	p.Entries = append(p.Entries, Entry{At: at, Who: who, What: ActResolve, Text: string(outcome)})
	p.Item = it
	p.Item.State, p.Item.Outcome, p.Item.ResolvedAt = Resolved, outcome, at
	p.Item.Thread = append(append([]Entry(nil), it.Thread...), p.Entries...)
	p.Events = append(p.Events, it.audit(Action{Kind: ActResolve, Who: who, Text: note, Outcome: outcome}))
	if it.ClaimID == "" {
		return p, nil
	}
	switch outcome {
	case AppealSent:
		p.To = lifecycle.Appealed
		p.FollowUps = append(p.FollowUps, appealItem(p.Item, now, d))
	case Resubmitted:
		p.To = lifecycle.Corrected
		p.Resubmit = it.Kind == Rejections || it.Kind == Denials
	case WrittenOff:
		p.To = lifecycle.Closed
	case AppealWon, AppealLost:
		k := map[Outcome]lifecycle.EventKind{AppealWon: lifecycle.AppealWon, AppealLost: lifecycle.AppealLost}[outcome]
		p.Events = append(p.Events, Event{Entity: lifecycle.EntityClaim, ID: it.ClaimID, Kind: k, Detail: p.MoveDetail()})
	}
	return p, nil
}

// MoveDetail is the detail of the claim's move: which item and outcome moved it.
func (p Plan) MoveDetail() map[string]any {
	return map[string]any{"queue_item": p.Item.ID, "outcome": string(p.Item.Outcome)}
}

// appealItem is the appeals item an appealed denial becomes: same claim, line, reason and
// amount, the same assignee, and the denial's thread carried over (each entry naming the
// item it was written on).
func appealItem(den Item, now time.Time, d Deadlines) Item {
	due := den.Due
	if d.AppealAnswerDays > 0 {
		due = now.UTC().AddDate(0, 0, d.AppealAnswerDays).Format(time.DateOnly)
	}
	thread := make([]Entry, len(den.Thread))
	for i, e := range den.Thread {
		if e.From == 0 {
			e.From = den.ID
		}
		thread[i] = e
	}
	return Item{Kind: Appeals, ClaimID: den.ClaimID, SessionID: den.SessionID, Line: den.Line, Payer: den.Payer,
		Date: den.Date, Code: den.Code, Reason: den.Reason, Category: den.Category, Action: "follow appeal",
		Message: den.Message, Due: due, Amount: den.Amount, Source: fmt.Sprintf("queue:%d", den.ID), State: Open,
		Assignee: den.Assignee, CreatedAt: Stamp(now), Thread: thread}
}
