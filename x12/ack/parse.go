package ack

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/edigate/edigate/x12"
)

// Code is one acknowledgement code with its words.
type Code struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Ack999 is one received 999: the acknowledgement of one functional group we sent.
type Ack999 struct {
	Control string `json:"control"` // ST02 of the 999 itself

	FunctionalID string `json:"functional_id"` // AK101, e.g. HC for an 837 group
	GroupControl string `json:"group_control"` // AK102 = the GS06 we sent
	Version      string `json:"version"`       // AK103

	Sets []SetAck `json:"sets"` // one per AK2

	Status        string `json:"status"` // AK901 A/E/P/R/M/W/X
	StatusMessage string `json:"status_message"`
	Included      int    `json:"included"` // AK902
	Received      int    `json:"received"` // AK903
	Accepted      int    `json:"accepted"` // AK904
	Errors        []Code `json:"errors,omitempty"`
}

// SetAck is the 999's verdict on one transaction set (AK2 loop 2000).
type SetAck struct {
	Set           string         `json:"set"`     // AK201
	Control       string         `json:"control"` // AK202 = the ST02 we sent
	Version       string         `json:"version,omitempty"`
	Status        string         `json:"status"` // IK501
	StatusMessage string         `json:"status_message"`
	Codes         []Code         `json:"codes,omitempty"` // IK502-IK506
	Errors        []SegmentError `json:"errors,omitempty"`
}

// Accepted reports whether the set was accepted (A, or E: accepted with errors noted).
func (s SetAck) Accepted() bool { return s.Status == "A" || s.Status == "E" }

// SegmentError is one IK3 (loop 2100) with its contexts and element errors.
type SegmentError struct {
	Segment  string `json:"segment"`  // IK301
	Position int    `json:"position"` // IK302, counted from ST = 1
	Loop     string `json:"loop,omitempty"`
	Code     string `json:"code,omitempty"` // IK304
	Message  string `json:"message,omitempty"`
	// BusinessUnit names the business object the error is in, e.g. CLM01 and the claim's
	// patient control number (CTX business unit identifier).
	BusinessUnit *Context       `json:"business_unit,omitempty"`
	Context      []Context      `json:"context,omitempty"` // CTX segment context (situational trigger)
	Elements     []ElementError `json:"elements,omitempty"`
}

// ElementError is one IK4 (loop 2110).
type ElementError struct {
	Position  int       `json:"position"`            // IK401-1
	Component int       `json:"component,omitempty"` // IK401-2
	Repeat    int       `json:"repeat,omitempty"`    // IK401-3
	Ref       string    `json:"ref,omitempty"`       // IK402, the data element dictionary number
	Code      string    `json:"code"`                // IK403
	Message   string    `json:"message"`
	Value     string    `json:"value,omitempty"` // IK404: the bad value as sent (may be PHI: never log)
	Context   []Context `json:"context,omitempty"`
}

// Context is one CTX segment.
type Context struct {
	Name      string `json:"name"`                // CTX01-1, e.g. SITUATIONAL TRIGGER or CLM01
	Reference string `json:"reference,omitempty"` // CTX01-2, e.g. the claim's CLM01 value
	Segment   string `json:"segment,omitempty"`   // CTX02
	Position  int    `json:"position,omitempty"`  // CTX03
	Loop      string `json:"loop,omitempty"`      // CTX04
	Element   int    `json:"element,omitempty"`   // CTX05-1
	Component int    `json:"component,omitempty"` // CTX05-2
	Repeat    int    `json:"repeat,omitempty"`    // CTX05-3
	Ref       string `json:"ref,omitempty"`       // CTX06-1
}

// businessUnit reports whether a CTX names a business unit rather than a trigger segment.
func (c Context) businessUnit() bool { return c.Name != situationalTrigger && c.Segment == "" }

// Segments returns a transaction's segments in input order, whatever loop tree the parser
// built, so that readers of acknowledgements do not depend on loop IDs.
func Segments(tx *x12.Transaction) []*x12.Segment {
	if tx == nil {
		return nil
	}
	return tx.Root.InOrder()
}

