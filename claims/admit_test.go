package claims

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/edigate/edigate/lifecycle"
)

// admitRules: payer p needs an authorization for 90832-90838, not for 90791.
func admitRules() *AuthRules {
	return &AuthRules{payers: map[string]payerAuth{"p": {codes: []string{"90832-90838"}}}}
}

func admitSession(mod ...func(*Session)) *Session {
	s := &Session{ID: "S1", Status: StatusCompleted, Client: Person{ID: "C1"}, Coverage: Coverage{Payer: "p", MemberID: "M1"},
		Date: "2026-06-01", Service: Service{Code: "90837", Units: 1, PlaceOfService: "11"}, RenderingProvider: "1245319599"}
	for _, m := range mod {
		m(s)
	}
	return s
}

// eventList renders events compactly: kind and the fields its detail carries.
func eventList(evs []SessionEvent) string {
	var out []string
	for _, e := range evs {
		switch e.Kind {
		case lifecycle.Received, lifecycle.Updated:
			out = append(out, fmt.Sprintf("%s:%s/%s", e.Kind, e.State, e.Status))
		case lifecycle.SessionHeld:
			out = append(out, fmt.Sprintf("%s:%s<%s", e.Kind, e.Reason, e.Was))
		case lifecycle.ReplacementCandidate, lifecycle.VoidCandidate:
			out = append(out, fmt.Sprintf("%s:%s", e.Kind, e.ClaimRef))
		default:
			out = append(out, fmt.Sprintf("%s:%s*%d<%s", e.Kind, e.Auth, e.Units, e.Was))
		}
	}
	return fmt.Sprint(out)
}

func TestAdmit(t *testing.T) {
	a := authUse("A", 0, 10, "2026-01-01", "2026-12-31")
	full := authUse("A", 10, 10, "2026-01-01", "2026-12-31")
	pos := authUse("A", 0, 10, "2026-01-01", "2026-12-31")
	pos.PlaceOfService = "12"
	prov := authUse("A", 0, 10, "2026-01-01", "2026-12-31")
	prov.Provider = "1003000126"
	quarter := authUse("Q", 0, 10, "2026-01-01", "2026-12-31")
	quarter.UnitKind = Unit15Minute
	keyA := AuthKey{"p", "A"}
	readyOnA := &StoredSession{State: SessionReady, Auth: keyA, Units: 1, ClaimRef: ""}
	tests := []struct {
		name   string
		s      *Session
		stored *StoredSession
		auths  []AuthUse
		change string
		state  string
		hold   string
		ret    UnitMove
		take   UnitMove
		events string
	}{
		{"new, takes a unit", admitSession(), nil, []AuthUse{a}, ChangeCreated, SessionReady, "", UnitMove{}, UnitMove{keyA, 1},
			"[received:ready/completed units_consumed:A*1<]"},
		{"code needs none", admitSession(func(s *Session) { s.Service.Code = "90791" }), nil, nil, ChangeCreated, SessionReady, "",
			UnitMove{}, UnitMove{}, "[received:ready/completed]"},
		{"no authorization", admitSession(), nil, nil, ChangeCreated, SessionHeld, HoldAuthMissing, UnitMove{}, UnitMove{},
			"[received:held/completed held:auth_missing<]"},
		{"exhausted", admitSession(), nil, []AuthUse{full}, ChangeCreated, SessionHeld, HoldAuthExhausted, UnitMove{}, UnitMove{},
			"[received:held/completed held:auth_exhausted<]"},
		{"other place of service: held, no unit", admitSession(), nil, []AuthUse{pos}, ChangeCreated, SessionHeld, HoldAuthPOSNotCovered,
			UnitMove{}, UnitMove{}, "[received:held/completed held:auth_pos_not_covered<]"},
		{"other rendering provider: held, no unit", admitSession(), nil, []AuthUse{prov}, ChangeCreated, SessionHeld,
			HoldAuthProviderNotCovered, UnitMove{}, UnitMove{}, "[received:held/completed held:auth_provider_not_covered<]"},
		{"15-minute units from the minutes", admitSession(func(s *Session) { s.Start, s.End = "14:00", "14:53" }), nil,
			[]AuthUse{quarter}, ChangeCreated, SessionReady, "", UnitMove{}, UnitMove{AuthKey{"p", "Q"}, 4},
			"[received:ready/completed units_consumed:Q*4<]"},
		{"scheduled needs nothing yet", admitSession(func(s *Session) { s.Status = StatusScheduled }), nil, nil, ChangeCreated,
			SessionScheduled, "", UnitMove{}, UnitMove{}, "[received:scheduled/scheduled]"},
		{"same content", admitSession(), &StoredSession{State: SessionHeld, SameContent: true}, nil, ChangeUnchanged, SessionHeld, "",
			UnitMove{}, UnitMove{}, "[]"},
		{"billed and changed", admitSession(), &StoredSession{State: SessionBilled, Auth: keyA, Units: 1, ClaimRef: "CLM1"}, nil,
			ChangeReplacementCandidate, SessionBilled, "", UnitMove{}, UnitMove{}, "[replacement_candidate:CLM1]"},
		{"billed and voided: units stay until the void claim", admitSession(func(s *Session) { s.Status = StatusVoid }),
			&StoredSession{State: SessionBilled, Auth: keyA, Units: 1, ClaimRef: "CLM1"}, nil, ChangeVoidCandidate, SessionBilled, "",
			UnitMove{}, UnitMove{}, "[void_candidate:CLM1]"},
		{"update gives back, then takes its unit again", admitSession(), readyOnA, []AuthUse{full}, ChangeUpdated, SessionReady, "",
			UnitMove{keyA, 1}, UnitMove{keyA, 1}, "[units_returned:A*1< updated:ready/completed units_consumed:A*1<]"},
		{"voided before billing gives back", admitSession(func(s *Session) { s.Status = StatusVoid }), readyOnA, nil, ChangeUpdated,
			SessionVoid, "", UnitMove{keyA, 1}, UnitMove{}, "[units_returned:A*1< updated:void/void]"},
		{"update now at another place: gives back, held", admitSession(), readyOnA, []AuthUse{pos}, ChangeUpdated, SessionHeld,
			HoldAuthPOSNotCovered, UnitMove{keyA, 1}, UnitMove{}, "[units_returned:A*1< updated:held/completed held:auth_pos_not_covered<]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.auths)
			adm := admitRules().Admit(tt.s, tt.stored, tt.auths)
			if adm.Change != tt.change || adm.State != tt.state || adm.Hold != tt.hold || adm.Return != tt.ret || adm.Take != tt.take {
				t.Errorf("Admit = %s %s %q return %+v take %+v; want %s %s %q return %+v take %+v",
					adm.Change, adm.State, adm.Hold, adm.Return, adm.Take, tt.change, tt.state, tt.hold, tt.ret, tt.take)
			}
			if got := eventList(adm.Events()); got != tt.events {
				t.Errorf("events = %s, want %s", got, tt.events)
			}
			for i := range before {
				if tt.auths[i].Used != before[i].Used {
					t.Errorf("Admit changed its input: %s used %d, was %d", tt.auths[i].Number, tt.auths[i].Used, before[i].Used)
				}
			}
		})
	}
}

