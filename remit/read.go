package remit

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
)

// ErrInvalid marks a response file that cannot be read as a response (exit 1 in the CLI),
// as opposed to an I/O error.
var ErrInvalid = errors.New("invalid response file")

// Document is everything one response file says: remittances, claim statuses, 999s, TA1s.
type Document struct {
	Remittance *Remittance     `json:"remittance,omitempty"`
	Statuses   []*StatusReport `json:"statuses,omitempty"`
	Acks       []*ack.Ack999   `json:"acks,omitempty"`
	TA1s       []ack.TA1       `json:"ta1s,omitempty"`
	Findings   []x12.Error     `json:"findings,omitempty"` // guide and envelope findings; may quote PHI
	File       *x12.FileResult `json:"-"`
	// Sets835 and Sets277 count the readable 835 and 277 sets, which Stream hands out
	// claim by claim instead of keeping them in Remittance and Statuses.
	Sets835 int `json:"-"`
	Sets277 int `json:"-"`
}

// Kind names what the document holds: "835", "277", "999", "TA1", or "mixed".
func (d *Document) Kind() string {
	var kinds []string
	if d.Remittance != nil || d.Sets835 > 0 {
		kinds = append(kinds, "835")
	}
	if len(d.Statuses) > 0 || d.Sets277 > 0 {
		kinds = append(kinds, "277")
	}
	if len(d.Acks) > 0 {
		kinds = append(kinds, "999")
	}
	if len(kinds) == 0 && len(d.TA1s) > 0 {
		kinds = append(kinds, "TA1")
	}
	switch len(kinds) {
	case 0:
		return ""
	case 1:
		return kinds[0]
	}
	return "mixed"
}

// ReadOptions configures Read.
type ReadOptions struct {
	Guides     x12.Guides  // normally guides.Registry
	Classifier *Classifier // denial categories; nil uses the defaults only
	// CodeLists downgrades or turns off code lists for trading partners known to send
	// legacy values (x12.ParseOptions.CodeLists).
	CodeLists x12.CodeListPolicy
}

// Read parses a response file and maps every transaction set it knows, and gives the one
// verdict every command shares: the file is valid when the parser found nothing
// (x12.FileResult.Valid) and every set could be mapped. The Document always holds what
// could be read, with every finding located in Findings, so a read-only command can show
// it; when the file is not valid the error wraps ErrInvalid, and the daemon applies
// nothing of it. A set the mappers cannot read whole is read as far as it goes: an 835
// claim whose amounts are not numbers is left out of its payment, with a finding at its
// CLP, and the other claims are kept.
func Read(ctx context.Context, r io.Reader, opts ReadOptions) (*Document, error) {
	// Read is Stream keeping everything: one mapper, one verdict for both.
	var pays []Payment
	var cur *Payment
	var reps []*StatusReport
	d, err := Stream(ctx, r, opts, Visitor{
		Payment: func(p *Payment) error {
			cur = p
			return nil
		},
		Claim: func(_ *Payment, _ int, c *ClaimPayment) error {
			cur.Claims = append(cur.Claims, *c)
			return nil
		},
		PaymentEnd: func(p *Payment) error {
			pays = append(pays, *p)
			return nil
		},
		Status: func(r *StatusReport, c *ClaimStatus) error {
			r.Claims = append(r.Claims, *c)
			return nil
		},
		StatusEnd: func(r *StatusReport) error {
			reps = append(reps, r)
			return nil
		},
	})
	if d == nil {
		return nil, err
	}
	if len(pays) > 0 {
		d.Remittance = &Remittance{Payments: pays}
	}
	d.Statuses = reps
	return d, err
}

// FindingsError says a response file has findings (Document.Findings): it is ErrInvalid.
// The count alone is in the text, as findings may quote member ids and names.
type FindingsError struct{ N int }

func (e *FindingsError) Error() string {
	return fmt.Sprintf("%v: %d finding(s); nothing of it is applied (see 'edigate x12 validate')", ErrInvalid, e.N)
}

func (e *FindingsError) Unwrap() error { return ErrInvalid }

// setFinding locates a mapper's refusal of a whole set at its ST.
func setFinding(tx *x12.Transaction, err error) x12.Error {
	e := x12.Error{Level: x12.LevelTransaction, Set: tx.Set, Control: tx.Control, Segment: "ST", Position: 1,
		Code: x12.IK5SegmentsInError, Message: err.Error()}
	if tx.Root != nil && len(tx.Root.Segments) > 0 {
		e.Offset = tx.Root.Segments[0].Offset
	}
	return e
}

// mapFinding locates a mapper's refusal at one segment.
func mapFinding(s *x12.Segment, set, control string, err error) x12.Error {
	return x12.Error{Level: x12.LevelSegment, Set: set, Control: control, Segment: s.ID(), Offset: s.Offset,
		Code: x12.IK3ElementErrors, Message: err.Error()}
}

// NotResponseError is a transaction set Read does not take (a 271 eligibility answer, an
// 837 claim file...), so a caller can point to the command that does. It is ErrInvalid.
type NotResponseError struct {
	Set, Control string
}

func (e *NotResponseError) Error() string {
	return fmt.Sprintf("%v: transaction set %s %s is not a response (835, 277, 999)", ErrInvalid, e.Set, e.Control)
}

func (e *NotResponseError) Unwrap() error { return ErrInvalid }
