package x12

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// isaLen is the fixed length of an ISA segment including its terminator.
const isaLen = 106

// isaSeps are the offsets of the 16 element separators in a fixed-width ISA.
var isaSeps = [16]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}

// DefaultMaxSegment bounds one segment's size so that a file with no terminator (a 2 GB
// line) fails fast instead of growing memory without limit.
const DefaultMaxSegment = 1 << 20

// SyntaxError is a fatal tokenizer error: the input cannot be split into segments past it.
type SyntaxError struct {
	Offset  int64 // byte offset in the input
	Segment int   // 1-based ordinal of the segment being read
	Msg     string
	Code    string // TA105 note code a TA1 would carry ("" means 022, invalid control structure)
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("x12: byte %d (segment %d): %s", e.Offset, e.Segment, e.Msg)
}

// Reader splits an X12 stream into segments. Memory is bounded by the buffer plus the
// largest segment; delimiters are (re)read from every ISA, so one file may carry several
// interchanges with different delimiters.
type Reader struct {
	src    io.Reader
	buf    []byte
	r, w   int   // unread data is buf[r:w]
	base   int64 // input offset of buf[0]
	err    error // sticky read error (io.EOF included)
	d      Delimiters
	haveD  bool
	seg    Segment
	index  int
	maxSeg int
	start  bool // at the very start of the input (BOM allowed)

	blanks  []Blank
	nBlanks int
}

// lineTerm reports whether the segment terminator is CR or LF: a terminator found where a
// segment should start is then a blank line, not an empty segment.
func (r *Reader) lineTerm() bool {
	return r.d.Segment == '\r' || r.d.Segment == '\n'
}

// NewReader returns a Reader with a 64 KiB buffer.
func NewReader(src io.Reader) *Reader {
	return NewReaderSize(src, 64<<10)
}

// NewReaderSize returns a Reader whose buffer starts at size bytes.
func NewReaderSize(src io.Reader, size int) *Reader {
	if size < 4096 {
		size = 4096
	}
	return &Reader{src: src, buf: make([]byte, size), maxSeg: DefaultMaxSegment, start: true,
		seg: Segment{Elements: make([][]byte, 0, 32)}}
}

// SetMaxSegment changes the largest segment accepted (bytes).
func (r *Reader) SetMaxSegment(n int) { r.maxSeg = n }

// Delimiters returns the delimiters of the current interchange.
func (r *Reader) Delimiters() (Delimiters, bool) { return r.d, r.haveD }

// Offset is the number of input bytes consumed so far.
func (r *Reader) Offset() int64 { return r.base + int64(r.r) }

// fill reads more input so that at least need unread bytes are buffered, or the input ends.
func (r *Reader) fill(need int) {
	for r.w-r.r < need && r.err == nil {
		if r.r > 0 && (r.w == r.r || len(r.buf)-r.w < len(r.buf)/4 || len(r.buf)-r.r < need) {
			// Compact: slices handed out by the previous Next are no longer valid.
			n := copy(r.buf, r.buf[r.r:r.w])
			r.base += int64(r.r)
			r.r, r.w = 0, n
		}
		if len(r.buf)-r.w < need-(r.w-r.r) || r.w == len(r.buf) {
			nb := make([]byte, 2*len(r.buf)+need)
			copy(nb, r.buf[r.r:r.w])
			r.base += int64(r.r)
			r.w -= r.r
			r.r = 0
			r.buf = nb
		}
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.err = err
		}
	}
}

func (r *Reader) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: r.Offset(), Segment: r.index + 1, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(b byte) bool { return b == '\r' || b == '\n' || b == ' ' || b == '\t' }

// Blank is a run of spaces or tabs before a segment ID: read past, and reported as a
// warning, since a reader that splits on the terminator alone takes it as part of the ID.
type Blank struct {
	Offset  int64 // byte offset of the segment ID the blanks precede
	Segment int   // 1-based ordinal of that segment
}

