package x12

import (
	"fmt"
	"strings"
)

// WithOverrides returns a copy of g with payer companion-guide changes applied, as data:
// the shared guide table is never modified. Every override must name something the guide
// has; the error says which one does not.
func (g *Guide) WithOverrides(ov []Override) (*Guide, error) {
	return g.withOverrides(ov, true)
}

func (g *Guide) withOverrides(ov []Override, strict bool) (*Guide, error) {
	ng := *g
	ng.Root = copyLoop(g.Root)
	ng.Rules = append([]Rule(nil), g.Rules...)
	for k, o := range ov {
		n := 0
		var err error
		walkLoops(ng.Root, func(l *LoopDef) {
			if err != nil || (o.Loop != "" && l.ID != o.Loop) {
				return
			}
			for _, node := range l.Body {
				sd := node.Seg
				if sd == nil && node.Loop != nil && len(node.Loop.Body) > 0 && o.Loop != "" && node.Loop.ID == o.Loop {
					continue // the loop's own trigger is matched when walking that loop
				}
				if sd == nil || !segMatches(sd, o.Segment) {
					continue
				}
				n++
				if e := applyOverride(sd, o); e != nil {
					err = e
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("guide %s override %d (%s %s %s): %w", g.Version, k+1, o.Loop, o.Segment, o.Element, err)
		}
		if n == 0 && strict {
			return nil, fmt.Errorf("guide %s override %d: no segment %q in loop %q", g.Version, k+1, o.Segment, o.Loop)
		}
	}
	return &ng, nil
}

// segMatches compares a segment definition with "REF" or "REF*G1" (ID and qualifier value).
func segMatches(sd *SegmentDef, name string) bool {
	id, qual, hasQual := strings.Cut(name, "*")
	if sd.ID != id {
		return false
	}
	if !hasQual {
		return true
	}
	if sd.Qual == nil {
		return false
	}
	for _, v := range sd.Qual.Values {
		if v == qual {
			return true
		}
	}
	return false
}

func applyOverride(sd *SegmentDef, o Override) error {
	if o.Element == "" {
		if o.Usage != nil {
			sd.Usage = *o.Usage
		}
		return nil
	}
	for i := range sd.Elements {
		e := &sd.Elements[i]
		if e.Ref == o.Element {
			return overrideElement(e, o)
		}
		for j := range e.Components {
			if e.Components[j].Ref == o.Element {
				return overrideElement(&e.Components[j], o)
			}
		}
	}
	return fmt.Errorf("segment %s has no element %s", sd.ID, o.Element)
}

func overrideElement(e *Element, o Override) error {
	if o.Usage != nil {
		e.Usage = *o.Usage
	}
	if len(o.OnlyCodes) > 0 {
		e.Codes = append([]string(nil), o.OnlyCodes...)
	}
	if len(o.RemoveCodes) > 0 {
		if len(e.Codes) == 0 {
			return fmt.Errorf("element %s has no code list to remove codes from", e.Ref)
		}
		var keep []string
		for _, c := range e.Codes {
			drop := false
			for _, r := range o.RemoveCodes {
				drop = drop || r == c
			}
			if !drop {
				keep = append(keep, c)
			}
		}
		e.Codes = keep
	}
	return nil
}

func walkLoops(l *LoopDef, fn func(*LoopDef)) {
	fn(l)
	for _, n := range l.Body {
		if n.Loop != nil {
			walkLoops(n.Loop, fn)
		}
	}
}

// copyLoop deep-copies the parts of a loop table an override may change.
func copyLoop(l *LoopDef) *LoopDef {
	if l == nil {
		return nil
	}
	nl := *l
	nl.Body = make([]Node, len(l.Body))
	for i, n := range l.Body {
		if n.Seg != nil {
			s := *n.Seg
			s.Elements = copyElements(n.Seg.Elements)
			nl.Body[i].Seg = &s
		}
		if n.Loop != nil {
			nl.Body[i].Loop = copyLoop(n.Loop)
		}
	}
	return &nl
}

func copyElements(els []Element) []Element {
	out := make([]Element, len(els))
	copy(out, els)
	for i := range out {
		out[i].Components = copyElements(els[i].Components)
	}
	return out
}
