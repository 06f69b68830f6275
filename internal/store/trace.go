package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
)

// ClaimTrace is where one claim of a trace stands: its state, the CLPs posted for it and
// its work items.
type ClaimTrace struct {
	ClaimID string          `json:"claim_id"`
	State   lifecycle.State `json:"state"`
	Remits  []RemitClaim    `json:"remittances"`
	Queue   []QueueItem     `json:"queue"`
}

// Trace is everything known about a claim or a session: one timeline and its claims.
type Trace struct {
	Events []Event      `json:"events"`
	Claims []ClaimTrace `json:"claims"`
}

// Trace gathers the history of a claim (CLM01), or of a session with every claim it was
// on and the authorization it used, merged into one timeline (lifecycle.Timeline). It is
// what `edigate trace` and the web session page show, so they show the same entries.
// ErrNotFound when nothing is known of id.
func (db *DB) Trace(ctx context.Context, id string) (Trace, error) {
	var t Trace
	var histories [][]Event
	claimIDs := []string{id}
	s, err := db.Session(ctx, id)
	switch {
	case err == nil:
		// A session's own history comes first-class, claims or not: a session on an
		// authorization hold has no claim yet and is exactly what a biller traces.
		evs, err := db.Events(ctx, string(lifecycle.EntitySession), id)
		if err != nil {
			return t, err
		}
		histories = append(histories, evs)
		if claimIDs, err = db.ClaimsForSession(ctx, id); err != nil {
			return t, err
		}
		if s.AuthNumber != "" {
			// The authorization's own history (renewals, alerts) explains holds and releases.
			evs, err := db.Events(ctx, string(lifecycle.EntityAuthorization), claims.AuthKey{Payer: s.Payer, Number: s.AuthNumber}.String())
			if err != nil {
				return t, err
			}
			histories = append(histories, evs)
		}
	case !errors.Is(err, ErrNotFound):
		return t, err
	}
	for _, cid := range claimIDs {
		evs, err := db.Events(ctx, string(lifecycle.EntityClaim), cid)
		if err != nil {
			return t, err
		}
		histories = append(histories, evs)
		ct := ClaimTrace{ClaimID: cid}
		if ct.State, _, err = db.ClaimState(ctx, cid); err != nil {
			return t, err
		}
		if ct.Remits, err = db.RemitClaims(ctx, cid); err != nil {
			return t, err
		}
		if ct.Queue, err = db.QueueItems(ctx, QueueFilter{ClaimID: cid}); err != nil {
			return t, err
		}
		if ct.State == "" && len(evs) == 0 && len(ct.Remits) == 0 && len(ct.Queue) == 0 {
			continue // not a claim: the id of a session without claims, or unknown
		}
		t.Claims = append(t.Claims, ct)
	}
	t.Events = lifecycle.Timeline(histories...)
	if len(t.Events) == 0 && len(t.Claims) == 0 {
		return t, fmt.Errorf("store: trace %s: %w", id, ErrNotFound)
	}
	return t, nil
}
