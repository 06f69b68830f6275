// Package outbox is what edigate tells the practice system back: which history events the
// practice cares about, and each one as a self-describing message (one JSON object per
// NDJSON line) in words a practice system can show without a code table.
//
// The store calls Wants for every event it records and, for the events wanted, Build with
// the facts it looked up in the same transaction, then numbers the messages and keeps them
// (see internal/store outbox.go). The package decides and formats; it stores nothing and
// imports no store, transport or configuration.
//
// # Schema (version 1)
//
// Every line has version, seq (strictly increasing, no gaps), at (UTC RFC 3339), event,
// words, session_id (the id the practice sent) and practice. By event:
//
//   - received: the session was taken in (status: completed, scheduled, void, replaced).
//   - held: hold {reason, words, action, who, findings}; who is practice (fix it in the
//     practice system or its set-up), billing (the billing office works it in edigate) or
//     payer (waiting for the payer).
//   - released: the hold ended; the session goes on a claim.
//   - eligibility_answered: eligibility {active, copay, coinsurance_percent,
//     deductible_remaining, visits_remaining, auth_required, plan_words, hold}.
//   - billed: claim_id (the claim the session is on, CLM01).
//   - accepted: claim_id, payer_claim_number when the payer gave one.
//   - rejected: claim_id, rejection {category, status, words}.
//   - paid, partially_paid, denied, reversed: claim_id, payer_claim_number, payment {check,
//     status_words, claim_charge, claim_paid, claim_patient_responsibility, adjustments,
//     remarks, lines: this session's lines with date, code, charge, paid,
//     patient_responsibility, adjustments and remarks}. Adjustments carry group and
//     group_words (CO, PR, OA, PI, CR), reason (CARC) and words, amount; remarks carry code
//     (RARC) and words.
//   - corrected: claim_id (the corrected claim, or the claim that was corrected).
//   - appealed, closed: claim_id.
//
// Money is a decimal string with two places ("80.00"), never a float. A message of a claim
// with several sessions is written once per session, each with that session's lines; the
// claim_* amounts are the whole claim's.
package outbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
	"github.com/edigate/edigate/x12"
)

// Version is the schema version every line carries. A change that removes or retypes a
// field raises it; new optional fields do not.
const Version = 1

// Kind is an outbox event.
type Kind string

// The events the practice is told of.
const (
	Received      Kind = "received"
	Held          Kind = "held"
	Released      Kind = "released"
	Eligibility   Kind = "eligibility_answered"
	Billed        Kind = "billed"
	Accepted      Kind = "accepted"
	Rejected      Kind = "rejected"
	Paid          Kind = "paid"
	PartiallyPaid Kind = "partially_paid"
	Denied        Kind = "denied"
	Reversed      Kind = "reversed"
	Corrected     Kind = "corrected"
	Appealed      Kind = "appealed"
	Closed        Kind = "closed"
)

var kindWords = map[Kind]string{
	Received:      "Received by the billing office",
	Held:          "On hold",
	Released:      "Released from hold",
	Eligibility:   "Eligibility answered by the payer",
	Billed:        "Billed to the payer",
	Accepted:      "Accepted by the payer",
	Rejected:      "Rejected by the payer",
	Paid:          "Paid",
	PartiallyPaid: "Partially paid",
	Denied:        "Denied",
	Reversed:      "Payment taken back by the payer",
	Corrected:     "Corrected claim sent",
	Appealed:      "Appealed",
	Closed:        "Closed",
}

// Words says the event for a person.
func (k Kind) Words() string { return kindWords[k] }

// Who acts on a hold.
const (
	ActorPractice = "practice" // the practice system or its set-up
	ActorBilling  = "billing"  // the billing office, in edigate
	ActorPayer    = "payer"    // nothing to do but wait for the payer
)

// claimKinds are the claim states the practice is told of, as events.
var claimKinds = map[lifecycle.EventKind]Kind{
	lifecycle.Held.Event():          Held,
	lifecycle.Accepted.Event():      Accepted,
	lifecycle.Rejected.Event():      Rejected,
	lifecycle.Paid.Event():          Paid,
	lifecycle.PartiallyPaid.Event(): PartiallyPaid,
	lifecycle.Denied.Event():        Denied,
	lifecycle.Reversed.Event():      Reversed,
	lifecycle.Corrected.Event():     Corrected,
	lifecycle.Appealed.Event():      Appealed,
	lifecycle.Closed.Event():        Closed,
}

