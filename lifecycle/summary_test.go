package lifecycle

import (
	"encoding/json"
	"testing"
)

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		kind   EventKind
		detail string
		want   string
	}{
		{FieldCorrected, `{"change":"Member id: W1 -> W2","who":"kim"}`, "Corrected by the biller: Member id: W1 -> W2 (kim)"},
		{CorrectionConflict, `{"change":"Member id: W2 -> W2","who":"kim","pick":"keep"}`, "Correction conflict settled by the biller: Member id: W2 -> W2, correction kept (kim)"},
		{FieldCorrected, `not json`, "Corrected by the biller"},
		{ResubmittedAs, `{"change":"x"}`, "Resubmitted as a new claim"},
	} {
		if got := (Event{Kind: tc.kind, Detail: json.RawMessage(tc.detail)}).Summary(); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.kind, tc.detail, got, tc.want)
		}
	}
}