// maxBlanks bounds the blanks a Reader keeps; the rest are only counted.
const maxBlanks = 100

// Blanks returns the leading blanks read so far (at most 100) and how many there were.
func (r *Reader) Blanks() ([]Blank, int) { return r.blanks, r.nBlanks }

// skipSpace skips line breaks (and blanks) between segments, and a UTF-8 BOM at the start.
// A terminator that is itself a line break (CR) is not skipped, except as a blank line.
func (r *Reader) skipSpace() {
	blank := false
	defer func() {
		if blank && r.r < r.w {
			r.nBlanks++
			if len(r.blanks) < maxBlanks {
				r.blanks = append(r.blanks, Blank{Offset: r.Offset(), Segment: r.index + 1})
			}
		}
	}()
	for {
		for r.r < r.w {
			b := r.buf[r.r]
			if isSpace(b) && (!r.haveD || b != r.d.Segment || r.lineTerm()) {
				blank = b == ' ' || b == '\t'
				r.r++
				continue
			}
			if r.start && b == 0xEF {
				r.fill(3)
				if r.w-r.r >= 3 && bytes.Equal(r.buf[r.r:r.r+3], []byte{0xEF, 0xBB, 0xBF}) {
					r.r += 3
					r.start = false
					continue
				}
			}
			r.start = false
			return
		}
		if r.err != nil {
			return
		}
		r.fill(1)
	}
}

// Next returns the next segment, or io.EOF after the last one. The returned segment and
// its slices are valid only until the following call.
func (r *Reader) Next() (*Segment, error) {
	// Most segments start right after the previous terminator or one line break: only
	// call the general skipper when there is something to skip.
	if r.r >= r.w || r.start || isSpace(r.buf[r.r]) {
		r.skipSpace()
		if r.w-r.r == 0 {
			if r.err != nil && !errors.Is(r.err, io.EOF) {
				return nil, r.err
			}
			return nil, io.EOF
		}
	}
	if r.buf[r.r] == 'I' || !r.haveD {
		r.fill(3)
		if r.w-r.r >= 3 && string(r.buf[r.r:r.r+3]) == "ISA" {
			return r.readISA()
		}
		if !r.haveD {
			return nil, r.errorf("input does not start with an ISA segment")
		}
	}
	for {
		if end := r.scan(); end >= 0 {
			return r.finish(end), nil
		}
		if r.w-r.r > r.maxSeg {
			return nil, r.errorf("no segment terminator %q within %d bytes", r.d.Segment, r.maxSeg)
		}
		if r.err != nil {
			if !errors.Is(r.err, io.EOF) {
				return nil, r.err
			}
			return nil, r.errorf("input ends inside a segment with no terminator %q (truncated file?)", r.d.Segment)
		}
		// The segment continues past the buffered data. fill may move the buffer, so the
		// next scan starts the segment over (once per buffer refill, not per segment).
		r.fill(r.w - r.r + 1)
	}
}

const (
	lo7  = 0x7F7F7F7F7F7F7F7F
	ones = 0x0101010101010101
)

// scan splits the segment starting at r.r into r.seg.Elements in one pass that looks for
// the element separator and the terminator together, eight bytes per step (SWAR). It
// returns the terminator's index in r.buf, or -1 when the buffered data ends first.
func (r *Reader) scan() int {
	buf := r.buf[:r.w]
	sep, term := r.d.Element, r.d.Segment
	ms, mt := ones*uint64(sep), ones*uint64(term)
	els := r.seg.Elements[:0]
	start, i := r.r, r.r
	for ; i+8 <= len(buf); i += 8 {
		x := binary.LittleEndian.Uint64(buf[i : i+8])
		a, b := x^ms, x^mt
		// A byte of a (or b) is zero where x holds sep (or term); these masks set the
		// high bit of exactly those bytes (the sum cannot carry across bytes).
		zs := ^(((a & lo7) + lo7) | a | lo7)
		zt := ^(((b & lo7) + lo7) | b | lo7)
		if zt != 0 {
			// The segment ends in this word: take the separators before the terminator, then stop.
			t := bits.TrailingZeros64(zt)
			for m := zs & (1<<t - 1); m != 0; m &= m - 1 {
				j := i + bits.TrailingZeros64(m)>>3
				els = append(els, buf[start:j:j])
				start = j + 1
			}
			j := i + t>>3
			r.seg.Elements = append(els, buf[start:j:j])
			return j
		}
		for m := zs; m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			els = append(els, buf[start:j:j])
			start = j + 1
		}
	}
	for ; i < len(buf); i++ {
		switch buf[i] {
		case sep:
			els = append(els, buf[start:i:i])
			start = i + 1
		case term:
			r.seg.Elements = append(els, buf[start:i:i])
			return i
		}
	}
	r.seg.Elements = els[:0]
	return -1
}

