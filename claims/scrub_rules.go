package claims

// This file is long on purpose: it is the scrubber's rule table and each rule's function
// beside its entry, so a rule is found by its id in one place.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// DefaultRules is edigate's behavioral-health rule set. Values that differ by payer come
// from configuration (payers[].…); the rules here are the logic.
func DefaultRules() []Rule {
	rules := []Rule{
		{"config.practice", SeverityError, "config practices[]", checkPractice},
		{"config.payer", SeverityError, "config payers[]", checkPayer},
		{"config.rendering", SeverityError, "config practices[].providers[]", checkRendering},
		{"payer.carve_out", SeverityError, "config payers[].carve_out_payer_id", checkCarveOut},
		{"npi.luhn", SeverityError, "X222A1 2010AA/2310B/2310D NM109; CMS NPI check digit", checkNPI},
		{"demographics.required", SeverityError, "X222A1 2010BA/2010CA NM1, N3, N4, DMG", checkDemographics},
		{"date.service", SeverityError, "X222A1 2400 DTP*472", checkServiceDate},
		{"icd10.format", SeverityError, "X222A1 2300 HI; ICD-10-CM code format", checkICD10},
		{"icd10.bh_principal", SeverityWarning, "behavioral-health claims: principal diagnosis F01-F99", checkBHPrincipal},
		{"hi.max12", SeverityError, "X222A1 2300 HI (12 diagnoses)", checkMaxDiagnoses},
		{"hi.pointers", SeverityError, "X222A1 2400 SV107 (1-4 pointers into HI)", checkPointers},
		{"lines.max50", SeverityError, "X222A1 2400 (50 service lines)", checkMaxLines},
		{"cpt.format", SeverityError, "X222A1 2400 SV101-2; CPT/HCPCS format", checkCPT},
		{"modifier.format", SeverityError, "X222A1 2400 SV101-3..6", checkModifierFormat},
		{"modifier.max4", SeverityError, "X222A1 2400 SV101-3..6 (4 modifiers)", checkModifierMax},
		{"charge.positive", SeverityError, "X222A1 2400 SV102", checkCharge},
		{"line.duplicate", SeverityError, "CARC 18 exact duplicate claim/service", checkDuplicate},
		{"service.billed_twice", SeverityError, "CARC 18 exact duplicate claim/service: already billed on another claim", checkBilledTwice},
		{"time.missing", SeverityError, "CPT time rules: the session length decides the code", checkTimeMissing},
	}
	timed := make([]string, 0, len(timedCodes))
	for code := range timedCodes {
		timed = append(timed, code)
	}
	sort.Strings(timed)
	for _, code := range timed {
		rules = append(rules, Rule{"time." + code, SeverityError, "CPT " + code + " time rule (" + rangeText(timedCodes[code]) + ")", checkTime(code)})
	}
	rules = append(rules,
		Rule{"addon.90785", SeverityError, "CPT 90785 interactive complexity add-on rules", check90785},
		Rule{"addon.em", SeverityError, "CPT 90833/90836/90838 are add-ons to an E/M service (99202-99215)", checkEMAddOn},
		Rule{"addon.90840", SeverityError, "CPT 90840 is an add-on to 90839", check90840},
		Rule{"units.15min", SeverityError, "CMS 8-minute rule for 15-minute codes (HCPCS H/T codes, ABA 9715x)", checkFifteenMinuteUnits},
		Rule{"modifier.credential", SeverityError, "config payers[].credential_modifiers", checkCredentialModifier},
		Rule{"telehealth.pos", SeverityError, "config payers[].telehealth.pos", checkTelehealthPOS},
		Rule{"telehealth.modifier", SeverityError, "config payers[].telehealth.modifier / audio_only_modifier", checkTelehealthModifier},
		Rule{"telehealth.modifier_pos", SeverityWarning, "telehealth modifier with an in-person place of service", checkTelehealthModifierPOS},
		Rule{"supervising.required", SeverityError, "config payers[].supervising_required_for; X222A1 2310D", checkSupervising},
		Rule{"auth.required", SeverityError, "config payers[].auth_required_codes; X222A1 2300 REF*G1", checkAuthRequired},
		Rule{"auth.unknown", SeverityError, "X222A1 2300 REF*G1 must be the payer's authorization number", checkAuthUnknown},
		Rule{"auth.client", SeverityError, "authorization issued for the claim's payer and member", checkAuthClient},
		Rule{"auth.code", SeverityError, "authorization covers the billed procedure", checkAuthCode},
		Rule{"auth.dates", SeverityError, "authorization start/end dates", checkAuthDates},
		Rule{"auth.units", SeverityError, "authorization units remaining", checkAuthUnits},
		Rule{"auth.pos", SeverityError, "authorization's place of service", checkAuthPOS},
		Rule{"auth.provider", SeverityError, "authorization's rendering provider", checkAuthProvider},
		Rule{"enrollment.active", SeverityError, "config payers[].enrollment (EDI enrollment per NPI)", checkEnrollment},
		Rule{"frequency.f8", SeverityError, "X222A1 2300 REF*F8 required with CLM05-3 7 or 8", checkF8},
		Rule{"cob.payers", SeverityError, "X222A1 2000B/2320 SBR01 (each payer level once, in payment order), 2320 repeat 10, 2330B NM109", checkCOBPayers},
		Rule{"cob.balance", SeverityError, "X222A1 COB balancing per other payer: CLM02 - 2320 AMT*D = 2320 CAS + 2430 CAS; SV102 - SVD02 = 2430 CAS", checkCOBBalance},
		Rule{"cob.paid", SeverityError, "X222A1 2320 AMT*D, 2430 SVD02: earlier payments are not negative and add up to at most the charge", checkCOBPaid},
		Rule{"charge.below_contract", SeverityWarning, "config payers[].fee_schedule (the payer pays at most the charge)", checkBelowContract},
		Rule{"timely.warn", SeverityWarning, "config payers[].timely_filing_warn_days", checkTimelyWarn},
		Rule{"timely.expired", SeverityError, "config payers[].timely_filing_days (CARC 29)", checkTimelyExpired},
	)
	return rules
}

