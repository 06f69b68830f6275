package remit

import (
	"slices"
	"strings"

	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
)

// Needs277 lists the claims and 276 traces 277s name.
func Needs277(reports []*StatusReport) FactsQuery {
	var q FactsQuery
	for _, r := range reports {
		for _, c := range r.Claims {
			q.Claims = append(q.Claims, c.PatientControl)
			if r.Version == Version277 && c.Trace != "" {
				q.Traces = append(q.Traces, c.Trace)
			}
		}
	}
	return q
}

// Plan277 plans 277CA (X214) and 277 claim status (X212) answers. A 277CA acceptance
// moves the claim to accepted (a void to void, giving its units back) and records the
// payer claim number; a rejection moves it to rejected and opens a rejection item due by
// timely filing. An X212 answer (to a follow-up 276) is found by REF*EJ or else by the
// 276's trace and moves the claim: pending (P*) and acknowledged (A1/A2) to accepted,
// finalized paid (F1) to paid, finalized denied (F2, F4) to denied; the open follow-up
// item gets the answer in words.
func Plan277(source string, reports []*StatusReport, facts Facts, due Deadlines) *Plan {
	pl := &Plan{Kind: "277"}
	pn := newPlanner(facts)
	for _, r := range reports {
		for _, c := range r.Claims {
			if r.Version == Version277 {
				pl.Steps = append(pl.Steps, pn.status212(source, r, c))
			} else {
				pl.Steps = append(pl.Steps, pn.ack277(source, r, c, due))
			}
		}
	}
	return pl
}

func statusKind(category string) lifecycle.EventKind {
	return lifecycle.ClaimStatusPrefix + lifecycle.EventKind(strings.ToLower(category))
}

// ack277 plans one claim of a 277CA.
func (pn *planner) ack277(source string, r *StatusReport, c ClaimStatus, due Deadlines) Step {
	st := Step{Claim: c.PatientControl}
	f, known := pn.claim(c.PatientControl)
	detail := Detail{"version": r.Version, "st": r.Control, "isa": r.ISAControl, "category": c.Category, "status": c.Status}
	var to lifecycle.State
	switch {
	case c.Rejected:
		to = lifecycle.Rejected
	case c.Accepted:
		to = lifecycle.Accepted
	default:
		st.Unmatched = !known
		st.Record = &Record{Kind: statusKind(c.Category), Detail: detail}
		return st
	}
	if !known {
		st.Unmatched = true
		detail.SetMove("", to, false)
		st.Record = &Record{Kind: to.Event(), Detail: detail}
		return st
	}
	if c.Accepted && c.PayerClaim != "" {
		st.PayerClaim = c.PayerClaim
	}
	if c.Accepted && f.isVoid() {
		// The payer accepted the withdrawal: the claim is void and its units free.
		st.Move = pn.move(c.PatientControl, lifecycle.Void, "", detail)
		st.Move.ReturnUnits = true
		return st
	}
	st.Move = pn.move(c.PatientControl, to, "", detail)
	if c.Rejected {
		it := queue.Item{Kind: queue.Rejections, ClaimID: c.PatientControl, Reason: c.Category + ":" + c.Status,
			Category: "277CA", Action: ActionCorrectedClaim, Message: c.Message, Due: due.RejectionDue(f), Source: source}
		if c.Charge != nil { // STC04: what the rejection keeps from being paid
			it.Amount = *c.Charge
		}
		st.Queue = append(st.Queue, it)
	}
	return st
}

// status212 plans one claim of an X212 277.
func (pn *planner) status212(source string, r *StatusReport, c ClaimStatus) Step {
	id := c.PatientControl
	_, known := pn.claim(id)
	if !known && c.Trace != "" {
		// The payer did not echo REF*EJ: the trace of our 276 names the claim.
		if byTrace, ok := pn.facts.ByTrace[c.Trace]; ok {
			id = byTrace
			_, known = pn.claim(id)
		}
	}
	st := Step{Claim: id}
	if !known {
		st.Unmatched = true
		return st
	}
	if c.Trace != "" {
		st.Answer = &InquiryAnswer{Trace: c.Trace, Claim: id, Answer: c.Category + ":" + c.Status}
	}
	if c.PayerClaim != "" && !c.Rejected {
		st.PayerClaim = c.PayerClaim
	}
	detail := Detail{"version": r.Version, "st": r.Control, "isa": r.ISAControl, "category": c.Category,
		"status": c.Status, "trace": c.Trace}
	if c.Date != "" {
		detail["date"] = c.Date
	}
	if c.Paid != nil {
		detail["paid"] = c.Paid.String()
	}
	// What the payer said is recorded as it said it; a move it leads to is recorded under
	// the state, like every move.
	st.Record = &Record{Kind: statusKind(c.Category), Detail: detail}
	if to := status212State(c); to != "" {
		md := make(Detail, len(detail)+3)
		for k, v := range detail {
			md[k] = v
		}
		st.Move = pn.move(id, to, "", md)
	}
	st.FollowUpNote, st.FollowUpMessage = "277 "+source+": "+c.Message, c.Message
	return st
}

// status212State is the state an X212 answer moves a claim to; "" for none.
func status212State(c ClaimStatus) lifecycle.State {
	finalized := func(cats ...string) bool {
		return c.Finalized && slices.ContainsFunc(c.Statuses, func(s StatusCode) bool { return slices.Contains(cats, s.Category) })
	}
	switch {
	case finalized("F1"):
		return lifecycle.Paid
	case finalized("F2", "F4"):
		return lifecycle.Denied
	case c.Rejected:
		// An X212 rejection (A4 not found, A3/A6-A8) speaks of the inquiry or says the
		// payer has no such claim; the biller decides, from the follow-up item.
		return ""
	case c.Pending || c.Accepted || c.Finalized || c.Category == "A1":
		return lifecycle.Accepted
	}
	return ""
}
