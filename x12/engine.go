package x12

import (
	"bytes"
	"fmt"
	"math/bits"
)

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

// frame is one open loop instance.
type frame struct {
	cl     *cLoop
	pos    int   // index of the last node placed; -1 before the trigger
	counts []int // uses per node in this instance
	loop   *Loop // tree node, nil without a tree
	ifm    uint64
	thenm  uint64
	hlNum  int   // HL01 of an HL loop instance
	trig   int   // position of the trigger segment
	off    int64 // its byte offset
	// hits[k] is where rule k's If condition first held in this instance, valid while
	// bit k of ifm is set: the situational trigger a finding of the rule names. The
	// slice is kept with the frame slot and only written on a match, so loops without
	// rules (nearly all) and segments no rule looks at pay nothing for it.
	hits []ruleHit
}

// ruleHit is the segment that satisfied a Rule's If condition.
type ruleHit struct {
	pos int    // its position in the transaction set
	cl  *cLoop // the loop it was placed in (its own loop when it is a loop trigger)
}

// txState is the per-transaction parsing state, reused from one set to the next so that
// validating without a tree allocates nothing per segment.
type txState struct {
	t       *Transaction
	g       *cGuide
	tree    bool
	frames  []frame
	depth   int
	hls     int // HL segments seen
	hlLoop  []*cLoop
	arena   arena
	segErr  int // position of the last segment that got an IK3 8
	num     int // segment ID number of the segment being placed
	maxErr  int // ParseOptions.MaxErrors resolved: 0 means no cap
	lists   CodeListPolicy
	capped  bool
	dropped int // findings not kept because of maxErr
}

func (tx *txState) begin(t *Transaction, g *cGuide, tree bool) {
	tx.t, tx.g, tx.tree = t, g, tree
	tx.depth, tx.hls, tx.segErr = 0, 0, 0
	tx.capped, tx.dropped = false, 0
	tx.hlLoop = tx.hlLoop[:0]
	if tree {
		t.Root = &Loop{ID: "ST"}
	}
	if g == nil {
		return
	}
	if tree {
		t.Root.Def = g.root.def
	}
	f := tx.push(g.root, t.Root)
	f.pos = -1
}

// push opens a frame for cl, reusing the frame slot's counts.
func (tx *txState) push(cl *cLoop, l *Loop) *frame {
	if tx.depth == len(tx.frames) {
		tx.frames = append(tx.frames, frame{})
	}
	f := &tx.frames[tx.depth]
	tx.depth++
	c := f.counts[:0]
	for range cl.nodes {
		c = append(c, 0)
	}
	h := f.hits
	if len(h) < len(cl.rules) {
		h = make([]ruleHit, len(cl.rules))
	}
	*f = frame{cl: cl, counts: c, loop: l, hits: h}
	return f
}

func (tx *txState) feed(seg *Segment) {
	tx.t.Segments++
	pos := tx.t.Segments
	if tx.g == nil {
		if tx.tree {
			tx.arena.addSeg(tx.t.Root, seg)
		}
		return
	}
	if len(seg.Elements) == 0 {
		return
	}
	tx.place(seg, pos)
}

// lowest returns the first node index a segment may take going forward in f.
func (f *frame) lowest() int {
	if f.pos < 0 {
		return 0
	}
	if f.pos < 1 {
		return 1 // node 0 is the trigger: a second one starts a new instance
	}
	return f.pos
}

