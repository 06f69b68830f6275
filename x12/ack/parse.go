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
	p := &parse999{a: &Ack999{Control: tx.Control}}
	for _, s := range segs {
		if err := p.segment(s); err != nil {
			return nil, err
		}
	}
	if !p.sawAK1 {
		return nil, errors.New("999: no AK1 segment")
	}
	if !p.sawAK9 {
		return nil, errors.New("999: no AK9 segment")
	}
	for _, st := range p.a.Sets {
		if st.Status == "" {
			return nil, fmt.Errorf("999: set %s %s has no IK5", st.Set, st.Control)
		}
	}
	return p.a, nil
}

// parse999 is Parse999's state between segments: the set (AK2 loop 2000), segment error
// (IK3 loop 2100) and element error (IK4 loop 2110) being read, and whether the group's
// AK1 and AK9 were seen.
type parse999 struct {
	a              *Ack999
	set            *SetAck
	segErr         *SegmentError
	elemErr        *ElementError
	sawAK1, sawAK9 bool
}

// at names a segment in an error.
func at(s *x12.Segment) string { return fmt.Sprintf("999 %s at position %d", s.ID(), s.Index) }

// segment takes one segment into the acknowledgement.
func (p *parse999) segment(s *x12.Segment) error {
	switch s.ID() {
	case "ST":
		if p.a.Control == "" {
			p.a.Control = s.Str(2)
		}
	case "AK1":
		return p.group(s)
	case "AK2":
		return p.setAck(s)
	case "IK3":
		return p.segmentError(s)
	case "CTX":
		return p.context(s)
	case "IK4":
		return p.elementError(s)
	case "IK5":
		return p.setVerdict(s)
	case "AK9":
		return p.groupVerdict(s)
	}
	return nil
}

// group reads the AK1: the one functional group acknowledged.
func (p *parse999) group(s *x12.Segment) error {
	if p.sawAK1 {
		return fmt.Errorf("%s: a 999 acknowledges one functional group", at(s))
	}
	p.sawAK1 = true
	p.a.FunctionalID, p.a.GroupControl, p.a.Version = s.Str(1), s.Str(2), s.Str(3)
	return nil
}

// setAck opens the acknowledgement of one transaction set (AK2).
func (p *parse999) setAck(s *x12.Segment) error {
	if !p.sawAK1 || p.sawAK9 {
		return fmt.Errorf("%s: AK2 outside AK1..AK9", at(s))
	}
	p.a.Sets = append(p.a.Sets, SetAck{Set: s.Str(1), Control: s.Str(2), Version: s.Str(3)})
	p.set, p.segErr, p.elemErr = &p.a.Sets[len(p.a.Sets)-1], nil, nil
	return nil
}

// segmentError opens an error in one segment of the set (IK3).
func (p *parse999) segmentError(s *x12.Segment) error {
	if p.set == nil {
		return fmt.Errorf("%s: IK3 before any AK2", at(s))
	}
	n, err := atoi(s.Str(2))
	if err != nil {
		return fmt.Errorf("%s IK302: %w", at(s), err)
	}
	p.set.Errors = append(p.set.Errors, SegmentError{Segment: s.Str(1), Position: n, Loop: s.Str(3),
		Code: s.Str(4), Message: SegmentCodeWords(s.Str(4))})
	p.segErr, p.elemErr = &p.set.Errors[len(p.set.Errors)-1], nil
	return nil
}

// context adds a CTX to the current element error, else to the segment error: as its
// business unit (the claim it is in) or as a situational trigger.
func (p *parse999) context(s *x12.Segment) error {
	if p.segErr == nil {
		return fmt.Errorf("%s: CTX before any IK3", at(s))
	}
	c, err := parseCTX(s)
	if err != nil {
		return fmt.Errorf("%s: %w", at(s), err)
	}
	switch {
	case p.elemErr != nil:
		p.elemErr.Context = append(p.elemErr.Context, c)
	case c.businessUnit():
		p.segErr.BusinessUnit = &c
	default:
		p.segErr.Context = append(p.segErr.Context, c)
	}
	return nil
}

// elementError opens an error in one element of the current segment error (IK4).
func (p *parse999) elementError(s *x12.Segment) error {
	if p.segErr == nil {
		return fmt.Errorf("%s: IK4 before any IK3", at(s))
	}
	e := ElementError{Ref: s.Str(2), Code: s.Str(3), Message: ElementCodeWords(s.Str(3)), Value: s.Str(4)}
	var err error
	if e.Position, err = atoi(string(s.Component(1, 1))); err != nil {
		return fmt.Errorf("%s IK401-1: %w", at(s), err)
	}
	if e.Component, err = atoiOpt(string(s.Component(1, 2))); err != nil {
		return fmt.Errorf("%s IK401-2: %w", at(s), err)
	}
	if e.Repeat, err = atoiOpt(string(s.Component(1, 3))); err != nil {
		return fmt.Errorf("%s IK401-3: %w", at(s), err)
	}
	p.segErr.Elements = append(p.segErr.Elements, e)
	p.elemErr = &p.segErr.Elements[len(p.segErr.Elements)-1]
	return nil
}

// setVerdict reads the IK5, the set's status and codes, and closes the set.
func (p *parse999) setVerdict(s *x12.Segment) error {
	if p.set == nil {
		return fmt.Errorf("%s: IK5 before any AK2", at(s))
	}
	p.set.Status, p.set.StatusMessage = s.Str(1), SetStatusWords(s.Str(1))
	for n := 2; n <= 6; n++ {
		if c := s.Str(n); c != "" {
			p.set.Codes = append(p.set.Codes, Code{c, SetCodeWords(c)})
		}
	}
	p.set, p.segErr, p.elemErr = nil, nil, nil
	return nil
}

// groupVerdict reads the AK9: the group's status, its set counts and codes.
func (p *parse999) groupVerdict(s *x12.Segment) error {
	if !p.sawAK1 {
		return fmt.Errorf("%s: AK9 before AK1", at(s))
	}
	p.sawAK9 = true
	p.a.Status, p.a.StatusMessage = s.Str(1), GroupStatusWords(s.Str(1))
	var err error
	for i, dst := range []*int{&p.a.Included, &p.a.Received, &p.a.Accepted} {
		if *dst, err = atoi(s.Str(2 + i)); err != nil {
			return fmt.Errorf("%s AK90%d: %w", at(s), 2+i, err)
		}
	}
	for n := 5; n <= 9; n++ {
		if c := s.Str(n); c != "" {
			p.a.Errors = append(p.a.Errors, Code{c, GroupCodeWords(c)})
		}
	}
	return nil
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