func rangeText(t TimeRange) string {
	if t.Max == 0 {
		return fmt.Sprintf("%d+ minutes", t.Min)
	}
	return fmt.Sprintf("%d-%d minutes", t.Min, t.Max)
}

func checkPractice(r *scrubRun, c *Claim, e *emitter) {
	if r.practice == nil {
		e.addConfig(0, "practices", "Practice %q is not configured; the claim has no billing provider.", c.Practice)
	}
}

func checkPayer(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil {
		e.addConfig(0, "payers", "Payer %q is not configured; add it (payer id, clearinghouse, filing indicator) before billing.", c.Payer)
	}
}

func checkRendering(r *scrubRun, c *Claim, e *emitter) {
	if r.practice != nil && r.rendering == nil && c.RenderingNPI != r.practice.NPI {
		e.add(0, "Rendering provider NPI %s is not a provider of the practice in the configuration.", c.RenderingNPI)
	}
	if r.practice != nil && c.SupervisingNPI != "" {
		if _, ok := r.practice.Provider(c.SupervisingNPI); !ok {
			e.add(0, "Supervising provider NPI %s is not a provider of the practice in the configuration.", c.SupervisingNPI)
		}
	}
}

func checkCarveOut(r *scrubRun, c *Claim, e *emitter) {
	if r.payer != nil && r.payer.CarveOutPayerID != "" {
		e.add(0, "%s delegates behavioral health to payer id %s; claims sent to %s are denied. Bill the carve-out payer.",
			r.payer.Name, r.payer.CarveOutPayerID, r.payer.PayerID)
	}
}

func checkNPI(r *scrubRun, c *Claim, e *emitter) {
	if r.practice != nil && !x12.ValidNPI(r.practice.NPI) {
		e.addConfig(0, r.practiceKey+".npi", "Billing provider NPI %s fails the NPI check digit; correct the practice's npi in the configuration.", r.practice.NPI)
	}
	if !x12.ValidNPI(c.RenderingNPI) {
		if j := r.providerIndex(c.RenderingNPI); j >= 0 {
			e.addConfig(0, fmt.Sprintf("%s.providers[%d].npi", r.practiceKey, j), "Rendering provider NPI %q fails the NPI check digit (10 digits, Luhn); it is the NPI the configuration lists for the provider.", c.RenderingNPI)
		} else {
			e.add(0, "Rendering provider NPI %q fails the NPI check digit (10 digits, Luhn).", c.RenderingNPI)
		}
	}
	if c.SupervisingNPI != "" && !x12.ValidNPI(c.SupervisingNPI) {
		e.add(0, "Supervising provider NPI %q fails the NPI check digit (10 digits, Luhn).", c.SupervisingNPI)
	}
}

