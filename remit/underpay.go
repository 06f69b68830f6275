package remit

import (
	"fmt"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

// CategoryUnderpaid is the review category of a line paid below its contract.
const CategoryUnderpaid = "underpayment"

// LineExpectation is what a posted 835 line was expected to pay under the payer's fee
// schedule: the contract (rate times units) less what the patient owes (group PR).
type LineExpectation struct {
	Line      int        `json:"line"` // 1-based SVC in the CLP
	Code      string     `json:"code"`
	Modifiers []string   `json:"modifiers,omitempty"`
	Date      string     `json:"date"`
	Payer     string     `json:"payer"` // the configured payer id
	Contract  x12.Amount `json:"contract"`
	Patient   x12.Amount `json:"patient"`
	Expected  x12.Amount `json:"expected"`
	Paid      x12.Amount `json:"paid"`
	Source    string     `json:"source"` // where the rate is written
}

// Short is how much less than expected the line was paid (0 when paid in full or more).
func (e LineExpectation) Short() x12.Amount { return max(e.Expected-e.Paid, 0) }

// Expectations compares each line of a paid CLP with the payer's fee schedule (payer is the
// claim's configured payer, date the claim's date of service for lines without their own).
// A line without a contracted rate, with units that are not whole, or that the payer
// denied (its denial item is the work, not an underpayment) is left out.
func Expectations(c *ClaimPayment, fees claims.FeeSchedule, payer, date string) []LineExpectation {
	if len(fees) == 0 || c.Reversal() {
		return nil
	}
	var out []LineExpectation
	for li := range c.Lines {
		l := &c.Lines[li]
		units, ok := wholeUnits(l.Units)
		if !ok || deniedLine(c, li+1) {
			continue
		}
		d := l.Date
		if d == "" {
			d = date
		}
		contract, rate, ok := fees.Contract(l.Code, l.Modifiers, d, units)
		if !ok {
			continue
		}
		var patient x12.Amount
		for _, a := range l.Adjustments {
			if a.Group == "PR" {
				patient += a.Amount
			}
		}
		out = append(out, LineExpectation{Line: li + 1, Code: l.Code, Modifiers: l.Modifiers, Date: d, Payer: payer,
			Contract: contract, Patient: patient, Expected: max(contract-patient, 0), Paid: l.Paid, Source: rate.Source})
	}
	// What the patient owes at claim level (a deductible on the CLP) is the patient's share
	// of the lines too: it is taken from their expected amounts in line order.
	var rest x12.Amount
	for _, a := range c.Adjustments {
		if a.Group == "PR" {
			rest += a.Amount
		}
	}
	for i := range out {
		take := min(rest, out[i].Expected)
		out[i].Patient += take
		out[i].Expected -= take
		rest -= take
	}
	return out
}

// UnderpaymentItems are the review items of the lines paid below their expected amount,
// each with the difference as its amount.
func UnderpaymentItems(source, payerID, claimID string, exps []LineExpectation) []queue.Item {
	var out []queue.Item
	for _, e := range exps {
		short := e.Short()
		if short <= 0 {
			continue
		}
		proc := strings.Join(append([]string{e.Code}, e.Modifiers...), "-")
		out = append(out, queue.Item{Kind: queue.Review, ClaimID: claimID, Line: e.Line, Payer: payerID,
			Reason: "underpaid " + proc, Category: CategoryUnderpaid, Action: ActionReview, Date: e.Date,
			Message: fmt.Sprintf("%s paid %s; expected %s (%s contracted, less %s the patient owes): %s short. Ask the payer to reprocess at the contracted rate (%s).",
				proc, claims.Dollars(e.Paid), claims.Dollars(e.Expected), claims.Dollars(e.Contract), claims.Dollars(e.Patient),
				claims.Dollars(short), e.Source),
			Amount: short, Source: source})
	}
	return out
}

// wholeUnits reads SVC05 ("" is 1); fractional units have no per-unit contract amount.
func wholeUnits(s string) (int, bool) {
	if strings.TrimSpace(s) == "" {
		return 1, true
	}
	a, err := x12.ParseAmount(s)
	if err != nil || a <= 0 || a%100 != 0 {
		return 0, false
	}
	return int(a / 100), true
}

// deniedLine reports whether the classifier found a denial on line (other than the
// patient's share).
func deniedLine(c *ClaimPayment, line int) bool {
	for _, d := range c.Denials {
		if d.Line == line && d.Group != "PR" {
			return true
		}
	}
	return false
}
