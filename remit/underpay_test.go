package remit

import (
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

var testFees = claims.FeeSchedule{
	{Code: "90837", Rate: x12.MustAmount("135.00"), From: "2026-01-01", Source: "payers[0].fee_schedule[0]"},
	{Code: "97153", Rate: x12.MustAmount("15.00"), Source: "fees.csv line 3"},
}

func line(code, paid, units, date string, adj ...Adjustment) LinePayment {
	return LinePayment{Code: code, Charge: x12.MustAmount("200"), Paid: x12.MustAmount(paid), Units: units, Date: date, Adjustments: adj}
}

func TestExpectations(t *testing.T) {
	pr := func(amt string) Adjustment { return Adjustment{Group: "PR", Reason: "2", Amount: x12.MustAmount(amt)} }
	co := func(reason, amt string) Adjustment {
		return Adjustment{Group: "CO", Reason: reason, Amount: x12.MustAmount(amt)}
	}
	tests := []struct {
		name     string
		l        LinePayment
		denied   bool
		expected string // "" : no expectation
		short    string
	}{
		{"paid at contract less coinsurance", line("90837", "108.00", "1", "2026-03-02", co("45", "65"), pr("27")), false, "108.00", "0.00"},
		{"paid below", line("90837", "80.00", "", "2026-03-02", co("45", "93"), pr("27")), false, "108.00", "28.00"},
		{"paid more than expected", line("90837", "140.00", "1", "2026-03-02"), false, "135.00", "0.00"},
		{"per unit", line("97153", "100.00", "8", "2026-03-02"), false, "120.00", "20.00"},
		{"date from the claim", line("90837", "100.00", "1", ""), false, "135.00", "35.00"},
		{"before the contract", line("90837", "100.00", "1", "2025-12-31"), false, "", ""},
		{"no rate for the code", line("90791", "10.00", "1", "2026-03-02"), false, "", ""},
		{"fractional units", line("97153", "10.00", "1.5", "2026-03-02"), false, "", ""},
		{"denied line", line("90837", "0", "1", "2026-03-02", co("197", "200")), true, "", ""},
		{"patient owes it all", line("90837", "0", "1", "2026-03-02", pr("135")), false, "0.00", "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &ClaimPayment{PatientControl: "C1", Status: "1", Lines: []LinePayment{tt.l}}
			if tt.denied {
				c.Denials = []Denial{{Line: 1, Group: "CO", Reason: "197"}}
			}
			got := Expectations(c, testFees, "acme", "2026-03-05")
			if (len(got) == 1) != (tt.expected != "") {
				t.Fatalf("expectations %+v, want expected %q", got, tt.expected)
			}
			if len(got) == 0 {
				return
			}
			if got[0].Expected != x12.MustAmount(tt.expected) || got[0].Short() != x12.MustAmount(tt.short) || got[0].Payer != "acme" {
				t.Errorf("expected %s short %s, want %s short %s", got[0].Expected, got[0].Short(), tt.expected, tt.short)
			}
			items := UnderpaymentItems("f.835", "60054", "C1", got)
			if (len(items) == 1) != (tt.short != "0.00") {
				t.Fatalf("items %+v", items)
			}
			if len(items) == 1 && (items[0].Amount != got[0].Short() || items[0].Kind != queue.Review || items[0].Category != CategoryUnderpaid ||
				!strings.Contains(items[0].Message, "short") || items[0].Line != 1) {
				t.Errorf("item %+v", items[0])
			}
		})
	}
	// A claim-level deductible is the patient's share of the lines, in line order.
	c := &ClaimPayment{Status: "1", Adjustments: []Adjustment{pr("150")}, Lines: []LinePayment{
		line("90837", "0", "1", "2026-03-02"), line("97153", "45.00", "4", "2026-03-02")}}
	if got := Expectations(c, testFees, "acme", ""); len(got) != 2 || got[0].Expected != 0 || got[0].Patient != x12.MustAmount("135") ||
		got[1].Expected != x12.MustAmount("45") || got[1].Patient != x12.MustAmount("15") || got[1].Short() != 0 {
		t.Errorf("claim-level deductible: %+v", got)
	}
	if got := Expectations(&ClaimPayment{Status: "22", Lines: []LinePayment{line("90837", "-100", "1", "2026-03-02")}}, testFees, "acme", ""); got != nil {
		t.Errorf("reversal has expectations: %+v", got)
	}
}

// TestPlan835Underpayment: posting a paid claim compares its lines with the fee schedule
// the classifier found for the payer: the underpaid line opens a review item with the
// difference; a denied claim gets none.
func TestPlan835Underpayment(t *testing.T) {
	pay := Payment{PayerID: "60054", Check: "CHK1", Date: "20260310", Balanced: true, Claims: []ClaimPayment{
		{PatientControl: "C1", Status: "1", Charge: x12.MustAmount("200"), Paid: x12.MustAmount("80"),
			Lines: []LinePayment{line("90837", "80.00", "1", "2026-03-02", Adjustment{Group: "CO", Reason: "45", Amount: x12.MustAmount("120")})}},
		{PatientControl: "C2", Status: "4", Charge: x12.MustAmount("200"),
			Lines: []LinePayment{line("90837", "0", "1", "2026-03-02", Adjustment{Group: "CO", Reason: "197", Amount: x12.MustAmount("200")})}},
	}}
	NewClassifier([]PayerOptions{{ID: "acme", PayerID: "60054", FeeSchedule: testFees}}).Classify(&pay)
	facts := Facts{Claims: map[string]ClaimFacts{
		"C1": {State: lifecycle.Accepted, Payer: "acme", Frequency: "1", Date: "2026-03-02"},
		"C2": {State: lifecycle.Accepted, Payer: "acme", Frequency: "1", Date: "2026-03-02"},
	}}
	pl := Plan835("f.835", &Remittance{Payments: []Payment{pay}}, facts)
	steps := pl.Payments[0].Steps
	var under []queue.Item
	for _, it := range steps[0].Queue {
		if it.Category == CategoryUnderpaid {
			under = append(under, it)
		}
	}
	if len(under) != 1 || under[0].Amount != x12.MustAmount("55.00") || len(steps[0].Expected) != 1 {
		t.Fatalf("paid claim: items %+v expected %+v", steps[0].Queue, steps[0].Expected)
	}
	for _, it := range steps[1].Queue {
		if it.Category == CategoryUnderpaid {
			t.Errorf("denied claim has an underpayment item: %+v", it)
		}
	}
}
