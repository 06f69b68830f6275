package pipeline

import "testing"

func TestLetterFormats(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		f              func(string) string
	}{
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
