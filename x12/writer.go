package x12

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ErrDelimiterInValue is wrapped by the error a Writer returns when a value contains one of
// the interchange's delimiters: X12 has no escaping, so writing it would corrupt the file.
var ErrDelimiterInValue = errors.New("value contains a delimiter")

// ErrEnvelopeOrder is wrapped by the errors a Writer returns when envelopes are opened or
// closed out of order (a GS outside an ISA, an SE with no ST, a body segment outside ST..SE).
var ErrEnvelopeOrder = errors.New("envelope out of order")

// Value is one element to write: a simple value, a composite (its components) or a
// repeated element. Build it with E, C or Reps. (The schema's element description is
// Element; this is the data that goes on the wire.)
type Value struct {
	s     string   // the simple value when parts is nil
	parts []string // components, or repetitions when rep
	rep   bool
}

// E is a simple element.
func E(v string) Value { return Value{s: v} }

// C is a composite element; trailing empty components are dropped when written.
func C(components ...string) Value {
	if len(components) == 0 {
		return Value{}
	}
	return Value{parts: components}
}

// Reps is a simple element repeated with the repetition separator (ISA11), e.g. 271 EB03.
func Reps(values ...string) Value {
	if len(values) == 0 {
		return Value{}
	}
	return Value{parts: values, rep: true}
}

// empty reports whether the value writes as nothing (so a trailing one is trimmed).
func (v Value) empty() bool {
	if v.parts == nil {
		return v.s == ""
	}
	for _, p := range v.parts {
		if p != "" {
			return false
		}
	}
	return true
}

// Writer writes X12 segments with fixed delimiters and keeps the envelope counts (SE01,
// GE01, IEA01) and control-number pairs (ST02/SE02, GS06/GE02, ISA13/IEA02) itself, so a
// caller cannot produce a file whose trailers disagree with its content.
//
// It is not safe for concurrent use. Errors from the underlying io.Writer are sticky.
type Writer struct {
	bw      *bufio.Writer
	d       Delimiters
	bad     [256]bool // delimiter bytes a value may not contain
	newline bool
	buf     []byte // one segment being built; reused
	err     error  // sticky I/O error

	inISA, inGS, inST bool
	isaControl        int64
	gsControl         int64
	stControl         string
	groups, sets      int // GS count in the ISA, ST count in the GS
	segs              int // segments in the current ST..SE, ST included
}

// NewWriter returns a Writer that buffers into w with delimiters d.
func NewWriter(w io.Writer, d Delimiters) *Writer {
	wr := &Writer{bw: bufio.NewWriterSize(w, 64<<10), d: d, buf: make([]byte, 0, 512)}
	wr.bad[d.Element] = true
	wr.bad[d.Component] = true
	wr.bad[d.Segment] = true
	if d.Repetition != 0 {
		wr.bad[d.Repetition] = true
	}
	return wr
}

// SetNewline makes the writer put a line break after every segment terminator (easier to
// read; every reader tolerates it).
func (w *Writer) SetNewline(on bool) { w.newline = on }

// Delimiters returns the writer's delimiters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Segment writes one segment. Trailing empty elements and trailing empty components are
// omitted, as X12 requires. A value that contains a delimiter is an error naming the segment
// and element (never the value, which may be PHI); nothing is written then.
func (w *Writer) Segment(id string, elems ...Value) error {
	if err := w.checkBody(id); err != nil {
		return err
	}
	last := len(elems) - 1
	for last >= 0 && elems[last].empty() {
		last--
	}
	b := append(w.buf[:0], id...)
	for i := 0; i <= last; i++ {
		b = append(b, w.d.Element)
		v := elems[i]
		var err error
		switch {
		case v.parts == nil:
			b, err = w.appendValue(b, v.s, id, i+1, 0)
		case v.rep:
			if w.d.Repetition == 0 {
				return fmt.Errorf("x12 writer: %s repeats but the interchange has no repetition separator", Ref(id, i+1))
			}
			lp := len(v.parts) - 1
			for lp >= 0 && v.parts[lp] == "" {
				lp--
			}
			for r := 0; r <= lp; r++ {
				if r > 0 {
					b = append(b, w.d.Repetition)
				}
				if b, err = w.appendValue(b, v.parts[r], id, i+1, 0); err != nil {
					break
				}
			}
		default:
			lp := len(v.parts) - 1
			for lp >= 0 && v.parts[lp] == "" {
				lp--
			}
			for c := 0; c <= lp; c++ {
				if c > 0 {
					b = append(b, w.d.Component)
				}
				if b, err = w.appendValue(b, v.parts[c], id, i+1, c+1); err != nil {
					break
				}
			}
		}
		if err != nil {
			w.buf = b[:0]
			return err
		}
	}
	return w.emit(b)
}