func TestAuthsNeeded(t *testing.T) {
	tests := []struct {
		name   string
		s      *Session
		stored *StoredSession
		want   bool
	}{
		{"new completed session of a required code", admitSession(), nil, true},
		{"code not required", admitSession(func(s *Session) { s.Service.Code = "90791" }), nil, false},
		{"payer not configured", admitSession(func(s *Session) { s.Coverage.Payer = "q" }), nil, false},
		{"scheduled", admitSession(func(s *Session) { s.Status = StatusScheduled }), nil, false},
		{"void", admitSession(func(s *Session) { s.Status = StatusVoid }), nil, false},
		{"unchanged", admitSession(), &StoredSession{State: SessionReady, SameContent: true}, false},
		{"billed", admitSession(), &StoredSession{State: SessionBilled}, false},
		{"changed, not billed", admitSession(), &StoredSession{State: SessionHeld}, true},
	}
	for _, tt := range tests {
		if got := admitRules().AuthsNeeded(tt.s, tt.stored); got != tt.want {
			t.Errorf("%s: AuthsNeeded = %v, want %v", tt.name, got, tt.want)
		}
	}
	var none *AuthRules
	if none.AuthsNeeded(admitSession(), nil) {
		t.Error("no rules: an authorization was needed")
	}
}

