package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
)

// Queues is the one queue service: `edigate queue` and the web UI list and act through
// it, so an action means the same wherever a biller takes it (the same thread entries, the
// same events, the same corrected claim on a resubmission).
type Queues struct {
	*Pipeline
}

// List lists the items of kind, open ones only unless all; kind "" lists every stored item
// (holds are not stored: they are listed with kind queue.Holds).
func (q Queues) List(ctx context.Context, kind queue.Kind, all bool) ([]queue.Item, error) {
	if kind == queue.Holds {
		return q.Holds(ctx)
	}
	items, err := q.DB.QueueItems(ctx, store.QueueFilter{Kind: kind, OpenOnly: !all})
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []queue.Item{}
	}
	return items, nil
}

// Items lists the open items of kind, nearest deadline first.
func (q Queues) Items(ctx context.Context, kind queue.Kind) ([]queue.Item, error) {
	return q.List(ctx, kind, false)
}

// Item finds the item of kind ("" for any kind) with key (Item.Key), or queue.ErrNoItem.
// A stored item is found resolved too; acting on it says so.
func (q Queues) Item(ctx context.Context, kind queue.Kind, key string) (queue.Item, error) {
	id, err := strconv.ParseInt(key, 10, 64)
	if kind == queue.Holds || (kind == "" && err != nil) {
		return q.hold(ctx, key)
	}
	if err != nil {
		return queue.Item{}, fmt.Errorf("%q: %w", key, queue.ErrNoItem)
	}
	it, err := q.DB.QueueItem(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != "" && it.Kind != kind) {
		return queue.Item{}, fmt.Errorf("queue item %s: %w", key, queue.ErrNoItem)
	}
	return it, err
}

// Act applies an action to the item of kind with key: an assignment, a note or a
// resolution (see Resolve).
func (q Queues) Act(ctx context.Context, kind queue.Kind, key string, a queue.Action) error {
	if a.Kind == queue.ActResolve {
		_, err := q.Resolve(ctx, kind, key, a)
		return err
	}
	it, err := q.Item(ctx, kind, key)
	if err != nil {
		return err
	}
	c, err := queue.Record(it, a, q.now())
	if err != nil {
		return err
	}
	return q.DB.ApplyQueueChange(ctx, it, c, a.Source)
}

// Resolve resolves the item of kind with key (see Pipeline.resolve).
func (q Queues) Resolve(ctx context.Context, kind queue.Kind, key string, a queue.Action) (*Resolution, error) {
	it, err := q.Item(ctx, kind, key)
	if err != nil {
		return nil, err
	}
	return q.resolve(ctx, it, a)
}

