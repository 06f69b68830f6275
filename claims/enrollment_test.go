package claims

import "testing"

func TestEnrollmentUnlistedHolds(t *testing.T) {
	tests := []struct {
		u                  EnrollmentUnlisted
		billing, rendering bool
	}{
		{"", true, false}, // the default is billing
		{EnrollmentUnlistedBilling, true, false},
		{EnrollmentUnlistedHold, true, true},
		{EnrollmentUnlistedAllow, false, false},
	}
	for _, tt := range tests {
		if got := tt.u.Holds(true); got != tt.billing {
			t.Errorf("%q: unlisted billing NPI holds = %v, want %v", tt.u, got, tt.billing)
		}
		if got := tt.u.Holds(false); got != tt.rendering {
			t.Errorf("%q: unlisted rendering NPI holds = %v, want %v", tt.u, got, tt.rendering)
		}
	}
}