var sessionKinds = map[lifecycle.EventKind]Kind{
	lifecycle.Received:            Received,
	lifecycle.Updated:             Received,
	lifecycle.SessionHeld:         Held,
	lifecycle.SessionReleased:     Released,
	lifecycle.EligibilityAnswered: Eligibility,
	lifecycle.SessionBilled:       Billed,
	lifecycle.SessionResubmitted:  Corrected,
}

// Wants reports whether the practice is told of an event, before anything is looked up
// for it: the store calls it for every event it records.
func Wants(entity lifecycle.Entity, kind lifecycle.EventKind) bool {
	switch entity {
	case lifecycle.EntitySession:
		_, ok := sessionKinds[kind]
		return ok
	case lifecycle.EntityClaim:
		_, ok := claimKinds[kind]
		return ok
	}
	return false
}

// Event is one recorded history event.
type Event struct {
	Entity lifecycle.Entity
	ID     string
	Kind   lifecycle.EventKind
	Detail json.RawMessage
	// Value is the detail as the caller recorded it, when it has it: Build reads a
	// *remit.PaymentEvent from here instead of decoding Detail again (posting a large 835
	// spent a sixth of its time decoding what it had just encoded).
	Value any
}

// Unmoved reports whether an event detail records a claim move that did not happen (a
// late response, a claim edigate never built): Build yields no message for it, so the
// store need not even look up its facts.
func Unmoved(detail any) bool {
	switch d := detail.(type) {
	case *remit.PaymentEvent:
		return !d.Moved
	case remit.Detail:
		m, ok := d["moved"].(bool)
		return ok && !m
	}
	return false
}

// Session is a session an event is about, as stored.
type Session struct {
	ID       string
	Practice string
}

// ClaimLine is a stored claim line (837P LX order).
type ClaimLine struct {
	Line      int
	SessionID string
	Code      string
	Date      string // YYYY-MM-DD
	Charge    x12.Amount
}

// Finding is a scrubber finding of a held claim.
type Finding struct {
	Rule, Message, SessionID string
}

// Facts are what the store looked up for an event in its transaction.
type Facts struct {
	// Sessions are the event's sessions: the session itself, or the claim's sessions.
	Sessions         []Session
	ClaimID          string
	PayerClaimNumber string
	Lines            []ClaimLine
	Findings         []Finding
	// EligibilityResult is the 271 answer of an eligibility event (nil when not found).
	EligibilityResult *eligibility.Result
}

// Message is one line of the outbox.
type Message struct {
	Version          int         `json:"version"`
	Seq              int64       `json:"seq"`
	At               string      `json:"at"`
	Event            Kind        `json:"event"`
	Words            string      `json:"words"`
	Practice         string      `json:"practice,omitempty"`
	SessionID        string      `json:"session_id"`
	Status           string      `json:"status,omitempty"`
	ClaimID          string      `json:"claim_id,omitempty"`
	PayerClaimNumber string      `json:"payer_claim_number,omitempty"`
	Hold             *Hold       `json:"hold,omitempty"`
	Eligibility      *EligAnswer `json:"eligibility,omitempty"`
	Rejection        *Rejection  `json:"rejection,omitempty"`
	Payment          *Payment    `json:"payment,omitempty"`
}

// Hold is why a session waits and who does what about it.
type Hold struct {
	Reason   string   `json:"reason"`
	Words    string   `json:"words"`
	Action   string   `json:"action"`
	Who      string   `json:"who"`
	Findings []string `json:"findings,omitempty"`
}

// EligAnswer is a 271 answer in a practice's terms.
type EligAnswer struct {
	Active              bool        `json:"active"`
	Copay               *x12.Amount `json:"copay,omitempty"`
	CoinsurancePercent  *string     `json:"coinsurance_percent,omitempty"`
	DeductibleRemaining *x12.Amount `json:"deductible_remaining,omitempty"`
	VisitsRemaining     *int        `json:"visits_remaining,omitempty"`
	AuthRequired        *bool       `json:"auth_required,omitempty"`
	Hold                string      `json:"hold,omitempty"` // the hold reason the answer put on the session
}

