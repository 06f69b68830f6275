package eligibility

import (
	"strings"
	"testing"
	"time"
)

func TestBillNow(t *testing.T) {
	recv := time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC) // a Friday evening session
	asked := recv.Add(11 * time.Hour)
	tests := []struct {
		name     string
		w        ClaimWait
		wait     bool
		until    time.Time
		warnWith string
	}{
		{"no wait configured", ClaimWait{Wait: 0, Now: recv, Received: recv}, false, time.Time{}, ""},
		{"answered", ClaimWait{Wait: 48 * time.Hour, Now: recv.Add(time.Hour), Received: recv, Asked: &asked, Answered: true}, false, time.Time{}, ""},
		{"no 270 yet", ClaimWait{Wait: 48 * time.Hour, Now: recv.Add(time.Hour), Received: recv}, true, recv.Add(48 * time.Hour), ""},
		{"270 out, no answer", ClaimWait{Wait: 48 * time.Hour, Now: recv.Add(50 * time.Hour), Received: recv, Asked: &asked}, true, asked.Add(48 * time.Hour), ""},
		{"270 unanswered past the wait", ClaimWait{Wait: 48 * time.Hour, Now: asked.Add(48 * time.Hour), Received: recv, Asked: &asked}, false, time.Time{}, "Dec 5, 2026 06:00 UTC has no answer"},
		{"no 270 past the wait", ClaimWait{Wait: 48 * time.Hour, Now: recv.Add(49 * time.Hour), Received: recv}, false, time.Time{}, "no eligibility inquiry (270) went out after waiting 48 hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BillNow(tt.w)
			if got.Wait != tt.wait || !got.Until.Equal(tt.until) {
				t.Errorf("wait %v until %v, want %v until %v", got.Wait, got.Until, tt.wait, tt.until)
			}
			if (got.Warning != "") != (tt.warnWith != "") || !strings.Contains(got.Warning, tt.warnWith) {
				t.Errorf("warning %q, want one with %q", got.Warning, tt.warnWith)
			}
		})
	}
}
