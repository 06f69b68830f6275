package claims

import (
	"fmt"
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
	// Billed reports whether a service line (client, date, code, modifiers) was already
	// billed outside this batch; nil means only the batch itself is checked for duplicates.
	Billed func(key string) bool
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
	r := &scrubRun{s: s, today: today, used: map[string]int{}, seen: map[string]string{}}
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

// scrubRun is the state of one Scrub call and the configuration resolved for the claim
// being checked.
type scrubRun struct {
	s     *Scrubber
	today time.Time
	used  map[string]int    // authorization number -> units consumed by earlier claims of the batch
	seen  map[string]string // duplicate key -> claim id

	practice  *Practice
	payer     *Payer
	rendering *Provider
	authUse   map[string]int // this claim's consumption, committed after the rules ran
	// byNumber indexes s.Auths by number (positions in order), built on first use: the
	// authorization rules look one up per line, and a claims run of 100,000 claims against
	// 20,000 authorizations must not walk the list each time.
	byNumber map[string][]int
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
	if r.byNumber == nil {
		r.byNumber = make(map[string][]int, len(r.s.Auths))
		for i := range r.s.Auths {
			r.byNumber[r.s.Auths[i].Number] = append(r.byNumber[r.s.Auths[i].Number], i)
		}
	}
	for _, i := range r.byNumber[n] { // the first in list order, as a walk of the list finds
		if a := &r.s.Auths[i]; a.Payer == "" || a.Payer == c.Payer {
			return a
		}
	}
	return nil
}