// Parse999 reads a received 999 transaction set. It reads what is there even when the 999
// itself has guide errors (a partner's 999 is rarely perfect), but fails when its
// structure cannot be understood: no AK1, no AK9, an IK3 outside an AK2...
func Parse999(tx *x12.Transaction) (*Ack999, error) {
	segs := Segments(tx)
	if len(segs) == 0 {
		return nil, errors.New("999: empty transaction set")
	}
	if tx.Set != "" && tx.Set != "999" {
		return nil, fmt.Errorf("999: transaction set is a %s", tx.Set)
	}
	a := &Ack999{Control: tx.Control}
	var set *SetAck
	var segErr *SegmentError
	var elemErr *ElementError
	sawAK1, sawAK9 := false, false
	for _, s := range segs {
		pos := fmt.Sprintf("999 %s at position %d", s.ID(), s.Index)
		switch s.ID() {
		case "ST":
			if a.Control == "" {
				a.Control = s.Str(2)
			}
		case "AK1":
			if sawAK1 {
				return nil, fmt.Errorf("%s: a 999 acknowledges one functional group", pos)
			}
			sawAK1 = true
			a.FunctionalID, a.GroupControl, a.Version = s.Str(1), s.Str(2), s.Str(3)
		case "AK2":
			if !sawAK1 || sawAK9 {
				return nil, fmt.Errorf("%s: AK2 outside AK1..AK9", pos)
			}
			a.Sets = append(a.Sets, SetAck{Set: s.Str(1), Control: s.Str(2), Version: s.Str(3)})
			set, segErr, elemErr = &a.Sets[len(a.Sets)-1], nil, nil
		case "IK3":
			if set == nil {
				return nil, fmt.Errorf("%s: IK3 before any AK2", pos)
			}
			p, err := atoi(s.Str(2))
			if err != nil {
				return nil, fmt.Errorf("%s IK302: %w", pos, err)
			}
			set.Errors = append(set.Errors, SegmentError{Segment: s.Str(1), Position: p, Loop: s.Str(3),
				Code: s.Str(4), Message: SegmentCodeWords(s.Str(4))})
			segErr, elemErr = &set.Errors[len(set.Errors)-1], nil
		case "CTX":
			if segErr == nil {
				return nil, fmt.Errorf("%s: CTX before any IK3", pos)
			}
			c, err := parseCTX(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", pos, err)
			}
			switch {
			case elemErr != nil:
				elemErr.Context = append(elemErr.Context, c)
			case c.businessUnit():
				cc := c
				segErr.BusinessUnit = &cc
			default:
				segErr.Context = append(segErr.Context, c)
			}
		case "IK4":
			if segErr == nil {
				return nil, fmt.Errorf("%s: IK4 before any IK3", pos)
			}
			e := ElementError{Ref: s.Str(2), Code: s.Str(3), Message: ElementCodeWords(s.Str(3)), Value: s.Str(4)}
			var err error
			if e.Position, err = atoi(string(s.Component(1, 1))); err != nil {
				return nil, fmt.Errorf("%s IK401-1: %w", pos, err)
			}
			if e.Component, err = atoiOpt(string(s.Component(1, 2))); err != nil {
				return nil, fmt.Errorf("%s IK401-2: %w", pos, err)
			}
			if e.Repeat, err = atoiOpt(string(s.Component(1, 3))); err != nil {
				return nil, fmt.Errorf("%s IK401-3: %w", pos, err)
			}
			segErr.Elements = append(segErr.Elements, e)
			elemErr = &segErr.Elements[len(segErr.Elements)-1]
		case "IK5":
			if set == nil {
				return nil, fmt.Errorf("%s: IK5 before any AK2", pos)
			}
			set.Status, set.StatusMessage = s.Str(1), SetStatusWords(s.Str(1))
			for n := 2; n <= 6; n++ {
				if c := s.Str(n); c != "" {
					set.Codes = append(set.Codes, Code{c, SetCodeWords(c)})
				}
			}
			set, segErr, elemErr = nil, nil, nil
		case "AK9":
			if !sawAK1 {
				return nil, fmt.Errorf("%s: AK9 before AK1", pos)
			}
			sawAK9 = true
			a.Status, a.StatusMessage = s.Str(1), GroupStatusWords(s.Str(1))
			var err error
			for i, dst := range []*int{&a.Included, &a.Received, &a.Accepted} {
				if *dst, err = atoi(s.Str(2 + i)); err != nil {
					return nil, fmt.Errorf("%s AK90%d: %w", pos, 2+i, err)
				}
			}
			for n := 5; n <= 9; n++ {
				if c := s.Str(n); c != "" {
					a.Errors = append(a.Errors, Code{c, GroupCodeWords(c)})
				}
			}
		}
	}
	if !sawAK1 {
		return nil, errors.New("999: no AK1 segment")
	}
	if !sawAK9 {
		return nil, errors.New("999: no AK9 segment")
	}
	for _, st := range a.Sets {
		if st.Status == "" {
			return nil, fmt.Errorf("999: set %s %s has no IK5", st.Set, st.Control)
		}
	}
	return a, nil
}