// Rejection is a 277CA rejection in words.
type Rejection struct {
	Category string `json:"category"`
	Status   string `json:"status"`
	Words    string `json:"words"`
}

// Payment is an 835 claim payment as it concerns one session.
type Payment struct {
	Check                      string       `json:"check"`
	StatusWords                string       `json:"status_words"`
	ClaimCharge                x12.Amount   `json:"claim_charge"`
	ClaimPaid                  x12.Amount   `json:"claim_paid"`
	ClaimPatientResponsibility x12.Amount   `json:"claim_patient_responsibility"`
	Adjustments                []Adjustment `json:"adjustments,omitempty"`
	Remarks                    []Remark     `json:"remarks,omitempty"`
	Lines                      []Line       `json:"lines,omitempty"`
}

// Line is one service line of a payment.
type Line struct {
	Line                  int          `json:"line"`
	Date                  string       `json:"date,omitempty"`
	Code                  string       `json:"code"`
	Charge                x12.Amount   `json:"charge"`
	Paid                  x12.Amount   `json:"paid"`
	PatientResponsibility x12.Amount   `json:"patient_responsibility"`
	Adjustments           []Adjustment `json:"adjustments,omitempty"`
	Remarks               []Remark     `json:"remarks,omitempty"`
}

// Adjustment is one CAS reason in words.
type Adjustment struct {
	Group      string     `json:"group"`
	GroupWords string     `json:"group_words"`
	Reason     string     `json:"reason"`
	Words      string     `json:"words"`
	Amount     x12.Amount `json:"amount"`
}

// Remark is one RARC in words.
type Remark struct {
	Code  string `json:"code"`
	Words string `json:"words"`
}

var groupWords = map[string]string{
	"CO": "contractual obligation (not billed to the client)",
	"PR": "patient responsibility",
	"OA": "other adjustment",
	"PI": "payer-initiated reduction",
	"CR": "correction or reversal",
}

// GroupWords says a CAS group code.
func GroupWords(g string) string {
	if w, ok := groupWords[g]; ok {
		return w
	}
	return g
}

// Build turns one wanted event into its messages, one per session, unnumbered (Seq and At
// are the store's). An event with no session yields none; a claim move that did not
// happen (a late response) yields none.
func Build(ev Event, f Facts) ([]Message, error) {
	if Unmoved(ev.Value) {
		return nil, nil
	}
	pe, _ := ev.Value.(*remit.PaymentEvent)
	var d map[string]any
	if pe == nil && len(ev.Detail) > 0 {
		if err := json.Unmarshal(ev.Detail, &d); err != nil {
			return nil, fmt.Errorf("outbox: %s %s %s detail: %w", ev.Entity, ev.ID, ev.Kind, err)
		}
	}
	str := func(k string) string { s, _ := d[k].(string); return s }
	if moved, ok := d["moved"].(bool); ok && !moved {
		return nil, nil
	}
	var kind Kind
	switch ev.Entity {
	case lifecycle.EntitySession:
		kind = sessionKinds[ev.Kind]
	case lifecycle.EntityClaim:
		kind = claimKinds[ev.Kind]
	}
	if kind == "" {
		return nil, nil
	}
	base := Message{Version: Version, Event: kind, Words: kind.Words(), ClaimID: f.ClaimID, PayerClaimNumber: f.PayerClaimNumber}
	if ev.Entity == lifecycle.EntityClaim {
		base.ClaimID = ev.ID
	}
	var extra []Message // messages after the main one (an eligibility answer that holds)
	switch kind {
	case Received:
		base.Status = str("status")
	case Billed, Corrected:
		if c := str("claim_ref"); c != "" {
			base.ClaimID = c
		}
	case Held:
		if ev.Entity == lifecycle.EntitySession {
			base.Hold = SessionHold(str("reason"))
		} else {
			base.Hold = claimHold(f.Findings)
		}
	case Eligibility:
		base.Eligibility = eligAnswer(f.EligibilityResult)
		if h := str("hold"); h != "" && str("hold_skipped") == "" {
			base.Eligibility.Hold = h
			held := Message{Version: Version, Event: Held, Words: Held.Words(), Hold: SessionHold("eligibility_" + h)}
			extra = append(extra, held)
		}
	case Rejected:
		cat, st := str("category"), str("status")
		base.Rejection = &Rejection{Category: cat, Status: st, Words: rejectionWords(cat, st)}
	case Paid, PartiallyPaid, Denied, Reversed:
		if pe == nil {
			pe = &remit.PaymentEvent{}
			if err := json.Unmarshal(ev.Detail, pe); err != nil {
				return nil, fmt.Errorf("outbox: claim %s %s detail: %w", ev.ID, ev.Kind, err)
			}
		}
		p, err := payment(pe)
		if err != nil {
			return nil, fmt.Errorf("outbox: claim %s %s: %w", ev.ID, ev.Kind, err)
		}
		if len(p.Lines) == 0 && len(f.Lines) == 1 {
			// An 835 without SVC lines pays a one-line claim at claim level: that is the
			// line's payment, so the statement still shows what the client owes.
			l := f.Lines[0]
			p.Lines = []Line{{Line: l.Line, Code: l.Code, Charge: p.ClaimCharge, Paid: p.ClaimPaid,
				PatientResponsibility: p.ClaimPatientResponsibility, Adjustments: p.Adjustments}}
		}
		base.Payment = p
	}
	out := make([]Message, 0, len(f.Sessions)*(1+len(extra)))
	for _, s := range f.Sessions {
		m := base
		m.SessionID, m.Practice = s.ID, s.Practice
		if m.Payment != nil {
			p := *m.Payment
			p.Lines = sessionLines(p.Lines, f.Lines, s.ID, len(f.Sessions) == 1)
			m.Payment = &p
		}
		out = append(out, m)
		for _, x := range extra {
			x.SessionID, x.Practice = s.ID, s.Practice
			out = append(out, x)
		}
	}
	return out, nil
}

