package claims

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Severity of a scrubber finding: an error holds the claim, a warning is shown to the
// biller and the claim goes out.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Rule is one scrubber check. Its ID is stable (queues, reports and the CLI show it), its
// Reference names the guide note, code-set rule or payer setting it implements.
type Rule struct {
	ID        string   `json:"id"`
	Severity  Severity `json:"severity"`
	Reference string   `json:"reference"`
	check     func(r *scrubRun, c *Claim, out *emitter)
}

// Finding is one rule's verdict on one claim (and line, when it is about a line). Message
// is written for a biller; it names codes and fields, never the patient.
type Finding struct {
	Rule      string   `json:"rule"`
	Severity  Severity `json:"severity"`
	Message   string   `json:"message"`
	Reference string   `json:"reference"`
	ClaimID   string   `json:"claim_id"`
	Line      int      `json:"line,omitempty"` // 1-based service line
	SessionID string   `json:"session_id,omitempty"`
	// ConfigKey names the configuration key whose value causes the finding
	// ("practices[0].npi"): the fix is in the config file, not in the practice system.
	ConfigKey string `json:"config_key,omitempty"`
}

// ConfigKeys lists, once each and in order, the configuration keys that cause the error
// findings of fs; empty when every error is the session's (or the payer's) to fix.
func ConfigKeys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == SeverityError && f.ConfigKey != "" && !slices.Contains(out, f.ConfigKey) {
			out = append(out, f.ConfigKey)
		}
	}
	return out
}

// Result is the scrub of one claim.
type Result struct {
	ClaimID  string    `json:"claim_id"`
	Held     bool      `json:"held"` // an error finding holds the claim
	Findings []Finding `json:"findings"`
}

// Scrubber checks claims before they are filed. It is configuration plus inputs; a Scrub
// call keeps its own state (authorization units consumed, lines seen), so one Scrubber can
// serve concurrent calls.
type Scrubber struct {
	Setup *Setup
	// Auths are the client authorizations with units already used; claims are checked
	// against them and consume units in batch order.
	Auths []AuthUse
	// Billed are the stored claims of the batch's clients on its days of service (the
	// store's lookup by DayKeys): the service.billed_twice rule holds a line the payer
	// already holds on another claim. Nil means only the batch itself is checked.
	Billed []StoredClaim
	Today  time.Time
	// Rules is the rule set; nil means DefaultRules().
	Rules []Rule
}

