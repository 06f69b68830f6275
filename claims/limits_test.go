package claims

import (
	"strings"
	"testing"
)

func TestSessionInputLimits(t *testing.T) {
	cfg := testSetup()
	tests := []struct {
		name   string
		change func(s *Session)
		field  string // the one field rejected; "" for valid
		reason string // part of the reason
	}{
		{"limits reached exactly", func(s *Session) {
			s.Client.FirstName = strings.Repeat("J", 35)
			s.Client.LastName = strings.Repeat("D", 60)
			s.Client.Address.Line1 = strings.Repeat("1", 55)
			s.Client.Address.City = strings.Repeat("C", 30)
			s.Coverage.MemberID = strings.Repeat("W", 80)
			s.ID = strings.Repeat("S", 50)
		}, "", ""},
		{"1 MB first name", func(s *Session) { s.Client.FirstName = strings.Repeat("J", 1<<20) }, "client.first_name", "longer than 35 characters (X12 NM104)"},
		{"last name 61", func(s *Session) { s.Client.LastName = strings.Repeat("D", 61) }, "client.last_name", "longer than 60 characters (X12 NM103)"},
		{"address line 56", func(s *Session) { s.Client.Address.Line1 = strings.Repeat("1", 56) }, "client.address.line1", "X12 N301"},
		{"address line2 56", func(s *Session) { s.Client.Address.Line2 = strings.Repeat("1", 56) }, "client.address.line2", "X12 N302"},
		{"city 31", func(s *Session) { s.Client.Address.City = strings.Repeat("C", 31) }, "client.address.city", "X12 N401"},
		{"member id 81", func(s *Session) { s.Coverage.MemberID = strings.Repeat("W", 81) }, "coverage.member_id", "X12 NM109"},
		{"group 51", func(s *Session) { s.Coverage.Group = strings.Repeat("G", 51) }, "coverage.group", "X12 SBR03"},
		{"control character in a name", func(s *Session) { s.Client.LastName = "Doe\x00" }, "client.last_name", "character set"},
		{"newline in an address", func(s *Session) { s.Client.Address.Line1 = "12 Oak\nAve" }, "client.address.line1", "character set"},
		{"session id with a slash", func(s *Session) { s.ID = "S/1" }, "id", "may hold only"},
		{"session id climbing up", func(s *Session) { s.ID = "S..1" }, "id", "no .."},
		{"session id starting with a dot", func(s *Session) { s.ID = ".S1" }, "id", "may hold only"},
		{"session id 51", func(s *Session) { s.ID = strings.Repeat("S", 51) }, "id", "longer than 50"},
		{"client id with a space", func(s *Session) { s.Client.ID = "C 77" }, "client.id", "may hold only"},
		{"authorization with a slash", func(s *Session) { s.Authorization = "../A" }, "authorization", "may hold only"},
		{"minutes over a day", func(s *Session) { s.Minutes, s.Start, s.End = 1441, "", "" }, "minutes", "more than a day"},
		{"units", func(s *Session) { s.Service.Units = 10000 }, "service.units", "more than 9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSession()
			tt.change(s)
			errs := ValidateSession(s, cfg, validateToday)
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("errors = %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Reason, tt.reason) {
				t.Fatalf("errors = %v, want one on %s (%s)", errs, tt.field, tt.reason)
			}
			if len(errs[0].Value) > maxValueEcho+30 {
				t.Fatalf("the reject repeats %d bytes of the value", len(errs[0].Value))
			}
		})
	}
}

func TestAuthorizationAndClientLimits(t *testing.T) {
	cfg := testSetup()
	auth := func() *Authorization {
		return &Authorization{Number: "AUTH1", Payer: "demo-commercial", ClientID: "C-77", Codes: []string{"90837"},
			Units: 5, UnitKind: UnitVisit, Start: "2026-10-01", End: "2027-03-31"}
	}
	tests := []struct {
		name   string
		change func(a *Authorization)
		field  string
	}{
		{"valid", func(*Authorization) {}, ""},
		{"number with a slash", func(a *Authorization) { a.Number = "A/1" }, "number"},
		{"number with a control character", func(a *Authorization) { a.Number = "A\x01" }, "number"},
		{"number 51", func(a *Authorization) { a.Number = strings.Repeat("A", 51) }, "number"},
		{"client id ..", func(a *Authorization) { a.ClientID = "C..7" }, "client_id"},
		{"member id 81", func(a *Authorization) { a.MemberID = strings.Repeat("W", 81) }, "member_id"},
		{"units", func(a *Authorization) { a.Units = maxAuthUnits + 1 }, "units"},
	}
	for _, tt := range tests {
		a := auth()
		tt.change(a)
		errs := ValidateAuthorization(a, cfg)
		if (tt.field == "" && len(errs) != 0) || (tt.field != "" && (len(errs) != 1 || errs[0].Field != tt.field)) {
			t.Errorf("%s: errors = %v, want one on %q", tt.name, errs, tt.field)
		}
	}
	cl := &Client{Person: Person{ID: "C/77", FirstName: "Jane", LastName: "Doe", DOB: "1990-04-02", Gender: "F",
		Address: Address{Line1: "12 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}},
		Coverage: []Coverage{{Payer: "demo-commercial", MemberID: strings.Repeat("W", 81)}}}
	errs := ValidateClient(cl, validateToday)
	if len(errs) != 2 || errs[0].Field != "id" || errs[1].Field != "coverage[0].member_id" {
		t.Fatalf("client errors = %v", errs)
	}
}

func TestSafeID(t *testing.T) {
	for v, want := range map[string]bool{
		"S-1001": true, "C_77": true, "A:1.2": true, "x": true,
		"": false, ".S": false, "-S": false, "S/1": false, "S..1": false, "S 1": false, "S\x00": false, "Sé": false, "S~1": false,
	} {
		if got := safeID(v); got != want {
			t.Errorf("safeID(%q) = %v, want %v", v, got, want)
		}
	}
}
