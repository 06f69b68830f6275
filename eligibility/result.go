// Package eligibility builds 270 eligibility inquiries (005010X279A1) from sessions and maps
// 271 responses into what a biller needs per session: covered or not, in network, prior
// authorization required, copay, coinsurance, deductible, out-of-pocket, visit limits, a
// behavioral-health carve-out, rejects in words, and an estimate of what the client owes.
package eligibility

import (
	"github.com/edigate/edigate/x12"
)

// Result is one subscriber's or dependent's answer in a 271 (2000C or 2000D), or a reject of
// the whole request at payer (2000A) or provider (2000B) level.
type Result struct {
	Trace    string `json:"trace"`     // the 270's TRN02, echoed in the 271's TRN*2
	Level    string `json:"level"`     // subscriber, dependent, payer or provider
	MemberID string `json:"member_id"` // 2100C NM109
	PayerID  string `json:"payer_id,omitempty"`
	Active   bool   `json:"active"`
	// NoInformation: the payer answered this member with neither benefits nor a reject, so
	// the answer says nothing about coverage (not the same as inactive).
	NoInformation        bool        `json:"no_information,omitempty"`
	InNetwork            *bool       `json:"in_network"`
	AuthRequired         *bool       `json:"auth_required"`
	Copay                *x12.Amount `json:"copay"`
	CoinsurancePercent   *string     `json:"coinsurance_percent"`
	Deductible           *x12.Amount `json:"deductible"`
	DeductibleRemaining  *x12.Amount `json:"deductible_remaining"`
	OutOfPocket          *x12.Amount `json:"out_of_pocket"`
	OutOfPocketRemaining *x12.Amount `json:"out_of_pocket_remaining"`
	VisitsRemaining      *int        `json:"visits_remaining"`
	VisitsUsed           *int        `json:"visits_used"`
	VisitsLimit          *int        `json:"visits_limit"`
	Plan                 string      `json:"plan,omitempty"`
	Group                string      `json:"group,omitempty"`
	CoverageStart        string      `json:"coverage_start,omitempty"` // CCYYMMDD (DTP*346 / 356)
	CoverageEnd          string      `json:"coverage_end,omitempty"`   // DTP*347 / 357
	ServiceType          string      `json:"service_type,omitempty"`   // the service type the summary came from
	CarveOut             *Entity     `json:"carve_out"`
	Messages             []string    `json:"messages,omitempty"`
	Rejects              []Reject    `json:"rejects"`
	Benefits             []Benefit   `json:"benefits"`
}

// Reject is an AAA request validation.
type Reject struct {
	Level    string `json:"level"` // payer, provider, subscriber, dependent, benefit
	Valid    string `json:"valid"` // AAA01: Y the request was valid, N it was not
	Code     string `json:"code"`  // AAA03
	Reason   string `json:"reason"`
	FollowUp string `json:"follow_up"` // AAA04 in words
	Action   string `json:"action"`    // AAA04 code
}

// Transient reports whether the reject says "ask again later" rather than "this is wrong".
func (r Reject) Transient() bool { return r.Code == "42" || r.Code == "80" }

// Benefit is one EB segment with what hangs off it (HSD, DTP, MSG, 2120 entities).
type Benefit struct {
	Info         string      `json:"info"` // EB01
	InfoText     string      `json:"info_text"`
	Coverage     string      `json:"coverage,omitempty"`      // EB02: IND, FAM...
	ServiceTypes []string    `json:"service_types,omitempty"` // EB03 (repeats)
	Insurance    string      `json:"insurance_type,omitempty"`
	Plan         string      `json:"plan,omitempty"`        // EB05
	TimePeriod   string      `json:"time_period,omitempty"` // EB06: 23 calendar year, 29 remaining, 27 visit...
	Amount       *x12.Amount `json:"amount,omitempty"`      // EB07
	Percent      string      `json:"percent,omitempty"`     // EB08 as a percent ("20")
	QuantityQual string      `json:"quantity_qualifier,omitempty"`
	Quantity     string      `json:"quantity,omitempty"`
	AuthRequired *bool       `json:"auth_required,omitempty"` // EB11
	InNetwork    *bool       `json:"in_network,omitempty"`    // EB12 (W = both: nil)
	Dates        []string    `json:"dates,omitempty"`         // DTP qualifier:value
	Messages     []string    `json:"messages,omitempty"`
	Entities     []Entity    `json:"entities,omitempty"` // 2120
}

// Entity is a 2120 benefit-related entity (for a carve-out: the organization to bill).
type Entity struct {
	Code       string `json:"code"` // NM101, e.g. PR payer, Y2 managed care organization
	Name       string `json:"name"`
	IDQual     string `json:"id_qualifier,omitempty"`
	ID         string `json:"id,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ForBenefit string `json:"for_service_types,omitempty"`
}
