package guides

import (
	"fmt"
	"strconv"

	"github.com/edigate/edigate/x12"
)

// Situational rules of the 837P that fit Rule/Cond. The engine evaluates a Cond against
// every segment of the loop instance including its nested loops, so each rule below names
// segments that cannot also occur deeper (REF*F8 is the one exception, see its note).
func init() {
	// Rules the table cannot express (CLM02 = sum of SV102, LX sequence, SV107 pointers,
	// REF*F8 in the claim itself) run with every parsed 837P.
	X222A1.Checks = []func(*x12.Transaction) []x12.Error{X222A1Check}
	X222A1.Rules = []x12.Rule{
		{
			// 837P 2300 REF*F8 (Payer Claim Control Number): "Required when CLM05-3 (Claim
			// Frequency Type Code) indicates this claim is a replacement or void to a
			// previously adjudicated claim." A 2330B REF*F8 (the other payer's control
			// number) also satisfies this Cond, so that case is left to X222A1Check.
			Loop: "2300",
			If:   x12.Cond{Segment: "CLM", Element: 5, Component: 3, Values: []string{"7", "8"}},
			Then: x12.Cond{Segment: "REF", Qual: &x12.Qualifier{Element: 1, Values: []string{"F8"}}},
			Code: x222IK3DependentMissing,
			Note: "2300 REF*F8 payer claim control number is required when CLM05-3 is 7 (replacement) or 8 (void)",
		},
		{
			// 837P 2300 DTP*439: "Required when CLM11-1 or CLM11-2 has a value of AA or OA."
			Loop: "2300",
			If:   x12.Cond{Segment: "CLM", Element: 11, Component: 1, Values: []string{"AA", "OA"}},
			Then: x12.Cond{Segment: "DTP", Qual: &x12.Qualifier{Element: 1, Values: []string{"439"}}},
			Code: x222IK3DependentMissing,
			Note: "2300 DTP*439 accident date is required when CLM11-1 is AA (auto accident) or OA (other accident)",
		},
		{
			Loop: "2300",
			If:   x12.Cond{Segment: "CLM", Element: 11, Component: 2, Values: []string{"AA", "OA"}},
			Then: x12.Cond{Segment: "DTP", Qual: &x12.Qualifier{Element: 1, Values: []string{"439"}}},
			Code: x222IK3DependentMissing,
			Note: "2300 DTP*439 accident date is required when CLM11-2 is AA (auto accident) or OA (other accident)",
		},
	}
}

// 999 codes of the implementation-guide rules (X231A1 IK304 / IK403).
const (
	x222IK3DependentMissing = "I6"  // implementation dependent segment missing
	x222IK4Pattern          = "I12" // implementation pattern match failure
	x222IK3ElementErrors    = "8"   // segment has data element errors (precedes IK4s)
)

// X222A1Check runs the 837P rules that need arithmetic or cross-loop lookups, which the
// Rule table cannot express, over a parsed 837P transaction set (with its loop tree). The
// errors carry the transaction's set and control number, the segment position within the
// transaction and, for element findings, the IK3 8 that a 999 puts before the IK4.
// Callers append them to the transaction's own errors.
func X222A1Check(t *x12.Transaction) []x12.Error {
	if t == nil || t.Root == nil || len(t.Root.Segments) == 0 {
		return nil
	}
	c := x222Checker{t: t, st: t.Root.Segments[0].Index}
	t.Root.Walk(func(l *x12.Loop) {
		if l.ID == "2300" {
			c.claim(l)
		}
	})
	return c.errs
}

type x222Checker struct {
	t    *x12.Transaction
	st   int // input ordinal of ST, to turn Segment.Index into a position in the set
	errs []x12.Error
}

func (c *x222Checker) pos(s *x12.Segment) int { return s.Index - c.st + 1 }

func (c *x222Checker) elemErr(s *x12.Segment, loop, ref string, elem, comp int, msg string) {
	base := x12.Error{Set: c.t.Set, Control: c.t.Control, Segment: s.ID(), Position: c.pos(s),
		Loop: loop, Offset: s.Offset}
	seg := base
	seg.Level, seg.Code = x12.LevelSegment, x222IK3ElementErrors
	seg.Message = s.ID() + " has data element errors"
	el := base
	el.Level, el.Code, el.Element, el.Elem, el.Comp = x12.LevelElement, x222IK4Pattern, ref, elem, comp
	el.DataElement = dataElement(ref)
	el.Message = msg
	c.errs = append(c.errs, seg, el)
}

// segErr reports segment id as missing or wrong at the position of s (the loop's trigger,
// as the engine does for its data rules). trig, when not nil, is the situational trigger.
func (c *x222Checker) segErr(s *x12.Segment, id, loop, code, msg string, trig *x12.Trigger) {
	c.errs = append(c.errs, x12.Error{Level: x12.LevelSegment, Set: c.t.Set, Control: c.t.Control,
		Segment: id, Position: c.pos(s), Loop: loop, Code: code, Message: msg, Offset: s.Offset, Trigger: trig})
}