// missingPerson lists the fields 2010BA/2010CA need that p lacks (names only, no values).
func missingPerson(p *Person) []string {
	var miss []string
	if strings.TrimSpace(p.LastName) == "" {
		miss = append(miss, "last name")
	}
	if strings.TrimSpace(p.FirstName) == "" {
		miss = append(miss, "first name")
	}
	if _, err := time.Parse(time.DateOnly, p.DOB); err != nil {
		miss = append(miss, "date of birth")
	}
	if g := strings.ToUpper(p.Gender); g != "F" && g != "M" && g != "U" {
		miss = append(miss, "gender")
	}
	if p.Address.Line1 == "" || p.Address.City == "" || len(p.Address.State) != 2 || len(digits(p.Address.Zip)) < 5 {
		miss = append(miss, "address")
	}
	return miss
}

func checkDemographics(r *scrubRun, c *Claim, e *emitter) {
	if miss := missingPerson(&c.Client); len(miss) > 0 {
		e.add(0, "Patient is missing %s.", strings.Join(miss, ", "))
	}
	if strings.TrimSpace(c.Coverage.MemberID) == "" {
		e.add(0, "Coverage has no member id (2010BA NM109).")
	}
	if relationshipCode(c.Coverage.Relationship) != "18" {
		if c.Coverage.Subscriber == nil {
			e.add(0, "The patient is not the subscriber (relationship %q) but no subscriber is on file.", c.Coverage.Relationship)
		} else {
			var miss []string
			s := c.Coverage.Subscriber
			if strings.TrimSpace(s.LastName) == "" {
				miss = append(miss, "last name")
			}
			if strings.TrimSpace(s.FirstName) == "" {
				miss = append(miss, "first name")
			}
			if len(miss) > 0 {
				e.add(0, "Subscriber is missing %s.", strings.Join(miss, ", "))
			}
		}
	}
}

func checkServiceDate(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		d, err := time.Parse(time.DateOnly, orDefault(l.Date, c.Date))
		switch {
		case err != nil:
			e.add(i+1, "Date of service %q is not a date (YYYY-MM-DD).", orDefault(l.Date, c.Date))
		case d.After(r.today):
			e.add(i+1, "Date of service %s is in the future; bill it after the session took place.", d.Format(time.DateOnly))
		}
	}
}

func checkICD10(r *scrubRun, c *Claim, e *emitter) {
	for _, d := range c.Diagnoses {
		if !icd10HIRe.MatchString(d) {
			e.add(0, "Diagnosis %q is not an ICD-10-CM code (a letter, a digit, then 1-5 letters or digits).", d)
		}
	}
}

func checkBHPrincipal(r *scrubRun, c *Claim, e *emitter) {
	if len(c.Diagnoses) == 0 {
		return
	}
	d := c.Diagnoses[0]
	switch {
	case d == "":
	case d[0] == 'Z':
		e.add(0, "Principal diagnosis %s is a Z code; payers deny psychotherapy with a Z code as principal. List the F code first.", d)
	case d[0] != 'F':
		e.add(0, "Principal diagnosis %s is not a mental or behavioral disorder (F01-F99); check it is the reason for this service.", d)
	}
}

func checkMaxDiagnoses(r *scrubRun, c *Claim, e *emitter) {
	if len(c.Diagnoses) > MaxDiagnoses {
		e.add(0, "The session has %d diagnoses; a claim carries at most 12. Choose the 12 that support the services.", len(c.Diagnoses))
	}
	if len(c.Diagnoses) == 0 {
		e.add(0, "The claim has no diagnosis.")
	}
}

func checkPointers(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if len(l.Pointers) == 0 {
			e.add(i+1, "Line %d (%s) points to no diagnosis.", i+1, l.Code)
		}
		if len(l.Pointers) > MaxPointers {
			e.add(i+1, "Line %d (%s) points to %d diagnoses; at most 4.", i+1, l.Code, len(l.Pointers))
		}
		for _, p := range l.Pointers {
			if p < 1 || p > len(c.Diagnoses) || p > MaxDiagnoses {
				e.add(i+1, "Line %d (%s) points to diagnosis %d, which the claim does not have.", i+1, l.Code, p)
			}
		}
	}
}

func checkMaxLines(r *scrubRun, c *Claim, e *emitter) {
	if len(c.Lines) > MaxLines {
		e.add(0, "The claim has %d service lines; at most 50.", len(c.Lines))
	}
	if len(c.Lines) == 0 {
		e.add(0, "The claim has no service lines.")
	}
}

func checkCPT(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if !cptRe.MatchString(l.Code) {
			e.add(i+1, "Procedure %q is not a CPT (5 digits) or HCPCS (letter + 4 digits) code.", l.Code)
		}
	}
}

