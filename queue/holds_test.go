package queue

import (
	"strings"
	"testing"
)

// TestScrubHoldWords: a hold the configuration causes says so and names the key; one the
// session causes sends the biller to the practice system.
func TestScrubHoldWords(t *testing.T) {
	tests := []struct {
		name       string
		keys       []string
		only       bool
		wantWords  string
		wantAction []string
		notAction  string
	}{
		{"session", nil, false, "The scrubber found errors the payer would reject", []string{"practice system"}, "config"},
		{"config only", []string{"practices[0].npi"}, true, "The configuration causes this hold, not the session",
			[]string{"practices[0].npi", "config file"}, "practice system"},
		{"both", []string{"payers[1].telehealth.pos"}, false, "some come from the configuration",
			[]string{"payers[1].telehealth.pos", "practice system"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a := ScrubHoldWords(tt.keys, tt.only)
			if !strings.Contains(w, tt.wantWords) {
				t.Errorf("words %q, want %q", w, tt.wantWords)
			}
			for _, s := range tt.wantAction {
				if !strings.Contains(a, s) {
					t.Errorf("action %q lacks %q", a, s)
				}
			}
			if tt.notAction != "" && strings.Contains(a, tt.notAction) {
				t.Errorf("action %q names %q", a, tt.notAction)
			}
			it := ClaimHold(HeldClaim{ID: "C1", Rules: []string{"npi.luhn"}, ConfigKeys: tt.keys, ConfigOnly: tt.only}, 0)
			if it.Message != w || it.Action != a {
				t.Errorf("ClaimHold item %q / %q", it.Message, it.Action)
			}
		})
	}
}
