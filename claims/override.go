package claims

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Rule ids of the companion-guide check (CheckOverrides). They hold a claim like scrubber
// errors do, and show in the same findings list.
const (
	RuleOverride       = "payer.override"        // the claim breaks one of its payer's overrides
	RuleOverrideConfig = "payer.override.config" // the payer's overrides do not fit the 837P guide
	RuleGuide          = "837p.guide"            // the generated 837P fails X222A1 itself
	RuleWrite          = "837p.write"            // the claim cannot be written at all
)

// PayerOverrides converts a payer's companion-guide overrides from configuration to the
// form the x12 engine layers on a guide. An unknown usage letter is an error naming the
// override, since silently ignoring it would file claims the payer rejects.
func PayerOverrides(p *Payer) ([]x12.Override, error) {
	out := make([]x12.Override, 0, len(p.Overrides))
	for i, o := range p.Overrides {
		xo := x12.Override{Loop: o.Loop, Segment: strings.ToUpper(strings.TrimSpace(o.Segment)), Element: strings.ToUpper(strings.TrimSpace(o.Element)),
			RemoveCodes: o.RemoveCodes, OnlyCodes: o.OnlyCodes, Note: o.Note}
		if u := strings.ToUpper(strings.TrimSpace(o.Usage)); u != "" {
			var usage x12.Usage
			switch u {
			case "R":
				usage = x12.Required
			case "S":
				usage = x12.Situational
			case "N":
				usage = x12.NotUsed
			default:
				return nil, fmt.Errorf("payer %s override %d: usage %q is not R, S or N", p.ID, i+1, o.Usage)
			}
			xo.Usage = &usage
		}
		if xo.Segment == "" {
			return nil, fmt.Errorf("payer %s override %d: segment is required", p.ID, i+1)
		}
		out = append(out, xo)
	}
	return out, nil
}

// OverrideCheck validates claims the way their payer's companion guide reads the 837P:
// X222A1 with the payer's overrides layered on. The clearinghouse front-end edits of most
// payers are exactly these overrides, so a claim failing them would come back as a 999 or
// 277CA rejection days later; holding it now tells the biller why, in the payer's words
// (the override's note).
type OverrideCheck struct {
	Setup *Setup
	// Guides supplies X222A1 (guides.Registry); the claims package does not import the
	// guide tables so that it stays usable with a test guide.
	Guides x12.Guides
	Now    time.Time
}

// NeedsCheck reports whether the payer of c has companion-guide overrides.
func (k *OverrideCheck) NeedsCheck(c *Claim) bool {
	if k.Setup == nil {
		return false
	}
	p, ok := k.Setup.Payer(c.Payer)
	return ok && len(p.Overrides) > 0
}

// Check writes the claims whose payer has overrides into a throwaway 837P, one claim per
// transaction set so every finding belongs to exactly one claim, validates it with the
// payer's overrides, and returns the error findings per claim id. Claims of payers without
// overrides are not looked at. Control numbers come from a private in-memory sequence: the
// check spends none of the durable ones.
func (k *OverrideCheck) Check(ctx context.Context, list []*Claim) (map[string][]Finding, error) {
	out := map[string][]Finding{}
	byPayer := map[string][]*Claim{}
	var payers []string
	for _, c := range list {
		if !k.NeedsCheck(c) {
			continue
		}
		if _, ok := byPayer[c.Payer]; !ok {
			payers = append(payers, c.Payer)
		}
		byPayer[c.Payer] = append(byPayer[c.Payer], c)
	}
	for _, id := range payers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		payer, _ := k.Setup.Payer(id)
		if err := k.checkPayer(ctx, payer, byPayer[id], out); err != nil {
			return nil, fmt.Errorf("837P override check, payer %s: %w", id, err)
		}
	}
	return out, nil
}

