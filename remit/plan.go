package remit

import (
	"context"
	"fmt"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
)

// Applying a response file is decided here and written by the store: a plan function takes
// the file and the facts of the claims it names and returns a Plan; the store applies the
// plan in one transaction, moving each claim only from the state the plan expects (else it
// recomputes the move from the state it finds) and recording every step in the history.

// ClaimFacts is what the store knows of a claim a response names.
type ClaimFacts struct {
	State      lifecycle.State
	Payer      string // configured payer id
	Frequency  string // CLM05-3: 1, 7, 8
	Date       string // date of service, YYYY-MM-DD
	PayerClaim string // the payer's claim number on record
}

// SetRef names a transaction set we sent, as a 999 answers it (GS06 + ST02).
type SetRef struct {
	GS int64
	ST string
}

// FactsQuery is what a plan needs looked up.
type FactsQuery struct {
	Claims       []string // CLM01s
	Traces       []string // TRN02s of our 276s
	Sets         []SetRef // 837P sets a 999 answers
	Interchanges []int64  // ISA13s of 837P files a TA1 rejects
}

// Facts are the looked-up answers: the claims we built, and which claims our traces, sets
// and interchanges carried. A claim missing from Claims is one edigate never built.
type Facts struct {
	Claims  map[string]ClaimFacts
	ByTrace map[string]string
	BySet   map[SetRef][]string
	ByISA   map[int64][]string
}

// Deadlines are the payer rules a plan needs for the deadlines of its queue items.
type Deadlines struct {
	// TimelyFilingDays by payer id: a rejected claim never reached the payer, so its
	// corrected claim must still arrive within timely filing of the date of service.
	TimelyFilingDays map[string]int
}

// RejectionDue is the deadline of a rejected claim's work item: its date of service plus
// the payer's timely filing days; "" when the payer has none or the date does not parse.
func (d Deadlines) RejectionDue(f ClaimFacts) string {
	n := d.TimelyFilingDays[f.Payer]
	if n <= 0 {
		return ""
	}
	t, err := time.Parse(time.DateOnly, f.Date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// Plan is what applying one response file does.
type Plan struct {
	Kind     string        // the file's kind as recorded: 835, 277, 999
	Payments []PaymentPlan // 835: one per transaction set
	Steps    []Step        // 277, 999: one per claim named, in file order
	// Part places the plan in its file when a large file is planned and applied in parts
	// (one transaction each); nil for a plan of the whole file.
	Part *Part
}

// Part is one part of a response file applied in parts: the claims (835 CLPs, 277
// claims) of the file, in file order, from Start up to End. The store applies part k
// only after parts 0..k-1 and records End with it, so a run that stopped after any part
// resumes with the next, and a part is never applied twice.
type Part struct {
	Start, End int
	Last       bool // the file's last part: once applied, the file is done
}

// PaymentPlan is one 835 transaction set: the payment row, a review item when it does not
// balance, and one step per CLP.
type PaymentPlan struct {
	Payment *Payment
	Review  *queue.Item
	Steps   []Step
}

// Step is what a response says of one claim.
type Step struct {
	Claim     string
	Unmatched bool     // a claim edigate never built
	Post      *Posting // 835: the CLP to post, once per payer + check + CLP01 + CLP02
	Move      *Move
	Record    *Record // an event that moves nothing
	// PayerClaim is a payer claim number to record on the claim.
	PayerClaim string
	// PayerClaimWas, when set, is the number the plan saw on the claim (835): the store
	// may then write PayerClaim in the Move's own statement, guarded by it, instead of in
	// one of its own.
	PayerClaimWas *string
	Queue         []queue.Item
	Answer        *InquiryAnswer // X212: the 276 this answers
	// FollowUpNote is added to the claim's open follow-up item (X212), with its message.
	FollowUpNote, FollowUpMessage string
	// Expected are the paid lines compared with the payer's fee schedule (835), which the
	// store keeps for the underpayments report; an underpaid one also has a review item.
	Expected []LineExpectation
}

// Posting is one CLP to post and the lifecycle outcome it records.
type Posting struct {
	Seq     int // the CLP's place in its payment
	CLP     *ClaimPayment
	Outcome lifecycle.State // "" for a predetermination
}

// Move is one claim transition: the state the plan expects the claim in, the state the
// event asks for, and where the claim ends (From when the event comes late). Kind names
// the event: the state it asks for.
type Move struct {
	From, To, Next lifecycle.State
	Kind           lifecycle.EventKind
	Detail         MoveDetail
	// ReturnUnits: once applied, the move gives the authorization units of the claim's
	// sessions back (a void the payer accepted).
	ReturnUnits bool
}

// Record is an event that moves nothing: an X212 status that says no more, or the word of
// a response on a claim edigate never built.
type Record struct {
	Kind   lifecycle.EventKind
	Detail any
}

// InquiryAnswer marks a 276 inquiry answered.
type InquiryAnswer struct {
	Trace, Claim, Answer string
}

// MoveDetail is an event detail the store completes with the move as applied.
type MoveDetail interface {
	SetMove(from, to lifecycle.State, moved bool)
}

// Detail is a free-form event detail (ids and codes, never PHI).
type Detail map[string]any

// SetMove records the move in the detail.
func (d Detail) SetMove(from, to lifecycle.State, moved bool) {
	d["from"], d["to"], d["moved"] = from, to, moved
}

// planner chains the moves of one plan: a claim named twice (a reversal, then the new
// payment) expects the state the first step left it in.
type planner struct {
	facts Facts
	state map[string]lifecycle.State
}

func newPlanner(f Facts) *planner { return &planner{facts: f, state: map[string]lifecycle.State{}} }

func (p *planner) claim(id string) (ClaimFacts, bool) {
	f, ok := p.facts.Claims[id]
	if st, moved := p.state[id]; ok && moved {
		f.State = st
	}
	return f, ok
}

// move plans a transition of a known claim towards to.
func (p *planner) move(id string, to lifecycle.State, kind lifecycle.EventKind, detail MoveDetail) *Move {
	f, _ := p.claim(id)
	next, _ := lifecycle.Next(f.State, to)
	p.state[id] = next
	if kind == "" {
		kind = to.Event()
	}
	return &Move{From: f.State, To: to, Next: next, Kind: kind, Detail: detail}
}

// isVoid reports whether a claim is a void (frequency 8).
func (f ClaimFacts) isVoid() bool { return f.Frequency == claims.FrequencyVoid }

// FactsReader looks up the facts a plan needs; the store implements it.
type FactsReader interface {
	ResponseFacts(ctx context.Context, q FactsQuery) (Facts, error)
}

// PlanResponse plans a read response file: an 835's payments and denials, 277CA and X212
// 277 answers, or 999/TA1 verdicts, with the facts of the claims it names.
func PlanResponse(ctx context.Context, facts FactsReader, source string, d *Document, due Deadlines) (*Plan, error) {
	var q FactsQuery
	switch {
	case d.Remittance != nil:
		q = Needs835(d.Remittance)
	case len(d.Statuses) > 0:
		q = Needs277(d.Statuses)
	default:
		q = NeedsAcks(d.Acks, d.TA1s)
	}
	f, err := facts.ResponseFacts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", source, err)
	}
	switch {
	case d.Remittance != nil:
		return Plan835(source, d.Remittance, f), nil
	case len(d.Statuses) > 0:
		return Plan277(source, d.Statuses, f, due), nil
	}
	return PlanAcks(source, d.Acks, d.TA1s, f, due), nil
}
