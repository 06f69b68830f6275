package claims

import (
	"crypto/sha256"
	"sort"
	"strconv"

	"github.com/edigate/edigate/x12"
)

// Claim frequency codes (CLM05-3).
const (
	FrequencyOriginal    = "1"
	FrequencyReplacement = "7"
	FrequencyVoid        = "8"
)

// Payer responsibility (SBR01).
const (
	ResponsibilityPrimary   = "P"
	ResponsibilitySecondary = "S"
	ResponsibilityTertiary  = "T"
)

// ResponsibilityLevels are the SBR01 codes in payment order: primary, secondary,
// tertiary, then payers four to eleven (A-H).
var ResponsibilityLevels = []string{
	ResponsibilityPrimary, ResponsibilitySecondary, ResponsibilityTertiary, "A", "B", "C", "D", "E", "F", "G", "H",
}

// Limits of 005010X222A1 the builder enforces (the scrubber reports them as holds).
const (
	MaxDiagnoses     = 12 // 2300 HI: one ABK + 11 ABF
	MaxPointers      = 4  // 2400 SV107
	MaxModifiers     = 4  // 2400 SV101-3..6
	MaxLines         = 50 // 2400 repeat
	MaxControlNumber = 20 // CLM01 is AN 1-38, but many payers keep only 20 characters
	MaxOtherPayers   = 10 // 2320 repeat: the other payers one claim quotes
)

// Claim is one 837P claim (loop 2300) with everything needed to write it: which practice
// bills, which payer pays, the patient and subscriber, and its service lines.
type Claim struct {
	// ID is CLM01, the patient control number (see ControlNumber).
	ID            string   `json:"id"`
	Practice      string   `json:"practice"`
	Payer         string   `json:"payer"` // configured payer id
	Clearinghouse string   `json:"clearinghouse"`
	SessionIDs    []string `json:"session_ids"`
	Client        Person   `json:"client"`
	Coverage      Coverage `json:"coverage"`
	Date          string   `json:"date"` // date of service, YYYY-MM-DD
	// PlaceOfService is CLM05-1; a line with another POS carries it in SV105.
	PlaceOfService string `json:"place_of_service"`
	Frequency      string `json:"frequency"` // CLM05-3: 1, 7 or 8
	// PayerControlNumber is REF*F8, the payer's claim control number of the claim a
	// replacement or void refers to.
	PayerControlNumber string `json:"payer_control_number,omitempty"`
	Authorization      string `json:"authorization,omitempty"` // REF*G1
	RenderingNPI       string `json:"rendering_npi"`
	SupervisingNPI     string `json:"supervising_npi,omitempty"` // 2310D when the payer needs it
	// Diagnoses are ICD-10-CM codes without the decimal point, principal first.
	Diagnoses []string      `json:"diagnoses"`
	Lines     []ServiceLine `json:"lines"`
	Total     x12.Amount    `json:"total"` // CLM02 = sum of line charges
	// Primary and OtherPayers are the adjudications of the payers before this claim's, one
	// 2320 loop each (see PriorPayers): Primary is the primary payer's (2320 SBR01 P),
	// OtherPayers the later ones in responsibility order (the secondary's, SBR01 S, on a
	// tertiary claim). Keeping Primary and adding a list beside it, rather than one list
	// with a custom UnmarshalJSON that folds "primary" in, leaves the stored JSON of every
	// secondary claim (claims.data) and every reader of "primary" unchanged: an old row
	// loads as it always did, and only tertiary claims carry "other_payers".
	Primary     *PriorPayerInfo  `json:"primary,omitempty"`
	OtherPayers []PriorPayerInfo `json:"other_payers,omitempty"`
	// PriorClaim is the CLM01 of the claim whose 835 gave the last prior payer's
	// adjudication: the primary claim for a secondary claim, the secondary for a tertiary.
	PriorClaim string `json:"prior_claim,omitempty"`
}

// ServiceLine is one 2400 loop.
type ServiceLine struct {
	SessionID      string     `json:"session_id"`
	Code           string     `json:"code"`
	Modifiers      []string   `json:"modifiers,omitempty"`
	Charge         x12.Amount `json:"charge"`
	Units          int        `json:"units"`
	Minutes        int        `json:"minutes,omitempty"`
	PlaceOfService string     `json:"place_of_service"`
	Pointers       []int      `json:"pointers"` // 1-based into Claim.Diagnoses
	Date           string     `json:"date"`
	// Authorization is a 2400 REF*G1 for a line authorized under another number than the claim's.
	Authorization string `json:"authorization,omitempty"`
}

