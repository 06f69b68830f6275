package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Scenario is how the simulator answers for one member: deterministic, so tests and the
// demo can predict every 277CA, 835 and 271.
type Scenario string

// Claim scenarios (277CA and 835).
const (
	Paid               Scenario = "paid"                // paid at 80% of charge, CO-45 for the rest
	CopayDeductible    Scenario = "copay-deductible"    // PR-3 copay 25.00 and PR-1 deductible
	DenyAuth           Scenario = "deny-auth"           // CO-197 precertification absent
	DenyNecessity      Scenario = "deny-necessity"      // CO-50 not medically necessary
	DenyTimely         Scenario = "deny-timely"         // CO-29 time limit for filing expired
	DenyDocumentation  Scenario = "deny-documentation"  // CO-16 with RARC N290 (missing rendering provider id)
	DenyDuplicate      Scenario = "deny-duplicate"      // CO-18 exact duplicate
	CoverageTerminated Scenario = "coverage-terminated" // PR-27 expenses after coverage terminated
	Reversal           Scenario = "reversal"            // paid, then a later 835 reverses (CLP02 22) and re-adjudicates
	RejectA7           Scenario = "reject-a7"           // 277CA A7 rejection: never reaches the 835
)

// Eligibility scenarios (271).
const (
	Active          Scenario = "active"            // active, in network, copay 25.00, deductible 1000.00 (250.00 remaining)
	Inactive        Scenario = "inactive"          // EB*6 coverage inactive
	NotFound        Scenario = "not-found"         // AAA*N**75*C subscriber not found
	CarveOut        Scenario = "carve-out"         // active, but behavioral health is carved out to another payer (2120)
	UnableToRespond Scenario = "unable-to-respond" // AAA*Y**42*R: transient, retry later
)

var claimScenarios = map[Scenario]bool{Paid: true, CopayDeductible: true, DenyAuth: true, DenyNecessity: true,
	DenyTimely: true, DenyDocumentation: true, DenyDuplicate: true, CoverageTerminated: true, Reversal: true, RejectA7: true}

var eligibilityScenarios = map[Scenario]bool{Active: true, Inactive: true, NotFound: true, CarveOut: true, UnableToRespond: true}

// Rules choose scenarios by member ID; members not listed get the defaults.
type Rules struct {
	DefaultClaim       Scenario              `json:"default_claim"`
	DefaultEligibility Scenario              `json:"default_eligibility"`
	Members            map[string][]Scenario `json:"members"` // member id -> scenarios (one claim, one eligibility)
}

// DefaultRules pays every claim and answers every 270 as active.
func DefaultRules() Rules {
	return Rules{DefaultClaim: Paid, DefaultEligibility: Active, Members: map[string][]Scenario{}}
}

// LoadRules reads a JSON rule file and checks every scenario name.
func LoadRules(path string) (Rules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Rules{}, fmt.Errorf("sim rules: %w", err)
	}
	r := DefaultRules()
	if err := json.Unmarshal(b, &r); err != nil {
		return Rules{}, fmt.Errorf("sim rules %s: %w", path, err)
	}
	return r, r.Validate()
}

// Validate names every unknown scenario.
func (r Rules) Validate() error {
	var bad []string
	check := func(where string, s Scenario) {
		if !claimScenarios[s] && !eligibilityScenarios[s] {
			bad = append(bad, fmt.Sprintf("%s: unknown scenario %q", where, s))
		}
	}
	check("default_claim", r.DefaultClaim)
	check("default_eligibility", r.DefaultEligibility)
	for m, ss := range r.Members {
		for _, s := range ss {
			check("members["+m+"]", s)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("sim rules: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Claim returns the claim scenario for a member.
func (r Rules) Claim(memberID string) Scenario {
	for _, s := range r.Members[memberID] {
		if claimScenarios[s] {
			return s
		}
	}
	if r.DefaultClaim == "" {
		return Paid
	}
	return r.DefaultClaim
}

// Eligibility returns the 271 scenario for a member.
func (r Rules) Eligibility(memberID string) Scenario {
	for _, s := range r.Members[memberID] {
		if eligibilityScenarios[s] {
			return s
		}
	}
	if r.DefaultEligibility == "" {
		return Active
	}
	return r.DefaultEligibility
}
