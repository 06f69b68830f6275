package claims

import (
	"fmt"
	"strings"
	"time"

	"github.com/edigate/edigate/internal/config"
)

// Authorization hold reasons. They are part of the biller-facing contract (queues, CLI and
// reports show them verbatim), so they never change spelling.
const (
	HoldAuthMissing        = "auth_missing"          // no authorization for payer+client (or the named number is unknown)
	HoldAuthExpired        = "auth_expired"          // date of service after its end
	HoldAuthNotStarted     = "auth_not_started"      // date of service before its start
	HoldAuthExhausted      = "auth_exhausted"        // fewer units remain than the session needs
	HoldAuthCodeNotCovered = "auth_code_not_covered" // the service code is not among its codes
	HoldAuthAmbiguous      = "auth_ambiguous"        // more than one valid authorization and no number given
	// The authorization covers the code but names another place of service or rendering
	// provider: the payer would deny the claim, so no unit is spent on it.
	HoldAuthPOSNotCovered      = "auth_pos_not_covered"
	HoldAuthProviderNotCovered = "auth_provider_not_covered"
	AlertAuthLowUnits          = "low_units"
	AlertAuthEndNear           = "end_near"
	civilDate                  = "2006-01-02"
	defaultAuthLowUnits        = 3
	defaultAuthDaysBeforeEnd   = 14
)

// AuthRules is the per-payer authorization policy taken from configuration: which codes
// need an authorization and when to alert. It is read-only once built.
type AuthRules struct {
	payers map[string]payerAuth
}

type payerAuth struct {
	codes         []string
	lowUnits      int
	daysBeforeEnd int
}

// NewAuthRules builds the rules of every configured payer and rejects malformed code
// ranges, so a typo in auth_required_codes fails at start instead of exempting codes.
func NewAuthRules(payers []config.Payer) (*AuthRules, error) {
	r := &AuthRules{payers: make(map[string]payerAuth, len(payers))}
	for _, p := range payers {
		for _, c := range p.AuthRequiredCodes {
			lo, hi, isRange := strings.Cut(c, "-")
			if isRange && (len(strings.TrimSpace(lo)) != len(strings.TrimSpace(hi)) || strings.TrimSpace(lo) > strings.TrimSpace(hi)) {
				return nil, fmt.Errorf("payer %s auth_required_codes: %q is not a range of equal-length codes", p.ID, c)
			}
		}
		r.payers[p.ID] = payerAuth{
			codes:         p.AuthRequiredCodes,
			lowUnits:      p.AuthAlerts.LowUnits,
			daysBeforeEnd: p.AuthAlerts.DaysBeforeEnd,
		}
	}
	return r, nil
}

// Required reports whether the payer needs a prior authorization for code. Unknown payers
// need none here: validation rejects sessions for unconfigured payers before this runs.
func (r *AuthRules) Required(payer, code string) bool {
	if r == nil {
		return false
	}
	p, ok := r.payers[payer]
	return ok && InRange(code, p.codes)
}

// Thresholds returns the payer's alert thresholds (remaining units, days before end).
func (r *AuthRules) Thresholds(payer string) (lowUnits, daysBeforeEnd int) {
	if r != nil {
		if p, ok := r.payers[payer]; ok {
			return p.lowUnits, p.daysBeforeEnd
		}
	}
	return defaultAuthLowUnits, defaultAuthDaysBeforeEnd
}

// AuthUse is an authorization with the units already consumed from it.
type AuthUse struct {
	Authorization
	Used int
}

// Remaining is the number of units left.
func (a *AuthUse) Remaining() int { return a.Units - a.Used }

// mismatch returns the hold reason when the authorization is not for this session's code,
// rendering provider or place of service, else "". Dates and units are judged separately
// so the hold reason says which failed.
func (a *AuthUse) mismatch(s *Session) string {
	found := false
	for _, c := range a.Codes {
		if InRange(s.Service.Code, []string{c}) {
			found = true
			break
		}
	}
	switch {
	case !found:
		return HoldAuthCodeNotCovered
	// DOMAIN.md section 2: a claim whose rendering provider (or place of service) the
	// authorization does not name is denied, so such an authorization does not cover it.
	case a.Provider != "" && a.Provider != s.RenderingProvider:
		return HoldAuthProviderNotCovered
	case a.PlaceOfService != "" && a.PlaceOfService != s.Service.PlaceOfService:
		return HoldAuthPOSNotCovered
	}
	return ""
}

