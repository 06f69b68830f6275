package claims

// ValidNPI reports whether npi is ten digits whose last is the Luhn check digit computed
// over the ISO card prefix 80840 and the first nine digits (CMS NPI check-digit rule).
func ValidNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if npi[i] < '0' || npi[i] > '9' {
			return false
		}
	}
	// The prefix 80840 contributes a constant 24 once its digits are Luhn-doubled from the
	// right as part of the 15-digit number; adding it avoids building the longer string.
	sum := 24
	for i := 8; i >= 0; i-- {
		d := int(npi[i] - '0')
		if (8-i)%2 == 0 { // rightmost payload digit is doubled (the check digit is not present)
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	check := (10 - sum%10) % 10
	return int(npi[9]-'0') == check
}
