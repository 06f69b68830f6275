package lifecycle

// The transitions of the one claim lifecycle, as data. States are grouped in stages; a
// claim moves to a later stage and never back, so responses that arrive out of order (an
// 835 before the 277CA, a 999 after both) are recorded in the history but leave the state
// where the later news put it. Within a stage a claim moves only where the stage says so.
var stages = []struct {
	states []State
	// within: states of the stage replace each other (a rebuild holds or frees a claim; a
	// reversal, then the new payment).
	within bool
	// reopens: an event into this stage moves a claim that is past it, but not closed
	// (an appealed or corrected claim takes its next adjudication).
	reopens bool
}{
	{states: []State{Held, Built}, within: true},
	{states: []State{Filed}},
	{states: []State{Submitted}},
	{states: []State{FileAccepted, FileRejected}},
	{states: []State{Accepted, Rejected}},
	{states: []State{Paid, PartiallyPaid, Denied, Reversed}, within: true, reopens: true},
	{states: []State{Corrected, Appealed}},
	{states: []State{Closed, Void}},
}

// stageOf is the index of a state's stage; -1 for none.
var stageOf = func() map[State]int {
	m := map[State]int{}
	for i, s := range stages {
		for _, st := range s.states {
			m[st] = i
		}
	}
	return m
}()

// Next returns the state a claim in from moves to when an event says to, and whether it
// moved. A claim with no state yet ("") takes the event's state; a closed or void claim
// stays where it is; an unknown target moves nothing.
func Next(from, to State) (State, bool) {
	st, okt := stageOf[to]
	sf, okf := stageOf[from]
	last := len(stages) - 1
	switch {
	case !okt || from == to:
		return from, false
	case !okf:
		return to, true
	case sf == last:
		return from, false
	case st > sf, st == sf && stages[st].within, st < sf && stages[st].reopens:
		return to, true
	}
	return from, false
}

// Sent reports whether a claim in state s has been written into an 837P file: it is what
// the payer has, and changes to it go through a replacement or void.
func (s State) Sent() bool {
	i, ok := stageOf[s]
	return ok && i > 0
}

// Unsent lists the states of claims not yet written into a file.
func Unsent() []State { return stages[0].states }

// Adjudicated reports whether s is an 835's verdict (paid, partially paid, denied, reversed).
func (s State) Adjudicated() bool {
	i, ok := stageOf[s]
	return ok && i == stageOf[Paid]
}
