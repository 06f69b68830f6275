package x12

import (
	"bytes"
	"fmt"
	"math/bits"
)

// Segment and element checks against the guide: usage, lengths, formats, code lists and
// syntax notes, each finding located (segment position, loop, element) with its 999 code.

func (tx *txState) newErr(lvl Level, segID string, pos int, loop, code, msg string) Error {
	return Error{Level: lvl, Set: tx.t.Set, Control: tx.t.Control, Segment: segID, Position: pos,
		Loop: loop, Code: code, Message: msg}
}

// room reports whether n more findings may be kept under ParseOptions.MaxErrors. Once the
// cap is reached every later finding of the set is only counted, even if unmiss frees a
// slot, so a kept IK4 never lacks its IK3.
func (tx *txState) room(n int) bool {
	if tx.capped || (tx.maxErr > 0 && len(tx.t.Errors)+n > tx.maxErr) {
		tx.capped = true
		tx.dropped += n
		return false
	}
	return true
}

func (tx *txState) segError(seg *Segment, pos int, loop, code, format string, args ...any) {
	if !tx.room(1) {
		return
	}
	tx.addSegError(seg, pos, loop, code, format, args...)
}

func (tx *txState) addSegError(seg *Segment, pos int, loop, code, format string, args ...any) {
	e := tx.newErr(LevelSegment, seg.ID(), pos, loop, code, fmt.Sprintf(format, args...))
	e.Offset = seg.Offset
	tx.t.Errors = append(tx.t.Errors, e)
}

// elemError records an IK4 finding, preceded once per segment by the IK3 8 a 999 needs.
// ed is the element's (or component's) definition when known: it gives IK402.
func (tx *txState) elemError(seg *Segment, pos int, loop string, ed *Element, ref string, elem, comp, rep int, code, format string, args ...any) {
	need := 1
	if tx.segErr != pos {
		need = 2
	}
	if !tx.room(need) {
		return
	}
	if tx.segErr != pos {
		tx.segErr = pos
		tx.addSegError(seg, pos, loop, IK3ElementErrors, "%s has data element errors", seg.ID())
	}
	e := tx.newErr(LevelElement, seg.ID(), pos, loop, code, fmt.Sprintf(format, args...))
	e.Offset, e.Element, e.Elem, e.Comp, e.Rep = seg.Offset, ref, elem, comp, rep
	if ed != nil {
		e.DataElement = ed.DataElement
	}
	tx.t.Errors = append(tx.t.Errors, e)
}

func elemRef(def *Element, seg string, n, c int) string {
	if def != nil && def.Ref != "" {
		return def.Ref
	}
	if c > 0 {
		return fmt.Sprintf("%s%02d-%d", seg, n, c)
	}
	return fmt.Sprintf("%s%02d", seg, n)
}

func elemName(def *Element) string {
	if def.Name == "" {
		return def.Ref
	}
	return def.Ref + " (" + def.Name + ")"
}

func present(els [][]byte, i int) bool { return i > 0 && i < len(els) && len(els[i]) > 0 }

