package claims

import (
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestFeeScheduleRate(t *testing.T) {
	f := FeeSchedule{
		{Code: "90837", Rate: x12.MustAmount("120.00"), To: "2025-12-31", Source: "old"},
		{Code: "90837", Rate: x12.MustAmount("135.00"), From: "2026-01-01", Source: "2026"},
		{Code: "90837", Modifiers: []string{"95", "AJ"}, Rate: x12.MustAmount("125.00"), From: "2026-01-01", Source: "tele"},
		{Code: "97153", Rate: x12.MustAmount("15.50"), Source: "aba"},
	}
	tests := []struct {
		name     string
		code     string
		mods     []string
		date     string
		units    int
		source   string
		contract string
	}{
		{"before the new rate", "90837", nil, "2025-06-01", 1, "old", "120.00"},
		{"new rate from its first day", "90837", nil, "2026-01-01", 1, "2026", "135.00"},
		{"exact modifiers in another order", "90837", []string{"AJ", "95"}, "2026-03-01", 1, "tele", "125.00"},
		{"other modifiers use the plain rate", "90837", []string{"HO"}, "2026-03-01", 1, "2026", "135.00"},
		{"per unit", "97153", nil, "2026-03-01", 8, "aba", "124.00"},
		{"no rate for the code", "90791", nil, "2026-03-01", 1, "", ""},
		{"no units", "97153", nil, "2026-03-01", 0, "aba", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			amt, r, ok := f.Contract(tt.code, tt.mods, tt.date, tt.units)
			if r.Source != tt.source {
				t.Errorf("rate from %q, want %q", r.Source, tt.source)
			}
			if ok != (tt.contract != "") || (ok && amt != x12.MustAmount(tt.contract)) {
				t.Errorf("contract %v %v, want %q", amt, ok, tt.contract)
			}
		})
	}
}

func TestDollars(t *testing.T) {
	for in, want := range map[string]string{"0": "$0.00", "1234.5": "$1,234.50", "-0.06": "-$0.06", "1234567.89": "$1,234,567.89", "999": "$999.00"} {
		if got := Dollars(x12.MustAmount(in)); got != want {
			t.Errorf("Dollars(%s) = %s, want %s", in, got, want)
		}
	}
}
