package claims

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// FieldError is one problem with one field of an inbox record. Intake prefixes it with the
// record number ("record 3: client.dob: ..."), so integrators can find and fix it.
type FieldError struct {
	Field  string `json:"field"`  // JSON path, e.g. "client.dob" or "service.modifiers[1]"
	Value  string `json:"value"`  // the offending value as sent ("" when missing)
	Reason string `json:"reason"` // e.g. "is not a date"
}

func (e FieldError) Error() string {
	if e.Field == "" { // the whole record (not valid JSON): no field to name
		return e.Reason
	}
	if e.Value == "" {
		return e.Field + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %q %s", e.Field, e.Value, e.Reason)
}

var (
	posRe   = regexp.MustCompile(`^[0-9]{2}$`)
	zipRe   = regexp.MustCompile(`^[0-9]{5}([0-9]{4})?$`)
	stateRe = regexp.MustCompile(`^[A-Z]{2}$`)
	clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

type checker struct{ errs []FieldError }

func (c *checker) add(field, value, reason string) {
	c.errs = append(c.errs, FieldError{Field: field, Value: echo(value), Reason: reason})
}

func (c *checker) required(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		c.add(field, "", "is required")
		return false
	}
	return true
}

func (c *checker) date(field, value string, notAfter time.Time) {
	if !c.required(field, value) {
		return
	}
	d, err := time.Parse(civilDate, value)
	if err != nil {
		c.add(field, value, "is not a date")
		return
	}
	if !notAfter.IsZero() && d.After(notAfter) {
		c.add(field, value, "is in the future")
	}
}

func (c *checker) match(field, value string, re *regexp.Regexp, reason string) {
	if c.required(field, value) && !re.MatchString(value) {
		c.add(field, value, reason)
	}
}

func (c *checker) oneOf(field, value string, allowed ...string) {
	if !c.required(field, value) {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.add(field, value, "is not one of "+strings.Join(allowed, ", "))
}

func (c *checker) npi(field, value string) {
	if c.required(field, value) && !x12.ValidNPI(value) {
		c.add(field, value, "is not a valid NPI (10 digits with a Luhn check digit)")
	}
}

func (c *checker) person(prefix string, p *Person, today time.Time, needMember bool) {
	c.required(prefix+".first_name", p.FirstName)
	c.required(prefix+".last_name", p.LastName)
	c.date(prefix+".dob", p.DOB, today)
	c.oneOf(prefix+".gender", p.Gender, "F", "M", "U")
	if needMember {
		c.required(prefix+".member_id", p.MemberID)
	}
	c.required(prefix+".address.line1", p.Address.Line1)
	c.required(prefix+".address.city", p.Address.City)
	c.match(prefix+".address.state", p.Address.State, stateRe, "is not a two-letter state code")
	c.match(prefix+".address.zip", p.Address.Zip, zipRe, "is not a 5 or 9 digit ZIP code")
	c.personLimits(prefix, p)
}

// ValidateSession checks a session record as the inbox contract defines it, and against
// cfg when it is not nil (known practice, payer and rendering provider). today bounds dates
// of birth and completed dates of service. It returns every problem, not just the first.
func ValidateSession(s *Session, cfg *Setup, today time.Time) []FieldError {
	var c checker
	c.required("id", s.ID)
	c.required("practice", s.Practice)
	c.oneOf("status", s.Status, StatusCompleted, StatusScheduled, StatusVoid, StatusReplaced)
	c.sessionLimits(s)
	c.required("client.id", s.Client.ID)
	c.person("client", &s.Client, today, false)

	c.required("coverage.payer", s.Coverage.Payer)
	c.required("coverage.member_id", s.Coverage.MemberID)
	c.oneOf("coverage.relationship", s.Coverage.Relationship, "self", "spouse", "child", "other")
	c.oneOf("coverage.priority", s.Coverage.Priority, "primary", "secondary", "tertiary")
	if s.Coverage.Relationship != "" && s.Coverage.Relationship != "self" {
		// 837P 2000B SBR02: the subscriber is someone else, so loop 2010BA needs their data.
		if s.Coverage.Subscriber == nil {
			c.add("coverage.subscriber", "", "is required when relationship is not self")
		} else {
			c.person("coverage.subscriber", s.Coverage.Subscriber, today, true)
		}
	}

	if s.Status == StatusCompleted {
		c.date("date", s.Date, today)
	} else {
		c.date("date", s.Date, time.Time{})
	}
	switch {
	case s.Minutes < 0:
		c.add("minutes", fmt.Sprint(s.Minutes), "is negative")
	case s.Minutes > 0:
	case s.Start == "" && s.End == "":
		if s.Status == StatusCompleted {
			c.add("minutes", "", "is required (or start and end)")
		}
	default:
		c.match("start", s.Start, clockRe, "is not a time HH:MM")
		c.match("end", s.End, clockRe, "is not a time HH:MM")
		if clockRe.MatchString(s.Start) && clockRe.MatchString(s.End) && s.End <= s.Start {
			c.add("end", s.End, "is not after start "+s.Start)
		}
	}

	c.match("service.code", s.Service.Code, cptRe, "is not a CPT or HCPCS code")
	if len(s.Service.Modifiers) > MaxModifiers {
		c.add("service.modifiers", strings.Join(s.Service.Modifiers, ","), "has more than 4 modifiers")
	}
	for i, m := range s.Service.Modifiers {
		c.match(fmt.Sprintf("service.modifiers[%d]", i), m, modifierRe, "is not a two-character modifier")
	}
	if s.Service.Units < 0 {
		c.add("service.units", fmt.Sprint(s.Service.Units), "is negative")
	}
	c.match("service.place_of_service", s.Service.PlaceOfService, posRe, "is not a two-digit place of service")

	if len(s.Diagnoses) == 0 {
		c.add("diagnoses", "", "needs at least one ICD-10-CM code")
	}
	if len(s.Diagnoses) > MaxDiagnoses {
		c.add("diagnoses", fmt.Sprint(len(s.Diagnoses)), "has more than 12 codes (837P 2300 HI)")
	}
	for i, d := range s.Diagnoses {
		c.match(fmt.Sprintf("diagnoses[%d]", i), d, icd10Re, "is not an ICD-10-CM code")
	}
	c.npi("rendering_provider", s.RenderingProvider)
	if s.SupervisingProvider != nil {
		c.npi("supervising_provider", *s.SupervisingProvider)
	}
	if s.Charge <= 0 {
		c.add("charge", s.Charge.String(), "must be greater than 0")
	}

	if cfg != nil {
		if pr, ok := cfg.Practice(s.Practice); s.Practice != "" && !ok {
			c.add("practice", s.Practice, "is not a configured practice")
		} else if ok && x12.ValidNPI(s.RenderingProvider) {
			if _, ok := pr.Provider(s.RenderingProvider); !ok {
				c.add("rendering_provider", s.RenderingProvider, "is not a provider of practice "+s.Practice)
			}
		}
		if _, ok := cfg.Payer(s.Coverage.Payer); s.Coverage.Payer != "" && !ok {
			c.add("coverage.payer", s.Coverage.Payer, "is not a configured payer")
		}
	}
	return c.errs
}

// ValidateAuthorization checks an authorization record.
func ValidateAuthorization(a *Authorization, cfg *Setup) []FieldError {
	var c checker
	c.required("number", a.Number)
	c.required("payer", a.Payer)
	c.authorizationLimits(a)
	if a.ClientID == "" && a.MemberID == "" {
		c.add("client_id", "", "is required (or member_id)")
	}
	if len(a.Codes) == 0 {
		c.add("codes", "", "needs at least one code")
	}
	for i, code := range a.Codes {
		lo, hi, isRange := strings.Cut(code, "-")
		if isRange {
			c.match(fmt.Sprintf("codes[%d]", i), lo, cptRe, "is not a CPT or HCPCS code")
			c.match(fmt.Sprintf("codes[%d]", i), hi, cptRe, "is not a CPT or HCPCS code")
			continue
		}
		c.match(fmt.Sprintf("codes[%d]", i), code, cptRe, "is not a CPT or HCPCS code")
	}
	if a.Diagnosis != "" {
		c.match("diagnosis", a.Diagnosis, icd10Re, "is not an ICD-10-CM code")
	}
	if a.Units <= 0 {
		c.add("units", fmt.Sprint(a.Units), "must be greater than 0")
	}
	c.oneOf("unit_kind", a.UnitKind, UnitVisit, Unit15Minute)
	c.date("start", a.Start, time.Time{})
	c.date("end", a.End, time.Time{})
	if a.Start != "" && a.End != "" && a.End < a.Start {
		c.add("end", a.End, "is before start "+a.Start)
	}
	if a.Provider != "" {
		c.npi("provider", a.Provider)
	}
	if a.PlaceOfService != "" {
		c.match("place_of_service", a.PlaceOfService, posRe, "is not a two-digit place of service")
	}
	if cfg != nil && a.Payer != "" {
		if _, ok := cfg.Payer(a.Payer); !ok {
			c.add("payer", a.Payer, "is not a configured payer")
		}
	}
	return c.errs
}

// ValidateClient checks a client record.
func ValidateClient(cl *Client, today time.Time) []FieldError {
	var c checker
	c.required("id", cl.ID)
	c.person("", &cl.Person, today, false)
	for i := range c.errs {
		c.errs[i].Field = strings.TrimPrefix(c.errs[i].Field, ".")
	}
	for i, cov := range cl.Coverage {
		p := fmt.Sprintf("coverage[%d]", i)
		c.required(p+".payer", cov.Payer)
		c.required(p+".member_id", cov.MemberID)
		c.text(p+".member_id", cov.MemberID, maxMemberID, "NM109")
	}
	return c.errs
}