// checkSegment validates the elements of seg against cs (IK4 codes).
func (tx *txState) checkSegment(cs *cSeg, seg *Segment, pos int, loop string) {
	def := cs.def
	els := seg.Elements
	id := def.ID
	nd := len(def.Elements)
	rs, cd := seg.Delims.Repetition, seg.Delims.Component
	for i := 1; i < len(els); i++ {
		v := els[i]
		if i > nd {
			if len(v) > 0 {
				tx.elemError(seg, pos, loop, nil, elemRef(nil, id, i, 0), i, 0, 0, IK4TooMany,
					"%s has more data elements than the guide defines (%d)", id, nd)
				break
			}
			continue
		}
		ce := &cs.els[i-1]
		ed := ce.def
		if len(v) == 0 {
			if ed.Usage == Required {
				tx.elemError(seg, pos, loop, ed, elemRef(ed, id, i, 0), i, 0, 0, IK4RequiredMissing,
					"required element %s is missing", elemName(ed))
			}
			continue
		}
		if ed.Usage == NotUsed {
			tx.elemError(seg, pos, loop, ed, elemRef(ed, id, i, 0), i, 0, 0, IK4NotUsed,
				"element %s is marked Not Used", elemRef(ed, id, i, 0))
			continue
		}
		if ce.fastOK(v, cd, rs) {
			continue
		}
		if rs == 0 || indexByte(v, rs) < 0 {
			tx.checkOne(ce, seg, v, pos, loop, i, 0)
			continue
		}
		reps := bytes.Count(v, []byte{rs}) + 1
		if max := ed.Repeat; max <= 1 || reps > max {
			tx.elemError(seg, pos, loop, ed, elemRef(ed, id, i, 0), i, 0, 0, IK4TooManyReps,
				"%s repeats %d times; the guide allows %d", elemName(ed), reps, max1(ed.Repeat))
		}
		for k := 1; len(v) > 0 || k == 1; k++ {
			j := bytes.IndexByte(v, rs)
			r := v
			if j >= 0 {
				r, v = v[:j], v[j+1:]
			} else {
				v = nil
			}
			if len(r) > 0 {
				tx.checkOne(ce, seg, r, pos, loop, i, k)
			}
			if j < 0 {
				break
			}
		}
	}
	for i := len(els); i <= nd; i++ {
		if ed := &def.Elements[i-1]; ed.Usage == Required {
			tx.elemError(seg, pos, loop, ed, elemRef(ed, id, i, 0), i, 0, 0, IK4RequiredMissing,
				"required element %s is missing", elemName(ed))
		}
	}
	for si := range def.Syntax {
		if !syntaxOK(&def.Syntax[si], els) {
			tx.checkSyntax(&def.Syntax[si], def, seg, pos, loop)
		}
	}
	for m := cs.formatted; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m) + 1
		tx.checkFormatted(&def.Elements[i-1], seg, pos, loop, i)
	}
	for m := cs.listed; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m) + 1
		tx.checkList(&def.Elements[i-1], seg, pos, loop, i)
	}
}

// checkList checks element i against its code lists (Element.Lists), as the policy for
// each list says: an element error, a warning, or nothing. A value already reported (its
// length, its characters) is not reported again.
func (tx *txState) checkList(ed *Element, seg *Segment, pos int, loop string, i int) {
	v := seg.Element(i)
	if len(v) == 0 || ed.Usage == NotUsed || (seg.Delims.Repetition != 0 && indexByte(v, seg.Delims.Repetition) >= 0) {
		return
	}
	var l *CodeList
	var strict Strictness
	for _, c := range ed.Lists {
		if s := tx.lists[c.Name]; s != ListOff && c.Check != nil && !c.Check(seg, i) {
			l, strict = c, s
			break
		}
	}
	if l == nil {
		return
	}
	ref := elemRef(ed, string(seg.Elements[0]), i, 0)
	for k := len(tx.t.Errors) - 1; k >= 0 && tx.t.Errors[k].Position == pos; k-- {
		if tx.t.Errors[k].Element == ref {
			return
		}
	}
	code := l.Code
	if code == "" {
		code = IK4BadCode
	}
	if strict == ListWarn {
		if tx.maxErr > 0 && len(tx.t.Warnings) >= tx.maxErr {
			return
		}
		e := tx.newErr(LevelElement, seg.ID(), pos, loop, WarnCodeList,
			fmt.Sprintf("%s is not valid for %s (%s); accepted as a warning by policy", elemName(ed), l.Name, l.Source))
		e.Offset, e.Element, e.Elem, e.DataElement = seg.Offset, ref, i, ed.DataElement
		tx.t.Warnings = append(tx.t.Warnings, e)
		return
	}
	tx.elemError(seg, pos, loop, ed, ref, i, 0, 0, code, "%s is not valid for %s (%s)", elemName(ed), l.Name, l.Source)
}

// fastOK accepts a sound value of a simple, non-repeated element in one pass over its
// bytes. It only ever says yes for values checkOne would accept; anything else (a
// composite, a repetition, a value in error) takes the full path, which names the error.
func (ce *cElem) fastOK(v []byte, comp, rep byte) bool {
	if len(ce.comps) > 0 {
		return ce.compositeOK(v, comp, rep)
	}
	ed := ce.def
	n := len(v)
	switch ed.Type {
	case N0, R:
		if n > 0 && v[0] == '-' {
			v = v[1:]
		}
		point := ed.Type == N0 // N0 admits no decimal point
		n = 0
		for _, c := range v {
			switch {
			case c >= '0' && c <= '9':
				n++
			case c == '.' && !point:
				point = true
			default:
				return false
			}
			if c == comp || c == rep {
				return false
			}
		}
		if n == 0 {
			return false
		}
	case DT:
		// Digits only (validDate), so no delimiter can hide in it.
		return (ed.Min == 0 || n >= ed.Min) && (ed.Max == 0 || n <= ed.Max) && validDate(v, ed.Max == 6)
	case TM:
		return (ed.Min == 0 || n >= ed.Min) && (ed.Max == 0 || n <= ed.Max) && validTime(v)
	case B:
		return false // rare enough for the full path
	default:
		for _, c := range v {
			if c < 0x20 || c >= 0x7F || c == comp || c == rep {
				return false
			}
		}
	}
	if (ed.Min > 0 && n < ed.Min) || (ed.Max > 0 && n > ed.Max) {
		return false
	}
	return ed.Type != ID || ce.codes.has(v)
}

