package pipeline

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// SecondaryClaims builds the coordination-of-benefits claims now due: the secondary
// claims below, then the tertiary claims (TertiaryClaims); BuildClaims adds the
// replacements and voids of those whose earlier payer re-adjudicated (COBUpdates). For every filed primary
// claim whose 835 says the primary payer is done with it (paid less than the charge, or
// denied with patient responsibility left) and whose client has a secondary coverage on
// record, the same lines billed to the secondary payer with the primary's adjudication in
// 2320/2330A/2330B and, per line, 2430.
// A primary claim whose family already has a filed secondary claim yields nothing, so
// running this again builds nothing more.
func (p *Pipeline) SecondaryClaims(ctx context.Context, b *claims.Builder) ([]*claims.Claim, error) {
	out, err := p.onwardClaims(ctx, onward{next: "secondary", candidates: p.DB.SecondaryCandidates, due: secondaryDue,
		coverage: func(a *store.Adjudicated) (claims.Coverage, bool) { return secondaryCoverage(&a.Client, &a.Claim) },
		build:    b.Secondary, builder: b})
	if err != nil {
		return nil, err
	}
	tertiary, err := p.TertiaryClaims(ctx, b)
	if err != nil {
		return nil, err
	}
	return append(out, tertiary...), nil
}

// TertiaryClaims builds the tertiary claims now due: for every filed secondary claim whose
// 835 leaves a balance (tertiaryDue) and whose client has a tertiary coverage with a payer
// other than the primary's and the secondary's, the same lines billed to the tertiary
// payer (2000B SBR01 T) quoting both earlier payers, each in its own 2320 loop: the
// primary's adjudication as the secondary claim quoted it (SBR01 P) and the secondary's
// from its 835 (SBR01 S). A secondary claim whose family already has a filed tertiary
// claim yields nothing, and the tertiary claim's id depends only on its sessions and
// payer, so running this again never bills twice.
func (p *Pipeline) TertiaryClaims(ctx context.Context, b *claims.Builder) ([]*claims.Claim, error) {
	return p.onwardClaims(ctx, onward{next: "tertiary", candidates: p.DB.TertiaryCandidates, due: tertiaryDue,
		coverage: func(a *store.Adjudicated) (claims.Coverage, bool) {
			return tertiaryCoverage(&a.Client, a.Claim.Payer, a.PriorPayer)
		},
		build: b.Tertiary, builder: b})
}

// onward is one step of the coordination of benefits: from the filed claims of one payer
// level to the next payer's claims.
type onward struct {
	next       string // secondary or tertiary: the level built, for logs
	candidates func(context.Context) ([]store.Adjudicated, error)
	due        func(store.PostedCLP) bool // the adjudication leaves something for the next payer
	coverage   func(*store.Adjudicated) (claims.Coverage, bool)
	build      func(*claims.Claim, claims.Coverage, claims.PriorPayerInfo) (*claims.Claim, error)
	builder    *claims.Builder
}

// onwardClaims builds the next payer's claim for every candidate whose standing
// adjudication leaves a balance and whose client has that payer's coverage.
func (p *Pipeline) onwardClaims(ctx context.Context, o onward) ([]*claims.Claim, error) {
	cands, err := o.candidates(ctx)
	if err != nil {
		return nil, err
	}
	var out []*claims.Claim
	seen := map[string]bool{}
	for i := range cands {
		c := &cands[i]
		post, ok := effectivePosting(c.Postings)
		if !ok || !o.due(post) {
			continue
		}
		cov, ok := o.coverage(c)
		if !ok {
			continue
		}
		nc, err := o.build(&c.Claim, cov, p.priorPayer(&c.Claim, post))
		if err != nil {
			// Ids only: the claim and the payer, no patient data.
			p.Log.Warn().Str("claim", c.Claim.ID).Str("payer", cov.Payer).Err(err).Msg(o.next + " claim not built")
			continue
		}
		if seen[nc.ID] {
			continue // a replacement and its original both adjudicated: bill the sessions onward once
		}
		seen[nc.ID] = true
		nc.PriorClaim = c.Claim.ID
		o.builder.ApplyPayerModifiers(nc)
		out = append(out, nc)
	}
	return out, nil
}