// sessionLines keeps the payment lines of one session, dated from the claim's lines. The
// 835 numbers SVC lines in the order the claim sent them; a line the claim does not know
// (the payer split or added one) goes with the claim's only session, or is left out.
func sessionLines(paid []Line, claim []ClaimLine, session string, only bool) []Line {
	var out []Line
	for _, l := range paid {
		i := slices.IndexFunc(claim, func(c ClaimLine) bool { return c.Line == l.Line })
		switch {
		case i >= 0 && claim[i].SessionID == session:
			l.Date = claim[i].Date
		case i < 0 && only:
		default:
			continue
		}
		out = append(out, l)
	}
	return out
}

func payment(pe *remit.PaymentEvent) (*Payment, error) {
	amt := func(s string) (x12.Amount, error) {
		if s == "" {
			return 0, nil
		}
		return x12.ParseAmount(s)
	}
	p := &Payment{Check: pe.Check, StatusWords: remit.ClaimStatusWords(pe.CLP02), Adjustments: adjustments(pe.Adjustments), Remarks: remarks(pe.Remarks)}
	var err error
	if p.ClaimCharge, err = amt(pe.Charge); err != nil {
		return nil, err
	}
	if p.ClaimPaid, err = amt(pe.Paid); err != nil {
		return nil, err
	}
	if p.ClaimPatientResponsibility, err = amt(pe.Patient); err != nil {
		return nil, err
	}
	for _, l := range pe.Lines {
		var pr x12.Amount
		for _, a := range l.Adjustments {
			if a.Group == "PR" {
				pr += a.Amount
			}
		}
		p.Lines = append(p.Lines, Line{Line: l.Line, Code: l.Code, Charge: l.Charge, Paid: l.Paid, PatientResponsibility: pr,
			Adjustments: adjustments(l.Adjustments), Remarks: remarks(l.Remarks)})
	}
	return p, nil
}

func adjustments(as []remit.Adjustment) []Adjustment {
	var out []Adjustment
	for _, a := range as {
		w := remit.CARCWords(a.Reason)
		if w == "" {
			w = "adjustment reason " + a.Reason
		}
		out = append(out, Adjustment{Group: a.Group, GroupWords: GroupWords(a.Group), Reason: a.Reason, Words: w, Amount: a.Amount})
	}
	return out
}

func remarks(rs []remit.Remark) []Remark {
	var out []Remark
	for _, r := range rs {
		w := r.Text
		if w == "" {
			w = remit.RARCWords(r.Code)
		}
		out = append(out, Remark{Code: r.Code, Words: w})
	}
	return out
}

