package ack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Version is the 999 guide the acknowledgements are written to (GS08 and ST03).
const Version = "005010X231A1"

// Options configures the acknowledgements written for a received file.
type Options struct {
	// Sequence hands out the ISA13/GS06/ST02 of the acknowledgements; required. Keys use
	// our side as sender: the received ISA08/GS03.
	Sequence x12.ControlNumbers
	// Now dates the envelopes; the zero time means time.Now().
	Now time.Time
	// Delimiters of the acknowledgements; zero means x12.DefaultDelimiters.
	Delimiters x12.Delimiters
	// Newline puts a line break after each segment.
	Newline bool
	// Transactions, when the file was parsed with trees, let the 999 name the claim (or
	// inquiry) each error is in (CTX business unit: CLM01, TRN02) and copy the bad value
	// into IK404. Without them the 999 carries the positions and codes only.
	Transactions []*x12.Transaction
}

// Build999 writes, for every interchange of a received file that has functional groups,
// one interchange back to its sender holding one 999 per group (one GS FA each).
// Groups of acknowledgements (GS01 FA) are not acknowledged.
func Build999(ctx context.Context, w io.Writer, res *x12.FileResult, opts Options) error {
	return build(ctx, w, res, opts, false, true)
}

// BuildTA1 writes one interchange per received interchange holding its TA1.
func BuildTA1(ctx context.Context, w io.Writer, res *x12.FileResult, opts Options) error {
	return build(ctx, w, res, opts, true, false)
}

// Build writes one interchange per received interchange holding its TA1 (with ta1) and
// the 999s of its groups; the TA1 comes first, before any GS, where the standard puts it.
func Build(ctx context.Context, w io.Writer, res *x12.FileResult, opts Options, ta1 bool) error {
	return build(ctx, w, res, opts, ta1, true)
}

