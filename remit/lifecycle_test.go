package remit

import "testing"

func TestTransition(t *testing.T) {
	tests := []struct {
		from, to, want string
		moved          bool
	}{
		{StateBuilt, StateSubmitted, StateSubmitted, true},
		{StateSubmitted, StateFileAccepted, StateFileAccepted, true},
		{StateFileAccepted, StateAccepted, StateAccepted, true},
		{StateAccepted, StatePaid, StatePaid, true},
		// 835 before the 277CA: the late acceptance does not undo the payment.
		{StateSubmitted, StatePaid, StatePaid, true},
		{StatePaid, StateAccepted, StatePaid, false},
		{StatePaid, StateFileAccepted, StatePaid, false},
		// reversal, then the new adjudication
		{StatePaid, StateReversed, StateReversed, true},
		{StateReversed, StatePartiallyPaid, StatePartiallyPaid, true},
		{StateDenied, StateAppealed, StateAppealed, true},
		{StateAppealed, StatePaid, StatePaid, true},
		{StateCorrected, StateDenied, StateDenied, true},
		{StatePaid, StatePaid, StatePaid, false},
		{StateClosed, StatePaid, StateClosed, false},
		{StateRejected, StateCorrected, StateCorrected, true},
		{StatePaid, "bogus", StatePaid, false},
	}
	for _, tt := range tests {
		got, moved := Transition(tt.from, tt.to)
		if got != tt.want || moved != tt.moved {
			t.Errorf("Transition(%s, %s) = %s %v, want %s %v", tt.from, tt.to, got, moved, tt.want, tt.moved)
		}
	}
}

func TestOutcome(t *testing.T) {
	for file, want := range map[string][]string{
		"835-paid.x12":         {StatePaid},
		"835-partial-pr.x12":   {StatePaid}, // patient responsibility is not a denial
		"835-denied-co197.x12": {StateDenied},
		"835-reversal.x12":     {StateReversed, StatePaid},
		"835-unknown-carc.x12": {StatePartiallyPaid},
	} {
		cs := readFile(t, "testdata/"+file).Remittance.Payments[0].Claims
		for i, w := range want {
			if got := Outcome(&cs[i]); got != w {
				t.Errorf("%s claim %d: %s, want %s", file, i, got, w)
			}
		}
	}
}
