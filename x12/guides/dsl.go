// Package guides holds the HIPAA 5010 implementation-guide schemas as data: one table per
// guide, written from the guides (TR3s) with their loop and segment names, and checked in
// tests against an independent encoding (../shared/x12-maps).
package guides

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edigate/edigate/x12"
)

// Usage and type shorthands keep the tables close to the guides' own layout.
const (
	R = x12.Required
	S = x12.Situational
	N = x12.NotUsed
)

const (
	AN = x12.AN
	ID = x12.ID
	N0 = x12.N0
	RN = x12.R // decimal number ("R" in the guides; R is taken by Required)
	DT = x12.DT
	TM = x12.TM
	B  = x12.B
)

// Unbounded is the repeat/max use written ">1" in the guides.
const Unbounded = 0

// Loop builds a loop node; body[0] must be its trigger segment.
func Loop(id, name string, usage x12.Usage, repeat int, body ...x12.Node) x12.Node {
	if len(body) == 0 || body[0].Seg == nil {
		panic(fmt.Sprintf("guides: loop %s must start with its trigger segment", id))
	}
	return x12.Node{Loop: &x12.LoopDef{ID: id, Name: name, Usage: usage, Repeat: repeat, Body: body}}
}

// Seg builds a segment node. Syntax notes may follow the elements as strings: "P0102",
// "R020305", "C0403", "E0102", "L010203".
func Seg(id, name string, usage x12.Usage, maxUse int, elems ...x12.Element) x12.Node {
	return x12.Node{Seg: &x12.SegmentDef{ID: id, Name: name, Usage: usage, MaxUse: maxUse, Elements: elems}}
}

// Q adds a qualifier to a segment node: element n (and component c, 0 for simple) must hold
// one of values for this definition to match. Returns the same node for chaining.
func Q(n x12.Node, elem, comp int, values ...string) x12.Node {
	n.Seg.Qual = &x12.Qualifier{Element: elem, Component: comp, Values: values}
	return n
}

// Syn adds syntax notes ("P0102", "C0403"...) to a segment node.
func Syn(n x12.Node, notes ...string) x12.Node {
	for _, note := range notes {
		n.Seg.Syntax = append(n.Seg.Syntax, ParseSyntax(note))
	}
	return n
}

// Note records the guide's situational rule text on a segment node.
func Note(n x12.Node, text string) x12.Node {
	n.Seg.Note = text
	return n
}

// El builds a simple element: El("SV102", "Line Item Charge Amount", R, RN, 1, 18).
// Codes, when given, are the only values the guide permits. Its data element reference
// number comes from the dictionary by ref (dataele.go), its external code lists by ref too
// (codelists.go).
func El(ref, name string, usage x12.Usage, typ x12.DataType, min, max int, codes ...string) x12.Element {
	return x12.Element{Ref: ref, Name: name, Usage: usage, Type: typ, Min: min, Max: max, Codes: codes, Repeat: 1,
		DataElement: dataElement(ref), Lists: codeLists(ref)}
}

// FormatBy marks e as written in the format that element qual of the same segment names
// (a Date Time Period Format Qualifier: D8, RD8), e.g. FormatBy(DTP03, 2). The engine
// then checks the value as a date or date range (IK403 8 when it is not one).
func FormatBy(e x12.Element, qual int) x12.Element {
	e.FormatQual = qual
	return e
}

// Rep marks an element as repeating up to n times (ISA11 repetition separator).
func Rep(e x12.Element, n int) x12.Element {
	e.Repeat = n
	return e
}

// Comp builds a composite element from its components (refs like "SV101-1").
func Comp(ref, name string, usage x12.Usage, comps ...x12.Element) x12.Element {
	return x12.Element{Ref: ref, Name: name, Usage: usage, Repeat: 1, Components: comps}
}

// NU is a placeholder for an element the guide marks Not Used.
func NU(ref string) x12.Element {
	return x12.Element{Ref: ref, Usage: N, Type: AN, Min: 1, Max: 264, Repeat: 1, DataElement: dataElement(ref)}
}

// ParseSyntax turns "P0102" into a Syntax rule; it panics on a malformed note because the
// tables are compiled into the binary and a test loads every one.
func ParseSyntax(note string) x12.Syntax {
	if len(note) < 5 || (len(note)-1)%2 != 0 {
		panic("guides: bad syntax note " + note)
	}
	var kind x12.SyntaxKind
	switch note[0] {
	case 'P':
		kind = x12.Paired
	case 'R':
		kind = x12.AtLeastOne
	case 'E':
		kind = x12.Exclusion
	case 'C':
		kind = x12.Conditional
	case 'L':
		kind = x12.ListConditional
	default:
		panic("guides: bad syntax note " + note)
	}
	var els []int
	for i := 1; i < len(note); i += 2 {
		n, err := strconv.Atoi(note[i : i+2])
		if err != nil {
			panic("guides: bad syntax note " + note)
		}
		els = append(els, n)
	}
	return x12.Syntax{Kind: kind, Elements: els}
}

// Codes splits a space-separated code list, for long lists in the tables.
func Codes(list string) []string { return strings.Fields(list) }

// Root builds the transaction-set table: ST first, SE last.
func Root(body ...x12.Node) *x12.LoopDef {
	return &x12.LoopDef{ID: "ST", Name: "Transaction Set", Usage: R, Repeat: 1, Body: body}
}
