package guides

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// x222FoundDE is x222Found with each element finding's data element number (IK402),
// "-" when it has none.
func x222FoundDE(errs []x12.Error) []string {
	var out []string
	for _, e := range errs {
		switch e.Level {
		case x12.LevelSegment:
			out = append(out, fmt.Sprintf("%s@%d %s %s", e.Segment, e.Position, e.Loop, e.Code))
		case x12.LevelElement:
			de := "-"
			if e.DataElement > 0 {
				de = fmt.Sprint(e.DataElement)
			}
			out = append(out, fmt.Sprintf("%s@%d %s %s %s #%s", e.Segment, e.Position, e.Loop, e.Element, e.Code, de))
		}
	}
	sort.Strings(out)
	return out
}

// TestX222A1DateByQualifier: elements the guide types AN whose format a Date Time Period
// Format Qualifier names (DMG02 by DMG01, DTP03 by DTP02, PAT06 by PAT05) are checked as
// the date or range that qualifier says, reported as IK403 8 with the element's data
// element number (1251) for IK402.
func TestX222A1DateByQualifier(t *testing.T) {
	base := x222Claims(t)
	const subDMG = "DMG*D8*19800101*F"   // 2010BA, position 17
	const depDMG = "DMG*D8*20100101*M"   // 2010CA, position 36
	const line = "DTP*472*D8*20240105\n" // the first 2400 DTP, position 23
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"valid DMG in 2010BA", "", "", nil},
		{"2010BA birth date month 13", subDMG, "DMG*D8*19901340*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		{"2010BA birth date day 32", subDMG, "DMG*D8*19900132*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		{"2010BA birth date 29 February of a common year", subDMG, "DMG*D8*19900229*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		{"2010BA birth date 29 February of a leap year", subDMG, "DMG*D8*20000229*F", nil},
		{"2010BA birth date in YYMMDD (D8 is CCYYMMDD)", subDMG, "DMG*D8*900115*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		{"2010BA birth date with nine digits", subDMG, "DMG*D8*199001150*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		{"2010BA birth date with a letter", subDMG, "DMG*D8*1990O115*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG02 8 #1251"}},
		// X222A1 DMG01 permits D8 only: another qualifier is an invalid code on DMG01,
		// and DMG02 is not judged against a format the guide does not allow.
		{"2010BA DMG01 not D8", subDMG, "DMG*RD8*19800101-19800102*F",
			[]string{"DMG@17 2010BA 8", "DMG@17 2010BA DMG01 7 #1250"}},
		{"2010CA patient birth date", depDMG, "DMG*D8*20100431*M",
			[]string{"DMG@36 2010CA 8", "DMG@36 2010CA DMG02 8 #1251"}},
		{"2400 service date", line, "DTP*472*D8*20240230\n",
			[]string{"DTP@23 2400 8", "DTP@23 2400 DTP03 8 #1251"}},
		{"2400 service date range", line, "DTP*472*RD8*20240101-20240105\n", nil},
		{"2400 service date range ending before it starts", line, "DTP*472*RD8*20240105-20240101\n",
			[]string{"DTP@23 2400 8", "DTP@23 2400 DTP03 8 #1251"}},
		{"2400 service date range without its end", line, "DTP*472*RD8*20240105\n",
			[]string{"DTP@23 2400 8", "DTP@23 2400 DTP03 8 #1251"}},
		// One defect, one finding: a value past DTP03's 35 characters is too long, not
		// also an invalid date.
		{"2400 service date too long", line, "DTP*472*D8*" + strings.Repeat("2", 36) + "\n",
			[]string{"DTP@23 2400 8", "DTP@23 2400 DTP03 5 #1251"}},
		{"2000C patient death date", "PAT*19", "PAT*19****D8*20241301",
			[]string{"PAT@32 2000C 8", "PAT@32 2000C PAT06 8 #1251"}},
		{"2000C patient death date valid", "PAT*19", "PAT*19****D8*20240131", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := x222FoundDE(x222Mutated(t, base, tc.old, tc.new))
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestFormatQualifiers: in every registered guide, an element checked by a format
// qualifier is a Date Time Period (1251) typed AN and its qualifier is a Date Time Period
// Format Qualifier (1250) of the same segment; and no Date Time Period that has a
// qualifier beside it is left unchecked (a new segment builder forgetting FormatBy).
func TestFormatQualifiers(t *testing.T) {
	for _, g := range Registry.All() {
		walkSegments(g.Root, func(loop string, s *x12.SegmentDef) {
			has1250 := 0
			for i := range s.Elements {
				if s.Elements[i].DataElement == 1250 && s.Elements[i].Usage != N {
					has1250 = i + 1
				}
			}
			for i := range s.Elements {
				e := &s.Elements[i]
				where := fmt.Sprintf("%s %s/%s %s", g.Version, loop, s.ID, e.Ref)
				if e.FormatQual == 0 {
					if e.DataElement == 1251 && e.Usage != N && has1250 > 0 {
						t.Errorf("%s: a date time period beside qualifier element %d is not checked by it", where, has1250)
					}
					continue
				}
				if e.DataElement != 1251 || e.Type != x12.AN {
					t.Errorf("%s: FormatQual on data element %d type %s, want 1251 AN", where, e.DataElement, e.Type)
				}
				if q := e.FormatQual; q < 1 || q > len(s.Elements) || s.Elements[q-1].DataElement != 1250 {
					t.Errorf("%s: FormatQual %d does not name a format qualifier (1250)", where, q)
				}
			}
		})
	}
}

// walkSegments calls f for every segment definition of a loop table, with its loop ID.
func walkSegments(l *x12.LoopDef, f func(loop string, s *x12.SegmentDef)) {
	for _, n := range l.Body {
		if n.Loop != nil {
			walkSegments(n.Loop, f)
			continue
		}
		f(l.ID, n.Seg)
	}
}