// Holds lists held sessions and claims the scrubber held as holds items, nearest
// timely-filing deadline first, each with the assignments and notes recorded on it.
func (p *Pipeline) Holds(ctx context.Context) ([]queue.Item, error) {
	ss, err := p.DB.Sessions(ctx, store.SessionFilter{State: store.StateHeld})
	if err != nil {
		return nil, fmt.Errorf("holds queue: %w", err)
	}
	out := []queue.Item{}
	for _, s := range ss {
		out = append(out, p.sessionHold(s))
	}
	// Ready sessions the scrub at intake holds, until the claims step builds their claim
	// (then the claim's hold is listed).
	if ss, err = p.DB.Sessions(ctx, store.SessionFilter{ScrubHeld: true}); err != nil {
		return nil, fmt.Errorf("holds queue: %w", err)
	}
	for _, s := range ss {
		if s.ClaimHold == nil {
			out = append(out, p.sessionHold(s))
		}
	}
	cs, err := p.DB.Claims(ctx, store.ClaimFilter{State: lifecycle.Held})
	if err != nil {
		return nil, fmt.Errorf("holds queue: %w", err)
	}
	for _, c := range cs {
		if slices.ContainsFunc(c.HoldRules, claims.MayBeConfig) {
			// The list leaves findings out; the few claims a configuration may hold are read
			// whole so that their item names the key to fix.
			if c, err = p.DB.Claim(ctx, c.ID); err != nil {
				return nil, fmt.Errorf("holds queue: %w", err)
			}
		}
		out = append(out, p.claimHold(c))
	}
	for i := range out {
		if err := p.holdThread(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	queue.SortByDue(out)
	return out, nil
}

func (p *Pipeline) sessionHold(s store.SessionRecord) queue.Item {
	if s.State == store.StateReady && s.ScrubHold.Held() {
		return queue.SessionScrubHold(queue.ScrubbedSession{HeldSession: queue.HeldSession{ID: s.ID, Payer: s.Payer, Code: s.Code,
			Date: s.Date, Charge: s.Session.Charge}, Rules: s.ScrubHold.Rules, ConfigKeys: s.ScrubHold.ConfigKeys,
			ConfigOnly: claims.ConfigOnly(s.ScrubHold.Findings)}, p.filingDays(s.Payer))
	}
	return queue.SessionHold(queue.HeldSession{ID: s.ID, Payer: s.Payer, Code: s.Code, Date: s.Date,
		Reason: s.HoldReason, Charge: s.Session.Charge}, p.filingDays(s.Payer))
}

func (p *Pipeline) claimHold(c store.ClaimRecord) queue.Item {
	return queue.ClaimHold(queue.HeldClaim{ID: c.ID, Payer: c.Payer, Date: c.Date, Rules: c.HoldRules,
		ConfigKeys: claims.ConfigKeys(c.Findings), ConfigOnly: claims.ConfigOnly(c.Findings), Total: c.Total}, p.filingDays(c.Payer))
}

// hold finds one hold by its key ("session-ID" or "claim-ID") without listing the queue: a
// biller acting on one of 40,000 held sessions reads that session, not all of them. The
// session or claim must still be held, or the hold is gone (queue.ErrNoItem).
func (p *Pipeline) hold(ctx context.Context, key string) (queue.Item, error) {
	var it queue.Item
	switch {
	case strings.HasPrefix(key, "session-"):
		s, err := p.DB.Session(ctx, strings.TrimPrefix(key, "session-"))
		scrubHeld := s.State == store.StateReady && s.ScrubHold.Held() && s.ClaimHold == nil
		if errors.Is(err, store.ErrNotFound) || (err == nil && s.State != store.StateHeld && !scrubHeld) {
			return it, fmt.Errorf("hold %s: %w", key, queue.ErrNoItem)
		} else if err != nil {
			return it, fmt.Errorf("hold %s: %w", key, err)
		}
		it = p.sessionHold(s)
	case strings.HasPrefix(key, "claim-"):
		c, err := p.DB.Claim(ctx, strings.TrimPrefix(key, "claim-"))
		if errors.Is(err, store.ErrNotFound) || (err == nil && c.State != lifecycle.Held) {
			return it, fmt.Errorf("hold %s: %w", key, queue.ErrNoItem)
		} else if err != nil {
			return it, fmt.Errorf("hold %s: %w", key, err)
		}
		it = p.claimHold(c)
	default:
		return it, fmt.Errorf("hold %s: %w", key, queue.ErrNoItem)
	}
	return it, p.holdThread(ctx, &it)
}

func (p *Pipeline) filingDays(payer string) int {
	if pc, ok := p.Cfg.Payer(payer); ok {
		return pc.TimelyFilingDays
	}
	return 0
}

// holdThread replays the queue actions recorded on the hold's session or claim.
func (p *Pipeline) holdThread(ctx context.Context, it *queue.Item) error {
	ent, id := it.Subject()
	evs, err := p.DB.Events(ctx, string(ent), id)
	if err != nil {
		return fmt.Errorf("holds queue: %s %s history: %w", ent, id, err)
	}
	for _, e := range evs {
		var d map[string]string
		if json.Unmarshal(e.Detail, &d) == nil {
			it.Replay(lifecycle.EventKind(e.Kind), e.At, d)
		}
	}
	return nil
}
