package claims

import (
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
)

var scrubToday = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func baseAuth() AuthUse {
	return AuthUse{Authorization: Authorization{Type: "authorization", Number: "AUTH-1", Payer: "demo-commercial",
		ClientID: "c1", MemberID: "W123456789", Codes: []string{"90832-90838"}, Units: 10, UnitKind: UnitVisit,
		Start: "2026-01-01", End: "2026-06-30"}}
}

// cleanCase builds a claim that passes every rule: 90837 for 55 minutes in the office,
// authorized, by the licensed LCSW, for the commercial payer.
func cleanCase(t *testing.T) (*Setup, *Claim, *Scrubber) {
	cfg := testConfig(t)
	s := session("s-1", "90837")
	s.Authorization = "AUTH-1"
	cl := (&Builder{Setup: cfg}).Claims([]Session{s})
	return cfg, cl[0], &Scrubber{Setup: cfg, Auths: []AuthUse{baseAuth()}, Today: scrubToday}
}

// rebuild re-groups the claim's lines after a test changed the sessions it came from.
func rebuildWith(t *testing.T, cfg *Setup, ss ...Session) *Claim {
	cl := (&Builder{Setup: cfg}).Claims(ss)
	if len(cl) != 1 {
		t.Fatalf("%d claims", len(cl))
	}
	return cl[0]
}

func addLine(c *Claim, code string, minutes int) {
	l := c.Lines[0]
	l.Code, l.Minutes, l.SessionID = code, minutes, "s-x"
	l.Modifiers = nil
	c.Lines = append(c.Lines, l)
	c.Total = c.Sum()
}

// enrollment sets demo-commercial's enrollment list and enrollment_unlisted.
func enrollment(unlisted EnrollmentUnlisted, list ...Enrollment) func(*testing.T, *Setup, *Claim, *Scrubber) *Claim {
	return func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
		p, _ := cfg.Payer("demo-commercial")
		p.Enrollment, p.EnrollmentUnlisted = list, unlisted
		return c
	}
}

