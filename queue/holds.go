package queue

import (
	"slices"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/x12"
)

// holdWords explains each hold reason and what the biller does about it. The reasons are
// the admission's (claims) and the eligibility check's; these are their words, once.
var holdWords = map[string][2]string{
	claims.HoldAuthMissing:            {"No authorization on file for this payer, client and service", "Request the authorization from the payer (retro-authorization if the session already happened)"},
	claims.HoldAuthExpired:            {"The authorization ended before the date of service", "Request a renewal covering the date of service"},
	claims.HoldAuthNotStarted:         {"The date of service is before the authorization starts", "Ask the payer to backdate the authorization, or check the session date"},
	claims.HoldAuthExhausted:          {"The authorization has fewer units left than the session needs", "Request additional units from the payer"},
	claims.HoldAuthCodeNotCovered:     {"The authorization does not cover this service code", "Request an authorization update for the code, or correct the session"},
	claims.HoldAuthAmbiguous:          {"More than one valid authorization could apply", "Ask the practice system to send the authorization number with the session"},
	claims.HoldAuthPOSNotCovered:      {"The authorization is for another place of service", "Request an authorization update for the place of service, or correct the session's place of service"},
	claims.HoldAuthProviderNotCovered: {"The authorization names another rendering provider", "Request an authorization update for this provider, or correct the session's rendering provider"},
}

// HoldWords returns a hold reason in words and the suggested action.
func HoldWords(reason string) (words, action string) {
	if w, ok := holdWords[reason]; ok {
		return w[0], w[1]
	}
	return reason, "Review the session"
}

// FilingDeadline is the payer's timely-filing limit counted from the date of service: a
// hold not worked by then becomes a timely-filing denial (CARC 29). "" when the payer has
// no limit or the date does not parse.
func FilingDeadline(dateOfService string, timelyFilingDays int) string {
	d, err := time.Parse(time.DateOnly, dateOfService)
	if timelyFilingDays <= 0 || err != nil {
		return ""
	}
	return d.AddDate(0, 0, timelyFilingDays).Format(time.DateOnly)
}

// HeldSession is a session on hold as the holds queue shows it.
type HeldSession struct {
	ID, Payer, Code, Date, Reason string
	Charge                        x12.Amount
}

// SessionHold is the holds item of a held session, due at its timely-filing deadline.
func SessionHold(s HeldSession, timelyFilingDays int) Item {
	w, a := HoldWords(s.Reason)
	return Item{Kind: Holds, SessionID: s.ID, Payer: s.Payer, Code: s.Code, Date: s.Date, Reason: s.Reason,
		Message: w, Action: a, Due: FilingDeadline(s.Date, timelyFilingDays), Amount: s.Charge, State: Open}
}

// ScrubbedSession is a ready session whose scrub at intake found errors, before its claim
// was built.
type ScrubbedSession struct {
	HeldSession
	Rules      []string
	ConfigKeys []string
	ConfigOnly bool
}

// SessionScrubHold is the holds item of a session the scrubber holds at intake: listed at
// once, not at the next claims run, and worded like the claim's hold it will become.
func SessionScrubHold(s ScrubbedSession, timelyFilingDays int) Item {
	msg, act := ScrubHoldWords(s.ConfigKeys, s.ConfigOnly)
	return Item{Kind: Holds, SessionID: s.ID, Payer: s.Payer, Code: s.Code, Date: s.Date, Reason: strings.Join(s.Rules, ", "),
		Message: msg, Action: act, Due: FilingDeadline(s.Date, timelyFilingDays), Amount: s.Charge, State: Open}
}

// HeldClaim is a claim the scrubber held, as the holds queue shows it.
type HeldClaim struct {
	ID, Payer, Date string
	Rules           []string
	// ConfigKeys are the configuration keys that cause some of the errors
	// (claims.ConfigKeys); the fix for those is in the config file.
	ConfigKeys []string
	// ConfigOnly: every error comes from the configuration.
	ConfigOnly bool
	Total      x12.Amount
}

// ClaimHold is the holds item of a claim the scrubber held.
func ClaimHold(c HeldClaim, timelyFilingDays int) Item {
	msg, act := ScrubHoldWords(c.ConfigKeys, c.ConfigOnly)
	return Item{Kind: Holds, ClaimID: c.ID, Payer: c.Payer, Date: c.Date, Reason: strings.Join(c.Rules, ", "),
		Message: msg, Action: act, Due: FilingDeadline(c.Date, timelyFilingDays), Amount: c.Total, State: Open}
}

// ScrubHoldWords says a scrubber hold in words and what to do about it. A hold the
// configuration causes names the keys to fix: correcting the session would change nothing.
func ScrubHoldWords(configKeys []string, configOnly bool) (words, action string) {
	const session = "Open the findings, correct the session in the practice system and resend it"
	keys := strings.Join(configKeys, ", ")
	switch {
	case len(configKeys) == 0:
		return "The scrubber found errors the payer would reject", session
	case configOnly:
		return "The configuration causes this hold, not the session",
			"Fix " + keys + " in the config file (check it with edigate config check) and restart; the claim is rebuilt at the next claims run"
	}
	return "The scrubber found errors the payer would reject; some come from the configuration",
		"Fix " + keys + " in the config file (check it with edigate config check) and restart; for the other errors, " + strings.ToLower(session[:1]) + session[1:]
}

// SortByDue puts the nearest deadline first; items without one go last, then by key.
func SortByDue(items []Item) {
	slices.SortStableFunc(items, func(a, b Item) int { return ByDue(a.Due, a.Key(), b.Due, b.Key()) })
}

// ByDue is SortByDue's order for anything with a deadline and a key (the store pages
// holds in it without building Items): nearest deadline first, undated last, then by key.
func ByDue(aDue, aKey, bDue, bKey string) int {
	if (aDue == "") != (bDue == "") {
		if aDue != "" {
			return -1
		}
		return 1
	}
	if c := strings.Compare(aDue, bDue); c != 0 {
		return c
	}
	return strings.Compare(aKey, bKey)
}
