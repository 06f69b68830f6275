package eligibility

import (
	"strconv"
	"time"

	"github.com/edigate/edigate/x12"
)

// Fact is one line of an answer in words: what ("Copay") and its value ("$25.00").
type Fact struct {
	What, Value string
	Bad         bool // a fact that stops or risks billing (inactive, auth required, a carve-out, a reject)
}

// Words says a 271 answer for a biller: coverage, network, copay, coinsurance, deductible
// and out-of-pocket left, visits left, authorization required, a carve-out and rejects.
// What the payer did not say is left out, not shown as zero. `eligibility parse` and the
// web session page both read this.
func Words(r Result) []Fact {
	var out []Fact
	add := func(what, value string, bad bool) { out = append(out, Fact{What: what, Value: value, Bad: bad}) }
	for _, rj := range r.Rejects {
		v := rj.Reason
		if rj.FollowUp != "" {
			v += "; " + rj.FollowUp
		}
		add("Rejected ("+rj.Code+")", v, !rj.Transient())
	}
	switch {
	case r.NoInformation:
		add("Coverage", "the payer gave no coverage information", true)
	case r.Active:
		add("Coverage", "active"+period(r.CoverageStart, r.CoverageEnd), false)
	case len(r.Rejects) == 0:
		add("Coverage", "not active"+period(r.CoverageStart, r.CoverageEnd), true)
	}
	if r.Plan != "" {
		add("Plan", r.Plan, false)
	}
	if r.InNetwork != nil {
		add("Network", map[bool]string{true: "in network", false: "out of network"}[*r.InNetwork], !*r.InNetwork)
	}
	if r.Copay != nil {
		add("Copay", Dollars(*r.Copay), false)
	}
	if r.CoinsurancePercent != nil {
		add("Coinsurance", *r.CoinsurancePercent+"%", false)
	}
	if r.DeductibleRemaining != nil {
		v := Dollars(*r.DeductibleRemaining) + " left"
		if r.Deductible != nil {
			v += " of " + Dollars(*r.Deductible)
		}
		add("Deductible", v, false)
	} else if r.Deductible != nil {
		add("Deductible", Dollars(*r.Deductible), false)
	}
	if r.OutOfPocketRemaining != nil {
		add("Out-of-pocket maximum", Dollars(*r.OutOfPocketRemaining)+" left", false)
	}
	switch {
	case r.VisitsRemaining != nil:
		v := strconv.Itoa(*r.VisitsRemaining) + " left"
		if r.VisitsLimit != nil {
			v += " of " + strconv.Itoa(*r.VisitsLimit)
		}
		add("Visits", v, *r.VisitsRemaining <= 0)
	case r.VisitsLimit != nil:
		add("Visits", "limit "+strconv.Itoa(*r.VisitsLimit), false)
	}
	if r.AuthRequired != nil {
		add("Prior authorization", map[bool]string{true: "required", false: "not required"}[*r.AuthRequired], *r.AuthRequired)
	}
	if c := r.CarveOut; c != nil {
		v := "bill " + c.Name
		if c.ID != "" {
			v += " (payer id " + c.ID + ")"
		}
		if c.Phone != "" {
			v += ", phone " + c.Phone
		}
		add("Behavioral health carve-out", v, true)
	}
	return out
}

// period says a coverage period from CCYYMMDD dates: " from Jan 1, 2026 to Dec 31, 2026".
func period(start, end string) string {
	var s string
	if d := civilDate(start); d != "" {
		s += " from " + d
	}
	if d := civilDate(end); d != "" {
		s += " to " + d
	}
	return s
}

func civilDate(v string) string {
	t, err := time.Parse("20060102", v)
	if err != nil {
		return ""
	}
	return t.Format("Jan 2, 2006")
}

// Dollars writes an amount as a biller reads it: "$1,234.50", "-$5.00".
func Dollars(a x12.Amount) string { return a.Dollars() }