// compositeOK is fastOK for a composite: every component sound, none too many, every
// required one present.
func (ce *cElem) compositeOK(v []byte, comp, rep byte) bool {
	c := 0
	for {
		j := indexByte(v, comp)
		part := v
		if j >= 0 {
			part, v = v[:j], v[j+1:]
		}
		if c >= len(ce.comps) {
			return false
		}
		cc := &ce.comps[c]
		c++
		if len(part) == 0 {
			if cc.def.Usage == Required {
				return false
			}
		} else if cc.def.Usage == NotUsed || !cc.fastOK(part, comp, rep) {
			return false
		}
		if j < 0 {
			break
		}
	}
	for ; c < len(ce.comps); c++ {
		if ce.comps[c].def.Usage == Required {
			return false
		}
	}
	return true
}

// indexByte is bytes.IndexByte for the short values elements hold, where a plain loop
// beats the call into the vectorised search.
func indexByte(v []byte, c byte) int {
	if len(v) > 16 {
		return bytes.IndexByte(v, c)
	}
	for i, b := range v {
		if b == c {
			return i
		}
	}
	return -1
}

// checkFormatted checks element i against the format its qualifier element names
// (Element.FormatQual): DTP03 by DTP02, DMG02 by DMG01. The guides type these elements AN
// because the format varies, so the rule lives here, driven by the table: D8 is CCYYMMDD,
// RD8 a range CCYYMMDD-CCYYMMDD whose end is not before its start. Other formats are not
// checked; a qualifier the guide does not permit is reported by its own code check.
func (tx *txState) checkFormatted(ed *Element, seg *Segment, pos int, loop string, i int) {
	v, format := seg.Element(i), seg.Element(ed.FormatQual)
	if len(v) == 0 || ed.Usage == NotUsed {
		return // a missing or Not Used value is reported by the element checks
	}
	ok := true
	switch string(format) {
	case "D8":
		ok = validDate(v, false)
	case "RD8":
		j := bytes.IndexByte(v, '-')
		ok = j > 0 && validDate(v[:j], false) && validDate(v[j+1:], false) && string(v[:j]) <= string(v[j+1:])
	default:
		return
	}
	if ok {
		return
	}
	ref := elemRef(ed, string(seg.Elements[0]), i, 0)
	for k := len(tx.t.Errors) - 1; k >= 0 && tx.t.Errors[k].Position == pos; k-- {
		if tx.t.Errors[k].Element == ref {
			return // one finding per value: its length or characters are already reported
		}
	}
	tx.elemError(seg, pos, loop, ed, ref, i, 0, 0, IK4BadDate, "%s is not a valid date for format %s", elemName(ed), format)
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// checkOne validates one value (or repetition) of element i: simple or composite.
func (tx *txState) checkOne(ce *cElem, seg *Segment, v []byte, pos int, loop string, i, rep int) {
	ed := ce.def
	id := seg.Elements[0]
	cs := seg.Delims.Component
	if len(ce.comps) == 0 {
		if indexByte(v, cs) >= 0 {
			tx.elemError(seg, pos, loop, ed, elemRef(ed, string(id), i, 0), i, 0, rep, IK4TooManyComps,
				"%s is a simple element but holds components", elemName(ed))
			return
		}
		if code, why := checkValue(ed, &ce.codes, v); code != "" {
			tx.elemError(seg, pos, loop, ed, elemRef(ed, string(id), i, 0), i, 0, rep, code,
				"%s %s%s", elemName(ed), why, limits(ed, code))
		}
		return
	}
	c := 0
	for {
		c++
		j := indexByte(v, cs)
		part := v
		if j >= 0 {
			part, v = v[:j], v[j+1:]
		}
		if c > len(ce.comps) {
			if len(part) > 0 || j >= 0 {
				tx.elemError(seg, pos, loop, ed, elemRef(ed, string(id), i, 0), i, 0, rep, IK4TooManyComps,
					"%s has more than %d components", elemName(ed), len(ce.comps))
				return
			}
		} else {
			cc := &ce.comps[c-1]
			cd := cc.def
			switch {
			case len(part) == 0:
				if cd.Usage == Required {
					tx.elemError(seg, pos, loop, cd, elemRef(cd, string(id), i, c), i, c, rep, IK4RequiredMissing,
						"required component %s is missing", elemName(cd))
				}
			case cd.Usage == NotUsed:
				tx.elemError(seg, pos, loop, cd, elemRef(cd, string(id), i, c), i, c, rep, IK4NotUsed,
					"component %s is marked Not Used", elemRef(cd, string(id), i, c))
			default:
				if code, why := checkValue(cd, &cc.codes, part); code != "" {
					tx.elemError(seg, pos, loop, cd, elemRef(cd, string(id), i, c), i, c, rep, code,
						"%s %s%s", elemName(cd), why, limits(cd, code))
				}
			}
		}
		if j < 0 {
			break
		}
	}
	for c++; c <= len(ce.comps); c++ {
		if cd := ce.comps[c-1].def; cd.Usage == Required {
			tx.elemError(seg, pos, loop, cd, elemRef(cd, string(id), i, c), i, c, rep, IK4RequiredMissing,
				"required component %s is missing", elemName(cd))
		}
	}
}

func limits(ed *Element, code string) string {
	switch code {
	case IK4TooShort:
		return fmt.Sprintf(" (%d)", ed.Min)
	case IK4TooLong:
		return fmt.Sprintf(" (%d)", ed.Max)
	}
	return ""
}

// syntaxOK reports whether the syntax note holds; checkSyntax then names what is wrong.
func syntaxOK(s *Syntax, els [][]byte) bool {
	if len(s.Elements) == 0 {
		return true
	}
	n := 0
	for _, e := range s.Elements {
		if present(els, e) {
			n++
		}
	}
	switch s.Kind {
	case Paired:
		return n == 0 || n == len(s.Elements)
	case AtLeastOne:
		return n > 0
	case Exclusion:
		return n <= 1
	case Conditional:
		return !present(els, s.Elements[0]) || n == len(s.Elements)
	case ListConditional:
		return !present(els, s.Elements[0]) || n >= 2 || len(s.Elements) <= 1
	}
	return true
}

// checkSyntax applies one X12 syntax note (P, R, E, C, L) to the segment.
func (tx *txState) checkSyntax(s *Syntax, def *SegmentDef, seg *Segment, pos int, loop string) {
	els := seg.Elements
	if len(s.Elements) == 0 {
		return
	}
	n := 0
	for _, e := range s.Elements {
		if present(els, e) {
			n++
		}
	}
	first := s.Elements[0]
	report := func(e int, code, msg string) {
		var ed *Element
		if e >= 1 && e <= len(def.Elements) {
			ed = &def.Elements[e-1]
		}
		tx.elemError(seg, pos, loop, ed, elemRef(ed, def.ID, e, 0), e, 0, 0, code, "%s", msg)
	}
	switch s.Kind {
	case Paired:
		if n > 0 && n < len(s.Elements) {
			for _, e := range s.Elements {
				if !present(els, e) {
					report(e, IK4ConditionalMissing, fmt.Sprintf("%s%02d is required when the others of %s are present", def.ID, e, syntaxNote(s)))
				}
			}
		}
	case AtLeastOne:
		if n == 0 {
			report(first, IK4ConditionalMissing, "at least one of "+syntaxNote(s)+" is required")
		}
	case Exclusion:
		if n > 1 {
			seen := 0
			for _, e := range s.Elements {
				if present(els, e) {
					seen++
					if seen == 2 {
						report(e, IK4Exclusion, "only one of "+syntaxNote(s)+" may be present")
					}
				}
			}
		}
	case Conditional:
		if present(els, first) {
			for _, e := range s.Elements[1:] {
				if !present(els, e) {
					report(e, IK4ConditionalMissing, fmt.Sprintf("%s%02d is required when %s%02d is present (%s)", def.ID, e, def.ID, first, syntaxNote(s)))
				}
			}
		}
	case ListConditional:
		if present(els, first) && n < 2 && len(s.Elements) > 1 {
			report(s.Elements[1], IK4ConditionalMissing, fmt.Sprintf("one of the elements after %s%02d is required (%s)", def.ID, first, syntaxNote(s)))
		}
	}
}

func syntaxNote(s *Syntax) string {
	b := []byte{" PREC L"[s.Kind]}
	for _, e := range s.Elements {
		b = append(b, byte('0'+e/10), byte('0'+e%10))
	}
	return string(b)
}
