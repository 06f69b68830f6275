package remit

import "github.com/edigate/edigate/lifecycle"

// Posted is one CLP posting of a claim as the claim's remittance totals need it: the
// outcome the posting gave, its pay date (YYYYMMDD) and its amounts in cents (a reversal's
// negative).
type Posted struct {
	Outcome       lifecycle.State
	Date          string
	Paid, Patient int64
}

// ClaimTotals is what a claim's postings say of it, as the claims list, the payments, A/R
// and denial reports count it.
type ClaimTotals struct {
	Paid, Patient int64  // every posting summed, reversals taking back
	FirstPaid     string // earliest pay date of a posting that paid something, reversals aside
	// Overturned: a posting denied the claim and a later one paid it (the appeal worked).
	Overturned bool
	// Latest is the index of the claim's latest adjudication, the last posting that is not
	// a reversal (what the denial report counts the claim by); -1 when every posting is a
	// reversal.
	Latest int
}

// FoldPostings folds a claim's postings, in posting order, into its totals.
func FoldPostings(ps []Posted) ClaimTotals {
	t := ClaimTotals{Latest: -1}
	denied := false
	for i, p := range ps {
		t.Paid += p.Paid
		t.Patient += p.Patient
		reversed := p.Outcome == lifecycle.Reversed
		if p.Paid > 0 && !reversed && (t.FirstPaid == "" || p.Date < t.FirstPaid) {
			t.FirstPaid = p.Date
		}
		switch p.Outcome {
		case lifecycle.Denied:
			denied = true
		case lifecycle.Paid, lifecycle.PartiallyPaid:
			t.Overturned = t.Overturned || denied
		}
		if !reversed {
			t.Latest = i
		}
	}
	return t
}

// EarlierPaid is the first payment day of a claim paid first on a (its FirstPaid so far,
// "" none) once a posting whose own first payment day is b is added: the two fold in any
// order, so a claim's sums can be kept by adding each new posting's.
func EarlierPaid(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}