// Simple writes a segment whose elements are all simple values.
func (w *Writer) Simple(id string, elems ...string) error {
	if err := w.checkBody(id); err != nil {
		return err
	}
	last := len(elems) - 1
	for last >= 0 && elems[last] == "" {
		last--
	}
	b := append(w.buf[:0], id...)
	for i := 0; i <= last; i++ {
		b = append(b, w.d.Element)
		var err error
		if b, err = w.appendValue(b, elems[i], id, i+1, 0); err != nil {
			w.buf = b[:0]
			return err
		}
	}
	return w.emit(b)
}

// appendValue appends v after checking it holds no delimiter; elem and comp name it.
func (w *Writer) appendValue(b []byte, v, id string, elem, comp int) ([]byte, error) {
	for i := 0; i < len(v); i++ {
		if w.bad[v[i]] {
			ref := Ref(id, elem)
			if comp > 0 {
				ref += "-" + strconv.Itoa(comp)
			}
			return b, fmt.Errorf("x12 writer: %s: %w %q", ref, ErrDelimiterInValue, v[i])
		}
	}
	return append(b, v...), nil
}

// checkBody rejects envelope segments (the Begin/End methods write those, with counts) and
// body segments outside a transaction set. TA1 is allowed inside an interchange, outside
// any group, as the standard places it.
func (w *Writer) checkBody(id string) error {
	if w.err != nil {
		return w.err
	}
	if len(id) < 2 || len(id) > 3 || !isAlnum(id[0]) || !isAlnum(id[1]) || (len(id) == 3 && !isAlnum(id[2])) {
		return fmt.Errorf("x12 writer: %q is not a segment ID", id)
	}
	switch id {
	case "ISA", "IEA", "GS", "GE", "ST", "SE":
		return fmt.Errorf("x12 writer: %s: %w: use the Begin/End methods for envelopes", id, ErrEnvelopeOrder)
	case "TA1":
		if !w.inISA || w.inGS {
			return fmt.Errorf("x12 writer: TA1: %w: it belongs inside an interchange, outside any group", ErrEnvelopeOrder)
		}
		return nil
	}
	if !w.inST {
		return fmt.Errorf("x12 writer: %s: %w: body segment outside a transaction set", id, ErrEnvelopeOrder)
	}
	return nil
}

// emit writes a built segment with its terminator and counts it.
func (w *Writer) emit(b []byte) error {
	b = append(b, w.d.Segment)
	if w.newline {
		b = append(b, '\n')
	}
	w.buf = b[:0]
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("x12 writer: %w", err)
		return w.err
	}
	if w.inST {
		w.segs++
	}
	return nil
}

// InterchangeHeader is what goes into an ISA. Qualifiers left empty default to "00" (ISA01,
// ISA03) and "ZZ" (ISA05, ISA07, mutually defined).
type InterchangeHeader struct {
	AuthQual, Auth         string // ISA01, ISA02
	SecQual, Sec           string // ISA03, ISA04
	SenderQual, SenderID   string // ISA05, ISA06
	ReceiverQual, Receiver string // ISA07, ISA08
	Date                   time.Time
	Control                int64 // ISA13, 1..999999999
	AckRequested           bool  // ISA14 = 1 asks the receiver for a TA1
	Usage                  string
}

// MaxControl is the largest ISA13/GS06/ST02 control number (nine digits).
const MaxControl = 999999999

