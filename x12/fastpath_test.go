package x12

import (
	"bytes"
	"testing"
)

// fastDefs cover every branch of cElem.fastOK: each type, length limits, a code list.
var fastDefs = []Element{
	{Ref: "AN", Type: AN, Min: 1, Max: 5},
	{Ref: "ID", Type: ID, Min: 1, Max: 3, Codes: []string{"1", "22", "ABC", "B6", "LONGCODE"}},
	{Ref: "IDbig", Type: ID, Min: 1, Max: 9, Codes: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "LONGCODE1"}},
	{Ref: "N0", Type: N0, Min: 1, Max: 4},
	{Ref: "R", Type: R, Min: 1, Max: 6},
	{Ref: "DT", Type: DT, Min: 8, Max: 8},
	{Ref: "TM", Type: TM, Min: 4, Max: 8},
	{Ref: "C", Components: []Element{
		{Ref: "C-1", Usage: Required, Type: ID, Min: 2, Max: 2, Codes: []string{"HC", "ER"}},
		{Ref: "C-2", Usage: Required, Type: AN, Min: 1, Max: 5},
		{Ref: "C-3", Usage: Situational, Type: AN, Min: 2, Max: 2},
		{Ref: "C-4", Usage: NotUsed, Type: AN, Min: 1, Max: 2},
	}},
}

// fastAgrees fails when fastOK accepts a value the full check (checkValue plus the
// composite/repetition tests of checkSegment/checkOne) would report.
func fastAgrees(t *testing.T, v []byte) {
	for i := range fastDefs {
		ce := compileElems(fastDefs[i : i+1])[0]
		if !ce.fastOK(v, ':', '^') {
			continue
		}
		if len(ce.comps) > 0 {
			// The full path for a composite is checkOne: it must find nothing.
			tx := &txState{t: &Transaction{}}
			seg := &Segment{Elements: [][]byte{[]byte("SVC"), v}, Delims: DefaultDelimiters}
			tx.checkOne(&ce, seg, v, 1, "2110", 1, 0)
			if len(tx.t.Errors) > 0 || bytes.IndexByte(v, '^') >= 0 {
				t.Fatalf("%s: fastOK accepts %q, checkOne says %v", ce.def.Ref, v, tx.t.Errors)
			}
			continue
		}
		code, why := checkValue(ce.def, &ce.codes, v)
		if code != "" || bytes.IndexByte(v, ':') >= 0 || bytes.IndexByte(v, '^') >= 0 {
			t.Fatalf("%s: fastOK accepts %q, full check says %s %s", ce.def.Ref, v, code, why)
		}
	}
}

func TestFastOKAgrees(t *testing.T) {
	accept := map[string][]string{ // value -> the defs that must take the fast path
		"HC:90837": {"C"}, "HC:90837:95": {"C"}, "20261101": {"DT"}, "1230": {"AN", "N0", "R", "TM"},
		"B6": {"AN", "ID"}, "12": {"AN", "N0", "R"}, "22": {"AN", "ID", "N0", "R"}, "-1.5": {"AN", "R"}, "10": {"AN", "IDbig", "N0", "R"},
	}
	for _, v := range []string{"", "B6", "12", "22", "-1.5", "10", "1.2.3", "-", ".", "123456", "A:B", "A^B", "\x01",
		"é", "LONGCODE", "LONGCODE1", "ABCD", "20261301", "1234567", "-12345", "1.23456",
		"HC:90837", "HC:90837:95", "HC:90837:95:1", "HC", "XX:1", "HC::", "HC:1:2:3:4", "HC:1^2", "20261101", "1230", "2460", "123"} {
		fastAgrees(t, []byte(v))
		for _, ref := range accept[v] {
			for i := range fastDefs {
				if fastDefs[i].Ref == ref {
					if ce := compileElems(fastDefs[i : i+1])[0]; !ce.fastOK([]byte(v), ':', '^') {
						t.Errorf("%s: fastOK rejects the sound value %q", ref, v)
					}
				}
			}
		}
	}
}

func FuzzFastOK(f *testing.F) {
	for _, s := range []string{"B6", "-1.5", "A:B", "LONGCODE", "1^2", "0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { fastAgrees(t, v) })
}

func TestIDTable(t *testing.T) {
	ids := []string{"ST", "SE", "BPR", "N1", "N3", "N4", "CLP", "SVC", "CAS", "REF", "DTM", "AMT", "NM1", "PLB", "LX"}
	tab := newIDTable(ids)
	for n, id := range ids {
		if got := tab.lookup([]byte(id)); got != n {
			t.Errorf("lookup %s = %d, want %d", id, got, n)
		}
	}
	for _, id := range []string{"", "N", "N2", "CLPX", "ISA", "st", "N1\x00"} {
		if got := tab.lookup([]byte(id)); got != -1 {
			t.Errorf("lookup %q = %d, want -1", id, got)
		}
	}
}
