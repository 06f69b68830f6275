package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
)

// COBUpdates builds the corrections of filed secondary claims, then tertiary claims, whose
// earlier payer re-adjudicated after they were built (a reversal, CLP02 22, and the
// corrected CLP that stands now; see effectivePosting). When the standing adjudication
// differs from what the claim quotes in 2320 (AMT*D, the payer's claim number, claim and
// line CAS), the claim's payer gets:
//   - a replacement (frequency 7, REF*F8 its own claim number) quoting the adjudications as
//     they stand, when something is still due from it (secondaryDue, tertiaryDue);
//   - a void (frequency 8) when nothing is (now paid in full, or denied as a write-off).
//
// Either needs the payer's claim number from its 835 (CLP07): until that 835 is posted
// nothing is built and the wait is recorded once on the claim (lifecycle.COBUpdateWaiting).
// The correction's CLM01 is the family's next resubmission number, counted over filed
// members, so running this again rebuilds an unfiled correction under the same id, and
// once it is filed its quotes match and nothing more is built.
//
// Building writes nothing (claims build --dry-run and claims scrub use it): waits are
// returned, and RecordCOBWaits records them when the claims are stored.
func (p *Pipeline) COBUpdates(ctx context.Context, b *claims.Builder) ([]*claims.Claim, []COBWait, error) {
	var out []*claims.Claim
	var waits []COBWait
	for _, resp := range []string{claims.ResponsibilitySecondary, claims.ResponsibilityTertiary} {
		fams, err := p.DB.COBFamilies(ctx, resp)
		if err != nil {
			return nil, nil, err
		}
		for i := range fams {
			c, w := p.cobUpdate(b, &fams[i])
			if c != nil {
				out = append(out, c)
			}
			if w != nil {
				waits = append(waits, *w)
			}
		}
	}
	return out, waits, nil
}

// COBWait is a filed secondary or tertiary claim whose correction waits for its payer's 835.
type COBWait struct {
	Claim  *claims.Claim
	Action string // replacement or void
	Prior  string // the re-adjudicated earlier claim
	Reason string // for a biller
	detail map[string]string
}

// cobUpdate returns the correction one family needs, or what it waits for, or neither (see
// COBUpdates).
func (p *Pipeline) cobUpdate(b *claims.Builder, f *store.COBFamily) (*claims.Claim, *COBWait) {
	cur := &f.Claim
	if cur.Frequency == claims.FrequencyVoid || cur.Primary == nil {
		return nil, nil // voided already, or not a claim built from another payer's 835
	}
	post, ok := effectivePosting(f.PriorPostings)
	if !ok {
		// Reversed with no correction yet, or the standing CLP failed balancing: there is
		// no adjudication to quote, so wait for the next 835 rather than void.
		return nil, nil
	}
	from, ok := f.Prior[post.ClaimID]
	if !ok {
		return nil, nil
	}
	if !sameLines(&from, cur) {
		// The earlier payer adjudicated a claim with other lines (a replacement built from
		// changed sessions): correcting only 2320 would misquote it line by line.
		p.Log.Warn().Str("claim", cur.ID).Str("payer", cur.Payer).Str("prior_claim", from.ID).
			Msg("COB update not built: the re-adjudicated claim's lines differ")
		return nil, nil
	}
	priors := make([]claims.PriorPayerInfo, 0, len(from.PriorPayers())+1)
	for _, pp := range from.PriorPayers() {
		priors = append(priors, *pp)
	}
	priors = append(priors, p.priorPayer(&from, post))
	if sameQuotes(cur.PriorPayers(), priors) {
		return nil, nil
	}
	void := !dueOnward(post, processedAs(&from))
	pcn := ownPayerClaim(f.Postings)
	if pcn == "" {
		return nil, cobWait(cur, &from, post, void)
	}
	var nc *claims.Claim
	var err error
	if void {
		nc, err = b.Void(cur, pcn, f.Version)
	} else {
		nc, err = b.Readjudicated(cur, priors, pcn, f.Version)
	}
	if err != nil {
		// Ids only: the claims and the payer, no patient data.
		p.Log.Warn().Str("claim", cur.ID).Str("payer", cur.Payer).Str("prior_claim", from.ID).Err(err).Msg("COB update not built")
		return nil, nil
	}
	nc.PriorClaim = from.ID
	p.Log.Info().Str("claim", cur.ID).Str("payer", cur.Payer).Str("prior_claim", from.ID).Str("new_claim", nc.ID).
		Str("frequency", nc.Frequency).Msg("COB update built: the earlier payer re-adjudicated")
	return nc, nil
}