// PriorPayerInfo is an earlier payer's adjudication a secondary or tertiary claim must
// carry in 2320/2330A/2330B and, per line, 2430: the primary's on a secondary claim, the
// primary's and the secondary's on a tertiary claim. The pipeline fills it from the 835.
type PriorPayerInfo struct {
	Responsibility     string       `json:"responsibility"` // 2320 SBR01: that payer's own level, P or S
	PayerName          string       `json:"payer_name"`
	PayerID            string       `json:"payer_id"`               // 2330B NM109 (PI)
	FilingIndicator    string       `json:"filing_indicator"`       // 2320 SBR09
	Group              string       `json:"group,omitempty"`        // 2320 SBR03
	Relationship       string       `json:"relationship,omitempty"` // self, spouse, child, other
	Subscriber         Person       `json:"subscriber"`             // 2330A
	PayerControlNumber string       `json:"payer_control_number,omitempty"`
	Paid               x12.Amount   `json:"paid"`            // 2320 AMT*D
	Adjudicated        string       `json:"adjudicated"`     // YYYY-MM-DD, 2330B/2430 DTP*573
	Adjustments        []Adjustment `json:"adjustments"`     // 2320 CAS (claim level)
	Lines              []PriorLine  `json:"lines,omitempty"` // 2430, matched by line number
}

// PriorLine is the primary payer's adjudication of one service line (2430 SVD/CAS).
type PriorLine struct {
	Line        int          `json:"line"` // 1-based LX of this claim
	Paid        x12.Amount   `json:"paid"`
	Units       int          `json:"units"`
	Adjustments []Adjustment `json:"adjustments"`
}

// Adjustment is one CAS reason: group (CO, PR, OA, PI, CR), CARC and amount.
type Adjustment struct {
	Group    string     `json:"group"`
	Reason   string     `json:"reason"`
	Amount   x12.Amount `json:"amount"`
	Quantity int        `json:"quantity,omitempty"`
}

// Sum recomputes Total from the lines.
func (c *Claim) Sum() x12.Amount {
	var t x12.Amount
	for _, l := range c.Lines {
		t += l.Charge
	}
	return t
}

// PriorPayers returns the adjudications the claim quotes, one per 2320 loop, in
// responsibility order: Primary, then OtherPayers. It is nil for a claim to the first
// payer. The pointers alias the claim's own data.
func (c *Claim) PriorPayers() []*PriorPayerInfo {
	if c.Primary == nil && len(c.OtherPayers) == 0 {
		return nil
	}
	out := make([]*PriorPayerInfo, 0, 1+len(c.OtherPayers))
	if c.Primary != nil {
		out = append(out, c.Primary)
	}
	for i := range c.OtherPayers {
		out = append(out, &c.OtherPayers[i])
	}
	return out
}

// Responsibility is SBR01 for the claim's payer.
func (c *Claim) Responsibility() string {
	switch c.Coverage.Priority {
	case "secondary":
		return ResponsibilitySecondary
	case "tertiary":
		return ResponsibilityTertiary
	}
	return ResponsibilityPrimary
}

// crockford is Crockford's base-32 alphabet: no I, L, O or U, so a biller reading a
// control number over the phone cannot confuse 1/I/L or 0/O.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// controlBaseLen is the length of the hash part of CLM01: 16 characters carry 80 bits, so
// two different session sets collide with probability ~n^2/2^81 (1e-12 at a billion claims).
const controlBaseLen = 16

// ControlNumber returns the CLM01 of an original claim for these sessions: 16 Crockford
// base-32 characters of SHA-256(practice, sorted session ids). The same sessions always
// give the same number, so rebuilding a claim never mints a second identity, and the
// claim_sessions table (or Claim.SessionIDs) maps it back. Replacements and voids append
// R or V and a version (see Resubmission), staying within MaxControlNumber.
func ControlNumber(practice string, sessionIDs []string) string {
	ids := append([]string(nil), sessionIDs...)
	sort.Strings(ids)
	h := sha256.New()
	h.Write([]byte(practice))
	for _, id := range ids {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	var out [controlBaseLen]byte
	// Take 5 bits at a time from the front of the digest.
	var acc uint64
	bits := 0
	j := 0
	for i := 0; j < controlBaseLen; {
		if bits < 5 {
			acc = acc<<8 | uint64(sum[i])
			i++
			bits += 8
		}
		bits -= 5
		out[j] = crockford[(acc>>uint(bits))&31]
		j++
	}
	return string(out[:])
}

// Resubmission returns the CLM01 of replacement or void number version (1-99) of the
// claim whose control number is original: the original's hash part + R (replacement) or
// V (void) + the version. A new CLM01 per attempt keeps 277CA and 835 responses to each
// attempt apart; REF*F8 is what tells the payer which claim is replaced.
func Resubmission(original, frequency string, version int) string {
	base := original
	if len(base) > controlBaseLen {
		base = base[:controlBaseLen]
	}
	mark := "R"
	if frequency == FrequencyVoid {
		mark = "V"
	}
	if version < 1 {
		version = 1
	}
	return base + mark + strconv.Itoa(version%100)
}

// ControlBase returns the hash part of a CLM01 (the original claim's number), so responses
// to replacements and voids find the claim family.
func ControlBase(clm01 string) string {
	if len(clm01) > controlBaseLen {
		return clm01[:controlBaseLen]
	}
	return clm01
}