func parseCTX(s *x12.Segment) (Context, error) {
	c := Context{Name: string(s.Component(1, 1)), Reference: string(s.Component(1, 2)),
		Segment: s.Str(2), Loop: s.Str(4), Ref: string(s.Component(6, 1))}
	var err error
	if c.Position, err = atoiOpt(s.Str(3)); err != nil {
		return c, fmt.Errorf("CTX03: %w", err)
	}
	if c.Element, err = atoiOpt(string(s.Component(5, 1))); err != nil {
		return c, fmt.Errorf("CTX05-1: %w", err)
	}
	if c.Component, err = atoiOpt(string(s.Component(5, 2))); err != nil {
		return c, fmt.Errorf("CTX05-2: %w", err)
	}
	if c.Repeat, err = atoiOpt(string(s.Component(5, 3))); err != nil {
		return c, fmt.Errorf("CTX05-3: %w", err)
	}
	return c, nil
}

// TA1 is one interchange acknowledgement.
type TA1 struct {
	Control       string `json:"control"` // TA101 = the ISA13 we sent
	Date          string `json:"date"`    // TA102 YYMMDD
	Time          string `json:"time"`    // TA103 HHMM
	Status        string `json:"status"`  // TA104 A/E/R
	StatusMessage string `json:"status_message"`
	Note          string `json:"note"` // TA105
	NoteMessage   string `json:"note_message"`
}

// Accepted reports whether the interchange was accepted (A, or E: with errors noted).
func (t TA1) Accepted() bool { return t.Status == "A" || t.Status == "E" }

// ParseTA1 reads a TA1 segment.
func ParseTA1(seg *x12.Segment) (TA1, error) {
	if seg == nil || !seg.Is("TA1") {
		return TA1{}, errors.New("TA1: not a TA1 segment")
	}
	t := TA1{Control: seg.Str(1), Date: seg.Str(2), Time: seg.Str(3), Status: seg.Str(4), Note: seg.Str(5)}
	t.StatusMessage, t.NoteMessage = InterchangeStatusWords(t.Status), NoteCodeWords(t.Note)
	switch {
	case len(t.Control) != 9:
		return t, fmt.Errorf("TA101: control number %q is not 9 digits", t.Control)
	case t.Status != "A" && t.Status != "E" && t.Status != "R":
		return t, fmt.Errorf("TA104: status %q is not A, E or R", t.Status)
	case len(t.Note) != 3:
		return t, fmt.Errorf("TA105: note code %q is not 3 digits", t.Note)
	}
	return t, nil
}

func atoi(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a count or position", s)
	}
	return n, nil
}

func atoiOpt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return atoi(s)
}
