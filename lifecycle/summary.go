package lifecycle

import "encoding/json"

// Summary is the event in words with what a biller's correction changed and who made it
// ("Corrected by the biller: Member id: W1 -> W2 (kim)"); other events read as their kind.
func (e Event) Summary() string {
	w := e.Kind.Words()
	if e.Kind != FieldCorrected && e.Kind != CorrectionConflict {
		return w
	}
	var d struct{ Change, Who, Pick string }
	if json.Unmarshal(e.Detail, &d) != nil || d.Change == "" {
		return w
	}
	w += ": " + d.Change
	if d.Pick != "" {
		w += map[string]string{"keep": ", correction kept", "practice": ", practice's value taken"}[d.Pick]
	}
	if d.Who != "" {
		w += " (" + d.Who + ")"
	}
	return w
}
