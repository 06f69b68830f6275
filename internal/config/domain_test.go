package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/mappingtest"
)

func TestDomainMappingsCarryEveryField(t *testing.T) {
	var c Config
	mappingtest.Fill(&c)

	s := c.ClaimsSetup()
	if s.GroupSameDay != c.Claims.GroupSameDay || s.MaxClaimsPerSet != c.Claims.MaxClaimsPerSet {
		t.Errorf("claims options: got %v/%d, want %v/%d", s.GroupSameDay, s.MaxClaimsPerSet, c.Claims.GroupSameDay, c.Claims.MaxClaimsPerSet)
	}
	skip := map[string]bool{"setup.GroupSameDay": true, "setup.MaxClaimsPerSet": true}
	for i := range c.Clearinghouses {
		// Now is the time a file is written, not configuration.
		skip[fmt.Sprintf("setup.Clearinghouses[%d].ISA.Now", i)] = true
	}
	// Fee schedules turn decimal rates into cents: TestFeeSchedules checks their mapping.
	remitSkip := map[string]bool{}
	for i := range c.Payers {
		skip[fmt.Sprintf("setup.Payers[%d].FeeSchedule", i)] = true
		remitSkip[fmt.Sprintf("remit[%d].FeeSchedule", i)] = true
	}
	mappingtest.SameByName(t, "setup", *s, c, skip)
	mappingtest.SameByName(t, "remit", c.RemitPayers(), c.Payers, remitSkip)
}

// TestClaimsSetupDemo pins the demo facts the claims tests assume (claims/helpers_test.go).
func TestClaimsSetupDemo(t *testing.T) {
	s := Default().ClaimsSetup()
	var got []string
	for _, p := range s.Payers {
		got = append(got, fmt.Sprintf("%s %s %s %s timely %d/%d modifiers %d supervise %v telehealth %v auth %v",
			p.ID, p.PayerID, p.ClaimFilingIndicator, p.Clearinghouse, p.TimelyFilingDays, p.TimelyFilingWarnDays,
			len(p.CredentialModifiers), p.SupervisingRequiredFor, p.Telehealth, p.AuthRequiredCodes))
	}
	want := []string{
		"demo-commercial 60054 CI sim timely 180/30 modifiers 0 supervise [] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853]",
		"demo-medicaid 77027 MC sim timely 365/30 modifiers 7 supervise [unlicensed] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853 H0004 H2019 97151-97158]",
		"demo-carveout BH001 HM sim timely 90/14 modifiers 0 supervise [unlicensed] telehealth {[02 10] 95 93} auth [90832-90838 90846 90847 90853]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payers:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pr, ok := s.Practice("demo-practice")
	if !ok || pr.NPI != "1234567893" || len(pr.Providers) != 2 || pr.Providers[1].Supervisor != pr.Providers[0].NPI {
		t.Errorf("practice: %+v", pr)
	}
	ch, ok := s.Clearinghouse("sim")
	if !ok || ch.ISA.SenderID != "EDIGATE" || ch.ISA.ReceiverID != "SIMCH" || ch.ISA.Usage != "T" || ch.Submitter.ID != "EDIGATE" {
		t.Errorf("clearinghouse: %+v", ch)
	}
}