func rejectionWords(category, status string) string {
	var parts []string
	if w := remit.CategoryWords(category); w != "" {
		parts = append(parts, w)
	}
	if w := remit.StatusWords(status); w != "" {
		parts = append(parts, w)
	}
	if len(parts) == 0 {
		return "rejected (" + category + ":" + status + ")"
	}
	return strings.Join(parts, ": ")
}

func eligAnswer(r *eligibility.Result) *EligAnswer {
	if r == nil {
		return &EligAnswer{}
	}
	return &EligAnswer{Active: r.Active, Copay: r.Copay, CoinsurancePercent: r.CoinsurancePercent,
		DeductibleRemaining: r.DeductibleRemaining, VisitsRemaining: r.VisitsRemaining, AuthRequired: r.AuthRequired}
}

// eligibilityHolds are the holds a 271 answer puts on a session (stored as
// "eligibility_" + the eligibility package's reason).
var eligibilityHolds = map[string][3]string{
	"eligibility_" + eligibility.HoldInactive: {"The payer says the client's coverage is not active on the date of service",
		"Check the client's insurance and send the session with the current coverage", ActorPractice},
	"eligibility_" + eligibility.HoldNotFound: {"The payer cannot find the client with the member id, name and birth date sent",
		"Correct the client's member id, name or birth date in the practice system", ActorPractice},
	"eligibility_" + eligibility.HoldCarveOut: {"The payer says another plan manages this benefit (carve-out)",
		"Send the session with the carve-out plan as the payer", ActorPractice},
	"eligibility_" + eligibility.HoldRejected: {"The payer rejected the eligibility request",
		"Check the client's coverage details in the practice system", ActorPractice},
	"eligibility_" + eligibility.HoldNoResponse: {"The payer has not answered the eligibility request",
		"Nothing yet: the billing office asks again or calls the payer", ActorBilling},
}

// SessionHold says a session hold reason in words, what to do and who does it.
func SessionHold(reason string) *Hold {
	if w, ok := eligibilityHolds[reason]; ok {
		return &Hold{Reason: reason, Words: w[0], Action: w[1], Who: w[2]}
	}
	words, action := queue.HoldWords(reason)
	who := ActorBilling
	if strings.HasPrefix(reason, "auth_") {
		// Authorizations come from the practice's own requests to the payer.
		who = ActorPractice
	}
	if reason == claims.HoldAuthAmbiguous {
		action = "Send the authorization number with the session"
	}
	return &Hold{Reason: reason, Words: words, Action: action, Who: who}
}

// claimHold is the hold of a claim the scrubber found errors in.
func claimHold(fs []Finding) *Hold {
	it := queue.ClaimHold(queue.HeldClaim{}, 0)
	h := &Hold{Reason: "scrubber", Words: it.Message, Action: it.Action, Who: ActorPractice}
	var rules []string
	for _, f := range fs {
		h.Findings = append(h.Findings, f.Message)
		rules = append(rules, f.Rule)
	}
	if len(rules) > 0 {
		h.Reason = strings.Join(slices.Compact(rules), ",")
	}
	return h
}

// Encode writes a numbered message as its NDJSON line, without the newline.
func Encode(m *Message) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("outbox: seq %d: %w", m.Seq, err)
	}
	return b, nil
}

// FileName names the file of seqs first..last; fixed-width numbers sort by name in order.
func FileName(first, last int64) string {
	return fmt.Sprintf("outbox-%012d-%012d.ndjson", first, last)
}

// ReplayName names the file `edigate outbox replay` writes.
func ReplayName(first, last int64) string {
	return fmt.Sprintf("replay-%012d-%012d.ndjson", first, last)
}

// SignatureHeader carries the HMAC-SHA256 of an HTTP delivery's body.
const SignatureHeader = "X-Edigate-Signature"

// Sign returns the signature header value of body: "sha256=" and the hex HMAC-SHA256 of
// the exact body bytes with the shared secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header against body in constant time; what a receiver does.
func Verify(secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	raw, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(raw, m.Sum(nil))
}

// Backoff is the wait after the n-th failed delivery in a row (n >= 1): base doubled each
// time, at most max.
func Backoff(n int, base, max time.Duration) time.Duration {
	if n < 1 {
		return 0
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