func TestScrubRules(t *testing.T) {
	type fix = func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
	tests := []struct {
		name string
		rule string
		fire bool
		fix  fix
	}{
		{"unknown practice", "config.practice", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Practice = "x"; return c }},
		{"unknown payer", "config.payer", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Payer = "x"; return c }},
		{"unknown rendering", "config.rendering", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.RenderingNPI = "1588667638"
			return c
		}},
		{"billing NPI may render", "config.rendering", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.RenderingNPI = practiceNPI
			return c
		}},
		{"carve-out payer", "payer.carve_out", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			p, _ := cfg.Payer("demo-commercial")
			p.CarveOutPayerID = "BH001"
			return c
		}},
		{"bad rendering NPI", "npi.luhn", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.RenderingNPI = "1245319598"
			return c
		}},
		{"bad supervising NPI", "npi.luhn", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.SupervisingNPI = "1003000127"
			return c
		}},
		{"good supervising NPI", "npi.luhn", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.SupervisingNPI = lpcaNPI
			return c
		}},
		{"no DOB", "demographics.required", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Client.DOB = ""; return c }},
		{"no member id", "demographics.required", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Coverage.MemberID = ""
			return c
		}},
		{"dependent without subscriber", "demographics.required", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Coverage.Relationship = "child"
			return c
		}},
		{"dependent with subscriber", "demographics.required", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Coverage.Relationship = "child"
			c.Coverage.Subscriber = &Person{FirstName: "Pat", LastName: "Doe"}
			return c
		}},
		{"future date", "date.service", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Date, c.Lines[0].Date = "2026-04-01", "2026-04-01"
			return c
		}},
		{"bad ICD-10", "icd10.format", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[1] = "4111"
			return c
		}},
		{"ICD-10 too long", "icd10.format", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[1] = "F4111234"
			return c
		}},
		{"7-character ICD-10", "icd10.format", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[1] = "S060X0A"
			return c
		}},
		{"Z principal", "icd10.bh_principal", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[0] = "Z630"
			return c
		}},
		{"medical principal", "icd10.bh_principal", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[0] = "E119"
			return c
		}},
		{"Z secondary", "icd10.bh_principal", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Diagnoses[1] = "Z630"
			return c
		}},
		{"13 diagnoses", "hi.max12", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			for len(c.Diagnoses) < 13 {
				c.Diagnoses = append(c.Diagnoses, "F4"+string(rune('0'+len(c.Diagnoses)%10)))
			}
			return c
		}},
		{"12 diagnoses", "hi.max12", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			for len(c.Diagnoses) < 12 {
				c.Diagnoses = append(c.Diagnoses, "F4"+string(rune('0'+len(c.Diagnoses)%10)))
			}
			return c
		}},
		{"pointer past HI", "hi.pointers", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Pointers = []int{1, 3}
			return c
		}},
		{"no pointer", "hi.pointers", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Pointers = nil
			return c
		}},
		{"51 lines", "lines.max50", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			for len(c.Lines) < 51 {
				addLine(c, "90791", 60)
			}
			return c
		}},
		{"bad CPT", "cpt.format", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code = "9083"
			return c
		}},
		{"HCPCS", "cpt.format", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code = "H0004"
			return c
		}},
		{"bad modifier", "modifier.format", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Modifiers = []string{"9"}
			return c
		}},
		{"5 modifiers", "modifier.max4", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Modifiers = []string{"59", "XE", "XS", "XP", "XU"}
			return c
		}},
		{"4 modifiers", "modifier.max4", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Modifiers = []string{"59", "XE", "XS", "XP"}
			return c
		}},
		{"zero charge", "charge.positive", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Lines[0].Charge = 0; return c }},
		{"duplicate line", "line.duplicate", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			addLine(c, "90837", 55)
			return c
		}},
		{"duplicate with another modifier is distinct", "line.duplicate", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			addLine(c, "90837", 55)
			c.Lines[1].Modifiers = []string{"59"}
			return c
		}},
		{"no minutes", "time.missing", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Lines[0].Minutes = 0; return c }},
		{"90837 at 50 minutes", "time.90837", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Minutes = 50
			return c
		}},
		{"90837 at 53 minutes", "time.90837", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Minutes = 53
			return c
		}},
		{"90832 at 15 minutes", "time.90832", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90832", 15
			return c
		}},
		{"90832 at 16 minutes", "time.90832", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90832", 16
			return c
		}},
		{"90832 at 38 minutes", "time.90832", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90832", 38
			return c
		}},
		{"90834 at 37 minutes", "time.90834", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90834", 37
			return c
		}},
		{"90834 at 52 minutes", "time.90834", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90834", 52
			return c
		}},
		{"90834 at 53 minutes", "time.90834", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90834", 53
			return c
		}},
		{"90839 at 29 minutes", "time.90839", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90839", 29
			return c
		}},
		{"90839 at 30 minutes", "time.90839", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90839", 30
			return c
		}},
		{"90846 at 25 minutes", "time.90846", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90846", 25
			return c
		}},
		{"90847 at 25 minutes", "time.90847", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90847", 25
			return c
		}},
		{"90847 at 26 minutes", "time.90847", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90847", 26
			return c
		}},
		{"90836 at 30 minutes", "time.90836", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99214", 25
			addLine(c, "90836", 30)
			return c
		}},
		{"90833 at 40 minutes", "time.90833", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99214", 25
			addLine(c, "90833", 40)
			return c
		}},
		{"90838 at 52 minutes", "time.90838", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99214", 25
			addLine(c, "90838", 52)
			return c
		}},
		{"90785 with 90837", "addon.90785", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			addLine(c, "90785", 55)
			return c
		}},
		{"90785 with 90846", "addon.90785", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90846", 50
			addLine(c, "90785", 50)
			return c
		}},
		{"90785 with 90839", "addon.90785", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90839", 60
			addLine(c, "90785", 60)
			return c
		}},
		{"90785 with an E/M alone", "addon.90785", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99213", 20
			addLine(c, "90785", 20)
			return c
		}},
		{"90785 with E/M and 90833", "addon.90785", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99213", 20
			addLine(c, "90833", 20)
			addLine(c, "90785", 20)
			return c
		}},
		{"90833 without E/M", "addon.em", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90833", 20
			return c
		}},
		{"90838 with 99215", "addon.em", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "99215", 30
			addLine(c, "90838", 55)
			return c
		}},
		{"90840 alone", "addon.90840", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code = "90840"
			return c
		}},
		{"90840 with 90839", "addon.90840", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes = "90839", 70
			addLine(c, "90840", 30)
			return c
		}},
		{"H2019 units off", "units.15min", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes, c.Lines[0].Units = "H2019", 38, 2 // 38 min = 3 units
			return c
		}},
		{"97153 7 minutes", "units.15min", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes, c.Lines[0].Units = "97153", 7, 1
			return c
		}},
		{"97153 units right", "units.15min", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Code, c.Lines[0].Minutes, c.Lines[0].Units = "97153", 120, 8
			return c
		}},
		{"Medicaid LCSW without AJ", "modifier.credential", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Payer = "demo-medicaid"
			return c
		}},
		{"Medicaid LCSW with HO instead of AJ", "modifier.credential", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Payer = "demo-medicaid"
			c.Lines[0].Modifiers = []string{"HO"}
			return c
		}},
		{"Medicaid LCSW built with AJ", "modifier.credential", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			ss := session("s-1", "90837")
			ss.Coverage.Payer = "demo-medicaid"
			return rebuildWith(t, cfg, ss)
		}},
		{"POS 10 not accepted", "telehealth.pos", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			p, _ := cfg.Payer("demo-commercial")
			p.Telehealth.POS = []string{"02"}
			ss := session("s-1", "90837")
			ss.Authorization = "AUTH-1"
			ss.Service.PlaceOfService = "10"
			return rebuildWith(t, cfg, ss)
		}},
		{"POS 10 accepted, 95 added", "telehealth.pos", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			ss := session("s-1", "90837")
			ss.Authorization = "AUTH-1"
			ss.Service.PlaceOfService = "10"
			return rebuildWith(t, cfg, ss)
		}},
		{"POS 02 without 95", "telehealth.modifier", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.PlaceOfService, c.Lines[0].PlaceOfService = "02", "02"
			return c
		}},
		{"POS 02 audio only 93", "telehealth.modifier", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.PlaceOfService, c.Lines[0].PlaceOfService = "02", "02"
			c.Lines[0].Modifiers = []string{"93"}
			return c
		}},
		{"95 in the office", "telehealth.modifier_pos", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Lines[0].Modifiers = []string{"95"}
			return c
		}},
		{"LPC-A for Medicaid without supervisor", "supervising.required", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			pr, _ := cfg.Practice("demo-practice")
			pv, _ := pr.Provider(lpcaNPI)
			pv.Supervisor = ""
			ss := session("s-1", "90837")
			ss.Coverage.Payer, ss.RenderingProvider = "demo-medicaid", lpcaNPI
			return rebuildWith(t, cfg, ss)
		}},
		{"LPC-A for Medicaid, supervisor from config", "supervising.required", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			ss := session("s-1", "90837")
			ss.Coverage.Payer, ss.RenderingProvider = "demo-medicaid", lpcaNPI
			return rebuildWith(t, cfg, ss)
		}},
		{"LPC-A for a payer without the rule", "supervising.required", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.RenderingNPI, c.SupervisingNPI = lpcaNPI, ""
			return c
		}},
		{"no authorization", "auth.required", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { c.Authorization = ""; return c }},
		{"no authorization for a code without the rule", "auth.required", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Authorization, c.Lines[0].Code = "", "90791"
			return c
		}},
		{"unknown authorization", "auth.unknown", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Authorization = "AUTH-9"
			return c
		}},
		{"authorization of another client", "auth.client", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].ClientID = "c9"
			return c
		}},
		{"authorization for other codes", "auth.code", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].Codes = []string{"90846"}
			return c
		}},
		{"authorization expired", "auth.dates", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].End = "2026-03-01"
			return c
		}},
		{"authorization not started", "auth.dates", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].Start = "2026-03-03"
			return c
		}},
		{"authorization last day", "auth.dates", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].End = "2026-03-02"
			return c
		}},
		{"authorization used up", "auth.units", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { s.Auths[0].Used = 10; return c }},
		{"authorization last unit", "auth.units", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim { s.Auths[0].Used = 9; return c }},
		{"15-minute authorization short", "auth.units", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].UnitKind, s.Auths[0].Units, s.Auths[0].Codes = Unit15Minute, 7, []string{"H2019"}
			c.Lines[0].Code, c.Lines[0].Minutes, c.Lines[0].Units = "H2019", 120, 8
			return c
		}},
		{"authorization for telehealth only", "auth.pos", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].PlaceOfService = "10"
			return c
		}},
		{"authorization for office", "auth.pos", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].PlaceOfService = "11"
			return c
		}},
		{"authorization names another provider", "auth.provider", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].Provider = lpcaNPI
			return c
		}},
		{"authorization names this provider", "auth.provider", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Auths[0].Provider = lcswNPI
			return c
		}},
		{"enrollment pending", "enrollment.active", true, enrollment("", Enrollment{NPI: practiceNPI, Status: "pending"})},
		{"rendering enrollment pending", "enrollment.active", true,
			enrollment("", Enrollment{NPI: practiceNPI, Status: "active"}, Enrollment{NPI: lcswNPI, Status: "pending"})},
		{"enrollment active", "enrollment.active", false, enrollment("", Enrollment{NPI: practiceNPI, Status: "active"})},
		{"unlisted rendering NPI, enrollment_unlisted hold", "enrollment.active", true,
			enrollment("hold", Enrollment{NPI: practiceNPI, Status: "active"})},
		{"unlisted billing NPI, enrollment_unlisted allow", "enrollment.active", false,
			enrollment("allow", Enrollment{NPI: lcswNPI, Status: "active"})},
		{"unlisted billing NPI, default billing", "enrollment.active", true, enrollment("", Enrollment{NPI: lcswNPI, Status: "active"})},
		{"listed pending with enrollment_unlisted allow", "enrollment.active", true,
			enrollment("allow", Enrollment{NPI: lcswNPI, Status: "pending"})},
		{"replacement without F8", "frequency.f8", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Frequency = FrequencyReplacement
			return c
		}},
		{"void with F8", "frequency.f8", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			c.Frequency, c.PayerControlNumber = FrequencyVoid, "PCN1"
			return c
		}},
		{"charge below the contract", "charge.below_contract", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			p, _ := cfg.Payer("demo-commercial")
			p.FeeSchedule = FeeSchedule{{Code: "90837", Rate: x12.MustAmount("160.00"), Source: "fees.csv line 2"}}
			return c
		}},
		{"charge at the contract", "charge.below_contract", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			p, _ := cfg.Payer("demo-commercial")
			p.FeeSchedule = FeeSchedule{{Code: "90837", Rate: c.Lines[0].Charge, Source: "fees.csv line 2"}}
			return c
		}},
		{"contract of another period", "charge.below_contract", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			p, _ := cfg.Payer("demo-commercial")
			p.FeeSchedule = FeeSchedule{{Code: "90837", Rate: x12.MustAmount("160.00"), From: "2027-01-01"}}
			return c
		}},
		{"filing limit near", "timely.warn", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Today = time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC) // 161 of 180 days
			s.Auths[0].End = "2026-12-31"
			return c
		}},
		{"filing limit passed", "timely.expired", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Today = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC) // 183 days
			return c
		}},
		{"filing on the last day", "timely.expired", false, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			s.Today = time.Date(2026, 8, 29, 0, 0, 0, 0, time.UTC) // day 180
			return c
		}},
	}
	tests = append(tests, cobScrubCases()...)         // claims/tertiary_test.go
	tests = append(tests, billedTwiceScrubCases()...) // claims/billedtwice_test.go
	fired := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			cfg, c, s := cleanCase(t)
			c = tt.fix(t, cfg, c, s)
			res := s.Scrub([]*Claim{c})[0]
			var got *Finding
			for i := range res.Findings {
				if res.Findings[i].Rule == tt.rule {
					got = &res.Findings[i]
				}
			}
			if (got != nil) != tt.fire {
				t.Fatalf("rule %s fired = %v, want %v; findings %+v", tt.rule, got != nil, tt.fire, res.Findings)
			}
			if got != nil {
				fired[tt.rule] = true
				if got.Message == "" || got.Reference == "" || got.ClaimID != c.ID {
					t.Errorf("finding incomplete: %+v", got)
				}
				if res.Held != (got.Severity == SeverityError || Held(res.Findings)) {
					t.Errorf("held = %v with findings %+v", res.Held, res.Findings)
				}
			}
		})
	}
	// Every rule fires in some case; the clean claim (TestScrubCleanClaimPasses) passes all.
	for _, r := range DefaultRules() {
		if !fired[r.ID] {
			t.Errorf("rule %s has no case where it fires", r.ID)
		}
	}
}