func (k *OverrideCheck) checkPayer(ctx context.Context, payer *Payer, list []*Claim, out map[string][]Finding) error {
	ref := "payer " + payer.ID + " companion guide (overrides)"
	guide, ovs, err := k.payerGuide(payer)
	if err != nil {
		// A misconfigured override would otherwise be skipped silently by the parser and
		// the claims filed against rules nobody checked.
		for _, c := range list {
			out[c.ID] = append(out[c.ID], Finding{Rule: RuleOverrideConfig, Severity: SeverityError, ClaimID: c.ID, Reference: ref,
				Message: "The payer's companion-guide overrides in the configuration do not fit the 837P guide: " + err.Error()})
		}
		return nil
	}
	data, sets, err := k.write(ctx, list)
	if err != nil {
		var failed map[*Claim]error
		if data, sets, failed, err = k.writeEach(ctx, list); err != nil {
			return err
		}
		for _, c := range list {
			if werr, ok := failed[c]; ok {
				out[c.ID] = append(out[c.ID], Finding{Rule: RuleWrite, Severity: SeverityError, ClaimID: c.ID, Reference: "005010X222A1",
					Message: "The claim cannot be written as an 837P: " + werr.Error()})
			}
		}
		if len(sets) == 0 {
			return nil
		}
	}
	owner := map[string]string{} // ST02 -> claim id
	for _, s := range sets {
		if len(s.ClaimIDs) == 1 {
			owner[s.Control] = s.ClaimIDs[0]
		}
	}
	p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guide, NoTree: true, MaxErrors: 20})
	for {
		tx, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("validate: %w", err)
		}
		id, ok := owner[tx.Control]
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, e := range tx.Errors {
			if summary(e, tx.Errors) {
				continue
			}
			f := Finding{Severity: SeverityError, ClaimID: id}
			if n, o := matchOverride(ovs, e); o != nil {
				f.Rule = RuleOverride
				f.Reference = fmt.Sprintf("%s #%d %s %s %s", ref, n, o.Loop, o.Segment, o.Element)
				f.Message = fmt.Sprintf("%s (payer companion guide: 837P loop %s %s: %s)", orDefault(o.Note, "Payer companion-guide rule"),
					e.Loop, orDefault(e.Element, e.Segment), e.Message)
			} else {
				f.Rule = RuleGuide
				f.Reference = "005010X222A1"
				f.Message = fmt.Sprintf("The 837P written for this claim fails the implementation guide: loop %s %s: %s",
					e.Loop, orDefault(e.Element, e.Segment), e.Message)
			}
			if !seen[f.Message] {
				seen[f.Message] = true
				out[id] = append(out[id], f)
			}
		}
	}
	return nil
}

// payerGuide returns the guides with X222A1 replaced by its overridden copy. Overrides are
// applied strictly (x12.Guide.WithOverrides): one that names a loop, segment or element the
// guide does not have is a configuration error, not something to ignore.
func (k *OverrideCheck) payerGuide(payer *Payer) (x12.Guides, []x12.Override, error) {
	ovs, err := PayerOverrides(payer)
	if err != nil {
		return nil, nil, err
	}
	base := k.Guides.Lookup("837", Version837P)
	if base == nil {
		return nil, nil, fmt.Errorf("no %s guide", Version837P)
	}
	g, err := base.WithOverrides(ovs)
	if err != nil {
		return nil, nil, err
	}
	return overriddenGuides{k.Guides, g}, ovs, nil
}

// overriddenGuides answers 837P lookups with the payer's guide and everything else from
// the shared registry.
type overriddenGuides struct {
	base x12.Guides
	g    *x12.Guide
}

func (o overriddenGuides) Lookup(set, version string) *x12.Guide {
	if set == "837" && version == Version837P {
		return o.g
	}
	return o.base.Lookup(set, version)
}

// write writes list as a check file with one claim per transaction set.
func (k *OverrideCheck) write(ctx context.Context, list []*Claim) ([]byte, []SetInfo, error) {
	cfg := *k.Setup
	cfg.MaxClaimsPerSet = 1
	var buf bytes.Buffer
	ch := list[0].Clearinghouse
	if p, ok := k.Setup.Payer(list[0].Payer); ok {
		ch = p.Clearinghouse
	}
	res, err := Write837(ctx, &buf, list, FileOptions{Setup: &cfg, Clearinghouse: ch, Sequence: x12.NewMemorySequence(), Now: k.Now})
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), res.Sets, nil
}

// writeEach is the slow path when the batch cannot be written: it finds the claims that
// cannot be written alone and writes the rest.
func (k *OverrideCheck) writeEach(ctx context.Context, list []*Claim) ([]byte, []SetInfo, map[*Claim]error, error) {
	var ok []*Claim
	failed := map[*Claim]error{}
	for _, c := range list {
		if _, _, err := k.write(ctx, []*Claim{c}); err != nil {
			if ctx.Err() != nil {
				return nil, nil, nil, ctx.Err()
			}
			failed[c] = err
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) == 0 {
		return nil, nil, failed, nil
	}
	data, sets, err := k.write(ctx, ok)
	return data, sets, failed, err
}

// matchOverride returns the override (and its 1-based number) a validation error comes
// from: same segment and loop, and the same element when the override names one. The
// error's segment id carries no qualifier, so "REF*G1" matches any REF error of its loop;
// an override without a loop matches the segment in every loop.
func matchOverride(ovs []x12.Override, e x12.Error) (int, *x12.Override) {
	for i := range ovs {
		o := &ovs[i]
		seg, _, _ := strings.Cut(o.Segment, "*")
		if seg != e.Segment || (o.Loop != "" && o.Loop != e.Loop) {
			continue
		}
		if o.Element != "" && o.Element != e.Element && !strings.HasPrefix(e.Element, o.Element+"-") {
			continue
		}
		return i + 1, o
	}
	return 0, nil
}

// summary reports whether e only restates other findings of its set: the IK5 "segments in
// error" verdict and the IK3 "segment has data element errors" that heads IK4 findings.
// A biller needs the element, not its envelope.
func summary(e x12.Error, all []x12.Error) bool {
	switch {
	case e.Level == x12.LevelTransaction:
		return len(all) > 1
	case e.Level == x12.LevelSegment && e.Code == x12.IK3ElementErrors:
		for _, o := range all {
			if o.Level == x12.LevelElement && o.Position == e.Position {
				return true
			}
		}
	}
	return false
}
