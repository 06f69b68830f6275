package store

import (
	"encoding/json"
	"testing"
)

// Event details are written by hand on the intake path; they must be the bytes
// json.Marshal wrote before, or history rows would differ by how they were written.
func TestJSONStringMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "AUTH5566", "ready", `a"b`, `back\slash`, "<tag>&", "tab\there", "line\nbreak",
		"\x00\x1f", "café", "\u2028", "bad\xffutf8", "~!@#$%^*()"} {
		want, _ := json.Marshal(s)
		if got := jsonString(s); string(got) != string(want) {
			t.Errorf("jsonString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("AUTH5566")
	f.Add("<\xff>")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := jsonString(s); string(got) != string(want) {
			t.Fatalf("jsonString(%q) = %s, want %s", s, got, want)
		}
	})
}
