package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

const feesPayer = `clearinghouses:
  - id: sim
    simulator: true
    after_download: delete
    rename: posix
    isa: {sender_id: EDIGATE, receiver_id: SIMCH, usage: T}
payers:
  - id: acme
    name: Acme Health
    payer_id: "60054"
    clearinghouse: sim
    claim_filing_indicator: CI
    fee_schedule_file: fees.csv
    fee_schedule:
      - {code: "90837", rate: "135.00", from: "2026-01-01"}
      - {code: "90837", modifiers: ["95"], rate: 130.5}
`

// TestFeeSchedules: rates from the YAML and from the practice's CSV become one schedule in
// integer cents for the scrubber and 835 posting, each rate naming where it is written.
func TestFeeSchedules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "practice.yml")
	os.WriteFile(path, []byte(feesPayer), 0o600)
	os.WriteFile(filepath.Join(dir, "fees.csv"), []byte("code,modifiers,from,to,rate\n90834,,2026-01-01,2026-12-31,\"$1,100.25\"\n97153,HO:U1,,,15.5\n"), 0o600)
	c, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Problems {
		t.Errorf("problem: %v", p)
	}
	var got []string
	for _, r := range c.Config.ClaimsSetup().Payers[0].FeeSchedule {
		got = append(got, strings.Join([]string{r.Code, strings.Join(r.Modifiers, ":"), r.From, r.To, r.Rate.String(), r.Source}, "|"))
	}
	want := []string{
		"90837||2026-01-01||135.00|payers[0].fee_schedule[0]",
		"90837|95|||130.50|payers[0].fee_schedule[1]",
		"90834||2026-01-01|2026-12-31|1100.25|fees.csv line 2",
		"97153|HO:U1|||15.50|fees.csv line 3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fee schedule:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rp := c.Config.RemitPayers()[0].FeeSchedule; len(rp) != 4 || rp[2].Rate != x12.MustAmount("1100.25") {
		t.Errorf("remit fee schedule: %+v", rp)
	}
}

// TestFeeScheduleProblems: a bad YAML rate names its line in the config; a bad CSV row names
// the CSV file and its line; a missing file names the key.
func TestFeeScheduleProblems(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "practice.yml")
	bad := strings.Replace(feesPayer, `rate: "135.00"`, `rate: "about 135"`, 1)
	bad = strings.Replace(bad, `modifiers: ["95"]`, `modifiers: ["telehealth"]`, 1)
	os.WriteFile(path, []byte(bad), 0o600)
	csvPath := filepath.Join(dir, "fees.csv")
	os.WriteFile(csvPath, []byte("code,rate,from\n90834,120.00,2026-01-01\n9083,120.00,\n90837,-5,2026-13-01\n"), 0o600)
	c, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		file string
		line int
		key  string
		msg  string
	}{
		{path, 15, "payers[0].fee_schedule[0].rate", `"about 135" is not an amount`},
		{path, 16, "payers[0].fee_schedule[1].modifiers", `"telehealth" is not a modifier`},
		{csvPath, 3, "payers[0].fee_schedule_file", `code "9083" is not a CPT or HCPCS code`},
		{csvPath, 4, "payers[0].fee_schedule_file", `from "2026-13-01" is not a date`},
		{csvPath, 4, "payers[0].fee_schedule_file", `rate "-5" is negative`},
	}
	if len(c.Problems) != len(want) {
		for _, p := range c.Problems {
			t.Log(p)
		}
		t.Fatalf("%d problems, want %d", len(c.Problems), len(want))
	}
	for i, w := range want {
		p := c.Problems[i]
		if p.File != w.file || p.Line != w.line || p.Key != w.key || !strings.Contains(p.Message, w.msg) {
			t.Errorf("problem %d = %v, want %s:%d %s %q", i, p, w.file, w.line, w.key, w.msg)
		}
	}
	// The valid CSV row still counts.
	if fs := c.Config.ClaimsSetup().Payers[0].FeeSchedule; len(fs) != 1 || fs[0].Code != "90834" {
		t.Errorf("valid rows: %+v", fs)
	}

	os.Remove(csvPath)
	c, err = Check(path)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range c.Problems {
		found = found || (p.Key == "payers[0].fee_schedule_file" && strings.Contains(p.Message, "cannot read the fee schedule"))
	}
	if !found {
		t.Errorf("missing file not reported: %v", c.Problems)
	}
}