func checkModifierFormat(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		for _, m := range l.Modifiers {
			if !modifierRe.MatchString(m) {
				e.add(i+1, "Modifier %q on %s is not two letters or digits.", m, l.Code)
			}
		}
	}
}

func checkModifierMax(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if len(l.Modifiers) > MaxModifiers {
			e.add(i+1, "%s carries %d modifiers (%s); a line takes at most 4.", l.Code, len(l.Modifiers), strings.Join(l.Modifiers, " "))
		}
	}
}

func checkCharge(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if l.Charge <= 0 {
			e.add(i+1, "%s has charge %s; every line needs a charge greater than zero.", l.Code, l.Charge)
		}
	}
}

func checkDuplicate(r *scrubRun, c *Claim, e *emitter) {
	here := map[string]int{}
	for i := range c.Lines {
		l := &c.Lines[i]
		k := lineKey(c, l)
		switch prev, ok := here[k]; {
		case ok:
			e.add(i+1, "%s on %s repeats line %d of this claim; payers deny exact duplicates.", l.Code, orDefault(l.Date, c.Date), prev)
			continue
		default:
			here[k] = i + 1
		}
		if other, ok := r.seen[k]; ok && other != c.ID {
			e.add(i+1, "%s on %s is also billed on claim %s in this batch.", l.Code, orDefault(l.Date, c.Date), other)
		}
	}
}

func checkTimeMissing(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if _, timed := timedCodes[l.Code]; (timed || IsFifteenMinuteCode(l.Code)) && l.Minutes <= 0 {
			e.add(i+1, "%s is billed by time but the session has no minutes or start/end time.", l.Code)
		}
	}
}

func checkTime(code string) func(*scrubRun, *Claim, *emitter) {
	tr := timedCodes[code]
	return func(r *scrubRun, c *Claim, e *emitter) {
		for i, l := range c.Lines {
			if l.Code != code || l.Minutes <= 0 {
				continue
			}
			if l.Minutes < tr.Min || (tr.Max > 0 && l.Minutes > tr.Max) {
				e.add(i+1, "%s needs %s; the session lasted %d minutes.%s", code, rangeText(tr), l.Minutes, suggest(code, l.Minutes))
			}
		}
	}
}

// suggest names the code that fits the minutes, for the psychotherapy families.
func suggest(code string, minutes int) string {
	fam := []string{"90832", "90834", "90837"}
	if emAddOns[code] {
		fam = []string{"90833", "90836", "90838"}
	}
	if !slices.Contains(fam, code) {
		return ""
	}
	for _, f := range fam {
		tr := timedCodes[f]
		if minutes >= tr.Min && (tr.Max == 0 || minutes <= tr.Max) {
			return " Bill " + f + " instead."
		}
	}
	return " Under 16 minutes is not billable as psychotherapy."
}

func codesOf(c *Claim) map[string]bool {
	m := make(map[string]bool, len(c.Lines))
	for _, l := range c.Lines {
		m[l.Code] = true
	}
	return m
}

func check90785(r *scrubRun, c *Claim, e *emitter) {
	codes := codesOf(c)
	if !codes["90785"] {
		return
	}
	line := slices.IndexFunc(c.Lines, func(l ServiceLine) bool { return l.Code == "90785" }) + 1
	for code := range codes {
		if interactiveExcluded[code] {
			e.add(line, "90785 (interactive complexity) may not be billed with %s.", code)
			return
		}
	}
	for code := range codes {
		if interactivePrimaries[code] {
			return
		}
	}
	e.add(line, "90785 (interactive complexity) needs a primary service on the same claim: 90791, 90792, 90832-90838 or 90853.")
}

func checkEMAddOn(r *scrubRun, c *Claim, e *emitter) {
	hasEM := slices.ContainsFunc(c.Lines, func(l ServiceLine) bool { return IsEM(l.Code) })
	for i, l := range c.Lines {
		if emAddOns[l.Code] && !hasEM {
			e.add(i+1, "%s is psychotherapy added to an E/M visit; the claim needs the E/M code (99202-99215) of the same day. Without one, bill 90832/90834/90837.", l.Code)
		}
	}
}

func check90840(r *scrubRun, c *Claim, e *emitter) {
	codes := codesOf(c)
	for i, l := range c.Lines {
		if l.Code == "90840" && !codes["90839"] {
			e.add(i+1, "90840 (each additional 30 minutes of crisis psychotherapy) needs 90839 on the same claim.")
		}
	}
}

