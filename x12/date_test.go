package x12

import "testing"

func TestDates(t *testing.T) {
	cases := []struct {
		name, in, want string
		conv           func(string) string
	}{
		{"835 date", "20261123", "2026-11-23", ISODate},
		{"already ISO", "2026-11-23", "2026-11-23", ISODate},
		{"not a date", "20261399", "20261399", ISODate},
		{"leap day", "20280229", "2028-02-29", ISODate},
		{"no leap day", "20270229", "20270229", ISODate},
		{"short", "2026112", "2026112", ISODate},
		{"empty", "", "", ISODate},
		{"ISO to D8", "2026-11-23", "20261123", D8},
		{"already D8", "20261123", "20261123", D8},
		{"not ISO", "2026/11/23", "2026/11/23", D8},
		{"empty D8", "", "", D8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.conv(c.in); got != c.want {
				t.Errorf("%q -> %q, want %q", c.in, got, c.want)
			}
		})
	}
	for _, d := range []string{"20260101", "20261231", "20280229"} {
		if got := D8(ISODate(d)); got != d {
			t.Errorf("round trip %s: %s", d, got)
		}
	}
}