// Held reports whether any finding is an error.
func Held(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Scrub runs every rule over every claim, in order (authorization units and duplicates
// carry from one claim to the next), and returns one Result per claim.
func (s *Scrubber) Scrub(claims []*Claim) []Result {
	rules := s.Rules
	if rules == nil {
		rules = DefaultRules()
	}
	today := s.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	r := &scrubRun{s: s, today: today, used: map[string]int{}, seen: map[string]string{}, byNumber: map[string][]int{}}
	for i := range s.Auths {
		// Looked up by number for every line: a scan of every authorization per line made a
		// 100,000-session scrub quadratic.
		r.byNumber[s.Auths[i].Number] = append(r.byNumber[s.Auths[i].Number], i)
	}
	out := make([]Result, 0, len(claims))
	for _, c := range claims {
		r.bind(c)
		e := &emitter{claim: c}
		for i := range rules {
			e.rule = &rules[i]
			rules[i].check(r, c, e)
		}
		r.commit(c)
		out = append(out, Result{ClaimID: c.ID, Held: Held(e.out), Findings: e.out})
	}
	return out
}

// emitter collects one claim's findings for the rule being run.
type emitter struct {
	claim *Claim
	rule  *Rule
	out   []Finding
}

// add reports the current rule at line (1-based; 0 for the claim).
func (e *emitter) add(line int, format string, args ...any) {
	f := Finding{Rule: e.rule.ID, Severity: e.rule.Severity, Reference: e.rule.Reference,
		ClaimID: e.claim.ID, Line: line, Message: fmt.Sprintf(format, args...)}
	if line > 0 && line <= len(e.claim.Lines) {
		f.SessionID = e.claim.Lines[line-1].SessionID
	}
	e.out = append(e.out, f)
}

// addConfig reports the current rule as caused by the configuration key key.
func (e *emitter) addConfig(line int, key string, format string, args ...any) {
	e.add(line, format, args...)
	e.out[len(e.out)-1].ConfigKey = key
}

// scrubRun is the state of one Scrub call and the configuration resolved for the claim
// being checked.
type scrubRun struct {
	s     *Scrubber
	today time.Time
	used  map[string]int    // authorization number -> units consumed by earlier claims of the batch
	seen  map[string]string // duplicate key -> claim id
	// billed indexes Scrubber.Billed by line key, built on first use.
	billed billedIndex
	// byNumber indexes Scrubber.Auths by number, in list order.
	byNumber map[string][]int

	practice  *Practice
	payer     *Payer
	rendering *Provider
	// practiceKey and payerKey are the configuration keys of practice and payer
	// ("practices[0]", "payers[2]"), for findings the configuration causes.
	practiceKey, payerKey string
	authUse               map[string]int // this claim's consumption, committed after the rules ran
}

func (r *scrubRun) bind(c *Claim) {
	r.practice, r.payer, r.rendering = nil, nil, nil
	r.authUse = map[string]int{}
	cfg := r.s.Setup
	if cfg == nil {
		return
	}
	r.practice, _ = cfg.Practice(c.Practice)
	r.payer, _ = cfg.Payer(c.Payer)
	r.practiceKey = fmt.Sprintf("practices[%d]", slices.IndexFunc(cfg.Practices, func(p Practice) bool { return p.ID == c.Practice }))
	r.payerKey = fmt.Sprintf("payers[%d]", slices.IndexFunc(cfg.Payers, func(p Payer) bool { return p.ID == c.Payer }))
	if r.practice != nil {
		r.rendering, _ = r.practice.Provider(c.RenderingNPI)
	}
}

func (r *scrubRun) commit(c *Claim) {
	for n, u := range r.authUse {
		r.used[n] += u
	}
	for i := range c.Lines {
		k := lineKey(c, &c.Lines[i])
		if _, ok := r.seen[k]; !ok {
			r.seen[k] = c.ID
		}
	}
}

// lineKey identifies a service for duplicate detection: the same client, date, code and
// modifiers billed twice is what payers deny as a duplicate (CARC 18).
func lineKey(c *Claim, l *ServiceLine) string {
	mods := append([]string(nil), l.Modifiers...)
	sort.Strings(mods)
	client := c.Client.ID
	if client == "" {
		client = c.Coverage.MemberID
	}
	return strings.Join([]string{c.Practice, client, orDefault(l.Date, c.Date), l.Code, strings.Join(mods, ":")}, "|")
}

// auth returns the authorization numbered n for the claim's payer, or nil.
func (r *scrubRun) auth(c *Claim, n string) *AuthUse {
	for _, i := range r.byNumber[n] {
		if a := &r.s.Auths[i]; a.Payer == "" || a.Payer == c.Payer {
			return a
		}
	}
	return nil
}

// ConfigOnly reports whether fs has errors and every one comes from the configuration.
func ConfigOnly(fs []Finding) bool {
	n := 0
	for _, f := range fs {
		if f.Severity == SeverityError {
			if f.ConfigKey == "" {
				return false
			}
			n++
		}
	}
	return n > 0
}

// MayBeConfig reports whether rule can be caused by the configuration (ConfigKey set), so
// a list of holds reads the findings of those claims only.
func MayBeConfig(rule string) bool {
	switch rule {
	case "config.practice", "config.payer", "npi.luhn", "telehealth.pos", "telehealth.modifier", "enrollment.active":
		return true
	}
	return false
}

// providerIndex is the place of the provider with npi in the claim's practice, or -1.
func (r *scrubRun) providerIndex(npi string) int {
	if r.practice == nil {
		return -1
	}
	return slices.IndexFunc(r.practice.Providers, func(p Provider) bool { return p.NPI == npi })
}