func checkFifteenMinuteUnits(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		if !IsFifteenMinuteCode(l.Code) || l.Minutes <= 0 {
			continue
		}
		want := FifteenMinuteUnits(l.Minutes)
		switch {
		case want == 0:
			e.add(i+1, "%s: %d minutes is less than the 8 minutes one 15-minute unit needs.", l.Code, l.Minutes)
		case l.Units != want:
			e.add(i+1, "%s: %d minutes is %d units of 15 minutes (8-minute rule), not %d.", l.Code, l.Minutes, want, l.Units)
		}
	}
}

func checkCredentialModifier(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil || r.rendering == nil {
		return
	}
	want := CredentialModifier(r.payer, r.rendering.Credential)
	for i, l := range c.Lines {
		var have []string
		for _, m := range l.Modifiers {
			if credentialModifiers[m] {
				have = append(have, m)
			}
		}
		switch {
		case want != "" && !slices.Contains(have, want):
			e.add(i+1, "%s requires modifier %s for a %s; %s has %s.", r.payer.Name, want, r.rendering.Credential, l.Code, orDefault(strings.Join(have, " "), "none"))
		case want != "" && len(have) > 1:
			e.add(i+1, "%s carries more than one credential modifier (%s); %s expects only %s.", l.Code, strings.Join(have, " "), r.payer.Name, want)
		}
	}
}

func checkTelehealthPOS(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil {
		return
	}
	for i, l := range c.Lines {
		pos := orDefault(l.PlaceOfService, c.PlaceOfService)
		if IsTelehealthPOS(pos) && !slices.Contains(r.payer.Telehealth.POS, pos) {
			e.addConfig(i+1, r.payerKey+".telehealth.pos", "%s does not accept telehealth place of service %s (accepted: %s).", r.payer.Name, pos, orDefault(strings.Join(r.payer.Telehealth.POS, ", "), "none"))
		}
	}
}

func checkTelehealthModifier(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil {
		return
	}
	th := r.payer.Telehealth
	for i, l := range c.Lines {
		pos := orDefault(l.PlaceOfService, c.PlaceOfService)
		if !IsTelehealthPOS(pos) || (th.Modifier == "" && th.AudioOnlyModifier == "") {
			continue
		}
		ok := (th.Modifier != "" && slices.Contains(l.Modifiers, th.Modifier)) ||
			(th.AudioOnlyModifier != "" && slices.Contains(l.Modifiers, th.AudioOnlyModifier))
		if !ok {
			want := th.Modifier
			if th.AudioOnlyModifier != "" {
				want += " (video) or " + th.AudioOnlyModifier + " (audio only)"
			}
			e.addConfig(i+1, r.payerKey+".telehealth.modifier", "%s at telehealth place of service %s needs modifier %s for %s.", l.Code, pos, want, r.payer.Name)
		}
	}
}

func checkTelehealthModifierPOS(r *scrubRun, c *Claim, e *emitter) {
	for i, l := range c.Lines {
		pos := orDefault(l.PlaceOfService, c.PlaceOfService)
		if IsTelehealthPOS(pos) {
			continue
		}
		for _, m := range l.Modifiers {
			if telehealthModifiers[m] {
				e.add(i+1, "%s has telehealth modifier %s but place of service %s is in person; use 02 or 10 if the session was remote.", l.Code, m, pos)
				break
			}
		}
	}
}

func checkSupervising(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil || r.rendering == nil || !SupervisionRequired(r.payer, r.rendering) {
		return
	}
	if c.SupervisingNPI == "" {
		cred := r.rendering.Credential
		if !r.rendering.Licensed {
			cred += " (not licensed)"
		}
		e.add(0, "%s requires a supervising provider for claims rendered by a %s; set the provider's supervisor or the session's supervising_provider.", r.payer.Name, cred)
	}
}

// lineAuth is the authorization number a line is billed under.
func lineAuth(c *Claim, l *ServiceLine) string { return orDefault(l.Authorization, c.Authorization) }

