package x12

// Compiling a Guide for parsing: segment ids as small numbers, candidate nodes per loop.

// cGuide is a Guide compiled once for parsing: every segment ID the guide knows gets a
// small number (idTable), and each loop lists its candidate nodes per number, so placing a
// segment costs one hash probe on the ID bytes and a slice index per open loop.
type cGuide struct {
	g       *Guide
	root    *cLoop
	ids     idTable // every segment ID the guide knows (IK304 2 vs 1)
	inRules []bool  // by segment ID number: some Rule condition names the ID
	// segs holds the element tables compiled so far. They are compiled on first use:
	// a small file meets a few dozen of a guide's hundreds of segment definitions, and
	// compiling all of them up front cost more than validating the file.
	segs map[*SegmentDef]*cSeg
}

// cseg returns node n's compiled segment, compiling it on first use.
func (cg *cGuide) cseg(n *cNode) *cSeg {
	if n.cs != nil {
		return n.cs
	}
	cs, ok := cg.segs[n.seg]
	if !ok {
		cs = &cSeg{def: n.seg, els: compileElems(n.seg.Elements), formatted: formattedElems(n.seg.Elements), listed: listedElems(n.seg.Elements)}
		cg.segs[n.seg] = cs
	}
	n.cs = cs
	return cs
}

type cLoop struct {
	def    *LoopDef
	parent *cLoop
	nodes  []cNode
	// candidates of segment ID number k (indexes into nodes: own segments and child-loop
	// triggers) are cand[off[k]:off[k+1]]; two allocations per loop.
	cand  []int32
	off   []uint16
	rules []*Rule // Guide.Rules whose Loop is this loop's ID (at most 64 are tracked)
	hl    bool    // triggered by HL: placed by HL03, not by position
}

// cNode is one entry of a loop body: a segment, or a child loop and its trigger segment.
type cNode struct {
	seg  *SegmentDef
	cs   *cSeg // compiled on first use (cGuide.cseg)
	loop *cLoop
	qual *cQual // seg.Qual compiled on first use (cNode.match)
}

// cQual is a Qualifier whose values are a codeSet.
type cQual struct {
	elem, comp int
	codes      codeSet
}

// segDef returns a definition of segment id in cl's body (a loop trigger included), nil
// when there is none. Same-ID definitions differ in usage and codes, not in which data
// element sits at a position, so the first one serves to name an element.
func (cl *cLoop) segDef(id string) *SegmentDef {
	for i := range cl.nodes {
		if cl.nodes[i].seg.ID == id {
			return cl.nodes[i].seg
		}
	}
	return nil
}

// candidates returns the nodes of cl that segment ID number k may take, in guide order.
func (cl *cLoop) candidates(k int) []int32 { return cl.cand[cl.off[k]:cl.off[k+1]] }

// match is qualOK on the node's compiled qualifier (compiled on first use).
func (n *cNode) match(seg *Segment) bool {
	if n.seg.Qual == nil {
		return true
	}
	q := n.qual
	if q == nil {
		sq := n.seg.Qual
		q = &cQual{elem: sq.Element, comp: sq.Component}
		q.codes.init(sq.Values)
		n.qual = q
	}
	v := seg.Element(q.elem)
	if q.comp > 0 {
		v = ComponentOf(v, seg.Delims.Component, q.comp)
	}
	return len(q.codes.short)+len(q.codes.long) > 0 && q.codes.has(v)
}

// cSeg is a segment definition with its code lists turned into sets.
type cSeg struct {
	def       *SegmentDef
	els       []cElem
	formatted uint64 // bit i-1 set: element i's format is named by another (FormatQual)
	listed    uint64 // bit i-1 set: element i has code lists (Element.Lists)
}

// formattedElems marks the elements with a FormatQual, so that segments without one (all
// but a few) pay nothing for the check, and compiling one allocates nothing. Positions
// past 64 are not checked; no X12 segment that carries a format qualifier is that long.
func formattedElems(defs []Element) uint64 {
	var m uint64
	for i := range defs {
		if q := defs[i].FormatQual; q > 0 && q <= len(defs) && q != i+1 && i < 64 {
			m |= 1 << uint(i)
		}
	}
	return m
}

// listedElems marks the simple elements with code lists (positions up to 64).
func listedElems(defs []Element) uint64 {
	var m uint64
	for i := range defs {
		if len(defs[i].Lists) > 0 && len(defs[i].Components) == 0 && i < 64 {
			m |= 1 << uint(i)
		}
	}
	return m
}

// elementAt returns the definition of element elem (component comp, 0 for the element
// itself), or nil when the table has none.
func (d *SegmentDef) elementAt(elem, comp int) *Element {
	if d == nil || elem < 1 || elem > len(d.Elements) {
		return nil
	}
	e := &d.Elements[elem-1]
	if comp > 0 {
		if comp > len(e.Components) {
			return nil
		}
		e = &e.Components[comp-1]
	}
	return e
}

// cElem is an element (or component) definition with a precompiled code set.
type cElem struct {
	def   *Element
	codes codeSet
	comps []cElem
}

func compileElems(defs []Element) []cElem {
	if len(defs) == 0 {
		return nil
	}
	out := make([]cElem, len(defs))
	for i := range defs {
		out[i].def = &defs[i]
		out[i].codes.init(defs[i].Codes)
		out[i].comps = compileElems(defs[i].Components)
	}
	return out
}

