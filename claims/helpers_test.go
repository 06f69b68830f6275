package claims

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// Demo configuration facts (internal/config/configs/config.default.yml).
const (
	practiceNPI = "1234567893"
	lcswNPI     = "1245319599" // Dana Rivers, LCSW, licensed
	lpcaNPI     = "1003000126" // Sam Lee, LPC-A, unlicensed, supervised by lcswNPI
)

func testConfig(t testing.TB) *Setup {
	t.Helper()
	return testSetup()
}

// testSetup is the demo configuration's practice, payers and simulator clearinghouse as
// claims see them; internal/config's TestClaimsSetupDemo checks the real mapping of the
// demo file against the same facts.
func testSetup() *Setup {
	telehealth := Telehealth{POS: []string{"02", "10"}, Modifier: "95", AudioOnlyModifier: "93"}
	alerts := AuthThresholds{LowUnits: 3, DaysBeforeEnd: 14}
	talk := []string{"90832-90838", "90846", "90847", "90853"}
	return &Setup{
		GroupSameDay: true, MaxClaimsPerSet: 5000,
		Practices: []Practice{{
			ID: "demo-practice", Name: "Demo Behavioral Health", NPI: practiceNPI, TaxID: "371234567", Taxonomy: "261QM0801X",
			Address:     Address{Line1: "100 Main St", City: "Springfield", State: "IL", Zip: "627011234"},
			ContactName: "Billing Office", ContactPhone: "2175550100",
			Providers: []Provider{
				{NPI: lcswNPI, FirstName: "Dana", LastName: "Rivers", Credential: "LCSW", Licensed: true, Taxonomy: "1041C0700X"},
				{NPI: lpcaNPI, FirstName: "Sam", LastName: "Lee", Credential: "LPC-A", Taxonomy: "101YP2500X", Supervisor: lcswNPI},
			},
		}},
		Payers: []Payer{
			{ID: "demo-commercial", Name: "Demo Commercial Health", PayerID: "60054", Clearinghouse: "sim", ClaimFilingIndicator: "CI",
				AuthRequiredCodes: talk, AuthAlerts: alerts, CredentialModifiers: map[string]string{},
				Telehealth: telehealth, TimelyFilingDays: 180, TimelyFilingWarnDays: 30, EnrollmentUnlisted: EnrollmentUnlistedBilling},
			{ID: "demo-medicaid", Name: "Demo State Medicaid", PayerID: "77027", Clearinghouse: "sim", ClaimFilingIndicator: "MC",
				AuthRequiredCodes: append(append([]string(nil), talk...), "H0004", "H2019", "97151-97158"), AuthAlerts: alerts,
				CredentialModifiers:    map[string]string{"LCSW": "AJ", "LPC": "HO", "LPC-A": "HO", "PhD": "HP", "PsyD": "AH", "BCBA": "HO", "RBT": "HM"},
				SupervisingRequiredFor: []string{"unlicensed"}, Telehealth: telehealth, TimelyFilingDays: 365, TimelyFilingWarnDays: 30,
				EnrollmentUnlisted: EnrollmentUnlistedBilling},
			{ID: "demo-carveout", Name: "Demo Behavioral Health Carve-out", PayerID: "BH001", Clearinghouse: "sim", ClaimFilingIndicator: "HM",
				AuthRequiredCodes: talk, AuthAlerts: alerts, CredentialModifiers: map[string]string{},
				SupervisingRequiredFor: []string{"unlicensed"}, Telehealth: telehealth, TimelyFilingDays: 90, TimelyFilingWarnDays: 14,
				EnrollmentUnlisted: EnrollmentUnlistedBilling},
		},
		Clearinghouses: []Clearinghouse{{
			ID: "sim",
			ISA: x12.Outbound{SenderQual: "ZZ", SenderID: "EDIGATE", ReceiverQual: "ZZ", ReceiverID: "SIMCH", Usage: "T",
				GSSender: "EDIGATE", GSReceiver: "SIMCH"},
			Submitter: Submitter{Name: "Demo Behavioral Health", ID: "EDIGATE", Contact: "Billing Office", Phone: "2175550100"},
			Receiver:  Receiver{Name: "edigate simulator", ID: "SIMCH"},
		}},
	}
}

// session returns a completed, billable individual-therapy session for the commercial
// payer; tests change what they exercise.
func session(id, code string) Session {
	return Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: StatusCompleted,
		Client: Person{ID: "c1", FirstName: "Alex", LastName: "Doe", DOB: "1990-04-01", Gender: "F",
			Address: Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}},
		Coverage: Coverage{Payer: "demo-commercial", MemberID: "W123456789", Group: "G55",
			Relationship: "self", Priority: "primary"},
		Date: "2026-03-02", Minutes: 55,
		Service:           Service{Code: code, PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1", "F33.1"},
		RenderingProvider: lcswNPI,
		Charge:            x12.MustAmount("150.00"),
	}
}

// write837 writes claims for the demo clearinghouse and returns the bytes.
func write837(t testing.TB, cfg *Setup, cl []*Claim) ([]byte, *FileResult) {
	t.Helper()
	var buf bytes.Buffer
	res, err := Write837(context.Background(), &buf, cl, FileOptions{
		Setup: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence(),
		Now: time.Date(2026, 3, 10, 14, 5, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("Write837: %v", err)
	}
	return buf.Bytes(), res
}

// guides837 is what `edigate x12 validate` uses, so a passing test means a passing file.
var guides837 = guides.Registry

// parse837 parses data with the engine and the 837P table and fails on any finding.
func parse837(t testing.TB, data []byte) []*x12.Transaction {
	t.Helper()
	p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides837})
	var out []*x12.Transaction
	for {
		tx, err := p.Next()
		if err != nil {
			break
		}
		if tx.Guide == nil {
			t.Fatalf("no guide for the set %s", tx.Set)
		}
		for _, e := range tx.Errors {
			t.Errorf("ST %s: %v", tx.Control, e)
		}
		out = append(out, tx)
	}
	res := p.Result()
	if !res.Valid() {
		t.Errorf("file invalid: fatal=%v errors=%v", res.Fatal, res.Errors)
		for _, ic := range res.Interchanges {
			t.Errorf("interchange %s: %v", ic.Control, ic.Errors)
			for _, g := range ic.Groups {
				t.Errorf("group %s: %v", g.Control, g.Errors)
			}
		}
	}
	if t.Failed() {
		t.Logf("file:\n%s", bytes.ReplaceAll(data, []byte("~"), []byte("~\n")))
	}
	return out
}

// find returns the loops with id anywhere under l, in input order.
func find(l *x12.Loop, id string) []*x12.Loop {
	var out []*x12.Loop
	l.Walk(func(x *x12.Loop) {
		if x.ID == id {
			out = append(out, x)
		}
	})
	return out
}

// el returns element n of the first segment seg in loop l ("" when absent).
func el(l *x12.Loop, seg string, n int) string {
	s := l.Seg(seg)
	if s == nil {
		return ""
	}
	return s.Str(n)
}