// BeginInterchange writes the ISA, padding its fields to their fixed widths and taking
// ISA11 and ISA16 from the writer's delimiters.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.inISA {
		return fmt.Errorf("x12 writer: ISA: %w: interchange %09d is still open", ErrEnvelopeOrder, w.isaControl)
	}
	d := w.d
	if d.Repetition == 0 {
		return errors.New("x12 writer: ISA11: 5010 needs a repetition separator")
	}
	if isAlnum(d.Element) || isAlnum(d.Component) || isAlnum(d.Segment) || isAlnum(d.Repetition) ||
		d.Element == ' ' || d.Component == ' ' || d.Segment == ' ' || d.Repetition == ' ' {
		return errors.New("x12 writer: ISA: delimiters must not be letters, digits or spaces")
	}
	if d.Element == d.Component || d.Element == d.Segment || d.Element == d.Repetition ||
		d.Component == d.Segment || d.Component == d.Repetition || d.Segment == d.Repetition {
		return errors.New("x12 writer: ISA: delimiters must be distinct")
	}
	if h.Control < 1 || h.Control > MaxControl {
		return fmt.Errorf("x12 writer: ISA13: control number %d out of range 1..%d", h.Control, MaxControl)
	}
	if h.Usage != "T" && h.Usage != "P" {
		return fmt.Errorf("x12 writer: ISA15: usage %q is not T or P", h.Usage)
	}
	if h.Date.IsZero() {
		return errors.New("x12 writer: ISA09: date is required")
	}
	fields := [...]struct {
		ref, v, def string
		width       int
	}{
		{"ISA01", h.AuthQual, "00", 2}, {"ISA02", h.Auth, "", 10},
		{"ISA03", h.SecQual, "00", 2}, {"ISA04", h.Sec, "", 10},
		{"ISA05", h.SenderQual, "ZZ", 2}, {"ISA06", h.SenderID, "", 15},
		{"ISA07", h.ReceiverQual, "ZZ", 2}, {"ISA08", h.Receiver, "", 15},
	}
	b := append(w.buf[:0], "ISA"...)
	for _, f := range fields {
		v := f.v
		if v == "" {
			v = f.def
		}
		if len(v) > f.width {
			return fmt.Errorf("x12 writer: %s: %d characters, at most %d", f.ref, len(v), f.width)
		}
		if (f.ref == "ISA06" || f.ref == "ISA08") && v == "" {
			return fmt.Errorf("x12 writer: %s: required", f.ref)
		}
		b = append(b, d.Element)
		var err error
		if b, err = w.appendValue(b, v, "ISA", int(f.ref[4]-'0')+10*int(f.ref[3]-'0'), 0); err != nil {
			return err
		}
		for n := len(v); n < f.width; n++ {
			b = append(b, ' ')
		}
	}
	ack := byte('0')
	if h.AckRequested {
		ack = '1'
	}
	b = append(b, d.Element)
	b = h.Date.AppendFormat(b, "060102")
	b = append(b, d.Element)
	b = h.Date.AppendFormat(b, "1504")
	b = append(b, d.Element, d.Repetition, d.Element)
	b = append(b, "00501"...)
	b = append(b, d.Element)
	b = appendPadded(b, h.Control, 9)
	b = append(b, d.Element, ack, d.Element, h.Usage[0], d.Element, d.Component)
	w.inISA, w.isaControl, w.groups = true, h.Control, 0
	return w.emit(b)
}

// BeginGroup writes a GS (GS07 = X, accredited standards committee X12).
func (w *Writer) BeginGroup(functionalID, sender, receiver, version string, date time.Time, control int64) error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		return fmt.Errorf("x12 writer: GS: %w: a group opens inside an interchange, after the previous GE", ErrEnvelopeOrder)
	}
	if control < 1 || control > MaxControl {
		return fmt.Errorf("x12 writer: GS06: control number %d out of range 1..%d", control, MaxControl)
	}
	if len(functionalID) != 2 {
		return fmt.Errorf("x12 writer: GS01: functional identifier %q is not 2 characters", functionalID)
	}
	if len(sender) < 2 || len(sender) > 15 || len(receiver) < 2 || len(receiver) > 15 {
		return errors.New("x12 writer: GS02/GS03: application codes must be 2-15 characters")
	}
	if date.IsZero() {
		return errors.New("x12 writer: GS04: date is required")
	}
	if version == "" || len(version) > 12 {
		return fmt.Errorf("x12 writer: GS08: version %q must be 1-12 characters", version)
	}
	b := append(w.buf[:0], "GS"...)
	var err error
	for i, v := range [...]string{functionalID, sender, receiver} {
		b = append(b, w.d.Element)
		if b, err = w.appendValue(b, v, "GS", i+1, 0); err != nil {
			return err
		}
	}
	b = append(b, w.d.Element)
	b = date.AppendFormat(b, "20060102")
	b = append(b, w.d.Element)
	b = date.AppendFormat(b, "1504")
	b = append(b, w.d.Element)
	b = strconv.AppendInt(b, control, 10)
	b = append(b, w.d.Element, 'X', w.d.Element)
	if b, err = w.appendValue(b, version, "GS", 8, 0); err != nil {
		return err
	}
	w.inGS, w.gsControl, w.sets = true, control, 0
	return w.emit(b)
}

