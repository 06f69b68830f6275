package claims

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/edigate/edigate/lifecycle"
)

// Session states: what edigate does with a session (Status is what the practice sent).
const (
	SessionReady     = "ready"     // may become a claim
	SessionHeld      = "held"      // on an authorization hold; the hold reason says why
	SessionScheduled = "scheduled" // not yet delivered
	SessionBilled    = "billed"    // on a claim
	SessionVoid      = "void"
	SessionReplaced  = "replaced"
)

// What admitting a session did to the stored record.
const (
	ChangeCreated              = string(lifecycle.Created)
	ChangeUpdated              = string(lifecycle.Updated)
	ChangeUnchanged            = string(lifecycle.Unchanged)
	ChangeReplacementCandidate = string(lifecycle.ReplacementCandidate) // billed session changed: needs a frequency-7 claim
	ChangeVoidCandidate        = string(lifecycle.VoidCandidate)        // billed session voided: needs a frequency-8 claim
)

// StoredSession is what is already stored of a session being received again.
type StoredSession struct {
	State       string
	SameContent bool    // the stored content equals the received one
	Auth        AuthKey // authorization its units came from (zero: none)
	Units       int
	ClaimRef    string // the claim a billed session is on
}

// UnitMove is units taken from, or given back to, one authorization.
type UnitMove struct {
	Auth  AuthKey
	Units int
}

// SessionEvent is one history event a plan records for a session. Which fields are set
// depends on Kind: State and Status (received, updated), Auth and Units (units consumed
// or returned, released), Reason (held), Was (the hold reason before: held again,
// released), ClaimRef (replacement or void candidate).
type SessionEvent struct {
	Kind          lifecycle.EventKind
	State, Status string
	Auth          string
	Units         int
	Reason, Was   string
	ClaimRef      string
}

// Admission is the plan for receiving one session: the state it takes, the units it gives
// back (a changed or voided session returns what it took) and takes, and its events in
// order. A billed session is never changed: Change names the candidate claim it needs.
type Admission struct {
	Change string
	State  string
	Hold   string   // held: the reason
	Return UnitMove // given back first
	Take   UnitMove
	events [3]SessionEvent
	n      int
}

// Events are the admission's events, in the order they happened.
func (a *Admission) Events() []SessionEvent { return a.events[:a.n] }

func (a *Admission) add(e SessionEvent) {
	a.events[a.n] = e
	a.n++
}

// AuthsNeeded reports whether admitting s (stored is nil for a new session) matches it to
// an authorization, so the caller reads the candidates only then.
func (r *AuthRules) AuthsNeeded(s *Session, stored *StoredSession) bool {
	if stored != nil && (stored.SameContent || stored.State == SessionBilled) {
		return false
	}
	switch s.Status {
	case StatusScheduled, StatusVoid, StatusReplaced:
		return false
	}
	return r.Required(s.Coverage.Payer, s.Service.Code)
}

// Admit decides what receiving s does. stored is nil for a new session; auths are the
// authorizations of its payer and client or member with their used units, read when
// AuthsNeeded says so (in number order, so the match does not depend on read order).
func (r *AuthRules) Admit(s *Session, stored *StoredSession, auths []AuthUse) Admission {
	var a Admission
	if stored != nil && stored.SameContent {
		a.Change, a.State = ChangeUnchanged, stored.State
		return a
	}
	if stored != nil && stored.State == SessionBilled {
		a.Change, a.State = ChangeReplacementCandidate, SessionBilled
		if s.Status == StatusVoid || s.Status == StatusReplaced {
			a.Change = ChangeVoidCandidate
		}
		a.add(SessionEvent{Kind: lifecycle.EventKind(a.Change), ClaimRef: stored.ClaimRef})
		return a
	}
	a.Change = ChangeCreated
	received := lifecycle.Received
	if stored != nil {
		a.Change, received = ChangeUpdated, lifecycle.Updated
		if stored.Units > 0 {
			a.Return = UnitMove{Auth: stored.Auth, Units: stored.Units}
			a.add(SessionEvent{Kind: lifecycle.UnitsReturned, Auth: stored.Auth.Number, Units: stored.Units})
		}
	}
	switch s.Status {
	case StatusScheduled:
		a.State = SessionScheduled
	case StatusVoid:
		a.State = SessionVoid
	case StatusReplaced:
		a.State = SessionReplaced
	default:
		a.State = SessionReady
		if r.AuthsNeeded(s, stored) {
			a.matchAuth(s, auths)
		}
	}
	a.add(SessionEvent{Kind: received, State: a.State, Status: s.Status})
	switch {
	case a.Hold != "":
		a.add(SessionEvent{Kind: lifecycle.SessionHeld, Reason: a.Hold})
	case a.Take.Units > 0:
		a.add(SessionEvent{Kind: lifecycle.UnitsConsumed, Auth: a.Take.Auth.Number, Units: a.Take.Units})
	}
	return a
}

