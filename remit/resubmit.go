package remit

import (
	"errors"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/queue"
)

// ErrUnchanged refuses a resubmission that would send the payer what it rejected.
var ErrUnchanged = errors.New("nothing was corrected")

// UnchangedError is a refused resubmission: the rejection in words and what to fix.
type UnchangedError struct {
	Claim  string
	Reason string // the rejection in words
	Fix    string // what the biller corrects
}

func (e *UnchangedError) Error() string {
	return "claim " + e.Claim + ": " + ErrUnchanged.Error() + ": the payer rejected it (" + e.Reason + ") and it would go out the same. " + e.Fix
}

func (e *UnchangedError) Unwrap() error { return ErrUnchanged }

// CheckResubmit decides whether the corrected claim may go out for the rejection or
// denial it: a rejection (277CA, 999) resubmitted with nothing changed is refused, since
// the payer would reject it again for the same reason; the error says the reason and what
// to fix. An interchange (TA1) rejection is about the envelope, not the claim, and a denial
// may be resent for a frequency-7 replacement the payer asked for, so both pass.
func CheckResubmit(it queue.Item, rejected, corrected *claims.Claim) error {
	if it.Kind != queue.Rejections || strings.HasPrefix(it.Reason, "TA1") || !claims.SameBilling(rejected, corrected) {
		return nil
	}
	return &UnchangedError{Claim: it.ClaimID, Reason: RejectionWords(it), Fix: WhatToFix(it)}
}

// RejectionWords says a rejection or denial item's reason for a biller: a 277CA status
// (category:code, as in A7:33), a 999 set verdict (IK5 R) or a CARC (CO-197).
func RejectionWords(it queue.Item) string {
	r := it.Reason
	var w string
	if cat, code, ok := strings.Cut(r, ":"); ok && it.Category == "277CA" {
		w = CategoryWords(cat)
		if s := StatusWords(code); s != "" {
			w += ": " + s
		}
	} else if grp, code, ok := strings.Cut(r, "-"); ok && len(grp) == 2 {
		w = CARCWords(code)
	} else if strings.HasPrefix(r, "IK5") {
		w = "the clearinghouse's format check (999) rejected the claim's transaction"
	}
	if w == "" {
		w = r
	} else {
		w += " (" + r + ")"
	}
	// The payer's own words, unless they only repeat the code's words (the simulator and
	// many clearinghouses send those).
	if m, cw := it.Message, codeWords(it); m != "" && (cw == "" || !strings.Contains(strings.ToLower(m), strings.ToLower(cw))) {
		w += "; " + m
	}
	return w
}

// codeWords is the table's words of the item's status code or CARC ("" when none).
func codeWords(it queue.Item) string {
	if _, code, ok := strings.Cut(it.Reason, ":"); ok && it.Category == "277CA" {
		return StatusWords(code)
	}
	if grp, code, ok := strings.Cut(it.Reason, "-"); ok && len(grp) == 2 {
		return CARCWords(code)
	}
	return ""
}

// fixes names the fields to correct for the codes a rejection or denial carries: 277CA
// status codes (STC01-2) and CARCs.
var fixes = map[string]string{
	"33":  "Correct the member id, the subscriber's name and date of birth as on the insurance card.",
	"97":  "Correct the member id, the subscriber's name and date of birth, or check eligibility.",
	"31":  "Correct the member id, the subscriber's name and date of birth as on the insurance card.",
	"254": "Correct the diagnoses (the principal diagnosis first).",
	"255": "Correct the diagnoses.",
	"11":  "Correct the diagnoses so they support the procedure.",
	"454": "Correct the procedure's modifiers (or have the practice resend the session with the right code).",
	"4":   "Correct the line's modifiers.",
	"5":   "Correct the place of service.",
	"562": "Correct the rendering or supervising provider's NPI.",
	"164": "Correct the member id (the subscriber's contract/member number as on the insurance card).",
	"145": "Correct the rendering provider (its taxonomy must fit the service).",
	"8":   "Correct the rendering or supervising provider.",
	"15":  "Correct the authorization number.",
	"197": "Enter the authorization number the payer issued.",
	"187": "The date of service is wrong: have the practice system resend the session with the right date.",
}

// WhatToFix says what to correct for the item's reason.
func WhatToFix(it queue.Item) string {
	code := it.Reason
	if _, c, ok := strings.Cut(code, ":"); ok {
		code = c
	} else if _, c, ok := strings.Cut(code, "-"); ok {
		code = c
	}
	if f, ok := fixes[code]; ok {
		return f
	}
	if strings.HasPrefix(it.Reason, "IK5") {
		return "Correct the data the 999's errors name (member id, diagnoses, modifiers, place of service or providers)."
	}
	return "Correct the claim data the payer names (member id, subscriber, diagnoses, modifiers, place of service, providers, authorization)."
}
