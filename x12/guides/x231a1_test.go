package guides

import "testing"

func TestX231A1MatchesMap(t *testing.T) {
	compareWithMap(t, X231A1, "999.5010X231.A1.xml", map[string]string{
		"ST/ST/ST03 codes": "999s in the field (pyx12's own 834 ack) carry the base id 005010X231; " +
			"the registry accepts it as an alias, so ST03 must too",
		"2100/IK3/IK302 length":                     "DE 719 is N0 1/10 in 00501 (the map keeps the 4010 length 1/6)",
		"2100/CTX*SITUATIONAL TRIGGER/CTX03 length": "DE 719 is N0 1/10 in 00501",
		"2110/CTX*SITUATIONAL TRIGGER/CTX03 length": "DE 719 is N0 1/10 in 00501",
		"2100/CTX/CTX01-1 codes": "the map split the guide's code table across lines and kept the " +
			"descriptions (\"PATIENT NAME NM109\"); the codes are the element refs CLM01 ENT01 NM109 REF02 TRN02",
		"2100/IK3/IK304 usage": "X231A1 marks IK304 Required: an IK3 without its error code tells the sender nothing",
	})
}