// matchAuth holds the session or takes its units. The units the stored session gives
// back count: an update that returns its unit may take it again. auths is not changed.
func (a *Admission) matchAuth(s *Session, auths []AuthUse) {
	if a.Return.Units > 0 {
		auths = slices.Clone(auths)
		for i := range auths {
			if auths[i].Key() == a.Return.Auth {
				auths[i].Used -= a.Return.Units
			}
		}
	}
	i, n, hold := match(s, auths)
	if i < 0 {
		a.State, a.Hold = SessionHeld, hold
		return
	}
	a.Take = UnitMove{Auth: auths[i].Key(), Units: n}
}

// IsAuthHold reports whether a session hold reason is an authorization hold, one an
// authorization arriving may lift.
func IsAuthHold(reason string) bool {
	switch reason {
	case HoldAuthMissing, HoldAuthExpired, HoldAuthNotStarted, HoldAuthExhausted, HoldAuthCodeNotCovered,
		HoldAuthAmbiguous, HoldAuthPOSNotCovered, HoldAuthProviderNotCovered:
		return true
	}
	return false
}

// HeldSession is a session on a hold.
type HeldSession struct {
	Session  *Session
	Reason   string
	Received string // when it was first received (RFC 3339): breaks ties of the same date
}

// HeldOutcome is what an authorization change does to one held session: released onto
// an authorization (Take) or held for another reason (Hold, with its event).
type HeldOutcome struct {
	SessionID string
	Released  bool
	Take      UnitMove
	Hold      string // still held: the reason now
	Was       string // the reason it was held for
	Event     SessionEvent
}

// PlanRelease decides, after an authorization arrived or changed, which held sessions it
// releases: oldest date of service first (then first received), so the earliest sessions
// get the units when there are not enough for all. auths are the authorizations of the
// sessions' payers and clients with their used units; they are not changed. Sessions that
// stay held for the same reason, or are held for something else than an authorization
// (eligibility), are left out.
func PlanRelease(held []HeldSession, auths []AuthUse) []HeldOutcome {
	order := slices.Clone(held)
	slices.SortFunc(order, func(x, y HeldSession) int {
		return cmp.Or(cmp.Compare(x.Session.Date, y.Session.Date), cmp.Compare(x.Received, y.Received),
			cmp.Compare(x.Session.ID, y.Session.ID))
	})
	work := slices.Clone(auths)
	var out []HeldOutcome
	for _, h := range order {
		if !IsAuthHold(h.Reason) {
			continue // held for something else (eligibility): not this plan's to release
		}
		i, n, hold := match(h.Session, work)
		switch {
		case i >= 0:
			work[i].Used += n
			take := UnitMove{Auth: work[i].Key(), Units: n}
			out = append(out, HeldOutcome{SessionID: h.Session.ID, Released: true, Take: take, Was: h.Reason,
				Event: SessionEvent{Kind: lifecycle.SessionReleased, Auth: take.Auth.Number, Units: n, Was: h.Reason}})
		case hold != h.Reason:
			out = append(out, HeldOutcome{SessionID: h.Session.ID, Hold: hold, Was: h.Reason,
				Event: SessionEvent{Kind: lifecycle.SessionHeld, Reason: hold, Was: h.Reason}})
		}
	}
	return out
}

// ErrUnitsBelowUsed rejects an authorization update granting fewer units than already used.
var ErrUnitsBelowUsed = errors.New("units are fewer than already used")

// StoredAuth is what is already stored of an authorization being received again.
type StoredAuth struct {
	SameContent bool
	Used        int
}

// AuthChange decides what receiving a does (stored is nil for a new authorization):
// unchanged, created or updated; an update may not grant fewer units than are used. The
// held sessions it may release are then planned by PlanRelease.
func AuthChange(a *Authorization, stored *StoredAuth) (string, error) {
	switch {
	case stored == nil:
		return ChangeCreated, nil
	case stored.SameContent:
		return ChangeUnchanged, nil
	case a.Units < stored.Used:
		return "", fmt.Errorf("units %d: %w (%d)", a.Units, ErrUnitsBelowUsed, stored.Used)
	}
	return ChangeUpdated, nil
}
