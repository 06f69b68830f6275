package claims

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPayerOverrides(t *testing.T) {
	p := &Payer{ID: "p", Overrides: []GuideOverride{
		{Loop: "2300", Segment: "ref*g1", Usage: "r", Note: "auth on every claim"},
		{Loop: "2300", Segment: "CLM", Element: "clm05-3", OnlyCodes: []string{"1"}},
	}}
	ovs, err := PayerOverrides(p)
	if err != nil {
		t.Fatal(err)
	}
	if ovs[0].Segment != "REF*G1" || ovs[0].Usage == nil || ovs[0].Usage.String() != "R" || ovs[0].Note != "auth on every claim" {
		t.Errorf("override 1: %+v", ovs[0])
	}
	if ovs[1].Element != "CLM05-3" || ovs[1].Usage != nil || len(ovs[1].OnlyCodes) != 1 {
		t.Errorf("override 2: %+v", ovs[1])
	}
	for _, bad := range []GuideOverride{{Segment: "REF", Usage: "X"}, {Loop: "2300", Usage: "R"}} {
		if _, err := PayerOverrides(&Payer{ID: "p", Overrides: []GuideOverride{bad}}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestOverrideCheck: each payer override holds exactly the claims that break it, with the
// override's note in the message; other claims of the payer, and claims of payers without
// overrides, come back clean.
func TestOverrideCheck(t *testing.T) {
	noGroup := func(s *Session) { s.Coverage.Group = "" }
	noAddress := func(s *Session) { s.Client.Address = Address{} }
	cases := []struct {
		name     string
		override GuideOverride
		breaks   func(*Session) // makes a session whose claim breaks the override
		replace  bool           // the breaking claim is a replacement (frequency 7) of the clean one
		rule     string
	}{
		{"element made required", GuideOverride{Loop: "2000B", Segment: "SBR", Element: "SBR03", Usage: "R",
			Note: "Group number is required"}, noGroup, false, RuleOverride},
		{"situational segment made required", GuideOverride{Loop: "2010BA", Segment: "N3", Usage: "R",
			Note: "Subscriber address is required"}, noAddress, false, RuleOverride},
		{"frequency code removed", GuideOverride{Loop: "2300", Segment: "CLM", Element: "CLM05-3", OnlyCodes: []string{"1", "8"},
			Note: "Send corrected claims on paper"}, nil, true, RuleOverride},
		{"override names nothing in the guide", GuideOverride{Loop: "2300", Segment: "NM1", Usage: "R",
			Note: "typo"}, nil, false, RuleOverrideConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			payer, _ := cfg.Payer("demo-commercial")
			payer.Overrides = []GuideOverride{tc.override}
			b := &Builder{Setup: cfg}
			good := session("S1", "90791")
			bad := session("S2", "90791")
			bad.Client.ID, bad.Coverage.MemberID = "c2", "W2"
			if tc.breaks != nil {
				tc.breaks(&bad)
			}
			other := session("S3", "90791")
			other.Client.ID, other.Coverage.MemberID = "c3", "M3"
			other.Coverage.Payer = "demo-medicaid"
			if tc.breaks != nil {
				tc.breaks(&other) // breaks the rule, but its payer has no overrides
			}
			list := b.Claims([]Session{good, bad, other})
			if len(list) != 3 {
				t.Fatalf("%d claims", len(list))
			}
			if tc.replace {
				r, err := b.Replacement(list[0], []Session{good}, "PCN1", 1)
				if err != nil {
					t.Fatal(err)
				}
				list[1] = r
			}
			k := &OverrideCheck{Setup: cfg, Guides: guides837, Now: time.Date(2026, 3, 10, 14, 5, 0, 0, time.UTC)}
			found, err := k.Check(context.Background(), list)
			if err != nil {
				t.Fatal(err)
			}
			if fs := found[list[2].ID]; len(fs) != 0 {
				t.Errorf("claim of a payer without overrides checked: %+v", fs)
			}
			if tc.rule == RuleOverrideConfig {
				for _, c := range list[:2] {
					fs := found[c.ID]
					if len(fs) != 1 || fs[0].Rule != RuleOverrideConfig || fs[0].Severity != SeverityError {
						t.Errorf("claim %s: %+v", c.ID, fs)
					}
				}
				return
			}
			if fs := found[list[0].ID]; len(fs) != 0 {
				t.Errorf("clean claim held: %+v", fs)
			}
			fs := found[list[1].ID]
			if len(fs) == 0 {
				t.Fatalf("breaking claim not held")
			}
			for _, f := range fs {
				if f.Rule != tc.rule || f.Severity != SeverityError || !strings.Contains(f.Message, tc.override.Note) || f.ClaimID != list[1].ID {
					t.Errorf("finding %+v", f)
				}
			}
			if !Held(fs) {
				t.Error("findings do not hold the claim")
			}
		})
	}
}

// TestOverrideCheckUnwritable: a claim Write837 refuses is held on its own; the payer's
// other claims are still checked.
func TestOverrideCheckUnwritable(t *testing.T) {
	cfg := testConfig(t)
	payer, _ := cfg.Payer("demo-commercial")
	payer.Overrides = []GuideOverride{{Loop: "2000B", Segment: "SBR", Element: "SBR03", Usage: "R", Note: "Group number is required"}}
	b := &Builder{Setup: cfg}
	s1, s2, s3 := session("S1", "90791"), session("S2", "90791"), session("S3", "90791")
	s2.Client.ID, s3.Client.ID = "c2", "c3"
	s3.Coverage.Group = ""
	list := b.Claims([]Session{s1, s2, s3})
	list[1].Diagnoses = nil // 837P 2300 HI: Write837 refuses a claim without a diagnosis
	found, err := (&OverrideCheck{Setup: cfg, Guides: guides837}).Check(context.Background(), list)
	if err != nil {
		t.Fatal(err)
	}
	if len(found[list[0].ID]) != 0 {
		t.Errorf("clean claim: %+v", found[list[0].ID])
	}
	if fs := found[list[1].ID]; len(fs) != 1 || fs[0].Rule != RuleWrite || !strings.Contains(fs[0].Message, "HI") {
		t.Errorf("unwritable claim: %+v", fs)
	}
	if fs := found[list[2].ID]; len(fs) != 1 || fs[0].Rule != RuleOverride {
		t.Errorf("claim without group: %+v", fs)
	}
}

// BenchmarkOverrideCheck measures the companion-guide check of 1,000 claims of a payer
// with overrides (write with one claim per set, then validate with the overridden guide).
func BenchmarkOverrideCheck(b *testing.B) {
	cfg := testConfig(b)
	payer, _ := cfg.Payer("demo-commercial")
	payer.Overrides = []GuideOverride{{Loop: "2000B", Segment: "SBR", Element: "SBR03", Usage: "R", Note: "group"}}
	ss := make([]Session, 1000)
	for i := range ss {
		ss[i] = session("S"+strconv.Itoa(i), "90791")
		ss[i].Client.ID = "c" + strconv.Itoa(i)
	}
	list := (&Builder{Setup: cfg}).Claims(ss)
	k := &OverrideCheck{Setup: cfg, Guides: guides837}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		found, err := k.Check(context.Background(), list)
		if err != nil || len(found) != 0 {
			b.Fatal(err, len(found))
		}
	}
	b.ReportMetric(float64(b.N*len(list))/b.Elapsed().Seconds(), "claims/s")
}
