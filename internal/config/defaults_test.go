package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A payer entry that leaves a key out gets the documented default; one that sets it,
// even to an empty value, keeps its own.
func TestPayerDefaults(t *testing.T) {
	const file = `payers:
  - id: bare
    name: Bare Payer
    payer_id: "11111"
    clearinghouse: sim
    claim_filing_indicator: CI
  - id: own
    name: Own Payer
    payer_id: "22222"
    clearinghouse: sim
    claim_filing_indicator: MC
    telehealth: {pos: [], modifier: GT}
    timely_filing_days: 365
    appeal_days: 0
`
	path := filepath.Join(t.TempDir(), "p.yml")
	os.WriteFile(path, []byte(file), 0o600)
	c, err := Check(path)
	if err != nil || len(c.Problems) > 0 {
		t.Fatalf("%v %v", err, c.Problems)
	}
	bare, own := c.Config.Payers[0], c.Config.Payers[1]
	cases := []struct {
		name      string
		got, want any
	}{
		{"bare telehealth.pos", bare.Telehealth.POS, []string{"02", "10"}},
		{"bare telehealth.modifier", bare.Telehealth.Modifier, "95"},
		{"bare audio only", bare.Telehealth.AudioOnlyModifier, "93"},
		{"bare timely filing", bare.TimelyFilingDays, 90},
		{"bare warn", bare.TimelyFilingWarnDays, 30},
		{"bare appeal", bare.AppealDays, 60},
		{"bare eligibility freshness", bare.EligibilityFreshDays, 30},
		{"own telehealth.pos", own.Telehealth.POS, []string{}},
		{"own modifier", own.Telehealth.Modifier, "GT"},
		{"own audio-only inherits", own.Telehealth.AudioOnlyModifier, "93"},
		{"own timely filing", own.TimelyFilingDays, 365},
		{"own appeal kept at 0", own.AppealDays, 0},
	}
	for _, tc := range cases {
		if !equalJSONish(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if len(c.Defaults) != len(PayerDefaults())+3 {
		t.Errorf("defaults %v", c.Defaults)
	}
	for _, k := range []string{"payers[0].appeal_days", "payers[1].telehealth.audio_only_modifier"} {
		if !slices.Contains(c.Defaults, k) {
			t.Errorf("%s not listed as a default in %v", k, c.Defaults)
		}
	}
	if slices.Contains(c.Defaults, "payers[1].appeal_days") {
		t.Error("a value the file sets is not a default")
	}
}

// The built-in payers set every key; with no file, nothing is filled in.
func TestBuiltInPayersUntouched(t *testing.T) {
	t.Setenv("APP_CONFIG", "")
	c, err := Check("")
	if err != nil || len(c.Problems) > 0 {
		t.Fatalf("%v %v", err, c.Problems)
	}
	if len(c.Defaults) != 0 || c.Config.Payers[0].EligibilityFreshDays != 0 || c.Config.Payers[0].AppealDays != 180 {
		t.Errorf("defaults %v, payer %+v", c.Defaults, c.Config.Payers[0])
	}
}

func equalJSONish(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

// The README's payer defaults table is this list.
func TestPayerDefaultsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range PayerDefaults() {
		row := "| `" + d.Key + "` | `" + d.Value + "` | " + d.Why + " |"
		if !strings.Contains(string(b), row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
}
