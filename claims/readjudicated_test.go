package claims

import (
	"testing"
)

// TestReadjudicated: the replacement of a secondary claim after the primary re-adjudicated
// keeps its payer, coverage, clearinghouse and lines, quotes the new adjudication, and is
// refused without the payer's claim number or for a claim that quotes no earlier payer.
func TestReadjudicated(t *testing.T) {
	cfg := testSetup()
	b := &Builder{Setup: cfg}
	_, secondary, _ := buildTertiary(t, cfg)
	secondary.Lines[0].Modifiers = append(secondary.Lines[0].Modifiers, "AJ")
	secondary.Clearinghouse = "where-it-went"
	np := cobPrimary()
	np.Paid, np.PayerControlNumber = amt("130"), "ICN-P2"

	r, err := b.Readjudicated(secondary, []PriorPayerInfo{np}, "ICN-S1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != Resubmission(secondary.ID, FrequencyReplacement, 2) || r.Frequency != FrequencyReplacement || r.PayerControlNumber != "ICN-S1" {
		t.Errorf("id %s frequency %s REF*F8 %s", r.ID, r.Frequency, r.PayerControlNumber)
	}
	if r.Payer != secondary.Payer || r.Coverage != secondary.Coverage || r.Clearinghouse != "where-it-went" || r.Responsibility() != ResponsibilitySecondary {
		t.Errorf("payer %s coverage %+v clearinghouse %s SBR01 %s", r.Payer, r.Coverage, r.Clearinghouse, r.Responsibility())
	}
	if r.Primary == nil || r.Primary.Paid != amt("130") || r.Primary.PayerControlNumber != "ICN-P2" || r.Primary.Responsibility != ResponsibilityPrimary {
		t.Errorf("2320: %+v", r.Primary)
	}
	if len(r.Lines) != len(secondary.Lines) || len(r.Lines[0].Modifiers) != len(secondary.Lines[0].Modifiers) {
		t.Errorf("lines %+v, want %+v", r.Lines, secondary.Lines)
	}
	r.Lines[0].Modifiers[0] = "XX"
	if secondary.Lines[0].Modifiers[0] == "XX" {
		t.Error("the replacement shares the original's lines")
	}
	if secondary.Primary.Paid != amt("120") {
		t.Error("the original's quote changed")
	}

	if _, err := b.Readjudicated(secondary, []PriorPayerInfo{np}, "", 1); err == nil {
		t.Error("built without REF*F8")
	}
	plain := *secondary
	plain.Primary = nil
	if _, err := b.Readjudicated(&plain, []PriorPayerInfo{np}, "ICN-S1", 1); err == nil {
		t.Error("built for a claim quoting no earlier payer")
	}
}