func cobWait(cur, from *claims.Claim, post store.PostedCLP, void bool) *COBWait {
	action := "replacement"
	if void {
		action = "void"
	}
	return &COBWait{Claim: cur, Action: action, Prior: from.ID,
		Reason: fmt.Sprintf("claim %s was re-adjudicated; waiting for %s's 835 (its claim number for REF*F8) to send a %s",
			from.ID, cur.Payer, action),
		detail: map[string]string{"action": action, "prior_claim": from.ID, "prior_payer_claim": post.PayerClaim,
			"prior_check": post.Check, "prior_status": post.Status}}
}

// processedAs is the CLP02 with which the payer of c processes it at its own level: 1 for
// a primary claim, 2 for a secondary (see secondaryDue, tertiaryDue).
func processedAs(c *claims.Claim) string {
	switch c.Responsibility() {
	case claims.ResponsibilitySecondary:
		return "2"
	case claims.ResponsibilityTertiary:
		return "3"
	}
	return "1"
}

// ownPayerClaim returns the payer's claim number (CLP07) of the latest CLP posted for a
// claim that is not a reversal, "" when its payer has not adjudicated it. A 277CA number
// is not enough: the payer may still be adjudicating under the old quotes.
func ownPayerClaim(ps []store.PostedCLP) string {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Status != "22" && ps[i].PayerClaim != "" {
			return ps[i].PayerClaim
		}
	}
	return ""
}

// RecordCOBWaits records each wait once per standing adjudication on its claim
// (lifecycle.COBUpdateWaiting; the detail carries ids and codes only).
func (p *Pipeline) RecordCOBWaits(ctx context.Context, waits []COBWait) error {
	for _, w := range waits {
		if err := p.recordCOBWait(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) recordCOBWait(ctx context.Context, w COBWait) error {
	cur := w.Claim
	evs, err := p.DB.Events(ctx, "claim", cur.ID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		var d map[string]string
		if e.Kind == lifecycle.COBUpdateWaiting && json.Unmarshal(e.Detail, &d) == nil && maps.Equal(d, w.detail) {
			return nil
		}
	}
	if err := p.DB.Batch(ctx, nil, func(b *store.Batch) error {
		return b.Event(lifecycle.EntityClaim, cur.ID, lifecycle.COBUpdateWaiting, "", w.detail)
	}); err != nil {
		return fmt.Errorf("claim %s: %w", cur.ID, err)
	}
	p.Log.Info().Str("claim", cur.ID).Str("payer", cur.Payer).Str("prior_claim", w.Prior).Str("action", w.Action).
		Msg("COB update waiting for the payer's 835 (claim number for REF*F8)")
	return nil
}

// sameLines reports whether two claims bill the same services line for line (code, charge,
// units); modifiers may differ, as each payer gets its own.
func sameLines(a, b *claims.Claim) bool {
	return slices.EqualFunc(a.Lines, b.Lines, func(x, y claims.ServiceLine) bool {
		return x.Code == y.Code && x.Charge == y.Charge && x.Units == y.Units
	})
}

// sameQuotes reports whether a claim's 2320 loops (quoted) carry the essentials of the
// adjudications that stand (want): per payer, AMT*D, the payer's claim number and the
// claim-level and line-level adjustments. Names, ids and dates are left out: a changed
// payer name in the configuration is no re-adjudication.
func sameQuotes(quoted []*claims.PriorPayerInfo, want []claims.PriorPayerInfo) bool {
	if len(quoted) != len(want) {
		return false
	}
	for i, q := range quoted {
		w := &want[i]
		if q.Paid != w.Paid || q.PayerControlNumber != w.PayerControlNumber || !sameAdjustments(q.Adjustments, w.Adjustments) {
			return false
		}
		if !slices.EqualFunc(q.Lines, w.Lines, func(x, y claims.PriorLine) bool {
			return x.Line == y.Line && x.Paid == y.Paid && sameAdjustments(x.Adjustments, y.Adjustments)
		}) {
			return false
		}
	}
	return true
}

// sameAdjustments compares two CAS lists in any order.
func sameAdjustments(a, b []claims.Adjustment) bool {
	if len(a) != len(b) {
		return false
	}
	order := func(x, y claims.Adjustment) int {
		return cmp.Or(cmp.Compare(x.Group, y.Group), cmp.Compare(x.Reason, y.Reason), cmp.Compare(x.Amount, y.Amount),
			cmp.Compare(x.Quantity, y.Quantity))
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, order)
	slices.SortFunc(b, order)
	return slices.Equal(a, b)
}
