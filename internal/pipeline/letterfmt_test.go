package pipeline

import "testing"

func TestLetterFormats(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		f              func(string) string
	}{
		{"835 date", "20261123", "2026-11-23", letterDate},
		{"already ISO", "2026-11-23", "2026-11-23", letterDate},
		{"not a date", "20261399", "20261399", letterDate},
		{"zip+4", "627011234", "62701-1234", letterZip},
		{"zip5", "62701", "62701", letterZip},
		{"zip with letters", "62701123X", "62701123X", letterZip},
		{"phone", "2175550100", "(217) 555-0100", letterPhone},
		{"phone with extension", "21755501009", "21755501009", letterPhone},
		{"formatted phone", "(217) 555-0100", "(217) 555-0100", letterPhone},
	} {
		if got := c.f(c.in); got != c.want {
			t.Errorf("%s: %q -> %q, want %q", c.name, c.in, got, c.want)
		}
	}
}
