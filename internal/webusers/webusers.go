// Package webusers is what the web UI and the command line agree on about web users: the
// roles and what each may do, and the rules for names and passwords. Both manage the same
// users in the store (`edigate users` and the admin pages); neither imports the other.
package webusers

import (
	"errors"
	"fmt"
	"regexp"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a signed-in user may do.
type Role string

// Roles. An admin does what a biller does and manages users; a viewer reads every page
// and changes nothing.
const (
	Admin  Role = "admin"  // users, settings view, the audit trail, and a biller's work
	Biller Role = "biller" // work queues, corrections
	Viewer Role = "viewer" // read-only
)

// Roles lists the roles, most powerful first.
func Roles() []Role { return []Role{Admin, Biller, Viewer} }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: want admin, biller or viewer", s)
}

// Words says what the role may do, for the users page, refusals and the CLI.
func (r Role) Words() string {
	switch r {
	case Admin:
		return "manages users, sees settings and the audit trail, and works queues"
	case Biller:
		return "works queues and corrects claims"
	case Viewer:
		return "reads every page, changes nothing"
	}
	return string(r)
}

// CanChange says whether the role may send forms that change something.
func (r Role) CanChange() bool { return r == Admin || r == Biller }

// NameRE is what a user name may be: letters, digits and . _ - @, 1 to 64 characters.
var NameRE = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// MinPassword is the shortest password accepted (NIST SP 800-63B's minimum for a
// memorised secret chosen by the user).
const MinPassword = 8

// HashPassword checks and bcrypt-hashes a new password.
func HashPassword(pw string) ([]byte, error) {
	if len(pw) < MinPassword {
		return nil, fmt.Errorf("the password is shorter than %d characters", MinPassword)
	}
	if len(pw) > 72 {
		return nil, errors.New("the password is longer than 72 bytes (bcrypt reads no further)")
	}
	return bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
}
