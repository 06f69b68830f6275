package claims

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/edigate/edigate/lifecycle"
)

// The service.billed_twice rule and the "one open claim per session" rule. Both decide from
// facts the store reads (StoredClaim); the store only looks them up and applies the result.

// StoredClaim is a claim already stored, as the rules below see it: its content, its
// lifecycle state and its order of creation within its family (replacements and voids of
// one original share ControlBase).
type StoredClaim struct {
	Claim *Claim          `json:"claim"`
	State lifecycle.State `json:"state"`
	// Created orders the members of a family: the later one is what the payer holds now.
	// Any sortable text (the store's created_at timestamp).
	Created string `json:"created"`
}

// DayKey names the claims the billed-twice check needs: one client's claims of one
// practice on one date of service. ClientID is Claim.Client.ID ("" for a client known only
// by member id: the check then compares member ids).
type DayKey struct {
	Practice string
	ClientID string
	Date     string
}

// DayKeys lists the distinct days of the claims' lines, for the store lookup.
func DayKeys(list []*Claim) []DayKey {
	seen := map[DayKey]bool{}
	var out []DayKey
	for _, c := range list {
		for i := range c.Lines {
			k := DayKey{c.Practice, c.Client.ID, orDefault(c.Lines[i].Date, c.Date)}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// payerHolds reports whether a claim in state s is one the payer has and may pay: it was
// sent, and was neither turned away unread (999/TA1 or 277CA rejection) nor withdrawn.
// A denied, reversed or closed claim still stands: billing the service again as a new
// claim draws a duplicate denial (CARC 18); the way to bill it again is a replacement.
func payerHolds(s lifecycle.State) bool {
	switch s {
	case lifecycle.FileRejected, lifecycle.Rejected, lifecycle.Void:
		return false
	}
	return s.Sent()
}

// billedIndex holds the service lines the payer holds now, by service key: per family,
// the latest member the payer holds (a replacement stands for its original; a void
// withdraws the family).
type billedIndex map[string][]StoredClaim

func newBilledIndex(stored []StoredClaim) billedIndex {
	latest := map[string]StoredClaim{}
	for _, sc := range stored {
		if sc.Claim == nil || !payerHolds(sc.State) {
			continue
		}
		base := ControlBase(sc.Claim.ID)
		cur, ok := latest[base]
		if !ok || cmp.Or(cmp.Compare(sc.Created, cur.Created), strings.Compare(sc.Claim.ID, cur.Claim.ID)) > 0 {
			latest[base] = sc
		}
	}
	idx := billedIndex{}
	bases := make([]string, 0, len(latest))
	for b := range latest {
		bases = append(bases, b)
	}
	slices.Sort(bases) // the claim a message names does not depend on map order
	for _, b := range bases {
		sc := latest[b]
		if sc.Claim.Frequency == FrequencyVoid {
			continue
		}
		for i := range sc.Claim.Lines {
			k := lineKey(sc.Claim, &sc.Claim.Lines[i])
			idx[k] = append(idx[k], sc)
		}
	}
	return idx
}

// sameService reports whether claims c and o, which share a line key (client, date,
// procedure, modifiers), bill it for the same rendering provider at the same payer level.
func sameService(c, o *Claim) bool {
	return c.RenderingNPI == o.RenderingNPI && c.Responsibility() == o.Responsibility()
}

// checkBilledTwice holds a claim with a service the payer already holds on another claim
// (another family: a replacement or void of that claim is how it is billed again). Claims
// to a later payer (secondary, tertiary) are compared with claims at the same level only:
// billing the primary's service to the secondary is what COB is.
func checkBilledTwice(r *scrubRun, c *Claim, e *emitter) {
	if r.billed == nil {
		r.billed = newBilledIndex(r.s.Billed)
	}
	if len(r.billed) == 0 {
		return
	}
	base := ControlBase(c.ID)
	for i := range c.Lines {
		l := &c.Lines[i]
		for _, o := range r.billed[lineKey(c, l)] {
			if ControlBase(o.Claim.ID) == base || !sameService(c, o.Claim) {
				continue
			}
			e.add(i+1, "%s on %s is already billed on claim %s (%s). Billing it again draws a duplicate denial; to change what was billed, send a corrected claim for %s.",
				l.Code, dayWords(orDefault(l.Date, c.Date)), o.Claim.ID, strings.ToLower(o.State.Words()), o.Claim.ID)
			break
		}
	}
}

// dayWords writes a YYYY-MM-DD date the way a biller reads it ("Mar 2, 2026").
func dayWords(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("Jan 2, 2006")
}

// LeftBehind reports whether a stored claim is one a newly built claim leaves behind: an
// unsent original (held or built) built from ready sessions, another than c, sharing a
// session with it. Ready sessions are regrouped on every build (a session arriving later
// joins its day's claim and changes its CLM01), so the old claim must go (void) or the
// session sits on two open claims and a built one would bill it twice.
func LeftBehind(c *Claim, old StoredClaim) bool {
	o := old.Claim
	if o == nil || o.ID == c.ID || (old.State != lifecycle.Held && old.State != lifecycle.Built) {
		return false
	}
	// Only originals built from sessions regroup; a replacement, void or next-payer claim
	// keeps its CLM01 for the same sessions.
	if c.Frequency != FrequencyOriginal || o.Frequency != FrequencyOriginal || c.PriorClaim != "" || o.PriorClaim != "" ||
		c.Primary != nil || o.Primary != nil {
		return false
	}
	for _, id := range o.SessionIDs {
		if slices.Contains(c.SessionIDs, id) {
			return true
		}
	}
	return false
}
