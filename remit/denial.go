package remit

import (
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/x12"
)

// Denial categories: what the biller does next. Contractual is not a denial: it posts as an adjustment or
// patient responsibility.
const (
	CategoryAuthorization = "authorization"
	CategoryEligibility   = "eligibility"
	CategoryCoding        = "coding"
	CategoryDocumentation = "documentation"
	CategoryDuplicate     = "duplicate"
	CategoryTimelyFiling  = "timely_filing"
	CategoryCOB           = "coordination_of_benefits"
	CategoryProvider      = "provider"
	CategoryBenefitLimit  = "benefit_limit"
	CategoryContractual   = "contractual"
	CategoryOther         = "other"
)

// Suggested actions for a denial.
const (
	ActionCorrectedClaim = "corrected_claim"      // fix and send a replacement claim (frequency 7)
	ActionAppeal         = "appeal"               // appeal with the enclosures the category needs
	ActionReverify       = "reverify_eligibility" // re-verify coverage, bill the right payer or the patient
	ActionBillSecondary  = "bill_secondary"       // bill the primary first, then this payer with the prior payment
	ActionBillPatient    = "bill_patient"
	ActionWriteOff       = "write_off"
	ActionCheckStatus    = "check_status" // duplicate: check the original's status, do not resubmit blindly
	ActionReview         = "review"       // unknown reason: a biller decides
)

// DefaultAppealDays is the appeal window used for a payer with no appeal_days configured:
// the 180 days commercial group health plans allow for an internal appeal.
const DefaultAppealDays = 180

// defaultCategories maps CARCs to categories. Keys "GROUP-CARC" win over
// bare "CARC" keys, so that CO-45 is contractual while a bare 45 is not listed at all.
var defaultCategories = map[string]string{
	"15": CategoryAuthorization, "39": CategoryAuthorization, "62": CategoryAuthorization,
	"197": CategoryAuthorization, "198": CategoryAuthorization,
	"26": CategoryEligibility, "27": CategoryEligibility, "31": CategoryEligibility,
	"109": CategoryEligibility, "177": CategoryEligibility, "200": CategoryEligibility,
	"4": CategoryCoding, "5": CategoryCoding, "11": CategoryCoding, "146": CategoryCoding,
	"167": CategoryCoding, "181": CategoryCoding, "182": CategoryCoding, "97": CategoryCoding,
	"16": CategoryDocumentation, "50": CategoryDocumentation, "151": CategoryDocumentation,
	"252": CategoryDocumentation, "56": CategoryDocumentation,
	"18": CategoryDuplicate,
	"29": CategoryTimelyFiling,
	"22": CategoryCOB, "23": CategoryCOB, "24": CategoryCOB,
	"170": CategoryProvider, "185": CategoryProvider, "242": CategoryProvider, "B7": CategoryProvider,
	"8":   CategoryProvider,
	"119": CategoryBenefitLimit, "96": CategoryBenefitLimit, "204": CategoryBenefitLimit,
	"35": CategoryBenefitLimit,
	// Routine contract and cost-sharing adjustments: posted, never queued.
	"CO-45": CategoryContractual, "CO-42": CategoryContractual, "CO-A2": CategoryContractual,
	"CO-253": CategoryContractual, "PR-1": CategoryContractual, "PR-2": CategoryContractual,
	"PR-3": CategoryContractual,
}

var categoryAction = map[string]string{
	CategoryAuthorization: ActionAppeal,
	CategoryEligibility:   ActionReverify,
	CategoryCoding:        ActionCorrectedClaim,
	CategoryDocumentation: ActionAppeal,
	CategoryDuplicate:     ActionCheckStatus,
	CategoryTimelyFiling:  ActionAppeal,
	CategoryCOB:           ActionBillSecondary,
	CategoryProvider:      ActionCorrectedClaim,
	CategoryBenefitLimit:  ActionBillPatient,
	CategoryOther:         ActionReview,
}

// CategoryAction returns the default action for a denial category.
func CategoryAction(category string) string {
	if a, ok := categoryAction[category]; ok {
		return a
	}
	return ActionReview
}

// Denial is one adjustment the denial table calls a denial, with what to do about it.
type Denial struct {
	Line      int        `json:"line,omitempty"` // 1-based service line; 0 for a claim-level adjustment
	Procedure string     `json:"procedure,omitempty"`
	Group     string     `json:"group"`
	Reason    string     `json:"reason"` // CARC; "" when a denied claim carries no CAS
	Words     string     `json:"words,omitempty"`
	Amount    x12.Amount `json:"amount"`
	Remarks   []Remark   `json:"remarks,omitempty"`
	Category  string     `json:"category"`
	Action    string     `json:"action"`
}

// PayerOptions is what the classifier knows of one payer.
type PayerOptions struct {
	ID         string            // the practice's own id for the payer
	PayerID    string            // the payer's id (835 N104, 837P NM109)
	AppealDays int               // the appeal window; 0 uses DefaultAppealDays
	DenialMap  map[string]string // CARC or GROUP-CARC -> category, over the defaults
	// FeeSchedule is the payer's contracted rates: a line paid below its contract, less
	// what the patient owes, opens an underpayment item (Plan835).
	FeeSchedule claims.FeeSchedule
}

// Classifier assigns denial categories with the defaults and each payer's denial map.
type Classifier struct {
	payers map[string]*PayerOptions // by config id and by payer id (N104)
}

