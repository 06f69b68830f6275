package claims

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Builder turns completed sessions into claims, applying what the configuration knows
// (payer credential and telehealth modifiers, supervising provider, 15-minute units). It
// never drops a session silently: whatever it cannot fix, the Scrubber reports.
type Builder struct {
	Setup *Setup
}

// credentialModifiers are the level-of-licensure modifiers payers use; a line carries at
// most one of them.
var credentialModifiers = codeSet("HP", "HO", "HN", "HM", "AH", "AJ")

// telehealthModifiers mark a telehealth line (95 audio-video, 93 audio-only, GT legacy,
// FQ audio-only at FQHC/RHC).
var telehealthModifiers = codeSet("95", "93", "GT", "FQ")

// IsTelehealthPOS reports whether pos is a telehealth place of service (02 or 10).
func IsTelehealthPOS(pos string) bool { return pos == "02" || pos == "10" }

// NormalizeDiagnosis removes the decimal point and spaces and upper-cases an ICD-10-CM
// code, the form 2300 HI carries (F41.1 -> F411).
func NormalizeDiagnosis(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if strings.IndexByte(code, '.') >= 0 {
		code = strings.ReplaceAll(code, ".", "")
	}
	return code
}

// groupKey is what makes sessions one claim: client, payer, coverage priority, rendering
// provider and date of service (and the practice, which bills).
type groupKey struct {
	practice, client, payer, priority, rendering, date string
	session                                            string // set when sessions are not grouped
}

func clientKey(s *Session) string {
	if s.Client.ID != "" {
		return s.Client.ID
	}
	// Without a client id the member id and date of birth still identify the person.
	return "m:" + s.Coverage.MemberID + "|" + s.Client.DOB
}

// Claims groups completed sessions into original claims (frequency 1). Sessions of one
// client, payer, rendering provider and date become lines of one claim when
// claims.group_same_day is on; otherwise each session is a claim, except add-on codes
// (90785, 90833/90836/90838, 90840), which cannot stand alone and join a claim of the same
// day. A group whose diagnoses exceed 12 or whose lines exceed 50 is split by session;
// a single session with more than 12 diagnoses stays whole and the scrubber holds it
// (rule hi.max12): dropping a diagnosis is a clinical decision, not the gateway's.
func (b *Builder) Claims(sessions []Session) []*Claim {
	ordered := make([]*Session, 0, len(sessions))
	for i := range sessions {
		if sessions[i].Status == StatusCompleted || sessions[i].Status == "" {
			ordered = append(ordered, &sessions[i])
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		a, b := ordered[i], ordered[j]
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.ID < b.ID
	})
	groupSameDay := b.Setup == nil || b.Setup.GroupSameDay
	groups := map[groupKey][]*Session{}
	var keys []groupKey
	firstOfDay := map[groupKey]string{} // day key -> first non-add-on session, for add-ons
	for _, s := range ordered {
		k := groupKey{s.Practice, clientKey(s), s.Coverage.Payer, s.Coverage.Priority, s.RenderingProvider, s.Date, ""}
		if !groupSameDay {
			if IsAddOn(s.Service.Code) {
				k.session = firstOfDay[k]
			}
			if k.session == "" {
				day := k
				k.session = s.ID
				if _, ok := firstOfDay[day]; !ok && !IsAddOn(s.Service.Code) {
					firstOfDay[day] = s.ID
				}
			}
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], s)
	}
	var out []*Claim
	for _, k := range keys {
		for _, part := range splitGroup(groups[k]) {
			out = append(out, b.claim(part))
		}
	}
	return out
}

