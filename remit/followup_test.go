package remit

import (
	"testing"

	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

func TestFollowUpItem(t *testing.T) {
	tests := []struct {
		name, filed      string
		days             int
		wantDue, wantMsg string
	}{
		{"timestamp", "2026-11-02T10:04:05Z", 30, "2027-01-01", "no 835 30 days after submission (filed 2026-11-02); a 276 status inquiry is sent"},
		{"day", "2026-12-20", 14, "2027-01-17", "no 835 14 days after submission (filed 2026-12-20); a 276 status inquiry is sent"},
		{"unreadable day: no due date rather than a wrong one", "11/02/2026", 30, "", "no 835 30 days after submission (filed 11/02/2026); a 276 status inquiry is sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := FollowUpItem("CLM1", "60054", tt.filed, x12.MustAmount("150.00"), tt.days)
			if it.Kind != queue.FollowUp || it.Reason != ReasonNo835 || it.Action != ActionCheckStatus || it.ClaimID != "CLM1" || it.Payer != "60054" {
				t.Fatalf("item %+v", it)
			}
			if it.Amount != x12.MustAmount("150.00") {
				t.Errorf("amount %s", it.Amount)
			}
			if it.Due != tt.wantDue {
				t.Errorf("due %q, want %q", it.Due, tt.wantDue)
			}
			if it.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", it.Message, tt.wantMsg)
			}
		})
	}
}