// NewClassifier returns a Classifier for these payers.
func NewClassifier(payers []PayerOptions) *Classifier {
	c := &Classifier{payers: map[string]*PayerOptions{}}
	for i := range payers {
		p := &payers[i]
		if p.ID != "" {
			c.payers[p.ID] = p
		}
		if p.PayerID != "" {
			c.payers[p.PayerID] = p
		}
	}
	return c
}

// Payer returns the payer with this config id or payer id, or nil.
func (c *Classifier) Payer(id string) *PayerOptions {
	if c == nil {
		return nil
	}
	return c.payers[id]
}

// Category returns the category of a group and CARC for a payer (config id or payer id).
// Codes in no table are "other": kept and shown, never dropped.
func (c *Classifier) Category(payer, group, carc string) string {
	key := group + "-" + carc
	if p := c.Payer(payer); p != nil {
		if v, ok := p.DenialMap[key]; ok {
			return v
		}
		if v, ok := p.DenialMap[carc]; ok {
			return v
		}
	}
	if v, ok := defaultCategories[key]; ok {
		return v
	}
	if v, ok := defaultCategories[carc]; ok {
		return v
	}
	return CategoryOther
}

// AppealDays returns the payer's appeal window in days.
func (c *Classifier) AppealDays(payer string) int {
	if p := c.Payer(payer); p != nil && p.AppealDays > 0 {
		return p.AppealDays
	}
	return DefaultAppealDays
}

// Classify fills each claim's Denials, DenialCategory, Action and AppealDue. The appeal
// deadline runs from the 835 date (BPR16, else the production date).
func (c *Classifier) Classify(p *Payment) {
	c.setFees(p)
	due := c.appealDue(p)
	for ci := range p.Claims {
		c.classifyClaim(p.PayerID, due, &p.Claims[ci])
	}
}

// setFees lets the payment's planning look up each payer's fee schedule (underpayments).
func (c *Classifier) setFees(p *Payment) {
	p.Fees = func(id string) claims.FeeSchedule {
		if o := c.Payer(id); o != nil {
			return o.FeeSchedule
		}
		return nil
	}
}

// appealDue is the appeal deadline of a payment's denials: its date plus the payer's
// appeal window; "" when the date does not parse.
func (c *Classifier) appealDue(p *Payment) string {
	if d, err := time.Parse("20060102", p.Date); err == nil {
		return d.AddDate(0, 0, c.AppealDays(p.PayerID)).Format("2006-01-02")
	}
	return ""
}

// classifyClaim is Classify for one claim of payer's payment whose appeal deadline is due.
func (c *Classifier) classifyClaim(payer, due string, cl *ClaimPayment) {
	cl.Denials, cl.DenialCategory, cl.Action, cl.AppealDue = nil, "", "", ""
	if cl.Reversal() {
		return // a reversal takes back money; the new adjudication after it is what counts
	}
	secondary := cl.Status == "2" || cl.Status == "3" || cl.Status == "20" || cl.Status == "21"
	add := func(line int, proc string, a Adjustment, remarks []Remark) {
		if a.Amount <= 0 {
			return
		}
		cat := c.Category(payer, a.Group, a.Reason)
		if cat == CategoryContractual || (secondary && a.Group == "OA" && a.Reason == "23") {
			return
		}
		act := CategoryAction(cat)
		if a.Reason == "16" && fixable(remarks) {
			// 16 with a "missing/incomplete/invalid" remark (or MA130, unprocessable):
			// there are no appeal rights; the fix is a corrected claim.
			act = ActionCorrectedClaim
		}
		if a.Group == "PR" && act != ActionCorrectedClaim && act != ActionAppeal {
			act = ActionBillPatient
		}
		cl.Denials = append(cl.Denials, Denial{Line: line, Procedure: proc, Group: a.Group, Reason: a.Reason,
			Words: CARCWords(a.Reason), Amount: a.Amount, Remarks: remarks, Category: cat, Action: act})
	}
	for _, a := range cl.Adjustments {
		add(0, "", a, cl.Remarks)
	}
	for li, l := range cl.Lines {
		for _, a := range l.Adjustments {
			add(li+1, l.Code, a, append(append([]Remark(nil), l.Remarks...), cl.Remarks...))
		}
	}
	if cl.Status == "4" && len(cl.Denials) == 0 {
		cl.Denials = append(cl.Denials, Denial{Group: "", Amount: cl.Charge - cl.Paid, Remarks: cl.Remarks,
			Category: CategoryOther, Action: ActionReview, Words: "claim denied without a reason code"})
	}
	if len(cl.Denials) == 0 {
		return
	}
	top := cl.Denials[0]
	for _, d := range cl.Denials[1:] {
		if d.Amount > top.Amount {
			top = d
		}
	}
	// Every denial gets the deadline, not only appeals: a corrected claim or a
	// re-verification that misses the window leaves only a late appeal.
	cl.DenialCategory, cl.Action, cl.AppealDue = top.Category, top.Action, due
}

// fixable reports whether the remarks say the claim lacked or had wrong data, which a
// corrected claim fixes, rather than that the payer wants documentation.
func fixable(rs []Remark) bool {
	for _, r := range rs {
		if r.Code == "MA130" || strings.HasPrefix(RARCWords(r.Code), "Missing/incomplete/invalid") {
			return true
		}
	}
	return false
}