// BeginTransaction writes an ST. control is ST02 (4-9 characters; see FormatSTControl).
// version goes into ST03, except for the 835, whose guide (X221A1) marks ST03 not used, and
// when it is empty.
func (w *Writer) BeginTransaction(set, control, version string) error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		return fmt.Errorf("x12 writer: ST: %w: a transaction set opens inside a group, after the previous SE", ErrEnvelopeOrder)
	}
	if len(set) != 3 {
		return fmt.Errorf("x12 writer: ST01: %q is not a 3-digit set identifier", set)
	}
	if len(control) < 4 || len(control) > 9 {
		return fmt.Errorf("x12 writer: ST02: control number %q must be 4-9 characters", control)
	}
	if set == "835" {
		version = ""
	}
	b := append(w.buf[:0], "ST"...)
	var err error
	for i, v := range [...]string{set, control, version} {
		if v == "" {
			continue
		}
		b = append(b, w.d.Element)
		if b, err = w.appendValue(b, v, "ST", i+1, 0); err != nil {
			return err
		}
	}
	w.inST, w.stControl, w.segs = true, control, 0
	return w.emit(b)
}

// EndTransaction writes the SE with the segment count (ST and SE included).
func (w *Writer) EndTransaction() error {
	if w.err != nil {
		return w.err
	}
	if !w.inST {
		return fmt.Errorf("x12 writer: SE: %w: no transaction set is open", ErrEnvelopeOrder)
	}
	b := append(w.buf[:0], "SE"...)
	b = append(b, w.d.Element)
	b = strconv.AppendInt(b, int64(w.segs+1), 10)
	b = append(b, w.d.Element)
	b = append(b, w.stControl...)
	w.inST = false
	w.sets++
	return w.emit(b)
}

// EndGroup writes the GE with the number of transaction sets in the group.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if !w.inGS || w.inST {
		return fmt.Errorf("x12 writer: GE: %w: no group is open, or its transaction set is not ended", ErrEnvelopeOrder)
	}
	if w.sets == 0 {
		return fmt.Errorf("x12 writer: GE: group %d has no transaction set", w.gsControl)
	}
	b := append(w.buf[:0], "GE"...)
	b = append(b, w.d.Element)
	b = strconv.AppendInt(b, int64(w.sets), 10)
	b = append(b, w.d.Element)
	b = strconv.AppendInt(b, w.gsControl, 10)
	w.inGS = false
	w.groups++
	return w.emit(b)
}

// EndInterchange writes the IEA with the number of groups (0 for a TA1-only interchange).
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inISA || w.inGS {
		return fmt.Errorf("x12 writer: IEA: %w: no interchange is open, or its group is not ended", ErrEnvelopeOrder)
	}
	b := append(w.buf[:0], "IEA"...)
	b = append(b, w.d.Element)
	b = strconv.AppendInt(b, int64(w.groups), 10)
	b = append(b, w.d.Element)
	b = appendPadded(b, w.isaControl, 9)
	w.inISA = false
	return w.emit(b)
}

// Flush writes buffered data to the underlying writer. Call it after EndInterchange.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("x12 writer: %w", err)
	}
	return w.err
}

// SegmentCount is the number of segments written so far in the open transaction set, ST
// included (what SE01 would say minus the SE itself).
func (w *Writer) SegmentCount() int { return w.segs }

// appendPadded appends n zero-padded to width digits.
func appendPadded(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