// AuthNumbers lists the authorization numbers the claims' lines are billed under: the only
// authorizations a Scrubber looks up for them, so a caller loads these and not every
// authorization on file.
func AuthNumbers(cs []*Claim) []string {
	var out []string
	for _, c := range cs {
		for i := range c.Lines {
			if n := lineAuth(c, &c.Lines[i]); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

func checkAuthRequired(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil {
		return
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		if lineAuth(c, l) == "" && InRange(l.Code, r.payer.AuthRequiredCodes) {
			e.add(i+1, "%s requires prior authorization for %s and the session names none.", r.payer.Name, l.Code)
		}
	}
}

// eachAuthLine calls fn for every line billed under a known authorization.
func eachAuthLine(r *scrubRun, c *Claim, fn func(i int, l *ServiceLine, a *AuthUse)) {
	for i := range c.Lines {
		l := &c.Lines[i]
		if n := lineAuth(c, l); n != "" {
			if a := r.auth(c, n); a != nil {
				fn(i, l, a)
			}
		}
	}
}

func checkAuthUnknown(r *scrubRun, c *Claim, e *emitter) {
	for i := range c.Lines {
		l := &c.Lines[i]
		if n := lineAuth(c, l); n != "" && r.auth(c, n) == nil {
			e.add(i+1, "Authorization %s is not on file for this payer; check the number or load the authorization.", n)
		}
	}
}

func checkAuthClient(r *scrubRun, c *Claim, e *emitter) {
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		if (a.ClientID != "" && a.ClientID != c.Client.ID) || (a.ClientID == "" && a.MemberID != "" && a.MemberID != c.Coverage.MemberID) {
			e.add(i+1, "Authorization %s was issued for another client or member.", a.Number)
		}
	})
}

func checkAuthCode(r *scrubRun, c *Claim, e *emitter) {
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		if len(a.Codes) > 0 && !InRange(l.Code, a.Codes) && !IsAddOn(l.Code) {
			e.add(i+1, "Authorization %s covers %s, not %s.", a.Number, strings.Join(a.Codes, ", "), l.Code)
		}
	})
}

func checkAuthDates(r *scrubRun, c *Claim, e *emitter) {
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		d := orDefault(l.Date, c.Date)
		if (a.Start != "" && d < a.Start) || (a.End != "" && d > a.End) {
			e.add(i+1, "Date of service %s is outside authorization %s (%s to %s).", d, a.Number, a.Start, a.End)
		}
	})
}

func checkAuthUnits(r *scrubRun, c *Claim, e *emitter) {
	need := map[string]int{}
	first := map[string]int{}
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		if len(a.Codes) > 0 && !InRange(l.Code, a.Codes) {
			return // add-ons and uncovered codes do not draw on it
		}
		u := 1
		if a.UnitKind == Unit15Minute {
			u = l.Units
		}
		need[a.Number] += u
		if _, ok := first[a.Number]; !ok {
			first[a.Number] = i + 1
		}
	})
	for n, u := range need {
		a := r.auth(c, n)
		left := a.Remaining() - r.used[n]
		if u > left {
			e.add(first[n], "Authorization %s has %d %s left; this claim needs %d.", n, max(left, 0), unitWord(a.UnitKind), u)
		}
		r.authUse[n] += u
	}
}

func unitWord(kind string) string {
	if kind == Unit15Minute {
		return "15-minute units"
	}
	return "visits"
}

func checkAuthPOS(r *scrubRun, c *Claim, e *emitter) {
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		if pos := orDefault(l.PlaceOfService, c.PlaceOfService); a.PlaceOfService != "" && pos != a.PlaceOfService {
			e.add(i+1, "Authorization %s is for place of service %s; the session was at %s.", a.Number, a.PlaceOfService, pos)
		}
	})
}

func checkAuthProvider(r *scrubRun, c *Claim, e *emitter) {
	eachAuthLine(r, c, func(i int, l *ServiceLine, a *AuthUse) {
		if a.Provider != "" && a.Provider != c.RenderingNPI {
			e.add(i+1, "Authorization %s names rendering provider %s; the claim's is %s.", a.Number, a.Provider, c.RenderingNPI)
		}
	})
}

// checkEnrollment holds claims while EDI enrollment is not active. A payer with no
// enrollment list does not track enrollment; one with a list must show each listed NPI of
// the claim active, and enrollment_unlisted says whether an unlisted one holds it.
func checkEnrollment(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil || len(r.payer.Enrollment) == 0 || r.practice == nil {
		return
	}
	status := func(npi string) (string, bool) {
		for _, en := range r.payer.Enrollment {
			if en.NPI == npi {
				return strings.ToLower(en.Status), true
			}
		}
		return "", false
	}
	unlisted := r.payer.EnrollmentUnlisted
	st, ok := status(r.practice.NPI)
	switch {
	case !ok && unlisted.Holds(true):
		e.addConfig(0, r.payerKey+".enrollment", "Billing NPI %s is not enrolled for EDI claims with %s; hold until enrollment is active.", r.practice.NPI, r.payer.Name)
	case ok && st != "active":
		e.addConfig(0, r.payerKey+".enrollment", "EDI enrollment of billing NPI %s with %s is %s; claims are held until it is active.", r.practice.NPI, r.payer.Name, orDefault(st, "unknown"))
	}
	if c.RenderingNPI != r.practice.NPI {
		st, ok := status(c.RenderingNPI)
		switch {
		case !ok && unlisted.Holds(false):
			e.add(0, "Rendering NPI %s is not on %s's enrollment list; claims are held until its enrollment is active.", c.RenderingNPI, r.payer.Name)
		case ok && st != "active":
			e.add(0, "Enrollment of rendering NPI %s with %s is %s; claims are held until it is active.", c.RenderingNPI, r.payer.Name, orDefault(st, "unknown"))
		}
	}
}