// place finds the segment's node: forward in the innermost open loop that has one (the
// X12 rule), then out of order, then by segment ID alone (a bad qualifier), else it is
// unexpected.
func (tx *txState) place(seg *Segment, pos int) {
	id := seg.Elements[0]
	num := tx.g.ids.lookup(id)
	tx.num = num
	if num < 0 {
		tx.unplaced(seg, pos, false)
		return
	}
	for d := tx.depth - 1; d >= 0; d-- {
		f := &tx.frames[d]
		idxs := f.cl.candidates(num)
		if len(idxs) == 0 {
			continue
		}
		lo := f.lowest()
		full := -1
		for _, ci := range idxs {
			i := int(ci)
			n := &f.cl.nodes[i]
			fwd := i >= lo || (n.loop != nil && n.loop.hl && i >= 1)
			if !fwd || !n.match(seg) {
				continue
			}
			if m := n.max(); m > 0 && f.counts[i] >= m && (n.loop != nil || i == f.pos) {
				if full < 0 {
					full = i
				}
				continue
			}
			tx.closeTo(d+1, pos, seg.Offset)
			tx.apply(d, i, seg, pos, false)
			return
		}
		if full >= 0 {
			tx.closeTo(d+1, pos, seg.Offset)
			tx.apply(d, full, seg, pos, false)
			return
		}
	}
	// Out of order: a node of an open loop that was already passed.
	for d := tx.depth - 1; d >= 0; d-- {
		f := &tx.frames[d]
		for _, ci := range f.cl.candidates(num) {
			i := int(ci)
			if i >= 1 && i < f.lowest() && f.cl.nodes[i].match(seg) {
				tx.closeTo(d+1, pos, seg.Offset)
				if f.counts[i] == 0 {
					tx.unmiss(f.cl.nodes[i].seg.ID, f.cl.def.ID)
				}
				tx.segError(seg, pos, f.cl.def.ID, IK3OutOfOrder, "%s is not in the order the guide defines", seg.ID())
				tx.apply(d, i, seg, pos, true)
				return
			}
		}
	}
	// The ID fits a later node but the qualifier value does not: an invalid code.
	for d := tx.depth - 1; d >= 0; d-- {
		f := &tx.frames[d]
		for _, ci := range f.cl.candidates(num) {
			i := int(ci)
			n := &f.cl.nodes[i]
			if i >= f.lowest() && n.seg.Qual != nil {
				tx.closeTo(d+1, pos, seg.Offset)
				tx.apply(d, i, seg, pos, false)
				q := n.seg.Qual
				loopID := f.cl.def.ID
				if n.loop != nil {
					loopID = n.loop.def.ID
				}
				ref := fmt.Sprintf("%s%02d", n.seg.ID, q.Element)
				if q.Component > 0 {
					ref = fmt.Sprintf("%s-%d", ref, q.Component)
				}
				for k := len(tx.t.Errors) - 1; k >= 0 && tx.t.Errors[k].Position == pos; k-- {
					if tx.t.Errors[k].Element == ref {
						return // the element check already reported this value
					}
				}
				tx.elemError(seg, pos, loopID, n.seg.elementAt(q.Element, q.Component), ref, q.Element, q.Component, 0, IK4BadCode,
					"%s qualifier value is not one the guide permits here", ref)
				return
			}
		}
	}
	tx.unplaced(seg, pos, true)
}

// unplaced reports a segment no open loop can take; known says the guide has its ID.
func (tx *txState) unplaced(seg *Segment, pos int, known bool) {
	id := seg.Elements[0]
	top := &tx.frames[tx.depth-1]
	code, what := IK3Unrecognized, "is not a segment ID this guide knows"
	if known {
		code, what = IK3Unexpected, "is not expected at this point of the transaction set"
	} else if _, ok := knownIDs[string(id)]; ok {
		code, what = IK3Unexpected, "is not used in this transaction set"
	}
	tx.segError(seg, pos, top.cl.def.ID, code, "segment %s %s", seg.ID(), what)
	if tx.tree {
		tx.arena.addSeg(top.loop, seg)
	}
}

func qualOK(q *Qualifier, seg *Segment) bool {
	if q == nil {
		return true
	}
	v := seg.Element(q.Element)
	if q.Component > 0 {
		v = ComponentOf(v, seg.Delims.Component, q.Component)
	}
	return hasCode(q.Values, v)
}