func (c *x222Checker) claim(claim *x12.Loop) {
	clm := claim.Seg("CLM")
	if clm == nil {
		return // the structure check reports the missing CLM
	}
	lines := claim.Loops("2400")
	c.chargeBalance(claim, clm, lines)
	c.lineNumbers(lines)
	c.pointers(claim, lines)
	c.replacementRef(claim, clm)
}

// chargeBalance: 837P 2300 CLM02 "The Total Claim Charge Amount must balance to the sum of
// all service line charge amounts reported in the Professional Service (SV1) segments."
func (c *x222Checker) chargeBalance(claim *x12.Loop, clm *x12.Segment, lines []*x12.Loop) {
	total, err := x12.ParseAmount(clm.Str(2))
	if err != nil {
		return // the element check reports a malformed CLM02
	}
	var sum x12.Amount
	for _, l := range lines {
		sv1 := l.Seg("SV1")
		if sv1 == nil {
			continue
		}
		a, err := x12.ParseAmount(sv1.Str(2))
		if err != nil {
			return // a malformed SV102 makes the sum meaningless; reported by the element check
		}
		sum += a
	}
	if len(lines) > 0 && sum != total {
		c.elemErr(clm, claim.ID, "CLM02", 2, 0, fmt.Sprintf(
			"CLM02 total claim charge %s does not equal the sum of the SV102 line charges %s", total, sum))
	}
}

// lineNumbers: 837P 2400 LX01 "begins with 1 and is incremented by one for each
// additional service line of a claim."
func (c *x222Checker) lineNumbers(lines []*x12.Loop) {
	for i, l := range lines {
		lx := l.Seg("LX")
		if lx == nil {
			continue
		}
		if n, err := strconv.Atoi(lx.Str(1)); err != nil || n != i+1 {
			c.elemErr(lx, l.ID, "LX01", 1, 0, fmt.Sprintf("LX01 must be %d: service lines are numbered from 1 in order", i+1))
		}
	}
}

// pointers: 837P 2400 SV107 diagnosis code pointers name a position (1-12) in the 2300
// Health Care Diagnosis Code HI; a pointer must name a diagnosis that is present, and
// "remaining diagnosis code pointers must be sent in declining level of importance", so
// one pointer never repeats on a line.
func (c *x222Checker) pointers(claim *x12.Loop, lines []*x12.Loop) {
	dx := 0
	for _, hi := range claim.All("HI") {
		q := string(hi.Component(1, 1))
		if q != "ABK" && q != "BK" {
			continue
		}
		for i := 1; i <= hi.Len(); i++ {
			if len(hi.Component(i, 2)) > 0 {
				dx = i
			}
		}
		break
	}
	for _, l := range lines {
		sv1 := l.Seg("SV1")
		if sv1 == nil {
			continue
		}
		seen := map[int]bool{}
		for comp := 1; comp <= 4; comp++ {
			v := sv1.Component(7, comp)
			if len(v) == 0 {
				continue
			}
			n, err := strconv.Atoi(string(v))
			if err != nil {
				continue // the element check reports a non-numeric pointer
			}
			ref := fmt.Sprintf("SV107-%d", comp)
			switch {
			case dx > 0 && n > dx:
				c.elemErr(sv1, l.ID, ref, 7, comp, fmt.Sprintf(
					"%s points to diagnosis %d but the claim's HI has %d", ref, n, dx))
			case seen[n]:
				c.elemErr(sv1, l.ID, ref, 7, comp, fmt.Sprintf("%s repeats diagnosis pointer %d", ref, n))
			}
			seen[n] = true
		}
	}
}

// replacementRef: 837P 2300 REF*F8 is required when CLM05-3 is 7 or 8; this finds the
// claims whose only REF*F8 sits in a 2330B, which the data rule cannot tell apart.
func (c *x222Checker) replacementRef(claim *x12.Loop, clm *x12.Segment) {
	freq := string(clm.Component(5, 3))
	if freq != "7" && freq != "8" || claim.SegWhere("REF", 1, "F8") != nil {
		return
	}
	var nested bool
	claim.Walk(func(l *x12.Loop) {
		if l != claim && l.SegWhere("REF", 1, "F8") != nil {
			nested = true
		}
	})
	if nested {
		// The trigger is CLM05-3, as for the data rule this check completes.
		trig := &x12.Trigger{Segment: "CLM", Position: c.pos(clm), Loop: claim.ID, Elem: 5, Comp: 3,
			DataElement: dataElement("CLM05-3")}
		c.segErr(clm, "REF", claim.ID, x222IK3DependentMissing,
			"2300 REF*F8 payer claim control number is required when CLM05-3 is 7 (replacement) or 8 (void)", trig)
	}
}
