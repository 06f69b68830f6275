package eligibility

import (
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestWords(t *testing.T) {
	yes, no := true, false
	amt := func(s string) *x12.Amount { a := x12.MustAmount(s); return &a }
	pct := "20"
	left, limit := 12, 30
	zero := 0
	for _, tc := range []struct {
		name string
		r    Result
		want string // the facts as "What: Value" joined by " | "; ! marks a bad one
	}{
		{"active with benefits", Result{Active: true, CoverageStart: "20260101", InNetwork: &yes, Copay: amt("25"), CoinsurancePercent: &pct,
			Deductible: amt("1500"), DeductibleRemaining: amt("1234.5"), VisitsRemaining: &left, VisitsLimit: &limit, AuthRequired: &no},
			"Coverage: active from Jan 1, 2026 | Network: in network | Copay: $25.00 | Coinsurance: 20% | Deductible: $1,234.50 left of $1,500.00 | Visits: 12 left of 30 | Prior authorization: not required"},
		{"inactive", Result{Active: false, CoverageEnd: "20261031"}, "!Coverage: not active to Oct 31, 2026"},
		{"auth and carve-out", Result{Active: true, AuthRequired: &yes, VisitsRemaining: &zero,
			CarveOut: &Entity{Name: "Magellan", ID: "01260", Phone: "8005551212"}},
			"Coverage: active | !Visits: 0 left | !Prior authorization: required | !Behavioral health carve-out: bill Magellan (payer id 01260), phone 8005551212"},
		{"reject", Result{Rejects: []Reject{{Code: "72", Reason: "Invalid/missing subscriber/insured ID", FollowUp: "Please correct and resubmit"}}},
			"!Rejected (72): Invalid/missing subscriber/insured ID; Please correct and resubmit"},
		{"no information", Result{NoInformation: true}, "!Coverage: the payer gave no coverage information"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Words(tc.r) {
				s := f.What + ": " + f.Value
				if f.Bad {
					s = "!" + s
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " | "); g != tc.want {
				t.Errorf("\ngot  %s\nwant %s", g, tc.want)
			}
		})
	}
	for in, want := range map[string]string{"0": "$0.00", "5": "$5.00", "1234.5": "$1,234.50", "1000000": "$1,000,000.00", "-12.3": "-$12.30", "999.99": "$999.99"} {
		if got := Dollars(x12.MustAmount(in)); got != want {
			t.Errorf("Dollars(%s) = %s, want %s", in, got, want)
		}
	}
}
