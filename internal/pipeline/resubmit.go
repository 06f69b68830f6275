package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/remit"
)

// Resolution is a resolved queue item and, for a resubmission, the claim built for it.
type Resolution struct {
	Item      store.QueueItem `json:"item"`
	Claim     string          `json:"claim,omitempty"`     // CLM01 of the new claim
	Frequency string          `json:"frequency,omitempty"` // 7 replacement, 1 corrected original
	State     string          `json:"state,omitempty"`     // built, or held by the scrubber
	Replaces  string          `json:"replaces,omitempty"`  // REF*F8 of a replacement
	Findings  []string        `json:"findings,omitempty"`  // the scrubber's error findings (they hold it)
	Warnings  []string        `json:"warnings,omitempty"`
}

// ResolveQueueItem resolves a queue item with an outcome. Resolving a rejection or denial
// as resubmitted builds the corrected claim through the claims package and stores it
// (built, or held by the scrubber) in the same transaction, so the normal FileClaims step
// files it: a claim the payer adjudicated gets a replacement (frequency 7, REF*F8 = the
// payer's claim number); a claim rejected before adjudication (277CA A3/A6/A7/A8, 999 or
// TA1) gets a corrected original under a new CLM01 of the same family, since the payer has
// nothing to replace. The claim is built from the sessions as they are now, so a
// correction made at the source (a re-sent session) is what goes out.
func (p *Pipeline) ResolveQueueItem(ctx context.Context, id int64, outcome, note string) (*Resolution, error) {
	it, err := p.DB.QueueItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if outcome != store.OutcomeResubmitted || it.ClaimID == "" || (it.Kind != store.QueueRejections && it.Kind != store.QueueDenials) {
		it, err := p.DB.ResolveQueueItem(ctx, id, outcome, note)
		if err != nil {
			return nil, err
		}
		return &Resolution{Item: it}, nil
	}
	if it.State == store.QueueResolved {
		return nil, fmt.Errorf("queue item %d is already resolved (%s)", id, it.Outcome)
	}
	rs, err := p.DB.ClaimForResubmission(ctx, it.ClaimID)
	if err != nil {
		return nil, err
	}
	nc, err := p.correctedClaim(it, &rs)
	if err != nil {
		return nil, fmt.Errorf("queue item %d: %w", id, err)
	}
	auths, err := p.DB.AuthUses(ctx)
	if err != nil {
		return nil, err
	}
	for i := range auths {
		// The sessions hold their units already; the new claim re-uses them.
		auths[i].Used = max(auths[i].Used-rs.Taken[auths[i].Payer+"/"+auths[i].Number], 0)
	}
	res := (&claims.Scrubber{Setup: p.Cfg.ClaimsSetup(), Auths: auths, Today: p.now()}).Scrub([]*claims.Claim{nc})[0]
	var state string
	resolved, err := p.DB.ResolveQueueItemWith(ctx, id, outcome, note, func(b *store.Batch, it store.QueueItem) error {
		st, err := b.PutClaim(nc, res)
		if err != nil {
			return err
		}
		state = st
		if err := b.Event("claim", it.ClaimID, "resubmitted_as", "", map[string]any{"claim": nc.ID, "frequency": nc.Frequency,
			"queue_item": it.ID}); err != nil {
			return err
		}
		if nc.Frequency == claims.FrequencyOriginal && nc.Primary == nil {
			// Filing an original does not move sessions from the rejected claim; do it now.
			// Sessions stay on their primary claim: a corrected secondary or tertiary claim
			// does not take them (a later change to a session replaces the primary claim).
			return b.AdoptSessions(nc.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &Resolution{Item: resolved, Claim: nc.ID, Frequency: nc.Frequency, State: state, Replaces: nc.PayerControlNumber}
	for _, f := range res.Findings {
		if f.Severity == claims.SeverityError {
			out.Findings = append(out.Findings, f.Rule+": "+f.Message)
		} else {
			out.Warnings = append(out.Warnings, f.Rule+": "+f.Message)
		}
	}
	p.Log.Info().Int64("queue_item", id).Str("claim", nc.ID).Str("frequency", nc.Frequency).Str("state", state).Msg("corrected claim built")
	return out, nil
}

// correctedClaim builds the claim that resubmits the item's claim (see ResolveQueueItem).
func (p *Pipeline) correctedClaim(it store.QueueItem, rs *store.ClaimResubmission) (*claims.Claim, error) {
	if len(rs.Sessions) == 0 {
		return nil, fmt.Errorf("claim %s: every session was voided; nothing to resubmit", it.ClaimID)
	}
	b := &claims.Builder{Setup: p.Cfg.ClaimsSetup()}
	neverAdjudicated := it.Kind == store.QueueRejections || rs.State == remit.StateRejected || rs.State == remit.StateFileRejected
	switch {
	case !neverAdjudicated:
		if rs.PayerClaim == "" {
			return nil, fmt.Errorf("claim %s: no payer claim number (835 CLP07) for the replacement's REF*F8", it.ClaimID)
		}
		return b.Replacement(&rs.Claim, rs.Sessions, rs.PayerClaim, rs.Version)
	case rs.Claim.Frequency == claims.FrequencyReplacement:
		// A rejected replacement is sent again as a replacement of the same payer claim.
		return b.Replacement(&rs.Claim, rs.Sessions, rs.Claim.PayerControlNumber, rs.Version)
	}
	built := b.Claims(rs.Sessions)
	if len(built) != 1 {
		return nil, fmt.Errorf("claim %s: its sessions now make %d claims, want 1", it.ClaimID, len(built))
	}
	c := built[0]
	// A new CLM01 in the same family: the payer and the clearinghouse saw the rejected one,
	// and responses to the two must not mix.
	c.ID = claims.ControlBase(it.ClaimID) + "C" + strconv.Itoa(max(rs.Originals, 1)%100)
	c.SamePayerAs(&rs.Claim)
	return c, nil
}
