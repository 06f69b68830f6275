package remit

import (
	"github.com/edigate/edigate/claims"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

// Outcome returns the lifecycle state an 835 claim payment puts the claim in; "" for a
// predetermination (CLP02 25), which adjudicates nothing.
func Outcome(c *ClaimPayment) lifecycle.State {
	switch {
	case c.Status == "25":
		return ""
	case c.Reversal():
		return lifecycle.Reversed
	case c.Status == "4" || c.Status == "23" || (c.Paid == 0 && len(c.Denials) > 0):
		return lifecycle.Denied
	case len(c.Denials) > 0:
		return lifecycle.PartiallyPaid
	}
	return lifecycle.Paid
}

// PaymentEvent is the detail of a claim event from an 835: ids and codes, no PHI.
type PaymentEvent struct {
	From    lifecycle.State `json:"from"`
	To      lifecycle.State `json:"to"`
	Moved   bool            `json:"moved"`
	Check   string          `json:"check"`
	Payer   string          `json:"payer"`
	ISA     string          `json:"isa"`
	GS      string          `json:"gs"`
	ST      string          `json:"st"`
	CLP02   string          `json:"clp02"`
	Paid    string          `json:"paid"`
	Patient string          `json:"patient"`
	// What the outbox tells the practice: the claim's charge, its claim-level CAS and
	// remarks, and each SVC line with its CAS and LQ remarks (codes and amounts, no PHI).
	Charge      string             `json:"charge,omitempty"`
	Adjustments []Adjustment       `json:"adjustments,omitempty"`
	Remarks     []Remark           `json:"remarks,omitempty"`
	Lines       []PaymentEventLine `json:"lines,omitempty"`
}

// PaymentEventLine is one SVC of a PaymentEvent: its place in the CLP (1-based, as
// remit_adjustments numbers it), code, charge, payment, adjustments and remarks.
type PaymentEventLine struct {
	Line        int          `json:"line"`
	Code        string       `json:"code"`
	Charge      x12.Amount   `json:"charge"`
	Paid        x12.Amount   `json:"paid"`
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	Remarks     []Remark     `json:"remarks,omitempty"`
}

// paymentEventLines copies a CLP's SVC lines into an event detail.
func paymentEventLines(c *ClaimPayment) []PaymentEventLine {
	if len(c.Lines) == 0 {
		return nil
	}
	out := make([]PaymentEventLine, len(c.Lines))
	for i, l := range c.Lines {
		out[i] = PaymentEventLine{Line: i + 1, Code: l.Code, Charge: l.Charge, Paid: l.Paid, Adjustments: l.Adjustments, Remarks: l.Remarks}
	}
	return out
}

// SetMove records the move in the detail.
func (e *PaymentEvent) SetMove(from, to lifecycle.State, moved bool) {
	e.From, e.To, e.Moved = from, to, moved
}

// Needs835 lists the claims an 835 names.
func Needs835(r *Remittance) FactsQuery {
	var q FactsQuery
	for _, p := range r.Payments {
		for _, c := range p.Claims {
			q.Claims = append(q.Claims, c.PatientControl)
		}
	}
	return q
}

// Plan835 plans the posting of an 835: per payment, its row and a review item when it
// does not balance; per CLP, the posting, the claim's move to the CLP's outcome, the payer
// claim number, denial items (due by the appeal deadline) and a review item (and no history
// event) for a claim edigate never built. A void claim is not paid: its reversal confirms the void and gives
// its authorization units back, anything else goes to review.
func Plan835(source string, r *Remittance, facts Facts) *Plan {
	pl := &Plan{Kind: "835"}
	pn := newPlanner(facts)
	for pi := range r.Payments {
		p := &r.Payments[pi]
		pp := PaymentPlan{Payment: p}
		if !p.Open {
			pp.Review = unbalancedReview(source, p)
		}
		for ci := range p.Claims {
			pp.Steps = append(pp.Steps, pn.clp(source, p, ci))
		}
		pl.Payments = append(pl.Payments, pp)
	}
	return pl
}

// unbalancedReview is the review item of a payment that fails 835 balancing; nil when it
// balances.
func unbalancedReview(source string, p *Payment) *queue.Item {
	if p.Balanced {
		return nil
	}
	msgs := make([]string, 0, len(p.BalanceErrors))
	for _, e := range p.BalanceErrors {
		msgs = append(msgs, e.Message)
	}
	return &queue.Item{Kind: queue.Review, Payer: p.PayerID, Reason: "unbalanced " + p.Check,
		Message: strings.Join(msgs, "; "), Amount: p.Total, Source: source}
}

// clp plans one CLP of a payment.
func (pn *planner) clp(source string, p *Payment, ci int) Step {
	c := &p.Claims[ci]
	outcome := Outcome(c)
	st := Step{Claim: c.PatientControl, Post: &Posting{Seq: p.FirstSeq + ci, CLP: c, Outcome: outcome}}
	f, known := pn.claim(c.PatientControl)
	if !known {
		st.Unmatched = true
		st.Queue = append(st.Queue, queue.Item{Kind: queue.Review, ClaimID: c.PatientControl, Payer: p.PayerID,
			Reason: "unmatched CLP01", Message: "835 pays a claim edigate did not build", Amount: c.Paid, Source: source})
	} else if c.PayerClaim != "" && !c.Reversal() && f.PayerClaim != c.PayerClaim {
		was := f.PayerClaim
		st.PayerClaim, st.PayerClaimWas = c.PayerClaim, &was
		f.PayerClaim = c.PayerClaim
		pn.facts.Claims[c.PatientControl] = f
	}
	if outcome == "" || !known {
		// A CLP of a claim edigate never built has no claim of ours whose history it
		// belongs to: its record is the posting (remit_claims, remit_adjustments) and the
		// review item above, which trace and the claim postings show. One history event a
		// CLP repeating the posting was a quarter of the cost of posting a large 835 of
		// such claims (issue 16).
		return st
	}
	detail := &PaymentEvent{Check: p.Check, Payer: p.PayerID, ISA: p.ISAControl, GS: p.GSControl, ST: p.Control,
		CLP02: c.Status, Paid: c.Paid.String(), Patient: c.PatientResponsibility.String(), Charge: c.Charge.String(),
		Adjustments: c.Adjustments, Remarks: c.Remarks, Lines: paymentEventLines(c)}
	switch {
	case f.isVoid() && outcome == lifecycle.Reversed:
		st.Move = pn.move(c.PatientControl, lifecycle.Void, "", detail)
		st.Move.ReturnUnits = true
		return st
	case f.isVoid():
		// The payer adjudicated a claim we withdrew: money may have to go back.
		detail.From, detail.To = f.State, outcome
		st.Record = &Record{Kind: outcome.Event(), Detail: detail}
		st.Queue = append(st.Queue, queue.Item{Kind: queue.Review, ClaimID: c.PatientControl, Payer: p.PayerID,
			Reason: "835 on a void claim", Category: "void", Action: ActionReview,
			Message: "the 835 adjudicates a void (frequency 8) claim as " + outcome.Words() + "; the payer should have reversed it",
			Amount:  c.Paid, Source: source})
		return st
	}
	st.Move = pn.move(c.PatientControl, outcome, "", detail)
	for _, dn := range c.Denials {
		st.Queue = append(st.Queue, queue.Item{Kind: queue.Denials, ClaimID: c.PatientControl, Line: dn.Line, Payer: p.PayerID,
			Reason: dn.Group + "-" + dn.Reason, Category: dn.Category, Action: dn.Action, Message: denialMessage(dn),
			Due: c.AppealDue, Amount: dn.Amount, Source: source})
	}
	if outcome == lifecycle.Paid || outcome == lifecycle.PartiallyPaid {
		// Paid below the contract, less what the patient owes: an underpayment to work.
		st.Expected = Expectations(c, p.feesFor(f.Payer), f.Payer, f.Date)
		st.Queue = append(st.Queue, UnderpaymentItems(source, p.PayerID, c.PatientControl, st.Expected)...)
	}
	return st
}

// denialMessage says a denial in words with its remark codes.
func denialMessage(d Denial) string {
	var parts []string
	if d.Words != "" {
		parts = append(parts, d.Words)
	}
	for _, r := range d.Remarks {
		s := r.Code
		if r.Text != "" {
			s += " " + r.Text
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// feesFor is the fee schedule of the claim's configured payer, else of the payer the 835
// names (N104).
func (p *Payment) feesFor(payer string) claims.FeeSchedule {
	if p.Fees == nil {
		return nil
	}
	if fs := p.Fees(payer); fs != nil {
		return fs
	}
	return p.Fees(p.PayerID)
}
