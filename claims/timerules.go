package claims

import (
	"strings"
	"time"
)

// TimeRange is the minutes a time-based CPT code may be billed for (CPT time rules; the
// midpoint convention: a 30-minute code needs 16 minutes). Max 0 means no upper bound.
type TimeRange struct {
	Min, Max int
}

// timedCodes are the psychotherapy codes whose choice depends on the session's length
// (CPT time rules). A session outside its code's range is billed with the wrong code.
var timedCodes = map[string]TimeRange{
	"90832": {16, 37},
	"90834": {38, 52},
	"90837": {53, 0},
	"90833": {16, 37},
	"90836": {38, 52},
	"90838": {53, 0},
	"90839": {30, 74},
	"90846": {26, 0},
	"90847": {26, 0},
}

// fifteenMinuteCodes are billed in 15-minute units by their descriptors: Medicaid BH
// HCPCS codes and the ABA adaptive-behaviour CPT codes.
var fifteenMinuteCodes = map[string]bool{
	"H0004": true, "H2011": true, "H2014": true, "H2019": true, "T1017": true,
	"97151": true, "97152": true, "97153": true, "97154": true, "97155": true,
	"97156": true, "97157": true, "97158": true,
}

// IsFifteenMinuteCode reports whether code is billed in 15-minute units.
func IsFifteenMinuteCode(code string) bool { return fifteenMinuteCodes[code] }

// FifteenMinuteUnits is the CMS 8-minute rule: a unit counts once its midpoint is passed,
// so 8-22 minutes are 1 unit, 23-37 are 2, and under 8 minutes bill nothing.
func FifteenMinuteUnits(minutes int) int {
	if minutes < 8 {
		return 0
	}
	return (minutes + 7) / 15
}

// add-on code families: which primary codes each add-on may go with (CPT).
var (
	// 90785 interactive complexity goes only with these primaries.
	interactivePrimaries = codeSet("90791", "90792", "90832", "90833", "90834", "90836", "90837", "90838", "90853")
	// and never with these.
	interactiveExcluded = codeSet("90839", "90840", "90846", "90847", "90849")
	// psychotherapy add-ons billed with an E/M service on the same day.
	emAddOns = codeSet("90833", "90836", "90838")
)

func codeSet(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// IsAddOn reports whether code may not be billed alone.
func IsAddOn(code string) bool {
	return code == "90785" || code == "90840" || emAddOns[code]
}

// IsEM reports whether code is an office/outpatient E/M service (99202-99215).
func IsEM(code string) bool {
	return len(code) == 5 && code >= "99202" && code <= "99215" && code != "99210"
}

// InRange reports whether code matches an entry of a payer's code list: an exact code or
// an inclusive range "90832-90838" (compared as strings of equal length, which orders
// CPT and HCPCS codes correctly).
func InRange(code string, list []string) bool {
	for _, e := range list {
		lo, hi, ok := strings.Cut(e, "-")
		if !ok {
			if strings.EqualFold(strings.TrimSpace(e), code) {
				return true
			}
			continue
		}
		lo, hi = strings.ToUpper(strings.TrimSpace(lo)), strings.ToUpper(strings.TrimSpace(hi))
		if len(lo) == len(code) && len(hi) == len(code) && code >= lo && code <= hi {
			return true
		}
	}
	return false
}

// SessionMinutes is the session's length: Minutes when given, else End - Start (clock
// times "15:04" or RFC 3339 timestamps). 0 when unknown.
func SessionMinutes(s *Session) int {
	if s.Minutes > 0 {
		return s.Minutes
	}
	if s.Start == "" || s.End == "" {
		return 0
	}
	for _, layout := range []string{time.RFC3339, "15:04", "15:04:05", "2006-01-02T15:04"} {
		a, err1 := time.Parse(layout, s.Start)
		b, err2 := time.Parse(layout, s.End)
		if err1 == nil && err2 == nil {
			if m := int(b.Sub(a).Minutes()); m > 0 {
				return m
			}
			return 0
		}
	}
	return 0
}