func (a *AuthUse) forClient(s *Session) bool {
	if a.Payer != s.Coverage.Payer {
		return false
	}
	return (a.ClientID != "" && a.ClientID == s.Client.ID) ||
		(a.MemberID != "" && a.MemberID == s.Coverage.MemberID)
}

// match picks the authorization a session consumes units from (DOMAIN.md section 2): the
// one named by s.Authorization when given, else the unique one of the session's payer and
// client that covers its code, provider, place and date of service with enough units left.
// It returns the index into auths and the units it needs, or -1 and the hold reason.
func match(s *Session, auths []AuthUse) (int, int, string) {
	if s.Authorization != "" {
		for i := range auths {
			a := &auths[i]
			if a.Number != s.Authorization || a.Payer != s.Coverage.Payer {
				continue
			}
			if !a.forClient(s) {
				return -1, 0, HoldAuthMissing
			}
			n, r := judge(s, a)
			if r != "" {
				return -1, 0, r
			}
			return i, n, ""
		}
		return -1, 0, HoldAuthMissing
	}
	found, units := -1, 0
	reason := ""
	for i := range auths {
		a := &auths[i]
		if !a.forClient(s) {
			continue
		}
		n, r := judge(s, a)
		if r == "" {
			if found >= 0 {
				return -1, 0, HoldAuthAmbiguous
			}
			found, units = i, n
			continue
		}
		if rank(r) > rank(reason) {
			reason = r
		}
	}
	switch {
	case found >= 0:
		return found, units, ""
	case reason == "":
		return -1, 0, HoldAuthMissing
	default:
		return -1, 0, reason
	}
}

// rank orders hold reasons by how close the authorization came to covering the session,
// so a biller sees the most useful one: "exhausted" beats "expired" beats "another
// provider or place" beats "another code".
func rank(reason string) int {
	switch reason {
	case HoldAuthExhausted:
		return 5
	case HoldAuthExpired, HoldAuthNotStarted:
		return 4
	case HoldAuthProviderNotCovered, HoldAuthPOSNotCovered:
		return 3
	case HoldAuthCodeNotCovered:
		return 2
	case "":
		return 0
	default:
		return 1
	}
}

// judge returns the units s needs from a when a covers s with enough left, else the hold
// reason.
func judge(s *Session, a *AuthUse) (int, string) {
	if r := a.mismatch(s); r != "" {
		return 0, r
	}
	// Civil dates in YYYY-MM-DD order as strings; validation guarantees the format.
	if s.Date < a.Start {
		return 0, HoldAuthNotStarted
	}
	if s.Date > a.End {
		return 0, HoldAuthExpired
	}
	n, err := AuthUnits(s, a.UnitKind)
	if err != nil || n > a.Remaining() {
		return 0, HoldAuthExhausted
	}
	return n, ""
}

// AuthAlertWords says what an authorization alert means for a biller and what to do.
// remaining is nil when unknown.
func AuthAlertWords(kind string, remaining *int, end string) string {
	switch kind {
	case AlertAuthLowUnits:
		if remaining != nil {
			return fmt.Sprintf("Only %d unit(s) left: request more units", *remaining)
		}
		return "Few units left: request more units"
	case AlertAuthEndNear:
		return "Ends " + end + ": request a renewal"
	}
	return kind
}

// AuthAlerts returns the alert kinds whose threshold the authorization is at or past on
// day today: remaining units at or below lowUnits, end date within daysBeforeEnd days.
func AuthAlerts(a *AuthUse, lowUnits, daysBeforeEnd int, today time.Time) []string {
	var out []string
	if a.Remaining() <= lowUnits {
		out = append(out, AlertAuthLowUnits)
	}
	if end, err := time.Parse(civilDate, a.End); err == nil {
		t := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		if !end.Before(t) && end.Sub(t) <= time.Duration(daysBeforeEnd)*24*time.Hour {
			out = append(out, AlertAuthEndNear)
		}
	}
	return out
}
