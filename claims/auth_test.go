package claims

import (
	"testing"
	"time"

	"github.com/edigate/edigate/internal/config"
)

func TestAuthRulesRequired(t *testing.T) {
	r, err := NewAuthRules(config.Default().Payers)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		payer, code string
		want        bool
	}{
		{"demo-commercial", "90837", true},
		{"demo-commercial", "90832", true},
		{"demo-commercial", "90838", true},
		{"demo-commercial", "90839", false}, // just past the range
		{"demo-commercial", "90791", false}, // evaluation is exempt
		{"demo-commercial", "90853", true},
		{"demo-medicaid", "H0004", true},
		{"demo-medicaid", "97153", true},
		{"demo-commercial", "97153", false},
		{"unknown-payer", "90837", false},
	}
	for _, tt := range tests {
		if got := r.Required(tt.payer, tt.code); got != tt.want {
			t.Errorf("Required(%s, %s) = %v, want %v", tt.payer, tt.code, got, tt.want)
		}
	}
	if _, err := NewAuthRules([]config.Payer{{ID: "x", AuthRequiredCodes: []string{"9083-90838"}}}); err == nil {
		t.Fatal("a range of unequal-length codes was accepted")
	}
}

func authUse(number string, used, units int, start, end string, codes ...string) AuthUse {
	if len(codes) == 0 {
		codes = []string{"90832-90838"}
	}
	return AuthUse{Authorization: Authorization{Number: number, Payer: "p", ClientID: "C1", MemberID: "M1", Codes: codes,
		Units: units, UnitKind: UnitVisit, Start: start, End: end}, Used: used}
}

func TestMatch(t *testing.T) {
	session := func(number, code, date string) *Session {
		return &Session{ID: "S", Client: Person{ID: "C1"}, Coverage: Coverage{Payer: "p", MemberID: "M1"},
			Date: date, Service: Service{Code: code, PlaceOfService: "11"}, RenderingProvider: "1245319599", Authorization: number}
	}
	current := authUse("A", 0, 10, "2026-01-01", "2026-12-31")
	expired := authUse("OLD", 0, 10, "2025-01-01", "2025-12-31")
	future := authUse("NEW", 0, 10, "2027-01-01", "2027-12-31")
	used := authUse("USED", 10, 10, "2026-01-01", "2026-12-31")
	family := authUse("FAM", 0, 10, "2026-01-01", "2026-12-31", "90846", "90847")
	otherProvider := authUse("PROV", 0, 10, "2026-01-01", "2026-12-31")
	otherProvider.Provider = "1003000126"
	otherPOS := authUse("POS", 0, 10, "2026-01-01", "2026-12-31")
	otherPOS.PlaceOfService = "12"
	samePlace := authUse("SAME", 0, 10, "2026-01-01", "2026-12-31")
	samePlace.PlaceOfService, samePlace.Provider = "11", "1245319599"
	otherClient := authUse("OC", 0, 10, "2026-01-01", "2026-12-31")
	otherClient.ClientID, otherClient.MemberID = "C2", "M2"
	tests := []struct {
		name      string
		s         *Session
		auths     []AuthUse
		want      string // authorization number, or hold reason
		wantIndex bool
	}{
		{"unique valid", session("", "90837", "2026-06-01"), []AuthUse{expired, current, future}, "A", true},
		{"by number", session("A", "90834", "2026-06-01"), []AuthUse{current, authUse("B", 0, 5, "2026-01-01", "2026-12-31")}, "A", true},
		{"member id alone matches", session("", "90837", "2026-06-01"), []AuthUse{func() AuthUse { a := current; a.ClientID = ""; return a }()}, "A", true},
		{"none", session("", "90837", "2026-06-01"), nil, HoldAuthMissing, false},
		{"other client's only", session("", "90837", "2026-06-01"), []AuthUse{otherClient}, HoldAuthMissing, false},
		{"unknown number", session("ZZZ", "90837", "2026-06-01"), []AuthUse{current}, HoldAuthMissing, false},
		{"expired", session("", "90837", "2026-06-01"), []AuthUse{expired}, HoldAuthExpired, false},
		{"not started", session("", "90837", "2026-06-01"), []AuthUse{future}, HoldAuthNotStarted, false},
		{"on the last day", session("", "90837", "2026-12-31"), []AuthUse{current}, "A", true},
		{"exhausted", session("", "90837", "2026-06-01"), []AuthUse{used}, HoldAuthExhausted, false},
		{"exhausted beats expired", session("", "90837", "2026-06-01"), []AuthUse{expired, used}, HoldAuthExhausted, false},
		{"code not covered", session("", "90837", "2026-06-01"), []AuthUse{family}, HoldAuthCodeNotCovered, false},
		{"named number, code not covered", session("FAM", "90837", "2026-06-01"), []AuthUse{family, current}, HoldAuthCodeNotCovered, false},
		{"other rendering provider", session("", "90837", "2026-06-01"), []AuthUse{otherProvider}, HoldAuthProviderNotCovered, false},
		{"other place of service", session("", "90837", "2026-06-01"), []AuthUse{otherPOS}, HoldAuthPOSNotCovered, false},
		{"named number, other place of service", session("POS", "90837", "2026-06-01"), []AuthUse{otherPOS, current}, HoldAuthPOSNotCovered, false},
		{"expired beats other provider", session("", "90837", "2026-06-01"), []AuthUse{otherProvider, expired}, HoldAuthExpired, false},
		{"other provider beats other code", session("", "90837", "2026-06-01"), []AuthUse{family, otherProvider}, HoldAuthProviderNotCovered, false},
		{"same provider and place", session("", "90837", "2026-06-01"), []AuthUse{samePlace}, "SAME", true},
		{"ambiguous", session("", "90837", "2026-06-01"), []AuthUse{current, authUse("B", 0, 5, "2026-01-01", "2026-12-31")}, HoldAuthAmbiguous, false},
		{"number resolves ambiguity", session("B", "90837", "2026-06-01"), []AuthUse{current, authUse("B", 0, 5, "2026-01-01", "2026-12-31")}, "B", true},
		{"exhausted one is not ambiguous", session("", "90837", "2026-06-01"), []AuthUse{current, used}, "A", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, _, reason := match(tt.s, tt.auths)
			if tt.wantIndex {
				if i < 0 || tt.auths[i].Number != tt.want || reason != "" {
					t.Fatalf("match = %d %q, want %s", i, reason, tt.want)
				}
				return
			}
			if i >= 0 || reason != tt.want {
				t.Fatalf("match = %d %q, want hold %s", i, reason, tt.want)
			}
		})
	}
}

func TestAuthAlerts(t *testing.T) {
	today := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    AuthUse
		want []string
	}{
		{"plenty left, far end", authUse("A", 2, 10, "2026-01-01", "2027-06-30"), nil},
		{"exactly at low units", authUse("A", 7, 10, "2026-01-01", "2027-06-30"), []string{AlertAuthLowUnits}},
		{"ends in 14 days", authUse("A", 0, 10, "2026-01-01", "2026-12-04"), []string{AlertAuthEndNear}},
		{"ends in 15 days", authUse("A", 0, 10, "2026-01-01", "2026-12-05"), nil},
		{"already ended", authUse("A", 0, 10, "2026-01-01", "2026-11-01"), nil},
		{"both", authUse("A", 10, 10, "2026-01-01", "2026-11-20"), []string{AlertAuthLowUnits, AlertAuthEndNear}},
	}
	for _, tt := range tests {
		got := AuthAlerts(&tt.a, 3, 14, today)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}