// effectivePosting returns the CLP that stands for the primary payer's adjudication: the
// last one not undone by a later reversal (CLP02 22). A reversal cancels the latest
// standing posting; the corrected CLP that usually follows it then stands. ok is false
// when nothing stands, or when the standing CLP came in a payment that failed balancing
// (its amounts cannot be quoted to another payer).
func effectivePosting(ps []store.PostedCLP) (store.PostedCLP, bool) {
	var stack []store.PostedCLP
	for _, pc := range ps {
		if pc.Status == "22" {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		stack = append(stack, pc)
	}
	if len(stack) == 0 {
		return store.PostedCLP{}, false
	}
	last := stack[len(stack)-1]
	return last, last.Balanced
}

// secondaryDue reports whether the primary's adjudication leaves something for the
// secondary payer. CLP02 1 (processed as primary) with money paid or owed by the patient,
// or CLP02 4 (denied) with patient responsibility, go on; 19-21 mean the primary already
// forwarded (crossed over) the claim, a denial with no patient responsibility is a
// provider write-off or an appeal, not a balance another payer covers, and a claim paid in
// full (CLP04 = CLP03) leaves no balance at all.
func secondaryDue(pc store.PostedCLP) bool { return dueOnward(pc, "1") }

// tertiaryDue is secondaryDue for the secondary payer's adjudication of a secondary claim:
// CLP02 2 (processed as secondary) or 4 (denied) with the same conditions. A secondary
// payer answering 1 (processed as primary) disputes the order of benefits, which a
// tertiary claim would not settle; 20 means it forwarded the claim itself.
func tertiaryDue(pc store.PostedCLP) bool { return dueOnward(pc, "2") }

// dueOnward reports whether an adjudication with CLP02 processed (the payer's own level)
// or 4 leaves a balance for the next payer (see secondaryDue).
func dueOnward(pc store.PostedCLP, processed string) bool {
	if pc.Status != processed && pc.Status != "4" {
		return false
	}
	if pc.Charge > 0 && pc.Paid >= pc.Charge {
		return false // paid in full: nothing left for the next payer
	}
	if pc.Outcome != "denied" {
		return true
	}
	if pc.Patient > 0 {
		return true
	}
	for _, a := range pc.Adjustments {
		if a.Group == "PR" && a.Amount > 0 {
			return true
		}
	}
	return false
}

// secondaryCoverage picks the client's coverage marked secondary, with another payer than
// the primary claim's (a coverage naming the same payer twice is a data-entry slip, and
// billing a payer as its own secondary is always rejected).
func secondaryCoverage(cl *claims.Client, primary *claims.Claim) (claims.Coverage, bool) {
	for _, cov := range cl.Coverage {
		if strings.EqualFold(cov.Priority, "secondary") && cov.Payer != "" && cov.Payer != primary.Payer {
			cov.Priority = "secondary"
			if cov.Relationship == "" {
				cov.Relationship = "self"
			}
			return cov, true
		}
	}
	return claims.Coverage{}, false
}

// tertiaryCoverage picks the client's coverage marked tertiary, with a payer other than
// the secondary claim's and the primary claim's (see secondaryCoverage).
func tertiaryCoverage(cl *claims.Client, secondaryPayer, primaryPayer string) (claims.Coverage, bool) {
	for _, cov := range cl.Coverage {
		if strings.EqualFold(cov.Priority, "tertiary") && cov.Payer != "" && cov.Payer != secondaryPayer && cov.Payer != primaryPayer {
			cov.Priority = "tertiary"
			if cov.Relationship == "" {
				cov.Relationship = "self"
			}
			return cov, true
		}
	}
	return claims.Coverage{}, false
}

// priorPayer turns the posted CLP of claim c (a primary or a secondary claim) into what
// 2320/2330A/2330B/2430 of the next payer's claim carry; 2320 SBR01 is c's own level. The
// payer is named as configured (its 837P payer id is what the next payer knows it by),
// else as the 835 names itself. Line detail is quoted only when every 835 service line
// matches a line of the claim; otherwise all adjustments go to the claim level (2320 CAS),
// which keeps CLM02 - AMT*D = sum of CAS true for the next payer's balancing.
func (p *Pipeline) priorPayer(c *claims.Claim, pc store.PostedCLP) claims.PriorPayerInfo {
	info := claims.PriorPayerInfo{
		Responsibility:     c.Responsibility(),
		PayerName:          pc.PayerName,
		PayerID:            pc.Payer,
		Group:              c.Coverage.Group,
		Relationship:       c.Coverage.Relationship,
		PayerControlNumber: pc.PayerClaim,
		Paid:               pc.Paid,
		Adjudicated:        x12.ISODate(pc.Date),
	}
	if cfgPayer, ok := p.Cfg.Payer(c.Payer); ok {
		info.PayerName, info.PayerID = cfgPayer.Name, cfgPayer.PayerID
		info.FilingIndicator = cfgPayer.ClaimFilingIndicator
	}
	if info.FilingIndicator == "" {
		info.FilingIndicator = "CI"
	}
	sub := c.Client
	if c.Coverage.Subscriber != nil && c.Coverage.Relationship != "" && c.Coverage.Relationship != "self" {
		sub = *c.Coverage.Subscriber
	}
	sub.MemberID = c.Coverage.MemberID // 2330A NM109: the member id at the payer that adjudicated c
	info.Subscriber = sub

	lineOf, matched := matchLines(c, pc.Adjustments)
	lines := map[int]*claims.PriorLine{}
	for _, a := range pc.Adjustments {
		adj := claims.Adjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount}
		if a.Line == 0 || !matched {
			info.Adjustments = append(info.Adjustments, adj)
			continue
		}
		n := lineOf[a.Line]
		pl := lines[n]
		if pl == nil {
			pl = &claims.PriorLine{Line: n, Paid: c.Lines[n-1].Charge, Units: c.Lines[n-1].Units}
			lines[n] = pl
		}
		pl.Adjustments = append(pl.Adjustments, adj)
		pl.Paid -= a.Amount // 835 SVC balancing: SVC03 = SVC02 - sum of line CAS
	}
	if matched && len(lines) > 0 {
		// Every line the primary adjudicated is quoted, including lines paid in full
		// (no CAS), so SVD02 adds up to AMT*D.
		for n := 1; n <= len(c.Lines); n++ {
			if pl := lines[n]; pl != nil {
				info.Lines = append(info.Lines, *pl)
			} else {
				info.Lines = append(info.Lines, claims.PriorLine{Line: n, Paid: c.Lines[n-1].Charge, Units: c.Lines[n-1].Units})
			}
		}
		// 835 claim balancing: CLP04 = sum of SVC03 - claim-level CAS.
		var sum x12.Amount
		for _, l := range info.Lines {
			sum += l.Paid
		}
		for _, a := range info.Adjustments {
			sum -= a.Amount
		}
		if sum != pc.Paid {
			// Lines paid in full are not told apart from lines the 835 left out; when the
			// line totals do not give CLP04, quote the claim level only.
			info.Lines = nil
			info.Adjustments = info.Adjustments[:0]
			for _, a := range pc.Adjustments {
				info.Adjustments = append(info.Adjustments, claims.Adjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount})
			}
		}
	}
	return info
}

// matchLines maps the 835's service lines (1-based, as posted) to the claim's lines: the
// same position when the procedure code agrees, else the first unused line with that
// code. ok is false when some 835 line matches nothing.
func matchLines(c *claims.Claim, adj []store.PostedAdjustment) (map[int]int, bool) {
	codes := map[int]string{}
	for _, a := range adj {
		if a.Line > 0 {
			codes[a.Line] = a.Code
		}
	}
	nums := slices.Sorted(maps.Keys(codes))
	out := map[int]int{}
	used := map[int]bool{}
	for _, n := range nums {
		if code := codes[n]; n <= len(c.Lines) && (code == "" || c.Lines[n-1].Code == code) {
			out[n], used[n] = n, true
		}
	}
	for _, n := range nums {
		code := codes[n]
		if _, ok := out[n]; ok {
			continue
		}
		for i := range c.Lines {
			if !used[i+1] && c.Lines[i].Code == code {
				out[n], used[i+1] = i+1, true
				break
			}
		}
		if _, ok := out[n]; !ok {
			return nil, false
		}
	}
	return out, true
}