func checkF8(r *scrubRun, c *Claim, e *emitter) {
	if (c.Frequency == FrequencyReplacement || c.Frequency == FrequencyVoid) && c.PayerControlNumber == "" {
		e.add(0, "A replacement or void needs the payer's claim number of the original claim (from the 835 or 277CA).")
	}
	if c.Frequency != FrequencyOriginal && c.Frequency != FrequencyReplacement && c.Frequency != FrequencyVoid && c.Frequency != "" {
		e.add(0, "Claim frequency %q is not 1 (original), 7 (replacement) or 8 (void).", c.Frequency)
	}
}

// filingAge returns the days since the date of service and the payer's limits; ok false
// when there is nothing to judge.
func filingAge(r *scrubRun, c *Claim) (age, limit, warn int, ok bool) {
	if r.payer == nil || r.payer.TimelyFilingDays <= 0 {
		return 0, 0, 0, false
	}
	d, err := time.Parse(time.DateOnly, c.Date)
	if err != nil {
		return 0, 0, 0, false
	}
	today := time.Date(r.today.Year(), r.today.Month(), r.today.Day(), 0, 0, 0, 0, time.UTC)
	return int(today.Sub(d).Hours() / 24), r.payer.TimelyFilingDays, r.payer.TimelyFilingWarnDays, true
}

func checkTimelyWarn(r *scrubRun, c *Claim, e *emitter) {
	age, limit, warn, ok := filingAge(r, c)
	if ok && age <= limit && age > limit-warn {
		e.add(0, "%s's filing limit is %d days from the date of service; %d days are left. File now.", r.payer.Name, limit, limit-age)
	}
}

func checkTimelyExpired(r *scrubRun, c *Claim, e *emitter) {
	age, limit, _, ok := filingAge(r, c)
	if ok && age > limit {
		e.add(0, "%s's filing limit of %d days passed %d days ago; the payer will deny it (CARC 29) unless you have proof of timely filing.", r.payer.Name, limit, age-limit)
	}
}

// cobLabel names an earlier payer in a finding: its level and name (no patient data).
func cobLabel(p *PriorPayerInfo) string {
	return fmt.Sprintf("%s (2320 SBR01 %s)", orDefault(p.PayerName, p.PayerID), p.Responsibility)
}

// checkCOBPayers: a claim to a later payer quotes every earlier one, each responsibility
// level once and in payment order (a tertiary claim: P then S), at most ten, each named by
// its own payer id. Payers reject a claim that skips or repeats a level. A claim quoting no
// earlier payer is not judged here: it was billed from sessions, not from an 835.
func checkCOBPayers(r *scrubRun, c *Claim, e *emitter) {
	priors := c.PriorPayers()
	if len(priors) == 0 {
		return
	}
	if len(priors) > MaxOtherPayers {
		e.add(0, "The claim quotes %d other payers; an 837P carries at most %d (loop 2320).", len(priors), MaxOtherPayers)
	}
	own := c.Responsibility()
	if want := slices.Index(ResponsibilityLevels, own); want != len(priors) {
		e.add(0, "A claim at payer level %s quotes %d earlier payers in 2320; it must quote exactly the %d before it.", own, len(priors), want)
	}
	var ownID string
	if r.payer != nil {
		ownID = r.payer.PayerID
	}
	ids := map[string]int{}
	for i, p := range priors {
		if i < len(ResponsibilityLevels) && p.Responsibility != ResponsibilityLevels[i] {
			e.add(0, "Other payer %d, %s, should be at level %s: earlier payers are quoted in payment order, each level once.",
				i+1, cobLabel(p), ResponsibilityLevels[i])
		}
		switch prev, dup := ids[p.PayerID]; {
		case p.PayerID == "":
			e.add(0, "Other payer %s has no payer id (2330B NM109).", cobLabel(p))
		case dup:
			e.add(0, "Other payers %d and %d have the same payer id %s; each 2330B needs its own, as 2430 SVD01 names it.", prev, i+1, p.PayerID)
		case p.PayerID == ownID:
			e.add(0, "Other payer %s is the payer this claim goes to (%s); a payer is not billed after itself.", cobLabel(p), ownID)
		}
		ids[p.PayerID] = i + 1
	}
}