// splitGroup packs sessions into as few claims as the 12-diagnosis and 50-line limits allow.
func splitGroup(ss []*Session) [][]*Session {
	var parts [][]*Session
	var cur []*Session
	diags := map[string]bool{}
	for _, s := range ss {
		added := 0
		for _, d := range s.Diagnoses {
			if !diags[NormalizeDiagnosis(d)] {
				added++
			}
		}
		if len(cur) > 0 && (len(diags)+added > MaxDiagnoses || len(cur) >= MaxLines) {
			parts = append(parts, cur)
			cur = nil
			clear(diags)
		}
		cur = append(cur, s)
		for _, d := range s.Diagnoses {
			diags[NormalizeDiagnosis(d)] = true
		}
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// claim builds one original claim from sessions of one group.
func (b *Builder) claim(ss []*Session) *Claim {
	first := ss[0]
	c := &Claim{
		Practice:       first.Practice,
		Payer:          first.Coverage.Payer,
		Client:         first.Client,
		Coverage:       first.Coverage,
		Date:           first.Date,
		PlaceOfService: first.Service.PlaceOfService,
		Frequency:      FrequencyOriginal,
		RenderingNPI:   first.RenderingProvider,
	}
	var payer *Payer
	var provider *Provider
	if b.Setup != nil {
		payer, _ = b.Setup.Payer(c.Payer)
		if payer != nil {
			c.Clearinghouse = payer.Clearinghouse
		}
		if pr, ok := b.Setup.Practice(c.Practice); ok {
			provider, _ = pr.Provider(c.RenderingNPI)
		}
	}
	for _, s := range ss {
		c.SessionIDs = append(c.SessionIDs, s.ID)
		if c.Authorization == "" {
			c.Authorization = s.Authorization
		}
		if c.SupervisingNPI == "" && s.SupervisingProvider != nil {
			c.SupervisingNPI = *s.SupervisingProvider
		}
	}
	if c.SupervisingNPI == "" && provider != nil && payer != nil && SupervisionRequired(payer, provider) {
		c.SupervisingNPI = provider.Supervisor
	}
	index := map[string]int{}
	for _, s := range ss {
		var ptrs []int
		for _, d := range s.Diagnoses {
			d = NormalizeDiagnosis(d)
			if d == "" {
				continue
			}
			i, ok := index[d]
			if !ok {
				c.Diagnoses = append(c.Diagnoses, d)
				i = len(c.Diagnoses)
				index[d] = i
			}
			if len(ptrs) < MaxPointers && !slices.Contains(ptrs, i) {
				ptrs = append(ptrs, i)
			}
		}
		minutes := SessionMinutes(s)
		units := s.Service.Units
		if units <= 0 {
			units = 1
			if IsFifteenMinuteCode(s.Service.Code) {
				units = FifteenMinuteUnits(minutes)
			}
		}
		line := ServiceLine{
			SessionID:      s.ID,
			Code:           strings.ToUpper(strings.TrimSpace(s.Service.Code)),
			Modifiers:      b.modifiers(s, payer, provider),
			Charge:         s.Charge,
			Units:          units,
			Minutes:        minutes,
			PlaceOfService: s.Service.PlaceOfService,
			Pointers:       ptrs,
			Date:           s.Date,
		}
		if s.Authorization != c.Authorization {
			line.Authorization = s.Authorization
		}
		c.Lines = append(c.Lines, line)
	}
	c.Total = c.Sum()
	c.ID = ControlNumber(c.Practice, c.SessionIDs)
	if c.Coverage.Priority == "secondary" || c.Coverage.Priority == "tertiary" {
		// Another payer may bill the same sessions; keep the numbers of the two claims apart.
		c.ID = ControlNumber(c.Practice, append(slices.Clone(c.SessionIDs), "payer:"+c.Payer))
	}
	return c
}

// modifiers returns the session's modifiers plus those the payer requires that are
// missing: the credential modifier of the rendering provider and, on a telehealth place of
// service, the payer's telehealth modifier. A conflicting modifier the practice sent is
// kept (the scrubber flags it) rather than silently replaced.
func (b *Builder) modifiers(s *Session, payer *Payer, provider *Provider) []string {
	mods := make([]string, 0, len(s.Service.Modifiers)+2)
	for _, m := range s.Service.Modifiers {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	if payer == nil {
		return mods
	}
	if provider != nil {
		if want := CredentialModifier(payer, provider.Credential); want != "" {
			has := false
			for _, m := range mods {
				has = has || credentialModifiers[m]
			}
			if !has {
				mods = append(mods, want)
			}
		}
	}
	if IsTelehealthPOS(s.Service.PlaceOfService) && payer.Telehealth.Modifier != "" {
		has := false
		for _, m := range mods {
			has = has || telehealthModifiers[m]
		}
		if !has {
			mods = append(mods, payer.Telehealth.Modifier)
		}
	}
	return mods
}

// CredentialModifier returns the modifier the payer requires for a credential ("" when
// none). Configuration keys are matched without regard to case: the YAML loader lower-cases
// map keys, so "LPC-A" arrives as "lpc-a".
func CredentialModifier(payer *Payer, credential string) string {
	if m, ok := payer.CredentialModifiers[credential]; ok {
		return strings.ToUpper(m)
	}
	for k, m := range payer.CredentialModifiers {
		if strings.EqualFold(k, credential) {
			return strings.ToUpper(m)
		}
	}
	return ""
}

// SupervisionRequired reports whether the payer needs a supervising provider (2310D) on
// claims rendered by this provider: its credential is listed in supervising_required_for,
// or "unlicensed" is listed and the provider is not licensed.
func SupervisionRequired(payer *Payer, provider *Provider) bool {
	for _, c := range payer.SupervisingRequiredFor {
		if strings.EqualFold(c, provider.Credential) || (strings.EqualFold(c, "unlicensed") && !provider.Licensed) {
			return true
		}
	}
	return false
}

// Replacement returns a frequency-7 claim that replaces original (already accepted by the
// payer under payerControlNumber) with the lines of changed, the sessions as they are now.
// version counts the family's resubmissions (1 for the first).
func (b *Builder) Replacement(original *Claim, changed []Session, payerControlNumber string, version int) (*Claim, error) {
	if payerControlNumber == "" {
		return nil, fmt.Errorf("replacement of claim %s: the payer claim control number (REF*F8) is required", original.ID)
	}
	built := b.Claims(changed)
	if len(built) != 1 {
		return nil, fmt.Errorf("replacement of claim %s: the changed sessions make %d claims, want 1", original.ID, len(built))
	}
	c := built[0]
	c.Frequency = FrequencyReplacement
	c.PayerControlNumber = payerControlNumber
	c.ID = Resubmission(original.ID, FrequencyReplacement, version)
	c.SamePayerAs(original)
	return c, nil
}

// SamePayerAs points c, a claim rebuilt from its sessions to resubmit original, at the
// payer original went to. Sessions carry the primary coverage, so without this a corrected
// secondary or tertiary claim would go to the primary payer; it keeps the coverage, the
// clearinghouse and the earlier payers' adjudications (2320) of original instead, and drops
// the primary payer's authorization numbers as Secondary does.
func (c *Claim) SamePayerAs(original *Claim) {
	c.Primary = original.Primary
	c.OtherPayers = original.OtherPayers
	if original.Primary == nil {
		return
	}
	c.Payer, c.Coverage, c.Clearinghouse = original.Payer, original.Coverage, original.Clearinghouse
	c.Authorization = ""
	for i := range c.Lines {
		c.Lines[i].Authorization = ""
	}
}

// Readjudicated returns a frequency-7 claim that replaces original, a secondary or tertiary
// claim its payer holds under payerControlNumber, after an earlier payer re-adjudicated:
// the same lines, payer and coverage, quoting priors (the earlier payers' adjudications as
// they stand now, in payment order) in 2320/2330/2430 instead of what original quoted.
// version counts the family's resubmissions (1 for the first).
func (b *Builder) Readjudicated(original *Claim, priors []PriorPayerInfo, payerControlNumber string, version int) (*Claim, error) {
	if payerControlNumber == "" {
		return nil, fmt.Errorf("replacement of claim %s: the payer claim control number (REF*F8) is required", original.ID)
	}
	if original.Primary == nil {
		return nil, fmt.Errorf("replacement of claim %s: it quotes no earlier payer (2320); nothing to re-adjudicate", original.ID)
	}
	c, err := b.nextPayer(original, original.Coverage, original.Coverage.Priority, priors)
	if err != nil {
		return nil, err
	}
	c.Clearinghouse = original.Clearinghouse // where the payer already has the claim
	c.Frequency = FrequencyReplacement
	c.PayerControlNumber = payerControlNumber
	c.ID = Resubmission(original.ID, FrequencyReplacement, version)
	return c, nil
}

// Void returns a frequency-8 claim cancelling original. It repeats the original's lines
// and charges, as payers match a void against the claim it cancels.
func (b *Builder) Void(original *Claim, payerControlNumber string, version int) (*Claim, error) {
	if payerControlNumber == "" {
		return nil, fmt.Errorf("void of claim %s: the payer claim control number (REF*F8) is required", original.ID)
	}
	c := cloneClaim(original)
	c.Frequency = FrequencyVoid
	c.PayerControlNumber = payerControlNumber
	c.ID = Resubmission(original.ID, FrequencyVoid, version)
	return c, nil
}

// Secondary returns the claim for the next payer in line after the prior payer adjudicated
// primary: same lines, the secondary coverage, and the prior payer's adjudication in
// 2320/2330/2430.
func (b *Builder) Secondary(primary *Claim, coverage Coverage, prior PriorPayerInfo) (*Claim, error) {
	return b.nextPayer(primary, coverage, "secondary", []PriorPayerInfo{prior})
}

// Tertiary returns the claim for the third payer after the secondary payer adjudicated
// secondary: same lines, the tertiary coverage, and one 2320 loop per earlier payer, the
// primary's adjudication as the secondary claim quoted it (2320 SBR01 P) and the
// secondary's, prior (2320 SBR01 S). X222A1 wants every earlier payer on a claim, each
// responsibility level once, so a secondary claim that quotes no primary cannot be
// billed onward.
func (b *Builder) Tertiary(secondary *Claim, coverage Coverage, prior PriorPayerInfo) (*Claim, error) {
	if secondary.Primary == nil {
		return nil, fmt.Errorf("tertiary claim for %s: the secondary claim quotes no primary adjudication (2320 SBR01 P)", secondary.ID)
	}
	priors := []PriorPayerInfo{*secondary.Primary}
	priors = append(priors, secondary.OtherPayers...)
	return b.nextPayer(secondary, coverage, "tertiary", append(priors, prior))
}

// nextPayer builds the COB claim of from's lines for the payer of coverage, quoting priors
// (the earlier payers' adjudications, in payment order) in 2320/2330/2430. A prior without
// SBR01 gets its position's level. The claim id is the original's hash with the payer
// added, so rebuilding it never mints a second identity.
func (b *Builder) nextPayer(from *Claim, coverage Coverage, priority string, priors []PriorPayerInfo) (*Claim, error) {
	what := priority + " claim for " + from.ID
	if coverage.Payer == "" {
		return nil, fmt.Errorf("%s: coverage has no payer", what)
	}
	if len(priors) == 0 || len(priors) > MaxOtherPayers {
		return nil, fmt.Errorf("%s: %d prior payers, want 1 to %d (2320)", what, len(priors), MaxOtherPayers)
	}
	var payerID string
	if b.Setup != nil {
		if p, ok := b.Setup.Payer(coverage.Payer); ok {
			payerID = p.PayerID
		}
	}
	seen := map[string]bool{}
	for i := range priors {
		p := &priors[i]
		if p.PayerID == "" {
			return nil, fmt.Errorf("%s: the prior payer's id is required (2330B)", what)
		}
		// 2430 SVD01 names its payer by the 2330B id, so two prior payers cannot share one,
		// and a payer is never billed as its own next payer.
		if seen[p.PayerID] || p.PayerID == payerID {
			return nil, fmt.Errorf("%s: payer id %s appears twice among the claim's payers", what, p.PayerID)
		}
		seen[p.PayerID] = true
		if p.Responsibility == "" {
			p.Responsibility = ResponsibilityLevels[i]
		}
		*p = clonePrior(p)
	}
	c := cloneClaim(from)
	c.Payer = coverage.Payer
	c.Coverage = coverage
	c.Coverage.Priority = priority
	c.Primary = &priors[0]
	c.OtherPayers = nil
	if len(priors) > 1 {
		c.OtherPayers = priors[1:]
	}
	c.Frequency = FrequencyOriginal
	c.PayerControlNumber = ""
	c.Authorization = "" // the earlier payer's authorization number means nothing to this one
	for i := range c.Lines {
		c.Lines[i].Authorization = ""
	}
	if b.Setup != nil {
		if p, ok := b.Setup.Payer(c.Payer); ok {
			c.Clearinghouse = p.Clearinghouse
		}
	}
	c.ID = ControlNumber(c.Practice, append(slices.Clone(c.SessionIDs), "payer:"+c.Payer))
	return c, nil
}

// clonePrior copies an adjudication so a claim built from another never shares its slices.
func clonePrior(p *PriorPayerInfo) PriorPayerInfo {
	n := *p
	n.Adjustments = slices.Clone(p.Adjustments)
	n.Lines = slices.Clone(p.Lines)
	for i := range n.Lines {
		n.Lines[i].Adjustments = slices.Clone(n.Lines[i].Adjustments)
	}
	return n
}

func cloneClaim(c *Claim) *Claim {
	n := *c
	n.SessionIDs = slices.Clone(c.SessionIDs)
	n.Diagnoses = slices.Clone(c.Diagnoses)
	n.Lines = slices.Clone(c.Lines)
	for i := range n.Lines {
		n.Lines[i].Modifiers = slices.Clone(n.Lines[i].Modifiers)
		n.Lines[i].Pointers = slices.Clone(n.Lines[i].Pointers)
	}
	return &n
}
