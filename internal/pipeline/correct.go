package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// ErrNothingToCorrect is a claim with no open rejection or denial: there is nothing a
// correction would resolve.
var ErrNothingToCorrect = errors.New("no open rejection or denial")

// CorrectionTarget finds the open rejection or denial a correction of claimID resolves:
// the item with key when one is named (it must be on that claim; claimID "" takes the
// item's), else the claim's oldest open one.
func (q Queues) CorrectionTarget(ctx context.Context, claimID, key string) (queue.Item, error) {
	if key != "" {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return queue.Item{}, fmt.Errorf("queue item %q: %w", key, queue.ErrNoItem)
		}
		it, err := q.DB.QueueItem(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && ((claimID != "" && it.ClaimID != claimID) || it.ClaimID == "" || !correctable(it.Kind))) {
			return queue.Item{}, fmt.Errorf("claim %s: queue item %s: %w", claimID, key, queue.ErrNoItem)
		}
		return it, err
	}
	its, err := q.DB.QueueItems(ctx, store.QueueFilter{ClaimID: claimID, OpenOnly: true})
	if err != nil {
		return queue.Item{}, err
	}
	for _, it := range its {
		if correctable(it.Kind) {
			return it, nil
		}
	}
	return queue.Item{}, fmt.Errorf("claim %s: %w to correct", claimID, ErrNothingToCorrect)
}

func correctable(k queue.Kind) bool { return k == queue.Rejections || k == queue.Denials }

// Correct corrects a claim and resubmits it: the item (CorrectionTarget) is resolved as
// resubmitted with the corrected claim built from the sessions with the correction applied
// (a new original after a rejection, a frequency-7 replacement after the payer
// adjudicated), the correction stored as overrides of the sessions so later rebuilds keep
// it, and each change recorded on the claim. A rejection corrected to nothing new is
// refused with its reason (remit.UnchangedError). `edigate claims correct` and the web
// correction form both call this.
func (q Queues) Correct(ctx context.Context, claimID, key string, corr claims.Correction, a queue.Action) (*Resolution, error) {
	it, err := q.CorrectionTarget(ctx, claimID, key)
	if err != nil {
		return nil, err
	}
	a.Kind, a.Outcome = queue.ActResolve, queue.Resubmitted
	return q.resolveCorrected(ctx, it, a, &corr)
}

// CorrectionClaim is what the correction form shows: the claim as it is now built (the
// values to correct) and the item it resolves.
type CorrectionClaim struct {
	Claim claims.Claim
	Item  queue.Item
	// Subscriber is the claim's subscriber (the client when the client is the subscriber).
	Subscriber claims.Person
	Conflicts  []claims.Conflict
}

// CorrectionForm reads what the correction form of claimID shows (key as CorrectionTarget).
func (q Queues) CorrectionForm(ctx context.Context, claimID, key string) (CorrectionClaim, error) {
	var out CorrectionClaim
	it, err := q.CorrectionTarget(ctx, claimID, key)
	if err != nil {
		return out, err
	}
	rec, err := q.DB.Claim(ctx, it.ClaimID)
	if err != nil {
		return out, err
	}
	out.Claim, out.Item = rec.Claim, it
	out.Subscriber = rec.Claim.Client
	if s := rec.Claim.Coverage.Subscriber; s != nil && rec.Claim.Coverage.Relationship != "self" {
		out.Subscriber = *s
	}
	for _, sid := range rec.Claim.SessionIDs {
		cs, err := q.SessionConflicts(ctx, sid)
		if err != nil {
			return out, err
		}
		out.Conflicts = append(out.Conflicts, cs...)
	}
	return out, nil
}

// SessionConflicts lists the corrections of a session the practice system has since sent
// another value for (claims.Conflicts).
func (q Queues) SessionConflicts(ctx context.Context, sessionID string) ([]claims.Conflict, error) {
	s, ovs, ok, err := q.DB.SessionAsSent(ctx, sessionID)
	if err != nil || !ok {
		return nil, err
	}
	return claims.Conflicts(&s, ovs), nil
}

// PickConflict settles a correction conflict of a session's field as the biller picks:
// keep the correction, or take the practice system's value. queue.ErrNoItem when the field
// has no conflict (any more).
func (q Queues) PickConflict(ctx context.Context, sessionID string, field claims.Field, pick claims.Pick, who, source string) error {
	cs, err := q.SessionConflicts(ctx, sessionID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Field != field {
			continue
		}
		keep, ch, err := claims.ResolveConflict(c, pick, who, q.now())
		if err != nil {
			return err
		}
		return q.DB.ApplyConflictPick(ctx, c.Override, keep, ch, pick, who, source)
	}
	return fmt.Errorf("session %s: no conflict on %s: %w", sessionID, field.Words(), queue.ErrNoItem)
}

// Conflicts lists every correction conflict: the corrections the practice system has
// since sent other values for, session by session.
func (q Queues) Conflicts(ctx context.Context) ([]claims.Conflict, error) {
	ids, err := q.DB.CorrectedSessions(ctx)
	if err != nil {
		return nil, err
	}
	var out []claims.Conflict
	for _, id := range ids {
		cs, err := q.SessionConflicts(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}
