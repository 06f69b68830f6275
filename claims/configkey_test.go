package claims

import (
	"slices"
	"testing"
)

// TestScrubConfigKeys: a finding the configuration causes names the key to fix; one the
// session causes names none.
func TestScrubConfigKeys(t *testing.T) {
	tests := []struct {
		name string
		fix  func(cfg *Setup, c *Claim)
		rule string
		key  string // "" : the finding is the session's to fix
		only bool   // every error comes from the configuration
	}{
		{"bad practice NPI", func(cfg *Setup, c *Claim) { cfg.Practices[0].NPI = "1234567890" }, "npi.luhn", "practices[0].npi", true},
		{"bad provider NPI in config", func(cfg *Setup, c *Claim) {
			cfg.Practices[0].Providers[1].NPI = "1245319598"
			c.RenderingNPI = "1245319598"
		}, "npi.luhn", "practices[0].providers[1].npi", true},
		{"bad rendering NPI from the session", func(cfg *Setup, c *Claim) { c.RenderingNPI = "1245319598" }, "npi.luhn", "", false},
		{"payer without telehealth", func(cfg *Setup, c *Claim) {
			cfg.Payers[0].Telehealth = Telehealth{}
			c.PlaceOfService, c.Lines[0].PlaceOfService = "10", "10"
			c.Lines[0].Modifiers = []string{"95"}
		}, "telehealth.pos", "payers[0].telehealth.pos", true},
		{"payer not enrolled", func(cfg *Setup, c *Claim) {
			cfg.Payers[0].Enrollment = []Enrollment{{NPI: practiceNPI, Status: "pending"}}
		}, "enrollment.active", "payers[0].enrollment", true},
		{"missing DOB", func(cfg *Setup, c *Claim) { c.Client.DOB = "" }, "demographics.required", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, c, s := cleanCase(t)
			tt.fix(cfg, c)
			res := s.Scrub([]*Claim{c})[0]
			i := slices.IndexFunc(res.Findings, func(f Finding) bool { return f.Rule == tt.rule })
			if i < 0 {
				t.Fatalf("rule %s did not fire: %+v", tt.rule, res.Findings)
			}
			if got := res.Findings[i].ConfigKey; got != tt.key {
				t.Errorf("config key = %q, want %q", got, tt.key)
			}
			if tt.key != "" && !MayBeConfig(tt.rule) {
				t.Errorf("MayBeConfig(%s) = false for a rule that names a key", tt.rule)
			}
			if got := ConfigOnly(res.Findings); got != tt.only {
				t.Errorf("ConfigOnly = %v, want %v (%+v)", got, tt.only, res.Findings)
			}
			if keys := ConfigKeys(res.Findings); (len(keys) > 0) != (tt.key != "") {
				t.Errorf("ConfigKeys = %v", keys)
			}
		})
	}
}