// apply places seg at node i of frame d (opening a loop instance for a trigger).
func (tx *txState) apply(d, i int, seg *Segment, pos int, outOfOrder bool) {
	f := &tx.frames[d]
	n := &f.cl.nodes[i]
	f.counts[i]++
	if !outOfOrder || n.loop != nil {
		// Required nodes passed over are missing: report them at this segment, the
		// position a 999 gives a missing segment (the next one found).
		for k := max(f.pos+1, 1); k < i; k++ {
			tx.missing(f, k, pos, seg.Offset)
		}
		f.pos = i
	}
	if n.loop == nil {
		loopID := f.cl.def.ID
		if m := n.seg.MaxUse; m > 0 && f.counts[i] > m {
			tx.segError(seg, pos, loopID, IK3OverMaxUse, "%s occurs more than %d times in loop %s", n.seg.ID, m, loopID)
		}
		if n.seg.Usage == NotUsed {
			tx.segError(seg, pos, loopID, IK3NotUsed, "%s is marked Not Used in loop %s", n.seg.ID, loopID)
		}
		if tx.tree {
			tx.arena.addSeg(f.loop, seg)
		}
		tx.checkSegment(tx.g.cseg(n), seg, pos, loopID)
		tx.ruleSeg(seg, pos)
		return
	}
	cl := n.loop
	count := f.counts[i]
	var l *Loop
	if tx.tree {
		// Loop structs and child lists stay separate heap objects: carving them from
		// chunks measured slower (the collector then scans whole chunks of pointers).
		l = &Loop{ID: cl.def.ID, Def: cl.def}
		f.loop.Children = append(f.loop.Children, l)
		tx.arena.addSeg(l, seg)
	}
	nf := tx.push(cl, l)
	nf.pos, nf.counts[0], nf.trig, nf.off = 0, 1, pos, seg.Offset
	if m := cl.def.Repeat; m > 0 && count > m {
		tx.segError(seg, pos, cl.def.ID, IK3LoopOverMax, "loop %s occurs more than %d times", cl.def.ID, m)
	}
	if cl.def.Usage == NotUsed || n.seg.Usage == NotUsed {
		tx.segError(seg, pos, cl.def.ID, IK3NotUsed, "loop %s is marked Not Used", cl.def.ID)
	}
	tx.checkSegment(tx.g.cseg(n), seg, pos, cl.def.ID)
	if cl.hl {
		tx.checkHL(n.seg, seg, pos, nf)
	}
	tx.ruleSeg(seg, pos)
}

// closeTo closes open loop instances until depth frames remain.
func (tx *txState) closeTo(depth, pos int, off int64) {
	for tx.depth > depth {
		tx.closeFrame(&tx.frames[tx.depth-1], pos, off)
		tx.depth--
	}
}

// closeFrame reports required segments and loops the instance lacks, and evaluates the
// guide's situational rules for it.
func (tx *txState) closeFrame(f *frame, pos int, off int64) {
	for i := max(f.pos+1, 1); i < len(f.cl.nodes); i++ {
		tx.missing(f, i, pos, off)
	}
	for k, r := range f.cl.rules {
		bit := uint64(1) << uint(k)
		if condHolds(&r.If, f.ifm&bit != 0) && !condHolds(&r.Then, f.thenm&bit != 0) {
			lvl := LevelSegment
			ref := ""
			if r.Then.Element > 0 {
				lvl = LevelElement
				ref = fmt.Sprintf("%s%02d", r.Then.Segment, r.Then.Element)
				if r.Then.Component > 0 {
					ref = fmt.Sprintf("%s-%d", ref, r.Then.Component)
				}
			}
			if !tx.room(1) {
				continue
			}
			e := tx.newErr(lvl, r.Then.Segment, f.trig, f.cl.def.ID, r.Code, "situational rule: "+r.Note)
			e.Element, e.Elem, e.Comp, e.Offset = ref, r.Then.Element, r.Then.Component, f.off
			if ed := f.cl.segDef(r.Then.Segment).elementAt(r.Then.Element, r.Then.Component); ed != nil && r.Then.Element > 0 {
				e.DataElement = ed.DataElement
			}
			e.Trigger = f.trigger(k, r)
			tx.t.Errors = append(tx.t.Errors, e)
		}
	}
}

