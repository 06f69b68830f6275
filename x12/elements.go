package x12

import "slices"

// 999 IK304 segment error codes.
const (
	IK3Unrecognized    = "1"
	IK3Unexpected      = "2"
	IK3RequiredMissing = "3"
	IK3LoopOverMax     = "4"
	IK3OverMaxUse      = "5"
	IK3OutOfOrder      = "7"
	IK3ElementErrors   = "8"
	IK3NotUsed         = "I4"
)

// 999 IK403 element error codes.
const (
	IK4RequiredMissing    = "1"
	IK4ConditionalMissing = "2"
	IK4TooMany            = "3"
	IK4TooShort           = "4"
	IK4TooLong            = "5"
	IK4BadChar            = "6"
	IK4BadCode            = "7"
	IK4BadDate            = "8"
	IK4BadTime            = "9"
	IK4Exclusion          = "10"
	IK4TooManyReps        = "12"
	IK4TooManyComps       = "13"
	IK4NotUsed            = "I10"
	IK4Pattern            = "I12"
)

// validDate checks CCYYMMDD (or YYMMDD when short is true) against the real calendar.
func validDate(b []byte, short bool) bool {
	want := 8
	if short {
		want = 6
	}
	if len(b) != want || !allDigits(b) {
		return false
	}
	var y int
	if short {
		y = 2000 + int(b[0]-'0')*10 + int(b[1]-'0')
		b = b[2:]
	} else {
		y = int(b[0]-'0')*1000 + int(b[1]-'0')*100 + int(b[2]-'0')*10 + int(b[3]-'0')
		b = b[4:]
	}
	m := int(b[0]-'0')*10 + int(b[1]-'0')
	d := int(b[2]-'0')*10 + int(b[3]-'0')
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// validTime checks HHMM[SS[d..]].
func validTime(b []byte) bool {
	if len(b) < 4 || len(b) == 5 || len(b) > 8 || !allDigits(b) {
		return false
	}
	h := int(b[0]-'0')*10 + int(b[1]-'0')
	m := int(b[2]-'0')*10 + int(b[3]-'0')
	if h > 23 || m > 59 {
		return false
	}
	if len(b) >= 6 && int(b[4]-'0')*10+int(b[5]-'0') > 59 {
		return false
	}
	return true
}

// extChar reports whether c is in the X12 basic or extended character set (printable
// ASCII). Control characters and bytes >= 0x80 are not: HIPAA 5010 data is ASCII.
func extChar(c byte) bool { return c >= 0x20 && c < 0x7F }

// numeric checks an N-type value: optional leading minus, then digits. It returns the
// number of digits (what the length limits count).
func numeric(b []byte) (digits int, ok bool) {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return len(b), true
}

// decimal checks an R-type value: optional minus, digits with at most one point, at least
// one digit. It returns the digit count (sign and point excluded, as X12 counts length).
func decimal(b []byte) (digits int, ok bool) {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	point := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return 0, false
		}
	}
	return digits, digits > 0
}

// hasCode reports whether v is one of codes, without allocating.
func hasCode(codes []string, v []byte) bool {
	for _, c := range codes {
		if c == string(v) {
			return true
		}
	}
	return false
}

// codeSet is a guide code list compiled for membership tests on raw bytes: codes of up to
// seven bytes (nearly all X12 codes) are packed into integers and kept sorted, longer ones
// go in a map. The zero value accepts any value (no code list).
type codeSet struct {
	short []uint64
	long  map[string]struct{}
	any   bool
	few   [4]uint64 // backs short for lists of up to four codes (no allocation); never changed after init, so a copy may share it
}

func newCodeSet(codes []string) codeSet {
	if len(codes) == 0 {
		return codeSet{any: true}
	}
	var cs codeSet
	for _, c := range codes {
		if k, ok := packCode([]byte(c)); ok {
			cs.short = append(cs.short, k)
			continue
		}
		if cs.long == nil {
			cs.long = map[string]struct{}{}
		}
		cs.long[c] = struct{}{}
	}
	slices.Sort(cs.short)
	return cs
}

// init fills *cs in place, so that short lists can live in cs.few.
func (cs *codeSet) init(codes []string) {
	n := 0
	for _, c := range codes {
		if len(c) <= 7 {
			n++
		}
	}
	if len(codes) == 0 || n > len(cs.few) || n < len(codes) {
		*cs = newCodeSet(codes)
		return
	}
	*cs = codeSet{}
	cs.short = cs.few[:0]
	for _, c := range codes {
		k, _ := packCode([]byte(c))
		cs.short = append(cs.short, k)
	}
	slices.Sort(cs.short)
}

// packCode packs up to seven bytes with the length in the top byte, so "1" and "1\x00"
// stay distinct.
func packCode(v []byte) (uint64, bool) {
	if len(v) > 7 {
		return 0, false
	}
	k := uint64(len(v)) << 56
	for i, b := range v {
		k |= uint64(b) << (8 * i)
	}
	return k, true
}

func (cs *codeSet) has(v []byte) bool {
	if cs.any {
		return true
	}
	k, ok := packCode(v)
	if !ok {
		_, found := cs.long[string(v)]
		return found
	}
	if len(cs.short) <= 8 {
		for _, c := range cs.short {
			if c == k {
				return true
			}
		}
		return false
	}
	_, found := slices.BinarySearch(cs.short, k)
	return found
}

// checkValue validates one simple value (an element, a component or one repetition)
// against its definition and its compiled code list, and returns an IK403 code, or ""
// when it is sound.
func checkValue(def *Element, codes *codeSet, v []byte) (code, why string) {
	n := len(v)
	switch def.Type {
	case N0:
		d, ok := numeric(v)
		if !ok {
			return IK4BadChar, "is not a whole number"
		}
		n = d
	case R:
		d, ok := decimal(v)
		if !ok {
			return IK4BadChar, "is not a decimal number"
		}
		n = d
	case B:
		return "", ""
	default:
		for _, c := range v {
			if !extChar(c) {
				return IK4BadChar, "contains a character outside the X12 character set"
			}
		}
	}
	if def.Min > 0 && n < def.Min {
		return IK4TooShort, "is shorter than its minimum length"
	}
	if def.Max > 0 && n > def.Max {
		return IK4TooLong, "is longer than its maximum length"
	}
	switch def.Type {
	case DT:
		if !validDate(v, def.Max == 6) {
			return IK4BadDate, "is not a valid date"
		}
	case TM:
		if !validTime(v) {
			return IK4BadTime, "is not a valid time"
		}
	case ID:
		if !codes.has(v) {
			return IK4BadCode, "is not a code value the guide permits"
		}
	}
	return "", ""
}
