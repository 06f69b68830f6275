package config

import (
	"fmt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// The domain packages read no configuration: each declares the options it needs, and the
// mappings below are the one place that fills them from the YAML. A key a domain package
// should see is added to its type and here; TestDomainMappingsCarryEveryField fails when
// a field is left out.

// ClaimsSetup maps the practices, payers and clearinghouses into what claims reads.
func (c *Config) ClaimsSetup() *claims.Setup {
	s := &claims.Setup{
		GroupSameDay:    c.Claims.GroupSameDay,
		MaxClaimsPerSet: c.Claims.MaxClaimsPerSet,
		Practices:       make([]claims.Practice, len(c.Practices)),
		Payers:          c.ClaimsPayers(),
		Clearinghouses:  make([]claims.Clearinghouse, len(c.Clearinghouses)),
	}
	for i, p := range c.Practices {
		s.Practices[i] = claims.Practice{ID: p.ID, Name: p.Name, NPI: p.NPI, TaxID: p.TaxID, Taxonomy: p.Taxonomy,
			Address: claims.Address(p.Address), ContactName: p.ContactName, ContactPhone: p.ContactPhone,
			Providers: make([]claims.Provider, len(p.Providers))}
		for j, pv := range p.Providers {
			s.Practices[i].Providers[j] = claims.Provider(pv)
		}
	}
	for i, ch := range c.Clearinghouses {
		s.Clearinghouses[i] = claims.Clearinghouse{ID: ch.ID, ISA: ch.ISA.Outbound(),
			Submitter: claims.Submitter(ch.Submitter), Receiver: claims.Receiver(ch.Receiver)}
	}
	return s
}

// ClaimsPayers maps the payers into what claims reads (authorization rules among them).
func (c *Config) ClaimsPayers() []claims.Payer {
	out := make([]claims.Payer, len(c.Payers))
	for i, p := range c.Payers {
		out[i] = claims.Payer{ID: p.ID, Name: p.Name, PayerID: p.PayerID, Clearinghouse: p.Clearinghouse,
			ClaimFilingIndicator: p.ClaimFilingIndicator, BillingTaxonomy: p.BillingTaxonomy,
			AuthRequiredCodes: p.AuthRequiredCodes, AuthAlerts: claims.AuthThresholds(p.AuthAlerts),
			CredentialModifiers: p.CredentialModifiers, SupervisingRequiredFor: p.SupervisingRequiredFor,
			Telehealth: claims.Telehealth(p.Telehealth), TimelyFilingDays: p.TimelyFilingDays,
			TimelyFilingWarnDays: p.TimelyFilingWarnDays, Enrollment: make([]claims.Enrollment, len(p.Enrollment)),
			EnrollmentUnlisted: claims.EnrollmentUnlisted(p.EnrollmentUnlisted),
			CarveOutPayerID:    p.CarveOutPayerID, Overrides: make([]claims.GuideOverride, len(p.Overrides)),
			FeeSchedule: c.Payers[i].Fees(fmt.Sprintf("payers[%d]", i))}
		for j, e := range p.Enrollment {
			out[i].Enrollment[j] = claims.Enrollment(e)
		}
		for j, o := range p.Overrides {
			out[i].Overrides[j] = claims.GuideOverride(o)
		}
	}
	return out
}

// RemitPayers maps the payers into what the 835 denial classifier reads.
func (c *Config) RemitPayers() []remit.PayerOptions {
	out := make([]remit.PayerOptions, len(c.Payers))
	for i, p := range c.Payers {
		out[i] = remit.PayerOptions{ID: p.ID, PayerID: p.PayerID, AppealDays: p.AppealDays, DenialMap: p.DenialMap,
			FeeSchedule: c.Payers[i].Fees(fmt.Sprintf("payers[%d]", i))}
	}
	return out
}

// Outbound is the interchange addressing of an outbound file (the write time is the caller's).
func (i ISA) Outbound() x12.Outbound {
	return x12.Outbound{SenderQual: i.SenderQual, SenderID: i.SenderID, ReceiverQual: i.ReceiverQual,
		ReceiverID: i.ReceiverID, GSSender: i.GSSender, GSReceiver: i.GSReceiver, Usage: i.Usage}
}
