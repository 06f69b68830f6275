package x12

import (
	"encoding/json"
	"math"
	"testing"
)

func TestAmount(t *testing.T) {
	cases := []struct {
		in   string
		cent int64
		str  string
		x12  string
	}{
		{"150", 15000, "150.00", "150"},
		{"150.5", 15050, "150.50", "150.5"},
		{"-.06", -6, "-0.06", "-0.06"},
		{"1234.000", 123400, "1234.00", "1234"},
		{"0.01", 1, "0.01", "0.01"},
	}
	for _, c := range cases {
		a, err := ParseAmount(c.in)
		if err != nil || int64(a) != c.cent || a.String() != c.str || a.X12() != c.x12 {
			t.Errorf("%q: %d %q %q %v", c.in, a, a.String(), a.X12(), err)
		}
	}
	for _, bad := range []string{"", "-", "1.234", "1e5", "12a", "1.2.3"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestAmountDollars(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"0", "$0.00"}, {"-0.06", "-$0.06"}, {"150", "$150.00"}, {"1234.5", "$1,234.50"},
		{"999999.99", "$999,999.99"}, {"-1000000", "-$1,000,000.00"},
	} {
		if got := MustAmount(tt.in).Dollars(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// An amount is a JSON string in String's form both ways, as a value and inside a struct
// (MarshalText, not a float).
func TestAmountJSON(t *testing.T) {
	for _, c := range []struct {
		a    Amount
		want string
	}{{0, `"0.00"`}, {5, `"0.05"`}, {-6, `"-0.06"`}, {15050, `"150.50"`}, {-123456789, `"-1234567.89"`},
		{math.MaxInt64, `"92233720368547758.07"`}, {math.MinInt64, `"-92233720368547758.08"`}} {
		b, err := json.Marshal(struct {
			A Amount `json:"a"`
		}{c.a})
		if err != nil || string(b) != `{"a":`+c.want+`}` {
			t.Errorf("%d: %s %v, want %s", int64(c.a), b, err, c.want)
		}
		var back Amount
		if err := json.Unmarshal([]byte(c.want), &back); err != nil || back != c.a {
			t.Errorf("%s read back as %d (%v)", c.want, int64(back), err)
		}
		if s := c.a.String(); `"`+s+`"` != c.want {
			t.Errorf("%d: String %q", int64(c.a), s)
		}
	}
}
