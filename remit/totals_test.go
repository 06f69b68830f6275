package remit

import (
	"testing"

	"github.com/edigate/edigate/lifecycle"
)

func TestFoldPostings(t *testing.T) {
	const (
		paid     = lifecycle.Paid
		partial  = lifecycle.PartiallyPaid
		denied   = lifecycle.Denied
		reversed = lifecycle.Reversed
	)
	for _, tc := range []struct {
		name string
		ps   []Posted
		want ClaimTotals
	}{
		{"none", nil, ClaimTotals{Latest: -1}},
		{"paid", []Posted{{paid, "20260105", 9000, 1000}}, ClaimTotals{Paid: 9000, Patient: 1000, FirstPaid: "20260105", Latest: 0}},
		{"denied: nothing paid, no first payment", []Posted{{denied, "20260105", 0, 0}}, ClaimTotals{Latest: 0}},
		{"denied then paid: overturned", []Posted{{denied, "20260105", 0, 0}, {paid, "20260301", 8000, 0}},
			ClaimTotals{Paid: 8000, FirstPaid: "20260301", Overturned: true, Latest: 1}},
		{"paid then denied: not overturned", []Posted{{paid, "20260105", 8000, 0}, {denied, "20260301", 0, 0}},
			ClaimTotals{Paid: 8000, FirstPaid: "20260105", Latest: 1}},
		{"denied then partially paid", []Posted{{denied, "20260105", 0, 0}, {partial, "20260201", 100, 50}},
			ClaimTotals{Paid: 100, Patient: 50, FirstPaid: "20260201", Overturned: true, Latest: 1}},
		{"reversal takes back, latest stays the payment", []Posted{{paid, "20260105", 8000, 500}, {reversed, "20260110", -8000, -500}},
			ClaimTotals{FirstPaid: "20260105", Latest: 0}},
		{"reversal and corrected payment", []Posted{{paid, "20260105", 8000, 0}, {reversed, "20260110", -8000, 0}, {paid, "20260110", 7000, 0}},
			ClaimTotals{Paid: 7000, FirstPaid: "20260105", Latest: 2}},
		{"only a reversal: no adjudication, no first payment", []Posted{{reversed, "20260110", -8000, 0}},
			ClaimTotals{Paid: -8000, Latest: -1}},
		{"first payment is the earliest day, not the first posting", []Posted{{paid, "20260310", 100, 0}, {paid, "20260102", 100, 0}},
			ClaimTotals{Paid: 200, FirstPaid: "20260102", Latest: 1}},
		{"a zero payment is no first payment", []Posted{{paid, "20260102", 0, 2000}, {paid, "20260301", 10, 0}},
			ClaimTotals{Paid: 10, Patient: 2000, FirstPaid: "20260301", Latest: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FoldPostings(tc.ps); got != tc.want {
				t.Errorf("FoldPostings = %+v, want %+v", got, tc.want)
			}
			// Adding the postings one at a time gives the same sums and first payment.
			var paid, patient int64
			first := ""
			for i := range tc.ps {
				one := FoldPostings(tc.ps[i : i+1])
				paid, patient, first = paid+one.Paid, patient+one.Patient, EarlierPaid(first, one.FirstPaid)
			}
			if paid != tc.want.Paid || patient != tc.want.Patient || first != tc.want.FirstPaid {
				t.Errorf("one at a time: paid %d patient %d first %q, want %d %d %q", paid, patient, first, tc.want.Paid, tc.want.Patient, tc.want.FirstPaid)
			}
		})
	}
}

func TestEarlierPaid(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"", "", ""}, {"", "20260101", "20260101"}, {"20260101", "", "20260101"},
		{"20260101", "20260201", "20260101"}, {"20260201", "20260101", "20260101"},
	} {
		if got := EarlierPaid(tc.a, tc.b); got != tc.want {
			t.Errorf("EarlierPaid(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}
