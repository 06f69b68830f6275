package x12

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// formatGuide has two segments whose date element's format another element names
// (Element.FormatQual), at different positions, so the check is shown to follow the
// table rather than a segment ID.
func formatGuide() *Guide {
	num := func(e Element, n int) Element { e.DataElement = n; return e }
	dmg02 := num(el("DMG02", Required, AN, 1, 35), 1251)
	dmg02.FormatQual = 1
	pat06 := num(el("PAT06", Situational, AN, 1, 35), 1251)
	pat06.FormatQual = 5
	return &Guide{Version: "005010FMT", Set: "837", FunctionalID: "HC", Root: &LoopDef{ID: "ST", Usage: Required, Repeat: 1, Body: []Node{
		seg("ST", Required, 1, el("ST01", Required, ID, 3, 3, "837"), el("ST02", Required, AN, 4, 9), el("ST03", Required, AN, 1, 35)),
		seg("DMG", Required, 1, num(el("DMG01", Required, ID, 2, 3, "D8", "RD8"), 1250), dmg02),
		seg("PAT", Situational, 1, el("PAT01", NotUsed, AN, 1, 1), el("PAT02", NotUsed, AN, 1, 1),
			el("PAT03", NotUsed, AN, 1, 1), el("PAT04", NotUsed, AN, 1, 1),
			num(el("PAT05", Situational, ID, 2, 3, "D8"), 1250), pat06),
		seg("SE", Required, 1, el("SE01", Required, N0, 1, 10), el("SE02", Required, AN, 4, 9)),
	}}}
}

func TestFormatQualifiedDates(t *testing.T) {
	tests := []struct {
		name string
		body string // segments between ST and SE
		want []string
	}{
		{"D8 date", "DMG*D8*19900115", nil},
		{"D8 month 13", "DMG*D8*19901340", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"D8 29 February of a common year", "DMG*D8*19000229", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"D8 29 February of a leap year", "DMG*D8*20000229", nil},
		{"D8 too short", "DMG*D8*1990011", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"D8 given a range", "DMG*D8*19900101-19900102", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"RD8 range", "DMG*RD8*19900101-19900102", nil},
		{"RD8 one day", "DMG*RD8*19900101-19900101", nil},
		{"RD8 ends before it starts", "DMG*RD8*19900102-19900101", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"RD8 without its end", "DMG*RD8*19900101-", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		{"RD8 a single date", "DMG*RD8*19900101", []string{"segment 8 DMG@2 ST", "element 8 DMG@2 ST DMG02 #1251"}},
		// A qualifier the table does not permit is its own error; the value is not judged
		// against a format nobody defined.
		{"unknown format", "DMG*D6*900101", []string{"segment 8 DMG@2 ST", "element 7 DMG@2 ST DMG01 #1250"}},
		{"no format", "DMG**900101", []string{"segment 8 DMG@2 ST", "element 1 DMG@2 ST DMG01 #1250"}},
		// One finding per value: too long is not also an invalid date.
		{"too long", "DMG*D8*" + strings.Repeat("1", 36), []string{"segment 8 DMG@2 ST", "element 5 DMG@2 ST DMG02 #1251"}},
		{"another position", "DMG*D8*19900115~\nPAT*****D8*20240230", []string{"segment 8 PAT@3 ST", "element 8 PAT@3 ST PAT06 #1251"}},
		{"another position valid", "DMG*D8*19900115~\nPAT*****D8*20240229", nil},
	}
	guides := guideMap{"837/005010FMT": formatGuide()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := strings.Count(tt.body, "~") + 3
			in := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501*000000001*0*T*:~\n" +
				"GS*HC*A*B*20240101*1200*1*X*005010FMT~\nST*837*0001*005010FMT~\n" + tt.body +
				fmt.Sprintf("~\nSE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n", n)
			res, err := Validate(context.Background(), strings.NewReader(in), ParseOptions{Guides: guides})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ic := range res.Interchanges {
				for _, g := range ic.Groups {
					for _, s := range g.Sets {
						for _, e := range s.Errors {
							if e.Level == LevelTransaction {
								continue
							}
							f := finding(e)
							if e.Level == LevelElement {
								f += fmt.Sprintf(" #%d", e.DataElement)
							}
							got = append(got, f)
						}
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
