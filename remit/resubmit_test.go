package remit

import (
	"errors"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/queue"
)

func TestCheckResubmit(t *testing.T) {
	same := &claims.Claim{ID: "C1", Diagnoses: []string{"F411"}, Frequency: claims.FrequencyOriginal}
	sameAgain := &claims.Claim{ID: "C1C1", Diagnoses: []string{"F411"}, Frequency: claims.FrequencyOriginal}
	changed := &claims.Claim{ID: "C1C1", Diagnoses: []string{"F329"}, Frequency: claims.FrequencyOriginal}
	for _, tc := range []struct {
		name      string
		it        queue.Item
		corrected *claims.Claim
		refused   bool
		reason    string
		fix       string
	}{
		{"277CA A7:33 unchanged", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "A7:33", Category: "277CA"}, sameAgain, true,
			"acknowledgement: rejected for invalid information: Subscriber and subscriber id not found (A7:33)", "member id"},
		{"277CA message repeating the code's words", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "A7:33", Category: "277CA",
			Message: "33 Subscriber and subscriber id not found (subscriber)"}, sameAgain, true, "not found (A7:33)", "member id"},
		{"277CA with the payer's own words", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "A7:164", Category: "277CA",
			Message: "SUBSCRIBER ID INVALID"}, sameAgain, true, "(A7:164); SUBSCRIBER ID INVALID", "member id"},
		{"277CA corrected", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "A7:33", Category: "277CA"}, changed, false, "", ""},
		{"999 unchanged", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "IK5 R", Category: "999", Message: "SV1 missing"}, sameAgain, true,
			"format check (999) rejected the claim's transaction (IK5 R); SV1 missing", "999's errors"},
		{"TA1 is the envelope", queue.Item{Kind: queue.Rejections, ClaimID: "C1", Reason: "TA1 024", Category: "999"}, sameAgain, false, "", ""},
		{"a denial may be replaced unchanged", queue.Item{Kind: queue.Denials, ClaimID: "C1", Reason: "CO-197"}, sameAgain, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckResubmit(tc.it, same, tc.corrected)
			var ue *UnchangedError
			if tc.refused != errors.As(err, &ue) {
				t.Fatalf("err %v, refused want %v", err, tc.refused)
			}
			if !tc.refused {
				return
			}
			if strings.Count(ue.Reason, "not found") > 1 {
				t.Errorf("reason repeats itself: %q", ue.Reason)
			}
			if !errors.Is(err, ErrUnchanged) || !strings.Contains(ue.Reason, tc.reason) || !strings.Contains(ue.Fix, tc.fix) {
				t.Errorf("reason %q fix %q, want %q / %q", ue.Reason, ue.Fix, tc.reason, tc.fix)
			}
		})
	}
}
