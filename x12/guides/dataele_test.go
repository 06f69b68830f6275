package guides

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestDataElementLookup(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		want int
	}{
		{"NM109", 67},
		{"NM101", 98},
		{"NM112", 1035}, // Not Used in the 837P, still numbered for an IK4 I10
		{"DTP03", 1251},
		{"DTP02", 1250},
		{"DMG02", 1251},
		{"DMG01", 1250},
		{"CLM01", 1028},
		{"CLM02", 782},
		{"CLM20", 1514},
		{"SV102", 782},
		{"SV103", 355},
		{"REF02", 127},
		{"N403", 116},
		{"N407", 1715},
		{"HI01-2", 1271},
		{"HI12-2", 1271},
		{"HI01-1", 1270},
		{"CLM05-3", 1325},
		{"SV101-2", 234},
		{"SV107-4", 1328},
		{"REF04-2", 127},
		{"LX01", 554},
		{"HL01", 628},
		{"K301", 449},
		// Composites have a C-number, which IK402 (numeric) cannot carry.
		{"CLM05", 0},
		{"SV101", 0},
		{"HI01", 0},
		// Unknown positions and malformed refs.
		{"DTP04", 0},
		{"HI13-2", 0},
		{"HI01-10", 0},
		{"CLM05-0", 0},
		{"ZZZ01", 0},
		{"NM1", 0},
		{"NM1AB", 0},
		{"", 0},
	} {
		if got := dataElement(tc.ref); got != tc.want {
			t.Errorf("dataElement(%q) = %d, want %d", tc.ref, got, tc.want)
		}
	}
}

// TestX222A1DataElements: every element and component the 837P uses carries its data
// element number, so every IK4 of a 999 for an 837P can name it in IK402.
func TestX222A1DataElements(t *testing.T) {
	walkSegments(X222A1.Root, func(loop string, s *x12.SegmentDef) {
		forSimple(s.Elements, func(e *x12.Element) {
			if e.Usage != N && e.DataElement == 0 {
				t.Errorf("%s/%s %s (%s) has no data element number", loop, s.ID, e.Ref, e.Name)
			}
		})
	})
}

// TestDataElementsMatchDictionary checks every numbered element of every registered guide
// (the 270/271 and 276/277 included, which have no pyx12 map) against the X12 dictionary
// in ../shared/x12-maps/dataele.xml: the data element a number names must have the type
// and length the table gives the element. A wrong number shows up as a type or length
// that does not fit. allow names the places where the 00501 dictionary proves dataele.xml
// (partly 4010) wrong, keyed "version ref".
func TestDataElementsMatchDictionary(t *testing.T) {
	allow := map[string]string{
		"005010X231A1 IK302": "DE 719 is N0 1/10 in 00501 (dataele.xml keeps the 4010 length 1/6; see TestX231A1MatchesMap)",
		"005010X231A1 CTX03": "DE 719 is N0 1/10 in 00501 (dataele.xml keeps the 4010 length 1/6; see TestX231A1MatchesMap)",
	}
	dir := mapsDir()
	if dir == "" {
		t.Skip("pyx12 maps not found (set EDIGATE_X12_MAPS)")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "dataele.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var de struct {
		Eles []struct {
			Num  string `xml:"ele_num,attr"`
			Type string `xml:"data_type,attr"`
			Min  int    `xml:"min_len,attr"`
			Max  int    `xml:"max_len,attr"`
			Name string `xml:"name,attr"`
		} `xml:"data_ele"`
	}
	if err := xml.Unmarshal(raw, &de); err != nil {
		t.Fatal(err)
	}
	type dictEntry struct {
		typ, name string
		min, max  int
	}
	dict := map[string]dictEntry{}
	for _, e := range de.Eles {
		typ := e.Type
		if strings.HasPrefix(typ, "N") {
			typ = "N0" // our tables keep implied decimals out of the type
		}
		dict[e.Num] = dictEntry{typ, e.Name, e.Min, e.Max}
	}
	used := map[string]bool{}
	for _, g := range Registry.All() {
		seen := map[string]bool{}
		walkSegments(g.Root, func(loop string, s *x12.SegmentDef) {
			forSimple(s.Elements, func(e *x12.Element) {
				if e.DataElement == 0 || e.Usage == N || seen[e.Ref] {
					return
				}
				seen[e.Ref] = true
				d, ok := dict[fmt.Sprint(e.DataElement)]
				if _, allowed := allow[g.Version+" "+e.Ref]; allowed {
					used[g.Version+" "+e.Ref] = true
					return
				}
				switch {
				case !ok:
					t.Errorf("%s %s: data element %d is not in the dictionary", g.Version, e.Ref, e.DataElement)
				case d.typ != e.Type.String() || d.min != e.Min || d.max != e.Max:
					t.Errorf("%s %s (%s): data element %d is %s (%s %d/%d), the table has %s %d/%d",
						g.Version, e.Ref, e.Name, e.DataElement, d.name, d.typ, d.min, d.max, e.Type, e.Min, e.Max)
				}
			})
		})
	}
	for k := range allow {
		if !used[k] {
			t.Errorf("allow-list entry %q matches no element any more", k)
		}
	}
}

// forSimple calls f for every simple element and every component of els.
func forSimple(els []x12.Element, f func(e *x12.Element)) {
	for i := range els {
		if len(els[i].Components) > 0 {
			forSimple(els[i].Components, f)
			continue
		}
		f(&els[i])
	}
}
