package x12

import (
	"fmt"
	"sort"
)

// Level says which acknowledgement an Error belongs in.
type Level string

const (
	LevelInterchange Level = "interchange" // TA1 note code (TA105)
	LevelGroup       Level = "group"       // AK9 / AK905 code
	LevelTransaction Level = "transaction" // IK5 / IK502 code
	LevelSegment     Level = "segment"     // IK3 / IK304 code
	LevelElement     Level = "element"     // IK4 / IK403 code
)

// Error is one validation finding, with everything a 999 and a biller need.
type Error struct {
	Level    Level  `json:"level"`
	Set      string `json:"set,omitempty"`     // ST01
	Control  string `json:"control,omitempty"` // ST02 (GS06 / ISA13 for group / interchange errors)
	Segment  string `json:"segment,omitempty"` // segment ID
	Position int    `json:"position,omitempty"`
	Loop     string `json:"loop,omitempty"`    // loop ID, e.g. "2400"
	Element  string `json:"element,omitempty"` // e.g. "SV102" or "CLM05-3"
	Code     string `json:"code"`              // the 999 (or TA1) code for Level
	Message  string `json:"message"`           // human words; may quote input values, so never log it
	Offset   int64  `json:"offset,omitempty"`  // byte offset of the segment in the file
	// DataElement is the X12 data element reference number of Element (IK402), 0 when the
	// guide table does not carry one.
	DataElement int `json:"dataElement,omitempty"`
	// Elem and Comp locate the element for IK4 (1-based; Comp 0 for a simple element).
	Elem int `json:"-"`
	Comp int `json:"-"`
	Rep  int `json:"-"`
	// Trigger is set on the finding of a situational rule ("required when ..." in the
	// guide): the segment whose presence or value made the missing segment or element
	// required. A 999 names it in a CTX SITUATIONAL TRIGGER after the IK3 or IK4.
	Trigger *Trigger `json:"trigger,omitempty"`
}

// Trigger locates the segment (and element) that triggered a situational requirement, as
// the 999's situational-trigger CTX reports it (CTX02-CTX06, 005010X231A1 2100 Segment
// Context and 2110 Element Context).
type Trigger struct {
	Segment  string `json:"segment"`        // CTX02, the trigger's segment ID
	Position int    `json:"position"`       // CTX03, in the transaction set (ST = 1)
	Loop     string `json:"loop,omitempty"` // CTX04, the loop the trigger segment is in
	// Elem, Comp and Rep are CTX05 (C030), 1-based, when the trigger is an element's
	// value rather than the segment's presence; Comp and Rep are 0 when not applicable.
	Elem int `json:"element,omitempty"`
	Comp int `json:"component,omitempty"`
	Rep  int `json:"repeat,omitempty"`
	// DataElement is CTX06-1, the data element reference number of Elem (0 when unknown).
	DataElement int `json:"dataElement,omitempty"`
}

// Locator is the part of an Error a 999 carries, as one comparable string without the
// message (so without input values): "level code SEG@position loop element".
func (e Error) Locator() string {
	s := fmt.Sprintf("%s %s", e.Level, e.Code)
	if e.Segment != "" {
		s += " " + e.Segment
	}
	if e.Position > 0 {
		s += fmt.Sprintf("@%d", e.Position)
	}
	if e.Loop != "" {
		s += " " + e.Loop
	}
	if e.Element != "" {
		s += " " + e.Element
	}
	return s
}

func (e Error) Error() string {
	if e.location() == "" {
		return fmt.Sprintf("%s %s: %s (code %s)", e.Level, e.Control, e.Message, e.Code)
	}
	return e.Detail()
}

// Detail is Error without the level and control number, for callers that print the
// error under its interchange or group already.
func (e Error) Detail() string {
	if loc := e.location(); loc != "" {
		return fmt.Sprintf("%s: %s (code %s)", loc, e.Message, e.Code)
	}
	return fmt.Sprintf("%s (code %s)", e.Message, e.Code)
}

func (e Error) location() string {
	loc := e.Segment
	if len(loc) > 3 { // not an ID (wrong separators): the message names the segment
		return ""
	}
	if e.Position > 0 {
		loc = fmt.Sprintf("%s at position %d", e.Segment, e.Position)
	}
	if e.Loop != "" {
		loc += " in loop " + e.Loop
	}
	if e.Element != "" {
		loc += " element " + e.Element
	}
	return loc
}

// Loop is one instance of a loop in a parsed transaction set. Segments are copies that
// no longer refer to the Reader's buffer.
type Loop struct {
	ID       string
	Def      *LoopDef
	Segments []Segment // the loop's own segments, in input order (the trigger first)
	Children []*Loop   // nested loop instances, in input order
}

// Seg returns the first of the loop's own segments with this ID, or nil.
func (l *Loop) Seg(id string) *Segment {
	for i := range l.Segments {
		if l.Segments[i].Is(id) {
			return &l.Segments[i]
		}
	}
	return nil
}

// SegWhere returns the first own segment with this ID whose element n equals value.
func (l *Loop) SegWhere(id string, n int, value string) *Segment {
	for i := range l.Segments {
		if l.Segments[i].Is(id) && string(l.Segments[i].Element(n)) == value {
			return &l.Segments[i]
		}
	}
	return nil
}

// All returns every own segment with this ID.
func (l *Loop) All(id string) []*Segment {
	var out []*Segment
	for i := range l.Segments {
		if l.Segments[i].Is(id) {
			out = append(out, &l.Segments[i])
		}
	}
	return out
}

// Loops returns the direct child loop instances with this ID.
func (l *Loop) Loops(id string) []*Loop {
	var out []*Loop
	for _, c := range l.Children {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// Walk calls fn for l and every loop below it, depth first in input order.
func (l *Loop) Walk(fn func(*Loop)) {
	fn(l)
	for _, c := range l.Children {
		c.Walk(fn)
	}
}

// InOrder returns the segments of l and every loop below it in input order. Mappers that
// hang meaning on order across loops (271 LS/LE around 2120, 835 claim after claim) read
// a transaction this way, whatever loop tree the parser built (guide tree or flat).
func (l *Loop) InOrder() []*Segment {
	if l == nil {
		return nil
	}
	var out []*Segment
	l.Walk(func(c *Loop) {
		for i := range c.Segments {
			out = append(out, &c.Segments[i])
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// Envelope identifies where a transaction set sat in its file.
type Envelope struct {
	SenderQual, Sender     string // ISA05, ISA06 (trimmed)
	ReceiverQual, Receiver string // ISA07, ISA08 (trimmed)
	ISAControl             string // ISA13
	AckRequested           bool   // ISA14 = 1
	Usage                  string // ISA15: T or P
	FunctionalID           string // GS01
	GSSender, GSReceiver   string // GS02, GS03
	GSControl              string // GS06
	Version                string // GS08
	Date, Time             string // GS04, GS05
}

// Transaction is one parsed ST..SE transaction set.
type Transaction struct {
	Envelope Envelope
	Set      string // ST01
	Control  string // ST02
	Guide    *Guide // nil when no guide is known for ST01/ST03
	Root     *Loop  // the transaction set as a loop tree (ID "ST")
	Errors   []Error
	Warnings []Error // code-list values a CodeListPolicy downgrades; the set stays valid
	Segments int     // number of segments ST..SE inclusive
}

// Valid reports whether the transaction set has no errors.
func (t *Transaction) Valid() bool { return len(t.Errors) == 0 }
