package remit

// Claim lifecycle states, in the order a claim normally goes through them.
const (
	StateBuilt         = "built"
	StateSubmitted     = "submitted"
	StateFileAccepted  = "file_accepted" // TA1/999 accepted the set carrying the claim
	StateFileRejected  = "file_rejected"
	StateAccepted      = "accepted" // 277CA: into adjudication
	StateRejected      = "rejected" // 277CA: returned, never adjudicated
	StatePaid          = "paid"
	StatePartiallyPaid = "partially_paid"
	StateDenied        = "denied"
	StateReversed      = "reversed"
	StateCorrected     = "corrected" // a replacement (frequency 7) was sent
	StateAppealed      = "appealed"
	StateClosed        = "closed"
)

var stateRank = map[string]int{
	StateBuilt: 0, StateSubmitted: 1,
	StateFileAccepted: 2, StateFileRejected: 2,
	StateAccepted: 3, StateRejected: 3,
	StatePaid: 4, StatePartiallyPaid: 4, StateDenied: 4, StateReversed: 4,
	StateCorrected: 5, StateAppealed: 5,
	StateClosed: 6,
}

// Transition returns the state a claim in from moves to when an event says to, and
// whether it moved. Responses arrive out of order (an 835 before the 277CA, a 999 after
// both), so a late event never moves a claim backwards: it is recorded in the history
// but the state stays. Adjudications replace each other (a reversal, then the new
// payment), and an appealed or corrected claim takes its next adjudication.
func Transition(from, to string) (string, bool) {
	rf, okf := stateRank[from]
	rt, okt := stateRank[to]
	switch {
	case !okt || from == to || from == StateClosed:
		return from, false
	case !okf, rt > rf:
		return to, true
	case rt == 4 && rf >= 4:
		return to, true
	}
	return from, false
}

// Outcome returns the lifecycle state an 835 claim payment puts the claim in; "" for a
// predetermination (CLP02 25), which adjudicates nothing.
func Outcome(c *ClaimPayment) string {
	switch {
	case c.Status == "25":
		return ""
	case c.Reversal():
		return StateReversed
	case c.Status == "4" || c.Status == "23" || (c.Paid == 0 && len(c.Denials) > 0):
		return StateDenied
	case len(c.Denials) > 0:
		return StatePartiallyPaid
	}
	return StatePaid
}
