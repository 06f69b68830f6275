package x12

import (
	"fmt"
)

// The loop builder: placing each segment of a transaction set in its loop, closing loops,
// and the guide's loop-level rules (repeats, required segments, situational rules, HL).

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
	visit   func(*Transaction, *Segment)
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
	if tx.visit != nil {
		tx.visit(tx.t, seg)
	}
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
