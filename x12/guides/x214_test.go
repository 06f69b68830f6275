package guides

import "testing"

func TestX214MatchesMap(t *testing.T) {
	compareWithMap(t, X214, "277.5010.X214.xml", map[string]string{
		"2200C usage": "X214 makes the provider-level status loop situational (sent only when status is " +
			"reported per billing provider); stupidedi and Hippo encode it so, and payer 277CAs " +
			"(eMedNY samples) omit it",
		"2220D/SVC/SVC01-1 codes": "the map lists NU twice and drops N4 (NDC); X214 allows AD ER HC HP IV N4 NU WK",
	})
}