// trigger names the segment that made rule k of f apply, for the 999's situational-trigger
// CTX; nil when the rule's condition is not a segment that is present (no If segment, or
// one that must be absent).
func (f *frame) trigger(k int, r *Rule) *Trigger {
	if r.If.Segment == "" || r.If.Absent || f.ifm&(1<<uint(k)) == 0 {
		return nil
	}
	h := f.hits[k]
	t := &Trigger{Segment: r.If.Segment, Position: h.pos}
	if r.If.Element > 0 {
		t.Elem, t.Comp = r.If.Element, r.If.Component
	}
	if h.cl != nil {
		t.Loop = h.cl.def.ID
		if ed := h.cl.segDef(r.If.Segment).elementAt(r.If.Element, r.If.Component); ed != nil && t.Elem > 0 {
			t.DataElement = ed.DataElement
		}
	}
	return t
}

// missing reports node i of f when it is required and absent.
func (tx *txState) missing(f *frame, i, pos int, off int64) {
	n := &f.cl.nodes[i]
	if f.counts[i] > 0 || n.usage() != Required {
		return
	}
	if f.cl.parent == nil && n.seg.ID == "SE" {
		return // the envelope checks report a missing SE
	}
	if !tx.room(1) {
		return
	}
	loopID := f.cl.def.ID
	what := "segment " + n.seg.ID
	if n.loop != nil {
		loopID = n.loop.def.ID
		what = "loop " + loopID + " (" + n.seg.ID + ")"
	}
	e := tx.newErr(LevelSegment, n.seg.ID, pos, loopID, IK3RequiredMissing,
		fmt.Sprintf("required %s is missing in loop %s", what, f.cl.def.ID))
	e.Offset = off
	tx.t.Errors = append(tx.t.Errors, e)
}

// unmiss withdraws the "required segment missing" reported for a segment that then
// arrived out of order: one defect, one finding.
func (tx *txState) unmiss(id, loop string) {
	es := tx.t.Errors
	for k := len(es) - 1; k >= 0; k-- {
		if es[k].Level == LevelSegment && es[k].Code == IK3RequiredMissing && es[k].Segment == id && es[k].Loop == loop {
			tx.t.Errors = append(es[:k], es[k+1:]...)
			return
		}
	}
}

func condHolds(c *Cond, matched bool) bool {
	if c.Segment == "" {
		return true
	}
	return matched != c.Absent
}

func condMatch(c *Cond, seg *Segment) bool {
	if c.Segment == "" || string(seg.Elements[0]) != c.Segment || !qualOK(c.Qual, seg) {
		return false
	}
	if c.Element == 0 {
		return true
	}
	v := seg.Element(c.Element)
	if c.Component > 0 {
		v = ComponentOf(v, seg.Delims.Component, c.Component)
	}
	if len(c.Values) == 0 {
		return len(v) > 0
	}
	return hasCode(c.Values, v)
}

// ruleSeg records which rule conditions the segment at pos satisfies in every open
// instance, and where an If condition first held (the rule's situational trigger).
func (tx *txState) ruleSeg(seg *Segment, pos int) {
	if !tx.g.inRules[tx.num] {
		return // no rule of this guide looks at this segment ID
	}
	for d := 0; d < tx.depth; d++ {
		f := &tx.frames[d]
		for k, r := range f.cl.rules {
			if bit := uint64(1) << uint(k); f.ifm&bit == 0 && condMatch(&r.If, seg) {
				f.ifm |= bit
				// The segment was just placed in the innermost open loop (its own,
				// when it triggers one).
				f.hits[k] = ruleHit{pos: pos, cl: tx.frames[tx.depth-1].cl}
			}
			if condMatch(&r.Then, seg) {
				f.thenm |= 1 << uint(k)
			}
		}
	}
}

