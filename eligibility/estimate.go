package eligibility

import (
	"fmt"
	"math/big"

	"github.com/edigate/edigate/x12"
)

// Estimate is what the client is expected to owe for a session, with the rule used, so a
// biller can explain it at the front desk. It is an estimate on the practice's charge; the
// payer's allowed amount (known only from the 835) is usually lower.
type Estimate struct {
	Charge      x12.Amount `json:"charge"`
	PatientOwes x12.Amount `json:"patient_owes"`
	Rule        string     `json:"rule"`
}

// EstimateResponsibility applies, in order: no active coverage (all of it), a copay (the
// copay, deductible and coinsurance assumed waived as most plans do for office visits),
// else the remaining deductible then coinsurance on the rest, capped by the remaining
// out-of-pocket maximum.
func EstimateResponsibility(r Result, charge x12.Amount) Estimate {
	e := Estimate{Charge: charge}
	switch {
	case !r.Active:
		e.PatientOwes = charge
		e.Rule = "no active coverage: the client owes the full charge unless other coverage applies"
	case r.Copay != nil:
		e.PatientOwes = min(*r.Copay, charge)
		e.Rule = fmt.Sprintf("copay %s per visit (deductible and coinsurance assumed waived for copay visits)", r.Copay)
	default:
		var ded x12.Amount
		if r.DeductibleRemaining != nil {
			ded = min(*r.DeductibleRemaining, charge)
		}
		rest := charge - ded
		var coins x12.Amount
		pct := "0"
		if r.CoinsurancePercent != nil {
			pct = *r.CoinsurancePercent
			coins = percentOf(rest, pct)
		}
		e.PatientOwes = ded + coins
		e.Rule = fmt.Sprintf("deductible %s of %s remaining, then %s%% coinsurance on %s", ded, orZero(r.DeductibleRemaining), pct, rest)
		if r.OutOfPocketRemaining != nil && e.PatientOwes > *r.OutOfPocketRemaining {
			e.PatientOwes = *r.OutOfPocketRemaining
			e.Rule += fmt.Sprintf(", capped by the remaining out-of-pocket maximum %s", r.OutOfPocketRemaining)
		}
	}
	return e
}

func orZero(a *x12.Amount) x12.Amount {
	if a == nil {
		return 0
	}
	return *a
}

// percentOf computes pct percent of a, rounding half up to the cent, in exact arithmetic.
func percentOf(a x12.Amount, pct string) x12.Amount {
	p, ok := new(big.Rat).SetString(pct)
	if !ok {
		return 0
	}
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(a)), p)
	v.Quo(v, big.NewRat(100, 1))
	// round half up: floor(v + 1/2)
	v.Add(v, big.NewRat(1, 2))
	q := new(big.Int).Quo(v.Num(), v.Denom())
	return x12.Amount(q.Int64())
}