func TestScrubCleanClaimPasses(t *testing.T) {
	_, c, s := cleanCase(t)
	res := s.Scrub([]*Claim{c})
	if len(res) != 1 || len(res[0].Findings) != 0 || res[0].Held {
		t.Fatalf("clean claim: %+v", res)
	}
}

func TestScrubBatchState(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	// Two claims for the same client on two days, one visit left on the authorization:
	// the first passes, the second is held for units.
	s1 := session("s-1", "90837")
	s1.Authorization = "AUTH-1"
	s2 := s1
	s2.ID, s2.Date = "s-2", "2026-03-03"
	a := baseAuth()
	a.Used = 9
	cl := b.Claims([]Session{s1, s2})
	res := (&Scrubber{Setup: cfg, Auths: []AuthUse{a}, Today: scrubToday}).Scrub(cl)
	if res[0].Held || !res[1].Held || res[1].Findings[0].Rule != "auth.units" {
		t.Fatalf("results %+v", res)
	}
	// The same line in two claims of a batch (a session sent twice under two ids).
	s3 := s1
	s3.ID = "s-3"
	s3.Charge = x12.MustAmount("1")
	cfg.GroupSameDay = false
	cl = (&Builder{Setup: cfg}).Claims([]Session{s1, s3})
	res = (&Scrubber{Setup: cfg, Auths: []AuthUse{baseAuth()}, Today: scrubToday}).Scrub(cl)
	if len(res) != 2 || res[0].Held || !res[1].Held || res[1].Findings[0].Rule != "line.duplicate" {
		t.Fatalf("duplicate across claims: %+v", res)
	}
}
