package claims

import (
	"slices"

	"github.com/edigate/edigate/x12"
)

// FeeRate is one contracted rate of a payer's fee schedule: what the payer agreed to pay
// per unit of a procedure code with a set of modifiers, for dates of service in [From, To].
type FeeRate struct {
	Code string
	// Modifiers, in any order; empty is the rate of the code with any modifiers no other
	// rate of the code names (the usual contract: one rate per code).
	Modifiers []string
	From, To  string // YYYY-MM-DD, inclusive; "" is open
	Rate      x12.Amount
	Source    string // where the rate is written ("payers[0].fee_schedule[2]", "fees.csv line 12")
}

// FeeSchedule is a payer's contracted rates.
type FeeSchedule []FeeRate

// Rate finds the contracted rate of code with mods on date (YYYY-MM-DD): a rate naming
// exactly these modifiers first, else one naming none; of several in force that day, the
// one that started last.
func (f FeeSchedule) Rate(code string, mods []string, date string) (FeeRate, bool) {
	var best FeeRate
	bestRank := 0
	for _, r := range f {
		if r.Code != code || (r.From != "" && date < r.From) || (r.To != "" && date > r.To) {
			continue
		}
		rank := 0
		switch {
		case sameModifiers(r.Modifiers, mods):
			rank = 2
		case len(r.Modifiers) == 0:
			rank = 1
		default:
			continue
		}
		if rank > bestRank || (rank == bestRank && r.From > best.From) {
			best, bestRank = r, rank
		}
	}
	return best, bestRank > 0
}

// Contract is the contracted amount of a line: the rate times its units; false when the
// schedule has no rate for it or units is not positive.
func (f FeeSchedule) Contract(code string, mods []string, date string, units int) (x12.Amount, FeeRate, bool) {
	r, ok := f.Rate(code, mods, date)
	if !ok || units <= 0 {
		return 0, r, false
	}
	return r.Rate * x12.Amount(units), r, true
}

func sameModifiers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// Dollars writes an amount for a biller: "$1,234.50", "-$0.06".
func Dollars(a x12.Amount) string { return a.Dollars() }