// finish fills in the segment scan found, ending at the terminator buf[end], and consumes
// it together with a directly following line break (the common "~\n" layout).
func (r *Reader) finish(end int) *Segment {
	r.index++
	s := &r.seg
	s.Delims = r.d
	s.Offset = r.base + int64(r.r)
	s.Index = r.index
	next := end + 1
	if next < r.w && r.buf[next] == '\n' && r.d.Segment != '\n' {
		next++
	}
	r.r = next
	return s
}

// readISA reads the fixed-width ISA and takes the interchange's delimiters from it.
func (r *Reader) readISA() (*Segment, error) {
	r.fill(isaLen)
	if r.w-r.r < isaLen {
		return nil, r.errorf("ISA segment is truncated: %d of %d bytes", r.w-r.r, isaLen)
	}
	isa := r.buf[r.r : r.r+isaLen]
	el := isa[3]
	if isSpace(el) || isAlnum(el) {
		return nil, r.errorf("ISA element separator %q is not a usable delimiter", el)
	}
	for k, p := range isaSeps {
		if isa[p] != el {
			return nil, r.errorf("ISA is not fixed width: element separator expected before ISA%02d at byte %d, found %q", k+1, p, isa[p])
		}
	}
	d := Delimiters{Element: el, Repetition: isa[82], Component: isa[104], Segment: isa[105]}
	if d.Repetition == 'U' || isAlnum(d.Repetition) || d.Repetition == ' ' {
		d.Repetition = 0 // 00401 used ISA11 for the standards identifier "U"
	}
	if isAlnum(d.Component) || d.Component == ' ' {
		return nil, r.errorf("ISA16 component separator %q is not a usable delimiter", d.Component)
	}
	if isAlnum(d.Segment) || d.Segment == ' ' {
		return nil, r.errorf("segment terminator %q after ISA16 is not a usable delimiter", d.Segment)
	}
	if d.Segment == d.Element || d.Segment == d.Component || d.Element == d.Component ||
		(d.Repetition != 0 && (d.Repetition == d.Element || d.Repetition == d.Segment || d.Repetition == d.Component)) {
		return nil, r.errorf("ISA delimiters are not distinct: element %q repetition %q component %q segment %q",
			d.Element, d.Repetition, d.Component, d.Segment)
	}
	r.d, r.haveD = d, true
	return r.split(r.r, r.r+isaLen-1, r.r+isaLen), nil
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

// split tokenizes buf[from:to] into r.seg and consumes input up to next.
func (r *Reader) split(from, to, next int) *Segment {
	r.index++
	s := &r.seg
	s.Elements = s.Elements[:0]
	s.Delims = r.d
	s.Offset = r.base + int64(from)
	s.Index = r.index
	data := r.buf[from:to]
	sep := r.d.Element
	for {
		j := bytes.IndexByte(data, sep)
		if j < 0 {
			s.Elements = append(s.Elements, data)
			break
		}
		s.Elements = append(s.Elements, data[:j:j])
		data = data[j+1:]
	}
	r.r = next
	return s
}