// checkCOBBalance: for every earlier payer, what it did not pay of the claim's charge is
// explained by its adjustments (CLM02 - AMT*D = claim-level CAS + line-level CAS), and on
// every line it adjudicated, SV102 - SVD02 = that line's CAS. A claim failing this is
// rejected by the receiving payer's COB balancing, so it is held here.
func checkCOBBalance(r *scrubRun, c *Claim, e *emitter) {
	for _, p := range c.PriorPayers() {
		adj := sumAdjustments(p.Adjustments)
		lines := map[int]bool{}
		for _, pl := range p.Lines {
			adj += sumAdjustments(pl.Adjustments)
			switch {
			case pl.Line < 1 || pl.Line > len(c.Lines):
				e.add(0, "Other payer %s adjudicated line %d, which the claim does not have (2430).", cobLabel(p), pl.Line)
				continue
			case lines[pl.Line]:
				e.add(pl.Line, "Other payer %s adjudicated line %d twice (2430).", cobLabel(p), pl.Line)
				continue
			}
			lines[pl.Line] = true
			l := &c.Lines[pl.Line-1]
			if got := sumAdjustments(pl.Adjustments); l.Charge-pl.Paid != got {
				e.add(pl.Line, "Other payer %s on line %d: charge %s - paid %s = %s, but the line's adjustments (2430 CAS) add up to %s.",
					cobLabel(p), pl.Line, l.Charge, pl.Paid, l.Charge-pl.Paid, got)
			}
		}
		if c.Total-p.Paid != adj {
			e.add(0, "Other payer %s: CLM02 %s - paid %s (AMT*D) = %s, but its claim and line adjustments (CAS) add up to %s.",
				cobLabel(p), c.Total, p.Paid, c.Total-p.Paid, adj)
		}
	}
}

// checkCOBPaid: earlier payments are amounts paid (never negative), and together they do
// not exceed the charge, on the claim or on a line: a claim whose earlier payers paid more
// than was billed quotes an adjudication twice or the wrong one.
func checkCOBPaid(r *scrubRun, c *Claim, e *emitter) {
	priors := c.PriorPayers()
	if len(priors) == 0 {
		return
	}
	var total x12.Amount
	perLine := make([]x12.Amount, len(c.Lines))
	for _, p := range priors {
		if p.Paid < 0 {
			e.add(0, "Other payer %s paid %s (AMT*D); a paid amount is not negative.", cobLabel(p), p.Paid)
		}
		total += p.Paid
		for _, pl := range p.Lines {
			if pl.Paid < 0 {
				e.add(pl.Line, "Other payer %s paid %s on line %d (SVD02); a paid amount is not negative.", cobLabel(p), pl.Paid, pl.Line)
			}
			if pl.Line >= 1 && pl.Line <= len(c.Lines) {
				perLine[pl.Line-1] += pl.Paid
			}
		}
	}
	if total > c.Total {
		e.add(0, "Earlier payers paid %s in all, more than the claim's charge %s.", total, c.Total)
	}
	for i, paid := range perLine {
		if paid > c.Lines[i].Charge {
			e.add(i+1, "Earlier payers paid %s on line %d, more than its charge %s.", paid, i+1, c.Lines[i].Charge)
		}
	}
}

func sumAdjustments(adj []Adjustment) x12.Amount {
	var t x12.Amount
	for _, a := range adj {
		t += a.Amount
	}
	return t
}

// checkBelowContract warns of a line charged below the payer's contracted rate: payers pay
// the lesser of the charge and the contract, so the difference is lost for good.
func checkBelowContract(r *scrubRun, c *Claim, e *emitter) {
	if r.payer == nil || len(r.payer.FeeSchedule) == 0 {
		return
	}
	for i, l := range c.Lines {
		units := max(l.Units, 1)
		want, rate, ok := r.payer.FeeSchedule.Contract(l.Code, l.Modifiers, orDefault(l.Date, c.Date), units)
		if ok && l.Charge < want {
			e.add(i+1, "%s is charged %s, below the %s %s contracted (%s a unit, %s); the payer pays at most the charge.",
				procedureText(l.Code, l.Modifiers), Dollars(l.Charge), Dollars(want), r.payer.Name, Dollars(rate.Rate), rate.Source)
		}
	}
}

// procedureText is a code with its modifiers as billers write it: "90837-95-AJ".
func procedureText(code string, mods []string) string {
	return strings.Join(append([]string{code}, mods...), "-")
}
