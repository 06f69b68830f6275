package lifecycle

// State is where a claim is in its lifecycle. A claim has exactly one.
type State string

// Claim lifecycle states, in the order a claim normally goes through them.
const (
	Held          State = "held"           // the scrubber holds it: not filed until corrected
	Built         State = "built"          // scrubbed clean, waiting to be written into an 837P
	Filed         State = "filed"          // written into an 837P file, not yet uploaded
	Submitted     State = "submitted"      // the 837P was uploaded to the clearinghouse
	FileAccepted  State = "file_accepted"  // TA1/999 accepted the set carrying the claim
	FileRejected  State = "file_rejected"  // TA1/999 rejected the set carrying the claim
	Accepted      State = "accepted"       // 277CA: into adjudication
	Rejected      State = "rejected"       // 277CA: returned, never adjudicated
	Paid          State = "paid"           // 835: paid in full
	PartiallyPaid State = "partially_paid" // 835: paid with some lines or amounts denied
	Denied        State = "denied"         // 835: nothing paid
	Reversed      State = "reversed"       // 835: an earlier payment taken back (CLP02 22)
	Corrected     State = "corrected"      // a replacement (frequency 7) or corrected claim was sent
	Appealed      State = "appealed"       // an appeal was sent
	Closed        State = "closed"         // nothing more to do
	Void          State = "void"           // withdrawn: a void (frequency 8) was accepted, or a held claim was superseded
)

// States lists every state in lifecycle order.
func States() []State {
	return []State{Held, Built, Filed, Submitted, FileAccepted, FileRejected, Accepted, Rejected,
		Paid, PartiallyPaid, Denied, Reversed, Corrected, Appealed, Closed, Void}
}

var stateWords = map[State]string{
	Held:          "Held by the scrubber",
	Built:         "Built, waiting to be filed",
	Filed:         "Written into an 837P file",
	Submitted:     "Sent to the clearinghouse",
	FileAccepted:  "File accepted by the clearinghouse (999)",
	FileRejected:  "File rejected by the clearinghouse (999/TA1)",
	Accepted:      "Accepted by the payer (277CA)",
	Rejected:      "Rejected by the payer (277CA)",
	Paid:          "Paid",
	PartiallyPaid: "Partially paid",
	Denied:        "Denied",
	Reversed:      "Payment reversed",
	Corrected:     "Corrected claim sent",
	Appealed:      "Appealed",
	Closed:        "Closed",
	Void:          "Void",
}

// Words says the state for a biller.
func (s State) Words() string {
	if w, ok := stateWords[s]; ok {
		return w
	}
	return string(s)
}

// Valid reports whether s is a lifecycle state.
func (s State) Valid() bool {
	_, ok := stateWords[s]
	return ok
}