func (n *cNode) max() int {
	if n.loop != nil {
		return n.loop.def.Repeat
	}
	return n.seg.MaxUse
}

func (n *cNode) usage() Usage {
	if n.loop != nil {
		return n.loop.def.Usage
	}
	return n.seg.Usage
}

// compile returns the compiled form of g (with the parser's overrides), cached per guide.
func (p *Parser) compile(g *Guide) *cGuide {
	if cg, ok := p.compiled[g]; ok {
		return cg
	}
	src := g
	if len(p.opts.Overrides) > 0 {
		if og, err := g.withOverrides(p.opts.Overrides, false); err == nil {
			src = og
		}
	}
	cg := compileGuide(src)
	p.compiled[g] = cg
	return cg
}

// compileGuide indexes a guide; nil when the guide has no usable root.
func compileGuide(g *Guide) *cGuide {
	if g == nil || g.Root == nil || len(g.Root.Body) == 0 {
		return nil
	}
	cg := &cGuide{g: g, segs: map[*SegmentDef]*cSeg{}}
	rules := map[string][]*Rule{}
	for i := range g.Rules {
		rules[g.Rules[i].Loop] = append(rules[g.Rules[i].Loop], &g.Rules[i])
	}
	var ids []string
	seen := map[string]int{}
	var loops []*cLoop
	var build func(def *LoopDef, parent *cLoop, self bool) *cLoop
	build = func(def *LoopDef, parent *cLoop, root bool) *cLoop {
		cl := &cLoop{def: def, parent: parent, rules: rules[def.ID]}
		loops = append(loops, cl)
		if len(cl.rules) > 64 {
			cl.rules = cl.rules[:64]
		}
		for _, n := range def.Body {
			var cn cNode
			switch {
			case n.Seg != nil:
				cn.seg = n.Seg
			case n.Loop != nil && len(n.Loop.Body) > 0 && n.Loop.Body[0].Seg != nil:
				cn.loop = build(n.Loop, cl, false)
				cn.seg = n.Loop.Body[0].Seg
			default:
				continue // a malformed table entry; the guide tests catch these
			}
			if _, ok := seen[cn.seg.ID]; !ok {
				seen[cn.seg.ID] = len(ids)
				ids = append(ids, cn.seg.ID)
			}
			cl.nodes = append(cl.nodes, cn)
		}
		if !root && len(cl.nodes) > 0 && cl.nodes[0].seg.ID == "HL" {
			cl.hl = true
		}
		return cl
	}
	cg.root = build(g.Root, nil, true)
	cg.ids = newIDTable(ids)
	cg.inRules = make([]bool, len(ids))
	for _, r := range g.Rules {
		for _, id := range []string{r.If.Segment, r.Then.Segment} {
			if n, ok := seen[id]; ok {
				cg.inRules[n] = true
			}
		}
	}
	for _, cl := range loops {
		cl.off = make([]uint16, len(ids)+1)
		for i := range cl.nodes {
			cl.off[seen[cl.nodes[i].seg.ID]+1]++
		}
		for k := 1; k < len(cl.off); k++ {
			cl.off[k] += cl.off[k-1]
		}
		cl.cand = make([]int32, len(cl.nodes))
		fill := append([]uint16(nil), cl.off[:len(ids)]...)
		for i := range cl.nodes {
			k := seen[cl.nodes[i].seg.ID]
			cl.cand[fill[k]] = int32(i)
			fill[k]++
		}
	}
	return cg
}

// idTable numbers segment IDs with an open-addressed table keyed by the ID's packed bytes,
// so the per-segment lookup neither hashes a string nor allocates.
type idTable struct {
	keys []uint32 // packed ID, 0 for an empty slot
	nums []int32
	mask uint32
}

// idKey packs a 2-3 byte segment ID (with its length, so "N1" and "N1\x00" differ); ok is
// false for anything that cannot be a segment ID.
func idKey(b []byte) (uint32, bool) {
	switch len(b) {
	case 2:
		return uint32(b[0]) | uint32(b[1])<<8 | 2<<24, true
	case 3:
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | 3<<24, true
	}
	return 0, false
}

func newIDTable(ids []string) idTable {
	size := 16
	for size < 4*len(ids) {
		size *= 2
	}
	t := idTable{keys: make([]uint32, size), nums: make([]int32, size), mask: uint32(size - 1)}
	for n, id := range ids {
		k, ok := idKey([]byte(id))
		if !ok {
			continue // not a real segment ID: no input segment can match it either
		}
		h := idHash(k) & t.mask
		for t.keys[h] != 0 {
			h = (h + 1) & t.mask
		}
		t.keys[h], t.nums[h] = k, int32(n)
	}
	return t
}

func idHash(k uint32) uint32 { return (k * 0x9E3779B1) >> 16 }

// lookup returns the number of segment ID b, or -1 when the guide does not know it.
func (t *idTable) lookup(b []byte) int {
	k, ok := idKey(b)
	if !ok || len(t.keys) == 0 {
		return -1
	}
	for h := idHash(k) & t.mask; ; h = (h + 1) & t.mask {
		switch t.keys[h] {
		case k:
			return int(t.nums[h])
		case 0:
			return -1
		}
	}
}
