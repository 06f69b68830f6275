package claims

import (
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
)

var validateToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func validSession() *Session {
	return &Session{Type: "session", ID: "S-1001", Practice: "demo-practice", Status: StatusCompleted,
		Client: Person{ID: "C-77", FirstName: "Jane", LastName: "Doe", DOB: "1990-04-02", Gender: "F",
			Address: Address{Line1: "12 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}},
		Coverage: Coverage{Payer: "demo-commercial", MemberID: "W123456789", Group: "GRP100", Relationship: "self", Priority: "primary"},
		Date:     "2026-11-18", Start: "14:00", End: "14:55",
		Service:   Service{Code: "90837", Modifiers: []string{"95"}, Units: 1, PlaceOfService: "10"},
		Diagnoses: []string{"F41.1", "F33.1"}, RenderingProvider: "1245319599", Charge: x12.MustAmount("150.00"),
		Authorization: "AUTH5566"}
}

func TestValidateSession(t *testing.T) {
	cfg := testSetup()
	sup := "1245319590" // bad check digit
	tests := []struct {
		name   string
		change func(s *Session)
		want   string // one expected FieldError.Error(), "" for valid
	}{
		{"the contract example is valid", func(*Session) {}, ""},
		{"bad dob", func(s *Session) { s.Client.DOB = "1990-13-02" }, `client.dob: "1990-13-02" is not a date`},
		{"future dob", func(s *Session) { s.Client.DOB = "2030-01-01" }, `client.dob: "2030-01-01" is in the future`},
		{"missing id", func(s *Session) { s.ID = "" }, "id: is required"},
		{"bad status", func(s *Session) { s.Status = "done" }, `status: "done" is not one of completed, scheduled, void, replaced`},
		{"subscriber needed", func(s *Session) { s.Coverage.Relationship = "child" }, "coverage.subscriber: is required when relationship is not self"},
		{"subscriber checked", func(s *Session) {
			s.Coverage.Relationship = "child"
			s.Coverage.Subscriber = &Person{FirstName: "Jo", LastName: "Doe", DOB: "1970-01-01", Gender: "M",
				Address: Address{Line1: "1 A St", City: "X", State: "IL", Zip: "62702"}}
		}, "coverage.subscriber.member_id: is required"},
		{"minutes instead of start/end", func(s *Session) { s.Start, s.End, s.Minutes = "", "", 53 }, ""},
		{"no time at all", func(s *Session) { s.Start, s.End = "", "" }, "minutes: is required (or start and end)"},
		{"end before start", func(s *Session) { s.End = "13:00" }, `end: "13:00" is not after start 14:00`},
		{"bad code", func(s *Session) { s.Service.Code = "9083" }, `service.code: "9083" is not a CPT or HCPCS code`},
		{"HCPCS ok", func(s *Session) { s.Service.Code = "H0004" }, ""},
		{"bad modifier", func(s *Session) { s.Service.Modifiers = []string{"9"} }, `service.modifiers[0]: "9" is not a two-character modifier`},
		{"bad NPI", func(s *Session) { s.RenderingProvider = "1245319598" }, `rendering_provider: "1245319598" is not a valid NPI (10 digits with a Luhn check digit)`},
		{"bad supervisor NPI", func(s *Session) { s.SupervisingProvider = &sup }, `supervising_provider: "1245319590" is not a valid NPI (10 digits with a Luhn check digit)`},
		{"unknown provider", func(s *Session) { s.RenderingProvider = "1234567893" }, `rendering_provider: "1234567893" is not a provider of practice demo-practice`},
		{"zero charge", func(s *Session) { s.Charge = 0 }, `charge: "0.00" must be greater than 0`},
		{"bad diagnosis", func(s *Session) { s.Diagnoses = []string{"41.1"} }, `diagnoses[0]: "41.1" is not an ICD-10-CM code`},
		{"no diagnosis", func(s *Session) { s.Diagnoses = nil }, "diagnoses: needs at least one ICD-10-CM code"},
		{"unknown payer", func(s *Session) { s.Coverage.Payer = "acme" }, `coverage.payer: "acme" is not a configured payer`},
		{"bad zip", func(s *Session) { s.Client.Address.Zip = "6270" }, `client.address.zip: "6270" is not a 5 or 9 digit ZIP code`},
		{"scheduled needs no times and may be future", func(s *Session) {
			s.Status, s.Start, s.End, s.Date = StatusScheduled, "", "", "2026-12-24"
		}, ""},
		{"completed in the future", func(s *Session) { s.Date = "2026-12-24" }, `date: "2026-12-24" is in the future`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSession()
			tt.change(s)
			errs := ValidateSession(s, cfg, validateToday)
			if tt.want == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
				if e.Error() == tt.want {
					return
				}
			}
			t.Fatalf("errors = %q, want one %q", strings.Join(got, " | "), tt.want)
		})
	}
}

func TestValidateAuthorization(t *testing.T) {
	ok := Authorization{Type: "authorization", Number: "AUTH5566", Payer: "demo-commercial", ClientID: "C-77", MemberID: "W123456789",
		Codes: []string{"90832", "90834", "90837"}, Units: 12, UnitKind: UnitVisit, Start: "2026-10-01", End: "2027-03-31"}
	if errs := ValidateAuthorization(&ok, testSetup()); len(errs) != 0 {
		t.Fatalf("contract example: %v", errs)
	}
	bad := ok
	bad.Units, bad.UnitKind, bad.End, bad.Codes = 0, "hours", "2026-09-01", []string{"90832-9083"}
	got := map[string]bool{}
	for _, e := range ValidateAuthorization(&bad, testSetup()) {
		got[e.Field] = true
	}
	for _, f := range []string{"units", "unit_kind", "end", "codes[0]"} {
		if !got[f] {
			t.Errorf("no error for %s (got %v)", f, got)
		}
	}
}
