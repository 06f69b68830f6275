package x12

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Amount is an exact monetary amount in cents. X12 R-type money never goes through float.
type Amount int64

// ParseAmount parses an X12 decimal such as "150", "150.5", "-.06" or "1234.00".
// More than two decimal places is an error unless the extra digits are zeros.
func ParseAmount(s string) (Amount, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i = 1
	}
	var whole, frac int64
	digits, fracDigits := 0, 0
	seenPoint := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !seenPoint:
			seenPoint = true
		case c >= '0' && c <= '9':
			digits++
			if seenPoint {
				fracDigits++
				if fracDigits > 2 {
					if c != '0' {
						return 0, fmt.Errorf("amount %q has more than 2 decimal places", s)
					}
					continue
				}
				frac = frac*10 + int64(c-'0')
			} else {
				if whole > (1<<62)/10 {
					return 0, fmt.Errorf("amount %q is too large", s)
				}
				whole = whole*10 + int64(c-'0')
			}
		default:
			return 0, fmt.Errorf("amount %q is not a decimal number", s)
		}
	}
	if digits == 0 {
		return 0, fmt.Errorf("amount %q has no digits", s)
	}
	if fracDigits == 1 {
		frac *= 10
	}
	v := whole*100 + frac
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// MustAmount parses s and panics on error; for tests and constants only.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String renders with two decimals: "150.00", "-0.06".
func (a Amount) String() string {
	var buf [24]byte
	return string(a.appendDecimal(buf[:0]))
}

// appendDecimal appends String's form without fmt: posting an 835 writes several amounts
// per claim into its history, and fmt was a tenth of that.
func (a Amount) appendDecimal(b []byte) []byte {
	v := uint64(a)
	if a < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendUint(b, v/100, 10)
	c := byte(v % 100)
	return append(b, '.', '0'+c/10, '0'+c%10)
}

// Dollars renders the amount as people read money: "$1,234.50", "-$0.06" (the words
// billers see in the CLI, the web UI, letters and the outbox).
func (a Amount) Dollars() string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, cents, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + "$" + b.String() + "." + cents
}

// X12 renders the shortest exact X12 form: "150", "150.5", "-0.06" -> "-.06" is not used;
// the guides accept a leading zero, and trailing zeros are dropped ("150.00" -> "150").
func (a Amount) X12() string {
	v := int64(a)
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v
	}
	whole, frac := v/100, v%100
	switch {
	case frac == 0:
		return sign + strconv.FormatInt(whole, 10)
	case frac%10 == 0:
		return fmt.Sprintf("%s%d.%d", sign, whole, frac/10)
	default:
		return fmt.Sprintf("%s%d.%02d", sign, whole, frac)
	}
}

// MarshalText makes the amount a JSON string ("150.00"), so no JSON reader turns it into a
// float. (A MarshalJSON had encoding/json validate and compact what it returned.)
func (a Amount) MarshalText() ([]byte, error) { return a.appendDecimal(make([]byte, 0, 24)), nil }

// AppendDecimal appends String's form to b (what MarshalText writes), for encoders that
// build their JSON by appending.
func (a Amount) AppendDecimal(b []byte) []byte { return a.appendDecimal(b) }

// UnmarshalJSON accepts "150.00" or 150.00.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
