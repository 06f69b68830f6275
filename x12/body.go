package x12

import (
	"fmt"
	"strings"
	"time"
)

// Body writes the segments of one transaction set, for the body callback of WriteOutbound
// (the 270 and 276 writers). It keeps the first error, so later segments are skipped and a
// long writer reads straight, and it numbers the HL segments (HL01) itself.
type Body struct {
	w   *Writer
	hl  int
	err error
}

// NewBody starts a set's body on w; HL numbering starts at 1.
func NewBody(w *Writer) *Body { return &Body{w: w} }

// Put writes a segment of simple elements unless an earlier one failed.
func (b *Body) Put(id string, elems ...string) {
	if b.err == nil {
		b.err = b.w.Simple(id, elems...)
	}
}

// BHT writes the Beginning of Hierarchical Transaction: structure (BHT01, the guide's HL
// tree), purpose (BHT02), the originator's reference (BHT03) and now as BHT04/BHT05.
func (b *Body) BHT(structure, purpose, reference string, now time.Time) {
	b.Put("BHT", structure, purpose, reference, now.Format("20060102"), now.Format("1504"))
}

// HL writes the next hierarchical level and returns its HL01: parent is the parent's HL01
// (0 for a top level, HL02 empty), level the HL03 code, child HL04 ("" to leave it out).
func (b *Body) HL(parent int, level, child string) int {
	b.hl++
	p := ""
	if parent > 0 {
		p = fmt.Sprint(parent)
	}
	b.Put("HL", fmt.Sprint(b.hl), p, level, child)
	return b.hl
}

// DMG writes a person's demographics when the date of birth (YYYY-MM-DD) is known:
// DMG*D8*CCYYMMDD*gender, the gender F or M, anything else U (unknown).
func (b *Body) DMG(dob, gender string) {
	if dob == "" {
		return
	}
	g := strings.ToUpper(gender)
	if g != "F" && g != "M" {
		g = "U"
	}
	b.Put("DMG", "D8", D8(dob), g)
}

// Err is the first error a segment returned.
func (b *Body) Err() error { return b.err }
