package config

import "fmt"

// PayerDefault is a value a payer entry gets for a key it leaves out. An entry that sets
// the key keeps its own value, even an empty one (telehealth: {pos: []} accepts no
// telehealth at all).
type PayerDefault struct {
	Key   string // under payers[]
	Value string // as YAML
	Why   string
	apply func(*Payer)
}

// PayerDefaults are the documented per-payer defaults (README "Payer defaults"). Without
// them a new payer entry would accept no telehealth session and check no filing limit.
func PayerDefaults() []PayerDefault {
	return []PayerDefault{
		{"telehealth.pos", `["02", "10"]`, "telehealth from any place (02) and from the client's home (10)",
			func(p *Payer) { p.Telehealth.POS = []string{"02", "10"} }},
		{"telehealth.modifier", `"95"`, "synchronous audio-video telehealth",
			func(p *Payer) { p.Telehealth.Modifier = "95" }},
		{"telehealth.audio_only_modifier", `"93"`, "audio-only telehealth",
			func(p *Payer) { p.Telehealth.AudioOnlyModifier = "93" }},
		{"timely_filing_days", "90", "the shortest common filing limit: a payer that allows more says so",
			func(p *Payer) { p.TimelyFilingDays = 90 }},
		{"timely_filing_warn_days", "30", "the scrubber warns this many days before the filing limit",
			func(p *Payer) { p.TimelyFilingWarnDays = 30 }},
		{"appeal_days", "60", "the shortest common appeal window: appeal due dates are not later than the payer's",
			func(p *Payer) { p.AppealDays = 60 }},
		{"eligibility_fresh_days", "30", "a 271 answered up to 30 days before the date of service still counts",
			func(p *Payer) { p.EligibilityFreshDays = 30 }},
	}
}

// applyPayerDefaults fills, in every payer entry of the file, each PayerDefaults key the
// entry leaves out, and returns the keys it filled. Payers from the built-in
// configuration set every key and are left alone.
func applyPayerDefaults(c *Config, src *Source) []string {
	if !src.Has("payers") {
		return nil
	}
	var filled []string
	defs := PayerDefaults()
	for i := range c.Payers {
		for _, d := range defs {
			key := fmt.Sprintf("payers[%d].%s", i, d.Key)
			if !src.Has(key) {
				d.apply(&c.Payers[i])
				filled = append(filled, key)
			}
		}
	}
	return filled
}
