package webusers

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestRolesAndPasswords(t *testing.T) {
	for _, tc := range []struct {
		in     string
		ok     bool
		change bool
	}{{"admin", true, true}, {"biller", true, true}, {"viewer", true, false}, {"Admin", false, false}, {"", false, false}} {
		r, err := ParseRole(tc.in)
		if (err == nil) != tc.ok || (err == nil && r.CanChange() != tc.change) {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, r, err)
		}
	}
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"short", false}, {"exactly8", true}, {strings.Repeat("x", 72), true}, {strings.Repeat("x", 73), false}} {
		h, err := HashPassword(tc.pw)
		if (err == nil) != tc.ok || (err == nil && bcrypt.CompareHashAndPassword(h, []byte(tc.pw)) != nil) {
			t.Errorf("HashPassword(%d chars): %v", len(tc.pw), err)
		}
	}
	for name, ok := range map[string]bool{"kim": true, "kim.lee@clinic": true, "bad name": false, "": false, strings.Repeat("a", 65): false} {
		if NameRE.MatchString(name) != ok {
			t.Errorf("name %q: want %v", name, ok)
		}
	}
}
