package x12

// ValidNPI reports whether v is a National Provider Identifier: ten digits whose last is
// the Luhn check digit of the first nine prefixed with 80840 (45 CFR 162.406). It is the one
// NPI check: the guide tables (NM109 with NM108 XX), the scrubber, intake and the config
// check all call it.
func ValidNPI[T string | []byte](v T) bool {
	if len(v) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	// The prefix 80840, Luhn-doubled from the right as part of the 15-digit number,
	// contributes a constant 24; adding it avoids building the longer string.
	sum := 24
	for k := 0; k < 9; k++ {
		d := int(v[8-k] - '0')
		if k%2 == 0 { // the rightmost payload digit is doubled (the check digit is not present)
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(v[9]-'0')
}
