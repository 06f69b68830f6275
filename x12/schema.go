package x12

// This file holds the types of an implementation-guide schema. A guide is data: a table of
// loops, segments and elements (x12/guides holds the tables) that drives one generic loop
// parser, the validator, 999 generation and the writer's self-check.

// Usage is the guide's usage designator of a loop, segment, element or component.
type Usage uint8

const (
	NotUsed     Usage = iota // N: must not be sent
	Required                 // R
	Situational              // S: required when the guide's situation holds
)

func (u Usage) String() string {
	switch u {
	case Required:
		return "R"
	case Situational:
		return "S"
	default:
		return "N"
	}
}

// DataType is an X12 simple data element type.
type DataType uint8

const (
	AN DataType = iota // string
	ID                 // identifier (code)
	N0                 // numeric, implied decimal 0 (N, N0); Nn via Element.Decimals
	R                  // decimal number
	DT                 // date CCYYMMDD (or YYMMDD when Max is 6)
	TM                 // time HHMM[SS[d..]]
	B                  // binary
)

func (t DataType) String() string {
	return [...]string{"AN", "ID", "N0", "R", "DT", "TM", "B"}[t]
}

// Element describes one simple or composite element (or one component of a composite).
type Element struct {
	Ref        string   // guide reference, e.g. "SV102"; components "SV101-2"
	Name       string   // the guide's name, e.g. "Line Item Charge Amount"
	Usage      Usage    //
	Type       DataType //
	Min, Max   int      // length bounds (for R/N: digits, sign and point excluded)
	Codes      []string // the code values the guide permits; empty means any value
	Repeat     int      // max repetitions (ISA11); 0 or 1 means not repeating
	Components []Element
	// DataElement is the X12 data element reference number (the dictionary number: 1251
	// for DTP03, 67 for NM109), which a 999 reports in IK402. 0 when unknown and for a
	// composite, whose C-number IK402 (numeric) cannot carry.
	DataElement int
	// FormatQual, when set, is the 1-based position in the same segment of the element
	// that names this one's format (a Date Time Period Format Qualifier, data element
	// 1250: DTP02 for DTP03, DMG01 for DMG02). The guides type such elements AN because
	// the format varies, so the engine checks the value against the format the qualifier
	// names: D8 a date CCYYMMDD, RD8 a range CCYYMMDD-CCYYMMDD (IK403 8 when not).
	FormatQual int
	// Lists are external code lists or checks the value must pass (a state or province
	// code, an NPI check digit), beyond Codes. The engine checks them on a present simple
	// value after its type and length checks, as the ParseOptions.CodeLists policy for each
	// list's name says (an error by default); the first that fails is reported.
	Lists []*CodeList
}

// CodeList is a code list a guide names by its code source but does not print (the
// states and provinces of code source 22, the ISO 3166 country codes of code source 5),
// or a check of an identifier's form (the NPI check digit, ZIP code formats). The lists
// are data beside the guide tables (x12/guides); the engine only calls Check.
type CodeList struct {
	Name   string // how a CodeListPolicy names the list: "state", "npi"...
	Source string // the guide's code source, shown in messages
	Code   string // the IK403 reported when Check fails: 7 (invalid code value) or 6 (invalid character)
	// Check reports whether element elem (1-based, present) of seg passes. It sees the
	// whole segment because a qualifier beside the value says what it is (NM108 XX: an
	// NPI) or which list applies (N404 for N402 and N403).
	Check func(seg *Segment, elem int) bool
}

// Strictness says what a value failing a code list is.
type Strictness uint8

const (
	ListError Strictness = iota // an element error (IK4), the set rejected: the default
	ListWarn                    // a warning (WarnCodeList): the set stays accepted
	ListOff                     // not checked
)

// CodeListPolicy sets the strictness per code list name (CodeList.Name), for payers known
// to send legacy values; a list not named is ListError.
type CodeListPolicy map[string]Strictness

// SyntaxKind is an X12 syntax note kind (the letter of "P0102", "R0203"...).
type SyntaxKind uint8

const (
	Paired          SyntaxKind = iota + 1 // P: all or none
	AtLeastOne                            // R: at least one present
	Exclusion                             // E: not more than one present
	Conditional                           // C: if the first is present, all others are required
	ListConditional                       // L: if the first is present, at least one other is
)

// Syntax is a relational condition among elements of one segment (1-based positions).
type Syntax struct {
	Kind     SyntaxKind
	Elements []int
}

// Qualifier tells same-ID segments (or loops started by them) apart by an element's value,
// e.g. NM1 with NM101 = 85 opens 2010AA, NM1 with NM101 = 87 opens 2010AB.
type Qualifier struct {
	Element   int      // 1-based element position
	Component int      // 1-based component, 0 for a simple element
	Values    []string // any of these
}

// SegmentDef is one segment's place in a guide.
type SegmentDef struct {
	ID       string
	Name     string
	Usage    Usage
	MaxUse   int // 0 means unbounded (">1")
	Qual     *Qualifier
	Elements []Element
	Syntax   []Syntax
	Note     string // the guide's situational rule text, shown in messages
}

// LoopDef is a loop: its first segment (Body[0].Seg) triggers it.
type LoopDef struct {
	ID     string // "2010AA"; the transaction set's header table uses "HEADER"
	Name   string
	Usage  Usage
	Repeat int // 0 means unbounded
	Body   []Node
}

// Node is either a segment or a nested loop, in guide order.
type Node struct {
	Seg  *SegmentDef
	Loop *LoopDef
}

// Guide is one implementation guide's schema.
type Guide struct {
	Version      string // GS08 / ST03, e.g. "005010X222A1"
	Set          string // ST01, e.g. "837"
	FunctionalID string // GS01, e.g. "HC"
	Name         string
	Root         *LoopDef // the whole transaction set, ST first and SE last
	Rules        []Rule   // situational rules expressible as data, checked after the structure
	// Checks are the guide's rules that need code (sums, pointers, sequences), each named
	// after its loop/segment and guide note beside the table. They run on every transaction
	// set parsed with a loop tree (ParseOptions.NoTree skips them).
	Checks []func(*Transaction) []Error
}

// Rule is a situational guide note expressed as data: within each instance of Loop, when
// the If condition holds, Then must hold. Rules that cannot be expressed this way live as
// Go code beside the guide table, named after their loop/segment and guide note.
type Rule struct {
	Loop string // loop ID whose instances are checked
	If   Cond
	Then Cond
	Code string // 999 code reported when violated (IK304 or IK403 value)
	Note string // the guide's text
}

// Cond is a predicate on one segment (and optionally one element) within a loop instance.
// Segment "CLM" Element 5 Component 3 Values ["7","8"] means CLM05-3 is 7 or 8. With no
// Element, it means the segment (matching Qual, if set) is present; Absent inverts it.
type Cond struct {
	Segment   string
	Qual      *Qualifier
	Element   int
	Component int
	Values    []string
	Absent    bool
}

// Override is a payer companion-guide change layered on a guide as data, not a fork.
type Override struct {
	Loop        string   // loop ID, "" for the whole guide
	Segment     string   // segment ID (with Qual value when ambiguous, e.g. "REF*G1")
	Element     string   // element ref, e.g. "CLM05-1"; "" for segment-level changes
	Usage       *Usage   // new usage (e.g. a situational segment made required)
	RemoveCodes []string // codes the payer does not accept
	OnlyCodes   []string // the payer accepts only these
	Note        string
}
