package claims

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
)

func correctionFixture() (*Claim, []Session) {
	sup := "1245319599"
	ss := []Session{
		{ID: "S1", Practice: "p", Client: Person{FirstName: "Ann", LastName: "Lee", DOB: "1980-01-01"},
			Coverage: Coverage{Payer: "x", MemberID: "M1", Relationship: "self"}, Date: "2026-11-02",
			Service: Service{Code: "90837", PlaceOfService: "11"}, Diagnoses: []string{"F41.1"}, RenderingProvider: "1245319599",
			SupervisingProvider: &sup, Charge: x12.MustAmount("150")},
		{ID: "S2", Practice: "p", Client: Person{FirstName: "Ann", LastName: "Lee", DOB: "1980-01-01"},
			Coverage: Coverage{Payer: "x", MemberID: "M1", Relationship: "self"}, Date: "2026-11-02",
			Service: Service{Code: "90785", PlaceOfService: "11", Modifiers: []string{"HO"}}, Diagnoses: []string{"F41.1"},
			RenderingProvider: "1245319599", Charge: x12.MustAmount("20")},
	}
	c := (&Builder{}).Claims(ss)[0]
	return c, ss
}

func TestPlanCorrection(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		corr      Correction
		changes   []string // FieldChange.Words
		overrides int
		err       string
	}{
		{"member id on every session", Correction{MemberID: "M2"}, []string{"Member id: M1 -> M2"}, 2, ""},
		{"the same value changes nothing", Correction{MemberID: "M1", PlaceOfService: "11"}, nil, 0, ""},
		{"diagnoses normalised", Correction{Diagnoses: []string{"f32.9", "F41.1"}}, []string{"Diagnoses: F411 -> F329,F411"}, 2, ""},
		{"modifiers of line 2 only", Correction{Modifiers: map[int][]string{2: {"hO", "95"}}}, []string{"Modifiers (line 2): HO -> HO,95"}, 1, ""},
		{"supervising removed", Correction{Supervising: "none"}, []string{"Supervising provider (NPI): 1245319599 -> (none)"}, 1, ""},
		{"subscriber of a self coverage is the client", Correction{SubscriberLast: "Lee-Park", SubscriberDOB: "1980-01-02"},
			[]string{"Subscriber last name: Lee -> Lee-Park", "Subscriber date of birth: 1980-01-01 -> 1980-01-02"}, 4, ""},
		{"bad NPI", Correction{Rendering: "123"}, nil, 0, "Rendering provider (NPI): \"123\" is not a valid NPI"},
		{"no line 3", Correction{Modifiers: map[int][]string{3: {"95"}}}, nil, 0, "has no line 3"},
		{"modifier too long", Correction{Modifiers: map[int][]string{1: {"955"}}}, nil, 0, "not a two-character modifier"},
		{"bad diagnosis", Correction{Diagnoses: []string{"F4"}}, nil, 0, "not an ICD-10-CM code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ss := correctionFixture()
			p, err := PlanCorrection(c, ss, ss, tc.corr, "kim", now)
			if tc.err != "" {
				if !errors.Is(err, ErrCorrection) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range p.Changes {
				got = append(got, ch.Words())
			}
			if strings.Join(got, "|") != strings.Join(tc.changes, "|") || len(p.Overrides) != tc.overrides {
				t.Fatalf("changes %q (%d overrides), want %q (%d)", got, len(p.Overrides), tc.changes, tc.overrides)
			}
			for _, o := range p.Overrides {
				if o.Who != "kim" || o.ClaimID != c.ID {
					t.Errorf("override %+v", o)
				}
			}
			// The plan leaves the sessions it was given alone.
			if ss[0].Coverage.MemberID != "M1" || ss[0].SupervisingProvider == nil {
				t.Errorf("input session changed: %+v", ss[0])
			}
			// Rebuilt from the planned sessions, the claim carries the change.
			nc := (&Builder{}).Claims(p.Sessions)[0]
			if SameBilling(c, nc) != (len(tc.changes) == 0) {
				t.Errorf("SameBilling(before, after) = %v with changes %q", SameBilling(c, nc), got)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	o := Override{SessionID: "S1", Field: FieldMemberID, Value: "M2", Practice: "M1"}
	for _, tc := range []struct {
		name, sent string
		want       bool
	}{
		{"practice re-sends its old value", "M1", false},
		{"practice now agrees with the biller", "M2", false},
		{"practice sends a third value", "M3", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Session{ID: "S1", Coverage: Coverage{MemberID: tc.sent}}
			cs := Conflicts(&s, []Override{o})
			if (len(cs) == 1) != tc.want {
				t.Fatalf("conflicts %+v", cs)
			}
			if tc.want && cs[0].Words() != "Member id: practice sent M3, biller corrected to M2" {
				t.Errorf("words %q", cs[0].Words())
			}
		})
	}
	c := Conflict{Override: o, Sent: "M3"}
	keep, ch, err := ResolveConflict(c, KeepCorrection, "kim", time.Now())
	if err != nil || keep == nil || keep.Practice != "M3" || keep.Value != "M2" || ch.New != "M2" {
		t.Errorf("keep: %+v %+v %v", keep, ch, err)
	}
	keep, ch, err = ResolveConflict(c, TakePractice, "kim", time.Now())
	if err != nil || keep != nil || ch.New != "M3" {
		t.Errorf("take practice: %+v %+v %v", keep, ch, err)
	}
	if _, _, err := ResolveConflict(c, "both", "kim", time.Now()); !errors.Is(err, ErrCorrection) {
		t.Errorf("bad pick: %v", err)
	}
}

func TestSameBilling(t *testing.T) {
	c, _ := correctionFixture()
	d := *c
	d.ID, d.Frequency, d.PayerControlNumber = "OTHER", FrequencyReplacement, "PCN1"
	if !SameBilling(c, &d) {
		t.Error("control numbers and frequency made claims differ")
	}
	d.Lines = append([]ServiceLine(nil), c.Lines...)
	d.Lines[0].Modifiers = []string{"95"}
	if SameBilling(c, &d) {
		t.Error("a changed modifier is the same billing")
	}
}
