// Package x12 reads, validates and writes ASC X12 interchanges (5010).
//
// It knows nothing of claims, eligibility or remittances: transaction packages plug in
// their implementation-guide schemas (see Guide) and read the loop tree it builds.
package x12

import (
	"bytes"
	"fmt"
)

// Delimiters of one interchange, read from its ISA segment (never hard-coded).
type Delimiters struct {
	Element    byte // ISA byte 4
	Repetition byte // ISA11; 0 when the interchange declares none
	Component  byte // ISA16
	Segment    byte // the byte after ISA16
}

// DefaultDelimiters are the ones edigate writes: * ^ : ~
var DefaultDelimiters = Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}

// Has reports whether b is one of the delimiters.
func (d Delimiters) Has(b byte) bool {
	return b == d.Element || b == d.Segment || b == d.Component || (d.Repetition != 0 && b == d.Repetition)
}

// Segment is one X12 segment as read from the input.
//
// Elements[0] is the segment ID and Elements[n] is element n, numbered as the guides do
// (NM101 is Elements[1]). The byte slices point into the Reader's buffer and stay valid
// only until the next call to Reader.Next; use Clone to keep a segment.
type Segment struct {
	Elements [][]byte
	Delims   Delimiters
	Offset   int64 // byte offset of the segment's first byte in the input
	Index    int   // 1-based ordinal of the segment in the input
}

// ID returns the segment identifier (ISA, ST, CLM...).
func (s *Segment) ID() string {
	if len(s.Elements) == 0 {
		return ""
	}
	return internID(s.Elements[0])
}

// Is reports whether the segment's ID is id, without allocating.
func (s *Segment) Is(id string) bool {
	return len(s.Elements) > 0 && string(s.Elements[0]) == id
}

// Len is the number of elements after the segment ID (trailing empty ones included).
func (s *Segment) Len() int { return len(s.Elements) - 1 }

// Element returns element n (1-based) or nil when absent.
func (s *Segment) Element(n int) []byte {
	if n <= 0 || n >= len(s.Elements) {
		return nil
	}
	return s.Elements[n]
}

// Str returns element n (1-based) as a string, "" when absent.
func (s *Segment) Str(n int) string { return string(s.Element(n)) }

// Component returns component c (1-based) of element n; for a simple element, component 1
// is the element itself.
func (s *Segment) Component(n, c int) []byte {
	return ComponentOf(s.Element(n), s.Delims.Component, c)
}

// Repeats splits element n on the repetition separator (ISA11). An element without
// repetitions returns one value; an absent one returns nil.
func (s *Segment) Repeats(n int) [][]byte {
	e := s.Element(n)
	if len(e) == 0 {
		return nil
	}
	if s.Delims.Repetition == 0 {
		return [][]byte{e}
	}
	return bytes.Split(e, []byte{s.Delims.Repetition})
}

// ComponentOf returns component c (1-based) of a composite value split on sep.
func ComponentOf(e []byte, sep byte, c int) []byte {
	if c <= 0 {
		return nil
	}
	for i := 1; ; i++ {
		j := bytes.IndexByte(e, sep)
		if i == c {
			if j < 0 {
				return e
			}
			return e[:j]
		}
		if j < 0 {
			return nil
		}
		e = e[j+1:]
	}
}

// Clone returns a deep copy that no longer refers to the Reader's buffer.
func (s *Segment) Clone() Segment {
	n := 0
	for _, e := range s.Elements {
		n += len(e)
	}
	buf := make([]byte, 0, n)
	els := make([][]byte, len(s.Elements))
	for i, e := range s.Elements {
		start := len(buf)
		buf = append(buf, e...)
		els[i] = buf[start:len(buf):len(buf)]
	}
	return Segment{Elements: els, Delims: s.Delims, Offset: s.Offset, Index: s.Index}
}

// String renders the segment with its own delimiters and terminator (for messages and fmt).
func (s *Segment) String() string {
	var b bytes.Buffer
	for i, e := range s.Elements {
		if i > 0 {
			b.WriteByte(s.Delims.Element)
		}
		b.Write(e)
	}
	b.WriteByte(s.Delims.Segment)
	return b.String()
}

// Ref names element n of segment id as the guides do: SV1 + 2 -> "SV102".
func Ref(id string, n int) string { return fmt.Sprintf("%s%02d", id, n) }

// knownIDs lets ID() return a shared string for the common segment IDs without allocating.
var knownIDs = func() map[string]string {
	ids := []string{"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "BHT", "BPR", "TRN", "CUR", "REF", "DTM",
		"N1", "N2", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "DTP",
		"AMT", "QTY", "SVC", "LQ", "PLB", "HL", "PRV", "SBR", "PAT", "DMG", "CLM", "HI", "SV1", "SV2", "SV3",
		"SV5", "CR1", "CR2", "CRC", "PWK", "CN1", "K3", "NTE", "CTP", "LIN", "OI", "MEA", "HCP", "PS1",
		"FRM", "LUI", "EQ", "EB", "HSD", "MSG", "III", "LS", "LE", "AAA", "INS", "STC", "SVD", "AK1",
		"AK2", "IK3", "IK4", "IK5", "AK9", "CTX", "DN1", "DN2", "UR", "CL1", "PAT", "TOO", "CR3", "CR4",
		"CR5", "CR6", "CR7", "CR8", "MPI", "PRV", "VEH", "SSE"}
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[id] = id
	}
	return m
}()

func internID(b []byte) string {
	if s, ok := knownIDs[string(b)]; ok {
		return s
	}
	return string(b)
}
