package remit

import (
	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/x12"
)

// Remittance is one 835 file: a payment per transaction set.
type Remittance struct {
	Payments []Payment `json:"payments"`
}

// Payment is one 835 transaction set: the BPR payment, its TRN trace, payer and payee,
// the claims it pays and the provider-level adjustments (PLB) taken from it.
type Payment struct {
	ISAControl string `json:"isa_control,omitempty"` // ISA13 of the file
	GSControl  string `json:"gs_control,omitempty"`  // GS06
	Control    string `json:"control,omitempty"`     // ST02
	// Set numbers the payment in its file (0-based, readable 835 sets only): a file
	// applied in parts finds its payment row again by file and Set.
	Set int `json:"-"`
	// FirstSeq is the place in its set of Claims[0] and Open says the set goes on in a
	// later part (its PLB and balancing are not known yet), when the payment is one part
	// of a set (Plan.Part).
	FirstSeq int  `json:"-"`
	Open     bool `json:"-"`

	Payer    string     `json:"payer"`              // 1000A N102
	PayerID  string     `json:"payer_id,omitempty"` // 1000A N104 (XV/PI) or REF*2U
	Payee    string     `json:"payee,omitempty"`    // 1000B N102
	PayeeNPI string     `json:"payee_npi"`          // 1000B N104 when N103 = XX
	PayeeTIN string     `json:"payee_tin,omitempty"`
	Check    string     `json:"check"`              // TRN02: check or EFT trace number
	Date     string     `json:"date"`               // BPR16 (YYYYMMDD), else DTM*405
	Handling string     `json:"handling,omitempty"` // BPR01: I remittance+payment, H notification only...
	Method   string     `json:"method,omitempty"`   // BPR04: ACH, CHK, BOP, FWT, NON
	Total    x12.Amount `json:"total"`              // BPR02
	Debit    bool       `json:"debit,omitempty"`    // BPR03 = D: the payer takes money back

	Balanced      bool                 `json:"balanced"`
	BalanceErrors []BalanceError       `json:"balance_errors"`
	PLB           []ProviderAdjustment `json:"plb"`
	Claims        []ClaimPayment       `json:"claims"`
	// Fees returns the fee schedule of a payer by configured id or payer id
	// (Classifier.Classify sets it from PayerOptions; nil: none): Plan835 compares the paid
	// lines of each claim with its payer's.
	Fees func(payer string) claims.FeeSchedule `json:"-"`
}

// ClaimPayment is one CLP (loop 2100): the payer's adjudication of one of our claims.
type ClaimPayment struct {
	PatientControl        string        `json:"patient_control"` // CLP01 = our CLM01
	Status                string        `json:"status"`          // CLP02
	StatusText            string        `json:"status_text"`
	Charge                x12.Amount    `json:"charge"`                     // CLP03
	Paid                  x12.Amount    `json:"paid"`                       // CLP04
	PatientResponsibility x12.Amount    `json:"patient_responsibility"`     // CLP05
	FilingIndicator       string        `json:"filing_indicator,omitempty"` // CLP06
	PayerClaim            string        `json:"payer_claim"`                // CLP07
	Frequency             string        `json:"frequency,omitempty"`        // CLP09
	RenderingNPI          string        `json:"rendering_npi,omitempty"`    // NM1*82 XX
	Received              string        `json:"received,omitempty"`         // DTM*050
	Adjustments           []Adjustment  `json:"adjustments"`                // claim-level CAS
	Remarks               []Remark      `json:"remarks"`                    // MOA/MIA remark codes
	Lines                 []LinePayment `json:"lines"`

	// Denials lists every adjustment, claim or line, that the denial table calls a denial.
	Denials        []Denial `json:"denials,omitempty"`
	DenialCategory string   `json:"denial_category,omitempty"` // category of the largest denied amount
	Action         string   `json:"action,omitempty"`
	AppealDue      string   `json:"appeal_due,omitempty"` // YYYY-MM-DD
}

// Denied reports whether the payer denied the claim outright (CLP02 4) or any part of it.
func (c *ClaimPayment) Denied() bool { return c.Status == "4" || len(c.Denials) > 0 }

// Reversal reports whether the CLP reverses an earlier payment (CLP02 22).
func (c *ClaimPayment) Reversal() bool { return c.Status == "22" }

// LinePayment is one SVC (loop 2110).
type LinePayment struct {
	Qualifier   string       `json:"qualifier,omitempty"` // SVC01-1: HC, AD, NU...
	Code        string       `json:"code"`                // SVC01-2
	Modifiers   []string     `json:"modifiers"`           // SVC01-3..6
	Charge      x12.Amount   `json:"charge"`              // SVC02
	Paid        x12.Amount   `json:"paid"`                // SVC03
	Revenue     string       `json:"revenue,omitempty"`   // SVC04
	Units       string       `json:"units"`               // SVC05 (1 when absent)
	Submitted   string       `json:"submitted,omitempty"` // SVC06-2 when the payer changed the code
	Date        string       `json:"date"`                // DTM*472 or DTM*150
	Control     string       `json:"control,omitempty"`   // REF*6R: our line item control number
	Allowed     *x12.Amount  `json:"allowed,omitempty"`   // AMT*B6
	Adjustments []Adjustment `json:"adjustments"`
	Remarks     []Remark     `json:"remarks"` // LQ*HE
}

// Adjustment is one reason of a CAS segment: group, CARC, amount and quantity.
type Adjustment struct {
	Group    string     `json:"group"`  // CO, PR, OA, PI, CR
	Reason   string     `json:"reason"` // CARC
	Amount   x12.Amount `json:"amount"`
	Quantity string     `json:"quantity,omitempty"`
}

// Remark is a remittance advice remark code (RARC) with its words.
type Remark struct {
	Code string `json:"code"`
	Text string `json:"text,omitempty"`
}

// ProviderAdjustment is one reason of a PLB segment. A positive amount reduces the payment.
type ProviderAdjustment struct {
	Provider   string     `json:"provider"`            // PLB01
	FiscalDate string     `json:"fiscal_date"`         // PLB02
	Reason     string     `json:"reason"`              // PLB03-1, e.g. WO, L6, 72, CV
	Reference  string     `json:"reference,omitempty"` // PLB03-2
	Amount     x12.Amount `json:"amount"`
}

// BalanceError is one failed 835 balancing rule, naming where and by how much.
type BalanceError struct {
	Rule     string     `json:"rule"`            // "line", "claim" or "payment"
	Claim    string     `json:"claim,omitempty"` // CLP01
	Line     int        `json:"line,omitempty"`  // 1-based SVC within the claim
	Expected x12.Amount `json:"expected"`        // the adjustments the rule requires
	Actual   x12.Amount `json:"actual"`          // the adjustments present
	Message  string     `json:"message"`
}