// checkHL enforces the hierarchy as code beside the engine: HL01 counts 1, 2, 3... and
// HL02 names the HL01 of the enclosing HL loop (none for the top level).
func (tx *txState) checkHL(def *SegmentDef, seg *Segment, pos int, nf *frame) {
	tx.hls++
	n, ok := atoi(seg.Element(1))
	if !ok || n != tx.hls {
		tx.elemError(seg, pos, nf.cl.def.ID, def.elementAt(1, 0), "HL01", 1, 0, 0, IK4Pattern,
			"HL01 must be %d: hierarchical IDs are sequential and unique from 1", tx.hls)
		n = tx.hls
	}
	nf.hlNum = n
	tx.hlLoop = append(tx.hlLoop, nf.cl)
	var parent *frame
	for d := tx.depth - 2; d >= 0; d-- {
		if tx.frames[d].cl.hl {
			parent = &tx.frames[d]
			break
		}
	}
	hl02 := seg.Element(2)
	switch {
	case parent != nil:
		if pn, ok := atoi(hl02); !ok || pn != parent.hlNum {
			tx.elemError(seg, pos, nf.cl.def.ID, def.elementAt(2, 0), "HL02", 2, 0, 0, IK4Pattern,
				"HL02 must name the enclosing %s HL (HL01 %d)", parent.cl.def.ID, parent.hlNum)
		}
	case len(hl02) > 0:
		// Flat guide layouts cannot say which level is the parent: it must at least be
		// an earlier HL.
		if pn, ok := atoi(hl02); !ok || pn < 1 || pn >= tx.hls {
			tx.elemError(seg, pos, nf.cl.def.ID, def.elementAt(2, 0), "HL02", 2, 0, 0, IK4Pattern,
				"HL02 must name an earlier HL01")
		}
	}
}

func (tx *txState) end(se *Segment) {
	if tx.g == nil || tx.depth == 0 {
		return
	}
	off := int64(0)
	if se != nil {
		off = se.Offset
	}
	tx.closeTo(0, tx.t.Segments, off)
}

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

// arena holds a tree's segments in large chunks: element bytes, element slices and the
// Segment values. Building a tree then costs one allocation per loop instance instead of
// several per segment. Chunks are never reused, so earlier trees stay valid.
// Every slice handed out has its capacity cut to its length where a caller's append could
// otherwise write into a neighbour's data.
type arena struct {
	buf  []byte
	els  [][]byte
	segs []Segment
}

func (a *arena) clone(s *Segment) Segment {
	n := 0
	for _, e := range s.Elements {
		n += len(e)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(chunk(cap(a.buf), 4<<10, 64<<10), n))
	}
	if cap(a.els)-len(a.els) < len(s.Elements) {
		a.els = make([][]byte, 0, max(chunk(cap(a.els), 256, 4096), len(s.Elements)))
	}
	start := len(a.els)
	for _, e := range s.Elements {
		b := len(a.buf)
		a.buf = append(a.buf, e...)
		a.els = append(a.els, a.buf[b:len(a.buf):len(a.buf)])
	}
	els := a.els[start:len(a.els):len(a.els)]
	return Segment{Elements: els, Delims: s.Delims, Offset: s.Offset, Index: s.Index}
}

// chunk sizes the next chunk: twice the last one within [lo, hi], so parsing a small file
// stays cheap and a large one soon takes big chunks.
func chunk(last, lo, hi int) int {
	return min(max(2*last, lo), hi)
}

// addSeg appends a copy of s to l.Segments. A loop's own segments nearly always arrive
// together, so they are laid out one after another in the segment chunk and the slice
// grows in place; when another loop's segment came in between, the loop's segments move
// to the end of the chunk (at most doubling the space, as append would).
func (a *arena) addSeg(l *Loop, s *Segment) {
	n := len(l.Segments)
	atTail := n > 0 && len(a.segs) > 0 && &l.Segments[n-1] == &a.segs[len(a.segs)-1]
	if !atTail || len(a.segs) == cap(a.segs) {
		if cap(a.segs)-len(a.segs) < n+1 {
			a.segs = make([]Segment, 0, max(chunk(cap(a.segs), 64, 1024), 2*(n+1)))
		}
		a.segs = append(a.segs, l.Segments...)
	}
	a.segs = append(a.segs, a.clone(s))
	end := len(a.segs)
	l.Segments = a.segs[end-n-1 : end : end]
}