func TestPlanRelease(t *testing.T) {
	held := func(id, date, received, reason string, mod ...func(*Session)) HeldSession {
		s := admitSession(mod...)
		s.ID, s.Date = id, date
		return HeldSession{Session: s, Reason: reason, Received: received}
	}
	one := authUse("A", 0, 1, "2026-01-01", "2026-12-31")
	two := authUse("A", 0, 2, "2026-01-01", "2026-12-31")
	pos := authUse("P", 0, 5, "2026-01-01", "2026-12-31")
	pos.PlaceOfService = "12"
	otherClient := authUse("B", 0, 5, "2026-01-01", "2026-12-31")
	otherClient.ClientID, otherClient.MemberID = "C2", "M2"
	tests := []struct {
		name  string
		held  []HeldSession
		auths []AuthUse
		want  string // outcomes: id released onto auth*units, or id held reason<was
	}{
		{"oldest date first, the rest held for units",
			[]HeldSession{held("LATE", "2026-06-05", "t1", HoldAuthMissing), held("EARLY", "2026-06-02", "t2", HoldAuthMissing)},
			[]AuthUse{one}, "[EARLY+A*1<auth_missing LATE-auth_exhausted<auth_missing]"},
		{"same date: first received first",
			[]HeldSession{held("S2", "2026-06-02", "t2", HoldAuthMissing), held("S1", "2026-06-02", "t1", HoldAuthMissing)},
			[]AuthUse{one}, "[S1+A*1<auth_missing S2-auth_exhausted<auth_missing]"},
		{"enough for both", []HeldSession{held("S1", "2026-06-02", "t1", HoldAuthExhausted), held("S2", "2026-06-03", "t1", HoldAuthExhausted)},
			[]AuthUse{two}, "[S1+A*1<auth_exhausted S2+A*1<auth_exhausted]"},
		{"held for the same reason: left out", []HeldSession{held("S1", "2026-06-02", "t1", HoldAuthExhausted)},
			[]AuthUse{authUse("A", 1, 1, "2026-01-01", "2026-12-31")}, "[]"},
		{"another place of service: held, says which", []HeldSession{held("S1", "2026-06-02", "t1", HoldAuthMissing)},
			[]AuthUse{pos}, "[S1-auth_pos_not_covered<auth_missing]"},
		{"held for eligibility: not released by an authorization",
			[]HeldSession{held("S1", "2026-06-02", "t1", "eligibility_inactive"), held("S2", "2026-06-03", "t1", HoldAuthMissing)},
			[]AuthUse{two}, "[S2+A*1<auth_missing]"},
		{"each session its own client's authorization",
			[]HeldSession{held("S1", "2026-06-02", "t1", HoldAuthMissing),
				held("S2", "2026-06-01", "t1", HoldAuthMissing, func(s *Session) { s.Client.ID, s.Coverage.MemberID = "C2", "M2" })},
			[]AuthUse{one, otherClient}, "[S2+B*1<auth_missing S1+A*1<auth_missing]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.auths)
			heldBefore := slices.Clone(tt.held)
			var got []string
			for _, o := range PlanRelease(tt.held, tt.auths) {
				if o.Released {
					got = append(got, fmt.Sprintf("%s+%s*%d<%s", o.SessionID, o.Take.Auth.Number, o.Take.Units, o.Was))
					if o.Event.Kind != lifecycle.SessionReleased || o.Event.Auth != o.Take.Auth.Number || o.Event.Was != o.Was {
						t.Errorf("%s: release event %+v", o.SessionID, o.Event)
					}
					continue
				}
				got = append(got, fmt.Sprintf("%s-%s<%s", o.SessionID, o.Hold, o.Was))
				if o.Event.Kind != lifecycle.SessionHeld || o.Event.Reason != o.Hold || o.Event.Was != o.Was {
					t.Errorf("%s: hold event %+v", o.SessionID, o.Event)
				}
			}
			if fmt.Sprint(got) != tt.want && !(len(got) == 0 && tt.want == "[]") {
				t.Errorf("PlanRelease = %v, want %s", got, tt.want)
			}
			if fmt.Sprint(before) != fmt.Sprint(tt.auths) {
				t.Error("PlanRelease changed the authorizations it was given")
			}
			for i := range heldBefore {
				if heldBefore[i].Session != tt.held[i].Session {
					t.Error("PlanRelease reordered its input")
				}
			}
		})
	}
}

func TestAuthChange(t *testing.T) {
	a := &Authorization{Number: "A", Payer: "p", Units: 5}
	tests := []struct {
		name    string
		stored  *StoredAuth
		want    string
		wantErr error
	}{
		{"new", nil, ChangeCreated, nil},
		{"same content", &StoredAuth{SameContent: true, Used: 9}, ChangeUnchanged, nil},
		{"renewed", &StoredAuth{Used: 3}, ChangeUpdated, nil},
		{"down to what is used", &StoredAuth{Used: 5}, ChangeUpdated, nil},
		{"below what is used", &StoredAuth{Used: 6}, "", ErrUnitsBelowUsed},
	}
	for _, tt := range tests {
		got, err := AuthChange(a, tt.stored)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: AuthChange = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
