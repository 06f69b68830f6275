package lifecycle

import (
	"slices"
	"testing"
)

func TestTimeline(t *testing.T) {
	session := []Event{{ID: 1, EntityKind: EntitySession, Kind: Received}, {ID: 4, EntityKind: EntitySession, Kind: SessionBilled}}
	claim := []Event{{ID: 3, EntityKind: EntityClaim, Kind: Built.Event()}, {ID: 5, EntityKind: EntityClaim, Kind: Filed.Event()}}
	auth := []Event{{ID: 2, EntityKind: EntityAuthorization, Kind: UnitsConsumed}, {ID: 4, EntityKind: EntitySession, Kind: SessionBilled}}
	var ids []int64
	for _, e := range Timeline(session, claim, auth) {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("timeline ids %v", ids)
	}
	if Timeline() != nil {
		t.Fatal("empty timeline is not nil")
	}
}

func TestEventWords(t *testing.T) {
	tests := []struct {
		k    EventKind
		want string
	}{
		{Paid.Event(), "Paid"},
		{Filed.Event(), "Written into an 837P file"},
		{SessionBilled, "Put on a claim"},
		{"status_f1", "Claim status (277): F1"},
		{"alert_cleared_low_units", "Alert cleared"},
		{"something_new", "something new"},
	}
	for _, tt := range tests {
		if got := tt.k.Words(); got != tt.want {
			t.Errorf("%s.Words() = %q, want %q", tt.k, got, tt.want)
		}
	}
}
