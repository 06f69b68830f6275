package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
)

// Resolution is a resolved queue item and, for a resubmission, the claim built for it.
type Resolution struct {
	Item      queue.Item `json:"item"`
	Claim     string     `json:"claim,omitempty"`     // CLM01 of the new claim
	Frequency string     `json:"frequency,omitempty"` // 7 replacement, 1 corrected original
	State     string     `json:"state,omitempty"`     // built, or held by the scrubber
	Replaces  string     `json:"replaces,omitempty"`  // REF*F8 of a replacement
	Findings  []string   `json:"findings,omitempty"`  // the scrubber's error findings (they hold it)
	Warnings  []string   `json:"warnings,omitempty"`
	// Changes are the biller's corrections the claim went out with.
	Changes []claims.FieldChange `json:"changes,omitempty"`
}

// ResolveQueueItem resolves the stored item id with an outcome, by the engine (tests and
// jobs); billers go through Queues.
func (p *Pipeline) ResolveQueueItem(ctx context.Context, id int64, outcome queue.Outcome, note string) (*Resolution, error) {
	return Queues{p}.Resolve(ctx, "", strconv.FormatInt(id, 10), queue.Action{Kind: queue.ActResolve, Who: queue.Engine,
		Outcome: outcome, Text: note})
}

// resolve plans the resolution (queue.Resolve) and stores it. A rejection or denial
// resolved as resubmitted gets its corrected claim built through the claims package first
// and stored (built, or held by the scrubber) together with the resolution, so the normal
// FileClaims step files it: a claim the payer adjudicated gets a replacement (frequency 7,
// REF*F8 = the payer's claim number); a claim rejected before adjudication (277CA
// A3/A6/A7/A8, 999 or TA1) gets a corrected original under a new CLM01 of the same family,
// since the payer has nothing to replace. The claim is built from the sessions as they are
// now, so a correction made at the source (a re-sent session) is what goes out.
func (p *Pipeline) resolve(ctx context.Context, it queue.Item, a queue.Action) (*Resolution, error) {
	return p.resolveCorrected(ctx, it, a, nil)
}

// resolveCorrected is resolve with a biller's correction (nil: none): its overrides are
// applied to the sessions the corrected claim is built from and stored with the
// resolution, and each change is recorded on the claim (who, field, old -> new). A
// rejection resubmitted with nothing changed is refused (remit.CheckResubmit).
func (p *Pipeline) resolveCorrected(ctx context.Context, it queue.Item, a queue.Action, corr *claims.Correction) (*Resolution, error) {
	plan, err := queue.Resolve(it, a.Outcome, a.Text, a.Who, p.now(), queue.Deadlines{})
	if err != nil {
		return nil, err
	}
	out := &Resolution{}
	var resub *resubmissionPlan
	if plan.Resubmit {
		if resub, err = p.resubmission(ctx, it, a.Who, corr); err != nil {
			return nil, fmt.Errorf("queue item %d: %w", it.ID, err)
		}
		nc := resub.Claim
		for _, ch := range resub.changes {
			d := map[string]any{"who": a.Who, "field": string(ch.Field), "old": ch.Old, "new": ch.New, "change": ch.Words(), "queue_item": it.ID}
			if ch.Line > 0 {
				d["line"] = ch.Line
			}
			plan.Events = append(plan.Events, queue.Event{Entity: lifecycle.EntityClaim, ID: it.ClaimID, Kind: lifecycle.FieldCorrected, Detail: d})
		}
		out.Changes = resub.changes
		plan.Events = append(plan.Events, queue.Event{Entity: lifecycle.EntityClaim, ID: it.ClaimID, Kind: lifecycle.ResubmittedAs,
			Detail: map[string]any{"claim": nc.ID, "frequency": nc.Frequency, "queue_item": it.ID}})
		out.Claim, out.Frequency, out.Replaces = nc.ID, nc.Frequency, nc.PayerControlNumber
		for _, f := range resub.Result.Findings {
			if f.Severity == claims.SeverityError {
				out.Findings = append(out.Findings, f.Rule+": "+f.Message)
			} else {
				out.Warnings = append(out.Warnings, f.Rule+": "+f.Message)
			}
		}
	}
	var sr *store.Resubmission
	if resub != nil {
		sr = &resub.Resubmission
	}
	if out.State, err = p.DB.ApplyResolution(ctx, plan, a.Source, sr); err != nil {
		return nil, err
	}
	if out.Item, err = p.DB.QueueItem(ctx, it.ID); err != nil {
		return nil, err
	}
	if resub != nil {
		p.Log.Info().Int64("queue_item", it.ID).Str("claim", out.Claim).Str("frequency", out.Frequency).Str("state", out.State).Msg("corrected claim built")
	}
	return out, nil
}

// resubmissionPlan is the corrected claim and the biller's changes it carries.
type resubmissionPlan struct {
	store.Resubmission
	changes []claims.FieldChange
}

// resubmission builds and scrubs the corrected claim of the item's claim, with the
// biller's correction (nil: the sessions as they are, earlier corrections included).
func (p *Pipeline) resubmission(ctx context.Context, it queue.Item, who string, corr *claims.Correction) (*resubmissionPlan, error) {
	rs, err := p.DB.ClaimForResubmission(ctx, it.ClaimID)
	if err != nil {
		return nil, err
	}
	out := &resubmissionPlan{}
	if corr != nil {
		cp, err := claims.PlanCorrection(&rs.Claim, rs.Sessions, rs.Practice, *corr, who, p.now())
		if err != nil {
			return nil, err
		}
		rs.Sessions = cp.Sessions
		out.Overrides, out.Updated, out.changes = cp.Overrides, rs.Updated, cp.Changes
	}
	nc, err := p.correctedClaim(it, &rs)
	if err != nil {
		return nil, err
	}
	if err := remit.CheckResubmit(it, &rs.Claim, nc); err != nil {
		return nil, err
	}
	auths, err := p.DB.AuthUsesNumbered(ctx, claims.AuthNumbers([]*claims.Claim{nc}))
	if err != nil {
		return nil, err
	}
	for i := range auths {
		// The sessions hold their units already; the new claim re-uses them.
		auths[i].Used = max(auths[i].Used-rs.Taken[auths[i].Key().String()], 0)
	}
	res := (&claims.Scrubber{Setup: p.Cfg.ClaimsSetup(), Auths: auths, Today: p.now()}).Scrub([]*claims.Claim{nc})[0]
	// Filing an original does not move sessions from the rejected claim; the resolution
	// does. Sessions stay on their primary claim: a corrected secondary or tertiary claim
	// does not take them (a later change to a session replaces the primary claim).
	adopt := nc.Frequency == claims.FrequencyOriginal && nc.Primary == nil
	out.Claim, out.Result, out.Adopt = nc, res, adopt
	return out, nil
}

// correctedClaim builds the claim that resubmits the item's claim (see ResolveQueueItem).
func (p *Pipeline) correctedClaim(it queue.Item, rs *store.ClaimResubmission) (*claims.Claim, error) {
	if len(rs.Sessions) == 0 {
		return nil, fmt.Errorf("claim %s: every session was voided; nothing to resubmit", it.ClaimID)
	}
	b := &claims.Builder{Setup: p.Cfg.ClaimsSetup()}
	neverAdjudicated := it.Kind == store.QueueRejections || rs.State == lifecycle.Rejected || rs.State == lifecycle.FileRejected
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
