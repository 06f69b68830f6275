package eligibility

import (
	"fmt"
	"time"
)

// Hold reasons an eligibility answer puts on a session (the hold kind is "eligibility").
const (
	HoldInactive   = "coverage_inactive"
	HoldNotFound   = "subscriber_not_found"
	HoldCarveOut   = "carve_out"
	HoldRejected   = "eligibility_rejected"
	HoldNoResponse = "no_response"
)

// Decision is what an answer means for billing a session.
type Decision struct {
	Hold     bool     `json:"hold"`
	Reason   string   `json:"reason,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	Retry    bool     `json:"retry"` // transient: ask again later, do not hold
	Warnings []string `json:"warnings,omitempty"`
}

// notFound are AAA03 codes that mean "we cannot find this person".
var notFound = map[string]bool{"67": true, "72": true, "73": true, "75": true, "77": true, "78": true}

// Decide turns a 271 answer into a billing decision for a session with this procedure
// code. configRequiresAuth says whether the payer configuration already requires prior
// authorization for the code: a 271 that requires it when the configuration does not is a
// warning, so the practice fixes its payer rules before claims are denied.
func Decide(r Result, code string, configRequiresAuth bool) Decision {
	var d Decision
	for _, rej := range r.Rejects {
		if rej.Transient() {
			d.Retry = true
			d.Detail = fmt.Sprintf("payer could not answer now (AAA %s: %s): retry scheduled", rej.Code, rej.Reason)
			continue
		}
		d.Hold = true
		if notFound[rej.Code] {
			d.Reason = HoldNotFound
		} else if d.Reason == "" {
			d.Reason = HoldRejected
		}
		d.Detail = fmt.Sprintf("AAA %s: %s; %s", rej.Code, rej.Reason, rej.FollowUp)
	}
	if d.Hold || d.Retry {
		if d.Hold {
			d.Retry = false
		}
		return d
	}
	switch {
	case r.NoInformation:
		d.Warnings = append(d.Warnings, "the 271 carries no benefit information for this member: coverage was not confirmed")
	case !r.Active:
		d.Hold, d.Reason = true, HoldInactive
		d.Detail = "271 reports no active coverage for the date of service"
	case r.CarveOut != nil:
		d.Hold, d.Reason = true, HoldCarveOut
		d.Detail = fmt.Sprintf("behavioral health is carved out to %s (%s %s): bill that payer instead", r.CarveOut.Name, r.CarveOut.IDQual, r.CarveOut.ID)
	}
	if r.AuthRequired != nil && *r.AuthRequired && !configRequiresAuth {
		d.Warnings = append(d.Warnings, fmt.Sprintf("271 says prior authorization is required for %s but the payer configuration does not require it", code))
	}
	return d
}

// NeedsCheck says whether a session needs a (new) 270: when no answer falls inside the
// payer's freshness window ending on the date of service (freshDays 0 = the day of service
// itself), no request is pending, and the window has begun (asking earlier would give an
// answer that is stale by the session). Dates are civil dates (time zone ignored).
func NeedsCheck(today, dateOfService time.Time, freshDays int, lastAnswered *time.Time, pending bool) bool {
	if pending {
		return false
	}
	windowStart := civil(dateOfService).AddDate(0, 0, -freshDays)
	if civil(today).Before(windowStart) {
		return false
	}
	if lastAnswered != nil && !civil(*lastAnswered).Before(windowStart) {
		return false
	}
	return true
}

func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
