package claims

import (
	"fmt"
	"strings"
)

// Lengths of the X12 elements inbox fields feed (837P, X222A1): a value that does not fit
// is rejected at intake rather than cut short (or refused by the payer) weeks later.
const (
	maxIDLen      = 50 // REF02: session ids, authorization numbers (REF*G1), client ids
	maxLastName   = 60 // NM103
	maxFirstName  = 35 // NM104
	maxMemberID   = 80 // NM109
	maxAddressLen = 55 // N301, N302
	maxCityLen    = 30 // N401
	maxGroupLen   = 50 // SBR03
	maxMinutes    = 24 * 60
	maxUnits      = 9999 // SV104 service units of one session line
	maxAuthUnits  = 100000
	maxValueEcho  = 80 // how much of a bad value a reject repeats
)

// safeID reports whether an id keeps to the ids' character set: letters, digits and
// . _ : - starting with a letter or digit, no "..". Ids name web addresses, files and X12
// elements, so no "/", no spaces, no control characters. (A loop: it runs for every record.)
func safeID(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '_' || c == ':' || c == '-'):
		case i > 0 && c == '.' && v[i-1] != '.':
		default:
			return false
		}
	}
	return v != ""
}

// echo shortens a bad value for the reject (a 1 MB name is not repeated whole).
func echo(v string) string {
	if len(v) <= maxValueEcho {
		return v
	}
	return fmt.Sprintf("%s... (%d bytes)", strings.ToValidUTF8(v[:maxValueEcho], ""), len(v))
}

// id checks an id that is present: length and the safe character set.
func (c *checker) id(field, value string, max int) {
	switch {
	case value == "":
	case len(value) > max:
		c.add(field, echo(value), fmt.Sprintf("is longer than %d characters", max))
	case !safeID(value):
		c.add(field, echo(value), "may hold only letters, digits and . _ : - (starting with a letter or digit, no ..)")
	}
}

// text checks free text that is present against the X12 element it feeds: length, and the
// X12 character set (printable ASCII; the 837 writer turns delimiters into spaces).
func (c *checker) text(field, value string, max int, element string) {
	if len(value) > max {
		c.add(field, echo(value), fmt.Sprintf("is longer than %d characters (X12 %s)", max, element))
		return
	}
	for i := 0; i < len(value); i++ {
		if value[i] < 0x20 || value[i] > 0x7e {
			c.add(field, echo(value), "has a character outside the X12 character set (printable ASCII, no control characters)")
			return
		}
	}
}

// personLimits checks a person's text fields against NM1, N3 and N4.
func (c *checker) personLimits(prefix string, p *Person) {
	c.id(prefix+".id", p.ID, maxIDLen)
	c.text(prefix+".first_name", p.FirstName, maxFirstName, "NM104")
	c.text(prefix+".last_name", p.LastName, maxLastName, "NM103")
	c.text(prefix+".member_id", p.MemberID, maxMemberID, "NM109")
	c.text(prefix+".address.line1", p.Address.Line1, maxAddressLen, "N301")
	c.text(prefix+".address.line2", p.Address.Line2, maxAddressLen, "N302")
	c.text(prefix+".address.city", p.Address.City, maxCityLen, "N401")
}

// sessionLimits checks a session's ids and text fields, and bounds its counts.
func (c *checker) sessionLimits(s *Session) {
	c.id("id", s.ID, maxIDLen)
	c.id("authorization", s.Authorization, maxIDLen)
	c.text("coverage.member_id", s.Coverage.MemberID, maxMemberID, "NM109")
	c.text("coverage.group", s.Coverage.Group, maxGroupLen, "SBR03")
	if s.Minutes > maxMinutes {
		c.add("minutes", fmt.Sprint(s.Minutes), "is more than a day")
	}
	if s.Service.Units > maxUnits {
		c.add("service.units", fmt.Sprint(s.Service.Units), fmt.Sprintf("is more than %d", maxUnits))
	}
}

// authorizationLimits checks an authorization's ids and text fields.
func (c *checker) authorizationLimits(a *Authorization) {
	c.id("number", a.Number, maxIDLen)
	c.id("client_id", a.ClientID, maxIDLen)
	c.text("member_id", a.MemberID, maxMemberID, "NM109")
	if a.Units > maxAuthUnits {
		c.add("units", fmt.Sprint(a.Units), fmt.Sprintf("is more than %d", maxAuthUnits))
	}
}
