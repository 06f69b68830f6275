package lifecycle

import "testing"

func TestNext(t *testing.T) {
	tests := []struct {
		from, to, want State
		moved          bool
	}{
		{"", Accepted, Accepted, true},
		{Held, Built, Built, true},
		{Built, Held, Held, true},
		{Built, Filed, Filed, true},
		{Filed, Built, Filed, false},
		{Filed, Submitted, Submitted, true},
		{Filed, FileAccepted, FileAccepted, true},
		{Submitted, Paid, Paid, true},
		{FileAccepted, FileRejected, FileAccepted, false},
		{Accepted, FileAccepted, Accepted, false}, // a late 999
		{Paid, Accepted, Paid, false},             // a late 277CA
		{Paid, Reversed, Reversed, true},          // adjudications replace each other
		{Reversed, PartiallyPaid, PartiallyPaid, true},
		{Denied, Appealed, Appealed, true},
		{Appealed, Paid, Paid, true}, // the appeal's adjudication
		{Corrected, Denied, Denied, true},
		{Corrected, Accepted, Corrected, false},
		{Appealed, Corrected, Appealed, false},
		{Denied, Closed, Closed, true},
		{Closed, Paid, Closed, false},
		{Void, Paid, Void, false},
		{Accepted, Void, Void, true},
		{Paid, "bogus", Paid, false},
		{Paid, Paid, Paid, false},
	}
	for _, tt := range tests {
		got, moved := Next(tt.from, tt.to)
		if got != tt.want || moved != tt.moved {
			t.Errorf("Next(%q, %q) = %q, %v; want %q, %v", tt.from, tt.to, got, moved, tt.want, tt.moved)
		}
	}
}

// TestEveryStateHasAStage: a state without a stage could never be left nor reached.
func TestEveryStateHasAStage(t *testing.T) {
	for _, s := range States() {
		if _, ok := stageOf[s]; !ok {
			t.Errorf("state %s has no stage", s)
		}
		if s.Words() == string(s) {
			t.Errorf("state %s has no words", s)
		}
	}
	for _, s := range []State{Held, Built} {
		if s.Sent() {
			t.Errorf("%s reads as sent", s)
		}
	}
	for _, s := range []State{Filed, Paid, Void} {
		if !s.Sent() {
			t.Errorf("%s reads as not sent", s)
		}
	}
	if !Reversed.Adjudicated() || Accepted.Adjudicated() {
		t.Error("Adjudicated")
	}
}
