package claims

import "github.com/edigate/edigate/x12"

// Setup is what building, scrubbing, validating and writing claims need to know about the
// practices, payers and clearinghouses. The package reads no configuration file: the
// daemon and the CLI map theirs into a Setup (config.Config.ClaimsSetup).
type Setup struct {
	// GroupSameDay makes sessions of one client, payer, rendering provider and date lines
	// of one claim.
	GroupSameDay bool
	// MaxClaimsPerSet is the number of claims per ST..SE; outside 1..5000 it is 5000.
	MaxClaimsPerSet int
	Practices       []Practice
	Payers          []Payer
	Clearinghouses  []Clearinghouse
}

// Practice is a billing provider (837P 2010AA) and the providers who render its services.
type Practice struct {
	ID           string
	Name         string
	NPI          string
	TaxID        string
	Taxonomy     string
	Address      Address
	ContactName  string
	ContactPhone string
	Providers    []Provider
}

// Provider is a rendering or supervising provider of a practice.
type Provider struct {
	NPI        string
	FirstName  string
	LastName   string
	Credential string // e.g. LCSW, LPC, LPC-A, PhD, BCBA, RBT
	Licensed   bool
	Taxonomy   string
	Supervisor string // NPI of the supervising provider
}

// Payer is what claims need to know of one payer.
type Payer struct {
	ID                   string // the practice's own id for the payer (sessions name it)
	Name                 string
	PayerID              string // 2010BB NM109 (PI)
	Clearinghouse        string
	ClaimFilingIndicator string // SBR09: CI, MC, MB, BL, HM...
	BillingTaxonomy      bool   // send 2000A PRV*BI
	// AuthRequiredCodes lists codes (or ranges "90832-90838") that need prior authorization.
	AuthRequiredCodes []string
	AuthAlerts        AuthThresholds
	// CredentialModifiers maps a provider credential to the modifier the payer requires (LCSW: AJ).
	CredentialModifiers map[string]string
	// SupervisingRequiredFor lists credentials whose claims need 2310D NM1*DQ; "unlicensed"
	// matches an unlicensed provider.
	SupervisingRequiredFor []string
	Telehealth             Telehealth
	TimelyFilingDays       int
	TimelyFilingWarnDays   int
	Enrollment             []Enrollment
	// EnrollmentUnlisted is what a non-empty Enrollment list means for an NPI it leaves out.
	EnrollmentUnlisted EnrollmentUnlisted
	// CarveOutPayerID, when set, is the BH organization claims must go to instead.
	CarveOutPayerID string
	Overrides       []GuideOverride
	// FeeSchedule is the payer's contracted rates (config payers[].fee_schedule and
	// fee_schedule_file): the scrubber warns of a charge below them, 835 posting opens an
	// underpayment item for a line paid below them.
	FeeSchedule FeeSchedule
}

// AuthThresholds are the points at which an authorization is reported as running out
// (see AuthAlerts).
type AuthThresholds struct {
	LowUnits      int
	DaysBeforeEnd int
}

// Telehealth is how a payer wants telehealth billed.
type Telehealth struct {
	POS               []string // accepted places of service for telehealth (02, 10)
	Modifier          string   // 95 or 93 (or GT for legacy payers)
	AudioOnlyModifier string
}

// Enrollment is a provider's enrollment with a payer.
type Enrollment struct {
	NPI    string
	Status string // active, pending, none
}

// GuideOverride is a payer's companion-guide change to the 837P (see x12.Override).
type GuideOverride struct {
	Loop        string
	Segment     string
	Element     string
	Usage       string // R, S or N
	RemoveCodes []string
	OnlyCodes   []string
	Note        string
}

// Clearinghouse is what an 837P file needs of the clearinghouse it goes to.
type Clearinghouse struct {
	ID string
	// ISA addresses the interchange; its Now is not used (FileOptions.Now is).
	ISA       x12.Outbound
	Submitter Submitter // 1000A
	Receiver  Receiver  // 1000B
}

// Submitter is the 837P 1000A submitter.
type Submitter struct {
	Name    string
	ID      string
	Contact string
	Phone   string
}

// Receiver is the 837P 1000B receiver.
type Receiver struct {
	Name string
	ID   string
}

// Payer returns the payer with this id.
func (s *Setup) Payer(id string) (*Payer, bool) {
	return findFirst(s.Payers, func(p *Payer) bool { return p.ID == id })
}

// Practice returns the practice with this id.
func (s *Setup) Practice(id string) (*Practice, bool) {
	return findFirst(s.Practices, func(p *Practice) bool { return p.ID == id })
}

// Clearinghouse returns the clearinghouse with this id.
func (s *Setup) Clearinghouse(id string) (*Clearinghouse, bool) {
	return findFirst(s.Clearinghouses, func(c *Clearinghouse) bool { return c.ID == id })
}

// Provider returns the provider with this NPI in the practice.
func (p *Practice) Provider(npi string) (*Provider, bool) {
	return findFirst(p.Providers, func(v *Provider) bool { return v.NPI == npi })
}

// findFirst returns a pointer into list (so callers see one record, not a copy) to the first
// element matching is.
func findFirst[T any](list []T, is func(*T) bool) (*T, bool) {
	for i := range list {
		if is(&list[i]) {
			return &list[i], true
		}
	}
	return nil, false
}
