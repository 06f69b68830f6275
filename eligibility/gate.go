package eligibility

import (
	"fmt"
	"time"
)

// ClaimWait is what the claims step knows of a ready session's eligibility when it decides
// whether to bill it now (see BillNow).
type ClaimWait struct {
	// Wait is how long a claim waits for the 271 (claims.wait_for_eligibility); 0 bills at
	// once, as before the 270 went out ahead of claims.
	Wait     time.Duration
	Now      time.Time
	Received time.Time  // when the session arrived (the wait starts there while no 270 is out)
	Asked    *time.Time // when its latest 270 went out; nil: none yet
	// Answered: the latest 270 has its 271. A 271 that makes the session unbillable
	// (inactive, carve-out) has already held it; a ready session's answer lets it go.
	Answered bool
}

// Billing is the decision for one session: bill it now (with Warning when it goes out
// without an answer) or wait until Until.
type Billing struct {
	Wait    bool
	Until   time.Time
	Warning string // the claim goes out without a 271: say so on the claim
}

// BillNow decides whether a ready session's claim goes out now. The 270 goes out ahead of
// the claim so that an inactive coverage or a carve-out holds the session before it is
// billed; the claim waits for the 271 up to w.Wait after the 270 went out (or after the
// session arrived, while no 270 has gone out), then goes out with a warning rather than
// never.
func BillNow(w ClaimWait) Billing {
	if w.Wait <= 0 || w.Answered {
		return Billing{}
	}
	start, what := w.Received, "no eligibility inquiry (270) went out"
	if w.Asked != nil {
		start, what = *w.Asked, "the eligibility inquiry (270) sent "+w.Asked.UTC().Format("Jan 2, 2006 15:04 UTC")+" has no answer"
	}
	until := start.Add(w.Wait)
	if w.Now.Before(until) {
		return Billing{Wait: true, Until: until}
	}
	return Billing{Warning: fmt.Sprintf("Billed without an eligibility answer: %s after waiting %s (claims.wait_for_eligibility).", what, waitWords(w.Wait))}
}

func waitWords(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