func build(ctx context.Context, out io.Writer, res *x12.FileResult, opts Options, ta1, fa bool) error {
	if res == nil {
		return errors.New("ack: no parse result")
	}
	if opts.Sequence == nil {
		return errors.New("ack: Options.Sequence is required")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Delimiters == (x12.Delimiters{}) {
		opts.Delimiters = x12.DefaultDelimiters
	}
	if len(res.Interchanges) == 0 {
		return errors.New("ack: the file holds no interchange to acknowledge")
	}
	b := &builder{opts: opts, txs: indexTransactions(opts.Transactions)}
	b.w = x12.NewWriter(out, opts.Delimiters)
	b.w.SetNewline(opts.Newline)
	for i := range res.Interchanges {
		ic := &res.Interchanges[i]
		groups := ackableGroups(ic)
		if !ta1 && (!fa || len(groups) == 0) {
			continue
		}
		if err := b.interchange(ctx, ic, groups, ta1, fa); err != nil {
			return fmt.Errorf("ack for interchange %s: %w", ic.Control, err)
		}
	}
	return b.w.Flush()
}

// ackableGroups are the groups that get a 999: not acknowledgements themselves.
func ackableGroups(ic *x12.InterchangeResult) []*x12.GroupResult {
	var out []*x12.GroupResult
	for i := range ic.Groups {
		if ic.Groups[i].FunctionalID != "FA" {
			out = append(out, &ic.Groups[i])
		}
	}
	return out
}

type txKey struct{ isa, gs, st string }

func indexTransactions(txs []*x12.Transaction) map[txKey]*x12.Transaction {
	m := make(map[txKey]*x12.Transaction, len(txs))
	for _, t := range txs {
		k := txKey{t.Envelope.ISAControl, t.Envelope.GSControl, t.Control}
		if _, dup := m[k]; !dup {
			m[k] = t
		}
	}
	return m
}

type builder struct {
	opts Options
	w    *x12.Writer
	txs  map[txKey]*x12.Transaction
}

func (b *builder) next(ctx context.Context, sender, receiver, kind string) (int64, error) {
	n, err := b.opts.Sequence.Next(ctx, x12.SequenceKey{Sender: sender, Receiver: receiver, Kind: kind})
	if err != nil {
		return 0, fmt.Errorf("%s control number: %w", kind, err)
	}
	return n, nil
}

func (b *builder) interchange(ctx context.Context, ic *x12.InterchangeResult, groups []*x12.GroupResult, ta1, fa bool) error {
	// Our side is the receiver of the file we answer.
	me, them := ic.Receiver, ic.Sender
	n, err := b.next(ctx, me, them, x12.SeqInterchange)
	if err != nil {
		return err
	}
	usage := "P"
	if ic.Usage == "T" {
		usage = "T"
	}
	err = b.w.BeginInterchange(x12.InterchangeHeader{SenderQual: ic.ReceiverQual, SenderID: me,
		ReceiverQual: ic.SenderQual, Receiver: them, Date: b.opts.Now, Control: n, Usage: usage})
	if err != nil {
		return err
	}
	if ta1 {
		if err := b.ta1(ic); err != nil {
			return err
		}
	}
	if fa {
		for _, g := range groups {
			if err := b.group(ctx, ic, g); err != nil {
				return fmt.Errorf("group %s: %w", g.Control, err)
			}
		}
	}
	return b.w.EndInterchange()
}

// ta1 writes TA1*ISA13*ISA09*ISA10*status*note. The envelope checks only find rejecting
// problems, so the status is A (note 000) or R.
func (b *builder) ta1(ic *x12.InterchangeResult) error {
	status, note := "A", ic.TA1Note
	if note == "" {
		note = x12.TA1OK
	}
	if len(ic.Errors) > 0 || note != x12.TA1OK {
		status = "R"
		if note == x12.TA1OK {
			note = ic.Errors[0].Code
		}
	}
	// TA102/TA103 echo ISA09/ISA10; an unusable value (itself the error) is replaced by
	// today so the TA1 stays well formed.
	date, tm := ic.Date, ic.Time
	if !digits(date, 6) {
		date = b.opts.Now.Format("060102")
	}
	if !digits(tm, 4) {
		tm = b.opts.Now.Format("1504")
	}
	ctl := ic.Control
	if !digits(ctl, 9) {
		ctl = "000000000"
	}
	return b.w.Simple("TA1", ctl, date, tm, status, note)
}

func (b *builder) group(ctx context.Context, ic *x12.InterchangeResult, g *x12.GroupResult) error {
	me, them := g.Receiver, g.Sender
	if !appCode(me) || !appCode(them) {
		me, them = ic.Receiver, ic.Sender
	}
	gsn, err := b.next(ctx, me, them, x12.SeqGroup)
	if err != nil {
		return err
	}
	stn, err := b.next(ctx, me, them, x12.SeqTransaction)
	if err != nil {
		return err
	}
	w := b.w
	if err := w.BeginGroup("FA", me, them, Version, b.opts.Now, gsn); err != nil {
		return err
	}
	if err := w.BeginTransaction("999", x12.FormatSTControl(stn), Version); err != nil {
		return err
	}
	if err := w.Simple("AK1", g.FunctionalID, g.Control, g.Version); err != nil {
		return fmt.Errorf("AK1: %w", err)
	}
	accepted := 0
	for i := range g.Sets {
		s := &g.Sets[i]
		if err := b.set(ic, g, s); err != nil {
			return fmt.Errorf("AK2 for set %s: %w", s.Control, err)
		}
		if s.Accepted {
			accepted++
		}
	}
	// AK9: A all accepted, R none (or the group itself is in error), P some.
	status := "A"
	switch {
	case len(g.Errors) > 0 || accepted == 0:
		status = "R"
	case accepted < len(g.Sets):
		status = "P"
	}
	n := strconv.Itoa(len(g.Sets))
	ak9 := []string{status, n, n, strconv.Itoa(accepted)}
	ak9 = append(ak9, uniqueCodes(g.Errors, x12.LevelGroup, 5)...)
	if err := w.Simple("AK9", ak9...); err != nil {
		return fmt.Errorf("AK9: %w", err)
	}
	if err := w.EndTransaction(); err != nil {
		return err
	}
	return w.EndGroup()
}

// set writes one 2000 loop: AK2, its 2100/2110 errors, IK5.
func (b *builder) set(ic *x12.InterchangeResult, g *x12.GroupResult, s *x12.SetResult) error {
	w := b.w
	if err := w.Simple("AK2", s.Set, s.Control, s.Guide); err != nil {
		return err
	}
	var ctx *setContext
	if t := b.txs[txKey{ic.Control, g.Control, s.Control}]; t != nil {
		ctx = newSetContext(t)
	}
	for _, se := range segmentErrors(s.Errors) {
		if err := w.Simple("IK3", se.seg, strconv.Itoa(se.pos), loopCode(se.loop), se.code); err != nil {
			return fmt.Errorf("IK3: %w", err)
		}
		// 2100 holds the Segment Context CTX before the Business Unit Identifier CTX (the
		// guide's order; both are position 0500).
		if err := situational(w, se.trig); err != nil {
			return fmt.Errorf("IK3 CTX: %w", err)
		}
		// CTX01-2 is AN 1-35: a longer (itself invalid) identifier is left out.
		if name, ref := ctx.businessUnit(se.pos); name != "" && ref != "" && len(ref) <= 35 && safe(w, ref) {
			if err := w.Segment("CTX", x12.C(name, ref)); err != nil {
				return fmt.Errorf("CTX: %w", err)
			}
		}
		for _, e := range se.elems {
			pos := x12.C(strconv.Itoa(e.Elem), itoaOpt(e.Comp), itoaOpt(e.Rep))
			bad := ""
			if e.Code != x12.IK4RequiredMissing {
				bad = ctx.value(se.pos, e.Elem, e.Comp, e.Rep)
				if len(bad) > 99 || !safe(w, bad) {
					bad = ""
				}
			}
			if err := w.Segment("IK4", pos, x12.E(dataElementRef(e.DataElement)), x12.E(e.Code), x12.E(bad)); err != nil {
				return fmt.Errorf("IK4: %w", err)
			}
			if err := situational(w, e.Trigger); err != nil {
				return fmt.Errorf("IK4 CTX: %w", err)
			}
		}
	}
	status := "A"
	if !s.Accepted {
		status = "R"
	}
	ik5 := []string{status}
	ik5 = append(ik5, uniqueCodes(s.Errors, x12.LevelTransaction, 5)...)
	if status == "R" && len(ik5) == 1 {
		ik5 = append(ik5, x12.IK5SegmentsInError)
	}
	return w.Simple("IK5", ik5...)
}

// loopCode is a loop ID as IK303 and CTX04 carry it (data element 447, AN 1-4): none for
// the header and trailer tables, 2010AA as its loop number 2010.
func loopCode(loop string) string {
	if loop == "HEADER" || loop == "ST" || loop == "DETAIL" || loop == "SUMMARY" {
		return ""
	}
	if len(loop) > 4 {
		return loop[:4]
	}
	return loop
}

// situationalTrigger is CTX01-1 of the 999's Segment Context and Element Context CTX.
const situationalTrigger = "SITUATIONAL TRIGGER"

// situational writes the CTX naming the segment (and element) that made the segment or
// element in error required (005010X231A1 2100 Segment Context after the IK3, 2110
// Element Context after the IK4): CTX*SITUATIONAL TRIGGER*CLM*19*2300*5:3*1325. Nothing
// is written without a trigger, or for one the CTX could not carry (a trigger comes from
// the guide tables, so that would be a table error, not a reason to lose the 999).
func situational(w *x12.Writer, t *x12.Trigger) error {
	if t == nil || len(t.Segment) < 2 || len(t.Segment) > 3 || !safe(w, t.Segment) || t.Position < 1 {
		return nil
	}
	loop := loopCode(t.Loop)
	if !safe(w, loop) {
		loop = ""
	}
	// CTX05 (C030) and CTX06-1 only when the trigger is an element's value.
	at, ref := x12.C(), x12.C()
	if t.Elem > 0 {
		at = x12.C(strconv.Itoa(t.Elem), itoaOpt(t.Comp), itoaOpt(t.Rep))
		ref = x12.C(dataElementRef(t.DataElement))
	}
	return w.Segment("CTX", x12.C(situationalTrigger), x12.E(t.Segment), x12.E(strconv.Itoa(t.Position)),
		x12.E(loop), at, ref)
}

// segErr is one IK3 to write, with the IK4s under it.
type segErr struct {
	seg   string
	pos   int
	loop  string
	code  string
	trig  *x12.Trigger // the situational trigger of a segment-level finding
	elems []x12.Error
}

// segmentErrors turns a set's findings into IK3s in segment order: one per segment-level
// error, and element errors under an IK3 with code 8 at their segment.
func segmentErrors(errs []x12.Error) []*segErr {
	var out []*segErr
	byPos := map[int]*segErr{} // the code-8 IK3 at a position
	for _, e := range errs {
		switch e.Level {
		case x12.LevelSegment:
			se := &segErr{seg: e.Segment, pos: e.Position, loop: e.Loop, code: e.Code, trig: e.Trigger}
			out = append(out, se)
			if e.Code == x12.IK3ElementErrors && byPos[e.Position] == nil {
				byPos[e.Position] = se
			}
		case x12.LevelElement:
			se := byPos[e.Position]
			if se == nil {
				se = &segErr{seg: e.Segment, pos: e.Position, loop: e.Loop, code: x12.IK3ElementErrors}
				byPos[e.Position] = se
				out = append(out, se)
			}
			if e.Elem == 0 {
				e.Elem, e.Comp = refPosition(e.Element)
			}
			se.elems = append(se.elems, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// refPosition reads the element and component positions from a reference: SV102 -> 2, 0;
// CLM05-3 -> 5, 3.
func refPosition(ref string) (elem, comp int) {
	main, sub, _ := strings.Cut(ref, "-")
	i := len(main)
	for i > 0 && main[i-1] >= '0' && main[i-1] <= '9' {
		i--
	}
	if len(main)-i >= 2 {
		elem, _ = strconv.Atoi(main[len(main)-2:])
	}
	comp, _ = strconv.Atoi(sub)
	return elem, comp
}

// uniqueCodes returns up to max distinct codes of errors at level, in order.
func uniqueCodes(errs []x12.Error, level x12.Level, max int) []string {
	var out []string
	for _, e := range errs {
		if e.Level != level || e.Code == "" {
			continue
		}
		dup := false
		for _, c := range out {
			dup = dup || c == e.Code
		}
		if !dup && len(out) < max {
			out = append(out, e.Code)
		}
	}
	return out
}

// setContext finds, for a segment position in a received set, the business unit it
// belongs to and its element values.
type setContext struct {
	set  string
	segs []*x12.Segment // segs[i] is at position i+1
}

func newSetContext(t *x12.Transaction) *setContext {
	segs := Segments(t)
	if len(segs) == 0 {
		return nil
	}
	return &setContext{set: t.Set, segs: segs}
}

func (c *setContext) at(pos int) *x12.Segment {
	if c == nil || pos < 1 || pos > len(c.segs) {
		return nil
	}
	return c.segs[pos-1]
}

// businessUnit names the claim (837: CLM01 of the enclosing 2300) or the inquiry trace
// (270/276: TRN02 of the enclosing subscriber or dependent level) holding position pos.
func (c *setContext) businessUnit(pos int) (name, ref string) {
	if c == nil || pos < 1 || pos > len(c.segs) {
		return "", ""
	}
	var id string
	var el int
	switch c.set {
	case "837":
		id, el, name = "CLM", 1, "CLM01"
	case "270", "276":
		id, el, name = "TRN", 2, "TRN02"
	default:
		return "", ""
	}
	// A claim runs from its CLM to the next HL; an inquiry's TRN follows its HL, so for
	// 270/276 the unit is found forward from the HL as well.
	for i := pos - 1; i >= 0; i-- {
		s := c.segs[i]
		if s.Is(id) {
			return name, s.Str(el)
		}
		if s.Is("HL") {
			if id == "CLM" {
				return "", ""
			}
			for j := i + 1; j < len(c.segs) && !c.segs[j].Is("HL"); j++ {
				if c.segs[j].Is(id) {
					return name, c.segs[j].Str(el)
				}
			}
			return "", ""
		}
	}
	return "", ""
}

// value returns the received value of an element (component, repetition) at pos.
func (c *setContext) value(pos, elem, comp, rep int) string {
	s := c.at(pos)
	if s == nil {
		return ""
	}
	v := s.Element(elem)
	if rep > 0 {
		reps := s.Repeats(elem)
		if rep > len(reps) {
			return ""
		}
		v = reps[rep-1]
	}
	if comp > 0 {
		v = x12.ComponentOf(v, s.Delims.Component, comp)
	}
	return string(v)
}

// safe reports whether v can be written with the writer's delimiters (a received value
// may contain one of ours when the delimiters differ).
func safe(w *x12.Writer, v string) bool {
	d := w.Delimiters()
	for i := 0; i < len(v); i++ {
		if d.Has(v[i]) || v[i] < ' ' {
			return false
		}
	}
	return true
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appCode reports whether s can be a GS02/GS03 application code.
func appCode(s string) bool { return len(s) >= 2 && len(s) <= 15 }

// dataElementRef is IK402, the element's data element reference number: situational,
// "required when the data element has a reference number", so it is left out when the
// guide table does not carry one. IK402 is N0 1-4.
func dataElementRef(n int) string {
	if n < 1 || n > 9999 {
		return ""
	}
	return strconv.Itoa(n)
}

func itoaOpt(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Read parses a whole received file with loop trees, for Build999's Options.Transactions.
// Like x12.Validate, the error is non-nil only for I/O errors and cancellation; malformed
// input is reported in the result. Memory grows with the file: for very large files use
// x12.Validate and build the 999 without Transactions.
func Read(ctx context.Context, r io.Reader, g x12.Guides) (*x12.FileResult, []*x12.Transaction, error) {
	return ReadWith(ctx, r, x12.ParseOptions{Guides: g})
}

// ReadWith is Read with every parser option (code-list policy, overrides); NoTree is
// ignored, since the trees are what it is for.
func ReadWith(ctx context.Context, r io.Reader, opts x12.ParseOptions) (*x12.FileResult, []*x12.Transaction, error) {
	opts.NoTree = false
	p := x12.NewParser(r, opts)
	var txs []*x12.Transaction
	for {
		if err := ctx.Err(); err != nil {
			return p.Result(), txs, err
		}
		t, err := p.Next()
		if t != nil {
			txs = append(txs, t)
		}
		if errors.Is(err, io.EOF) {
			return p.Result(), txs, nil
		}
		if err != nil {
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				return p.Result(), txs, nil
			}
			return p.Result(), txs, fmt.Errorf("ack: read: %w", err)
		}
	}
}
