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
}

// Kind names what the document holds: "835", "277", "999", "TA1", or "mixed".
func (d *Document) Kind() string {
	var kinds []string
	if d.Remittance != nil {
		kinds = append(kinds, "835")
	}
	if len(d.Statuses) > 0 {
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
}

// Read parses a response file and maps every transaction set it knows. Findings of the
// guides do not stop it: a payer's slightly wrong 835 is still money to post. A file the
// tokenizer cannot read, or a set the mappers cannot understand, is ErrInvalid.
func Read(ctx context.Context, r io.Reader, opts ReadOptions) (*Document, error) {
	res, txs, err := ack.Read(ctx, r, opts.Guides)
	if err != nil {
		return nil, fmt.Errorf("remit: %w", err)
	}
	d := &Document{File: res}
	if res.Fatal != nil {
		return d, fmt.Errorf("%w: %v", ErrInvalid, res.Fatal)
	}
	d.Findings = append(d.Findings, res.Errors...)
	for i := range res.Interchanges {
		ic := &res.Interchanges[i]
		d.Findings = append(d.Findings, ic.Errors...)
		for j := range ic.Groups {
			d.Findings = append(d.Findings, ic.Groups[j].Errors...)
		}
	}
	for i := range res.TA1s {
		t, err := ack.ParseTA1(&res.TA1s[i])
		if err != nil {
			return d, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		d.TA1s = append(d.TA1s, t)
	}
	cls := opts.Classifier
	if cls == nil {
		cls = NewClassifier(nil)
	}
	for _, tx := range txs {
		d.Findings = append(d.Findings, tx.Errors...)
		switch tx.Set {
		case "835":
			p, err := Map835(tx)
			if err != nil {
				return d, fmt.Errorf("%w: %v", ErrInvalid, err)
			}
			cls.Classify(p)
			if d.Remittance == nil {
				d.Remittance = &Remittance{}
			}
			d.Remittance.Payments = append(d.Remittance.Payments, *p)
		case "277":
			s, err := Map277(tx)
			if err != nil {
				return d, fmt.Errorf("%w: %v", ErrInvalid, err)
			}
			d.Statuses = append(d.Statuses, s)
		case "999":
			a, err := ack.Parse999(tx)
			if err != nil {
				return d, fmt.Errorf("%w: %v", ErrInvalid, err)
			}
			d.Acks = append(d.Acks, a)
		default:
			return d, &NotResponseError{Set: tx.Set, Control: tx.Control}
		}
	}
	if d.Kind() == "" {
		return d, fmt.Errorf("%w: no 835, 277, 999 or TA1 in the file", ErrInvalid)
	}
	return d, nil
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
