package pipeline

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// deadlines are the payers' rules response plans give their work items deadlines by.
func (p *Pipeline) deadlines() remit.Deadlines {
	d := remit.Deadlines{TimelyFilingDays: map[string]int{}}
	for _, py := range p.Cfg.Payers {
		d.TimelyFilingDays[py.ID] = py.TimelyFilingDays
	}
	return d
}

// ResponseHandlers are the handlers ProcessResponses uses for every kind of response.
func (p *Pipeline) ResponseHandlers() map[string]Handler {
	apply := func(ctx context.Context, name string, r io.ReadSeeker) error {
		_, _, err := p.ApplyResponseFrom(ctx, name, r)
		return err
	}
	return map[string]Handler{
		KindTA1: apply, Kind999: apply, Kind277CA: apply, Kind277: apply, Kind835: apply,
		Kind271: func(ctx context.Context, name string, r io.ReadSeeker) error {
			_, err := p.Apply271(ctx, name, r)
			return err
		},
	}
}

// AppealLetter gathers a claim's denial, remittance, authorization and submission proof.
func (p *Pipeline) AppealLetter(ctx context.Context, id string) (*remit.Letter, error) {
	rec, err := p.DB.Claim(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", id, err)
	}
	den, err := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueDenials, ClaimID: id})
	if err != nil {
		return nil, err
	}
	if len(den) == 0 {
		return nil, fmt.Errorf("claim %s has no denial to appeal", id)
	}
	rcs, err := p.DB.RemitClaims(ctx, id)
	if err != nil || len(rcs) == 0 {
		return nil, fmt.Errorf("claim %s: no posted remittance (%v)", id, err)
	}
	last := rcs[len(rcs)-1]
	c := rec.Claim
	l := &remit.Letter{Date: p.now().Format(time.DateOnly),
		Member: remit.LetterMember{Name: strings.TrimSpace(c.Client.FirstName + " " + c.Client.LastName), ID: c.Coverage.MemberID},
		Claim:  remit.LetterClaim{ID: id, PayerClaim: last.PayerClaim, ServiceDate: c.Date, Charge: last.Charge, Paid: last.Paid},
		Denial: remit.LetterDenial{Category: den[0].Category, RemitDate: x12.ISODate(last.Date), Check: last.Check, Due: den[0].Due}}
	for _, d := range den {
		group, reason, _ := strings.Cut(d.Reason, "-")
		item := remit.Denial{Line: d.Line, Group: group, Reason: reason, Words: d.Message, Amount: d.Amount, Category: d.Category}
		// The payer reads the denied service by its code; a claim-level adjustment of a
		// one-line claim is about that line's service too.
		switch {
		case d.Line > 0 && d.Line <= len(c.Lines):
			item.Procedure = c.Lines[d.Line-1].Code
		case d.Line == 0 && len(c.Lines) == 1:
			item.Procedure = c.Lines[0].Code
		}
		l.Denial.Items = append(l.Denial.Items, item)
	}
	for _, p := range p.Cfg.Practices {
		if p.ID == c.Practice {
			l.Practice = remit.LetterPractice{Name: p.Name, NPI: p.NPI, TaxID: p.TaxID, Contact: p.ContactName, Phone: letterPhone(p.ContactPhone),
				Address: strings.TrimSpace(fmt.Sprintf("%s, %s %s %s", p.Address.Line1, p.Address.City, p.Address.State, letterZip(p.Address.Zip)))}
		}
	}
	for _, p := range p.Cfg.Payers {
		if p.ID == c.Payer {
			l.Payer = remit.LetterPayer{ID: p.ID, Name: p.Name}
		}
	}
	if c.Authorization != "" {
		auths, err := p.DB.Authorizations(ctx)
		if err != nil {
			return nil, err
		}
		for _, au := range auths {
			if au.Number == c.Authorization && au.Payer == c.Payer {
				l.Authorization = remit.LetterAuthorization{Number: au.Number, Start: au.Start, End: au.End, Units: au.Units}
			}
		}
	}
	evs, err := p.DB.Events(ctx, "claim", id)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		switch e.Kind {
		case lifecycle.Filed.Event():
			l.Proof = append(l.Proof, fmt.Sprintf("Submitted %s in file %s.", e.At[:10], e.SourceFile))
		case lifecycle.FileAccepted.Event():
			l.Proof = append(l.Proof, fmt.Sprintf("999 accepted %s (%s).", e.At[:10], e.SourceFile))
		case lifecycle.Accepted.Event():
			l.Proof = append(l.Proof, fmt.Sprintf("277CA accepted %s (%s).", e.At[:10], e.SourceFile))
		}
	}
	l.Enclosures = remit.DefaultEnclosures(l.Denial.Category, l.Authorization.Number != "", l.Proof)
	return l, nil
}
