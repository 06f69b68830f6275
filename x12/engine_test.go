package x12

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The mini guide exercises every engine feature with a table small enough to read in one
// go: qualified loops, nested HL loops, composites, repeats, syntax notes, a Not Used
// segment, max use and loop repeat limits, and a situational rule. (x12 cannot import
// x12/guides; samples_test.go runs the real tables.)

func el(ref string, u Usage, t DataType, min, max int, codes ...string) Element {
	return Element{Ref: ref, Usage: u, Type: t, Min: min, Max: max, Codes: codes, Repeat: 1}
}

func seg(id string, u Usage, maxUse int, els ...Element) Node {
	return Node{Seg: &SegmentDef{ID: id, Usage: u, MaxUse: maxUse, Elements: els}}
}

func qseg(n Node, elem int, vals ...string) Node {
	n.Seg.Qual = &Qualifier{Element: elem, Values: vals}
	return n
}

func loop(id string, u Usage, repeat int, body ...Node) Node {
	return Node{Loop: &LoopDef{ID: id, Usage: u, Repeat: repeat, Body: body}}
}

func hl(level string) Node {
	return qseg(seg("HL", Required, 1, el("HL01", Required, AN, 1, 12), el("HL02", Situational, AN, 1, 12),
		el("HL03", Required, ID, 1, 2, level), el("HL04", Situational, ID, 1, 1, "0", "1")), 3, level)
}

func miniGuide() *Guide {
	mea := seg("MEA", Situational, 1,
		el("MEA01", Situational, AN, 1, 10), el("MEA02", Situational, AN, 1, 10), el("MEA03", Situational, AN, 1, 10),
		el("MEA04", Situational, AN, 1, 10), el("MEA05", Situational, AN, 1, 10), el("MEA06", Situational, AN, 1, 10),
		el("MEA07", Situational, AN, 1, 10), el("MEA08", Situational, AN, 1, 10), el("MEA09", Situational, AN, 1, 10))
	mea.Seg.Syntax = []Syntax{{AtLeastOne, []int{1, 2}}, {Paired, []int{3, 4}}, {Exclusion, []int{5, 6}},
		{Conditional, []int{7, 8}}, {ListConditional, []int{9, 5, 6}}}
	eb02 := el("EB02", Situational, ID, 1, 2, "30", "1", "33", "6")
	eb02.Repeat = 3
	hiComp := func(ref string, u Usage) Element {
		return Element{Ref: ref, Usage: u, Repeat: 1, Components: []Element{
			el(ref+"-1", Required, ID, 1, 3, "ABK", "ABF"), el(ref+"-2", Required, AN, 1, 30)}}
	}
	return &Guide{Version: "005010TEST", Set: "837", FunctionalID: "HC", Root: &LoopDef{ID: "ST", Usage: Required, Repeat: 1, Body: []Node{
		seg("ST", Required, 1, el("ST01", Required, ID, 3, 3, "837"), el("ST02", Required, AN, 4, 9), el("ST03", Required, AN, 1, 35)),
		seg("BHT", Required, 1, el("BHT01", Required, ID, 4, 4, "0019"), el("BHT02", Required, ID, 2, 2, "00", "18"),
			el("BHT03", Required, AN, 1, 50), el("BHT04", Required, DT, 8, 8), el("BHT05", Required, TM, 4, 8),
			el("BHT06", Situational, N0, 1, 3)),
		qseg(seg("REF", Situational, 2, el("REF01", Required, ID, 2, 3, "EI"), el("REF02", Required, AN, 1, 30)), 1, "EI"),
		seg("AMT", Situational, 1, el("AMT01", Required, ID, 1, 3, "T"), el("AMT02", Required, R, 1, 18)),
		seg("NTE", NotUsed, 1, el("NTE01", Situational, AN, 1, 3), el("NTE02", Situational, AN, 1, 80)),
		seg("PER", Situational, 1, el("PER01", Required, ID, 2, 2, "IC"), el("PER02", Situational, AN, 1, 60),
			el("PER03", Situational, ID, 2, 2, "TE", "EM"), el("PER04", Situational, AN, 1, 256)),
		mea,
		seg("EB", Situational, 1, el("EB01", Required, ID, 1, 2, "1", "6"), eb02),
		loop("1000A", Required, 1,
			qseg(seg("N1", Required, 1, el("N101", Required, ID, 2, 3, "PR"), el("N102", Required, AN, 1, 60)), 1, "PR"),
			seg("N3", Required, 1, el("N301", Required, AN, 1, 55)),
			seg("N4", Situational, 1, el("N401", Required, AN, 2, 30))),
		loop("1000B", Required, 1,
			qseg(seg("N1", Required, 1, el("N101", Required, ID, 2, 3, "PE"), el("N102", Required, AN, 1, 60)), 1, "PE"),
			qseg(seg("REF", Situational, 1, el("REF01", Required, ID, 2, 3, "TJ"), el("REF02", Required, AN, 1, 30)), 1, "TJ")),
		loop("2000A", Required, 0, hl("20"),
			seg("PRV", Situational, 1, el("PRV01", Required, ID, 2, 3, "BI", "PE")),
			loop("2000B", Required, 0, hl("22"),
				seg("SBR", Required, 1, el("SBR01", Required, ID, 1, 1, "P", "S", "T")),
				loop("2300", Situational, 2,
					seg("CLM", Required, 1, el("CLM01", Required, AN, 1, 38), el("CLM02", Required, R, 1, 18),
						el("CLM03", NotUsed, AN, 1, 30), el("CLM04", NotUsed, AN, 1, 30),
						Element{Ref: "CLM05", Usage: Required, Repeat: 1, Components: []Element{
							el("CLM05-1", Required, AN, 1, 2), el("CLM05-2", Required, ID, 1, 2, "B"),
							el("CLM05-3", Required, ID, 1, 1, "1", "7", "8")}}),
					seg("HI", Required, 1, hiComp("HI01", Required), hiComp("HI02", Situational)),
					qseg(seg("DTP", Situational, 1, el("DTP01", Required, ID, 3, 3, "431"), el("DTP02", Required, ID, 2, 3, "D8"),
						el("DTP03", Required, DT, 8, 8)), 1, "431"),
					qseg(seg("REF", Situational, 1, el("REF01", Required, ID, 2, 3, "F8"), el("REF02", Required, AN, 1, 30)), 1, "F8")))),
		seg("SE", Required, 1, el("SE01", Required, N0, 1, 10), el("SE02", Required, AN, 4, 9)),
	}},
		Rules: []Rule{{Loop: "2300", If: Cond{Segment: "CLM", Element: 5, Component: 3, Values: []string{"7", "8"}},
			Then: Cond{Segment: "REF", Qual: &Qualifier{Element: 1, Values: []string{"F8"}}}, Code: "I6",
			Note: "2300 REF*F8 is required when CLM05-3 is 7 or 8"}},
	}
}

type guideMap map[string]*Guide

func (m guideMap) Lookup(set, version string) *Guide { return m[set+"/"+version] }

func miniGuides() Guides { return guideMap{"837/005010TEST": miniGuide()} }

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var seCount = regexp.MustCompile(`(?m)^SE\*\d+\*`)

// fixSE rewrites SE01 to the actual ST..SE count of a single-transaction file so a case
// tests one defect, not the count it would also break.
func fixSE(in string) string {
	st := strings.Index(in, "ST*")
	se := strings.Index(in, "\nSE*")
	if st < 0 || se < 0 {
		return in
	}
	n := strings.Count(in[st:se+1], "~")
	return seCount.ReplaceAllString(in, fmt.Sprintf("SE*%d*", n+1))
}

// finding is the part of an Error a 999 carries, as one comparable string.
func finding(e Error) string { return e.Locator() }

// findings lists every error of a file except the IK5 5 summary that accompanies any
// segment error.
func findings(res *FileResult) []string {
	var out []string
	add := func(es []Error) {
		for _, e := range es {
			if e.Level == LevelTransaction && e.Code == IK5SegmentsInError {
				continue
			}
			out = append(out, finding(e))
		}
	}
	add(res.Errors)
	for _, ic := range res.Interchanges {
		add(ic.Errors)
		for _, g := range ic.Groups {
			add(g.Errors)
			for _, s := range g.Sets {
				add(s.Errors)
			}
		}
	}
	return out
}

func validate(t *testing.T, in string) *FileResult {
	t.Helper()
	res, err := Validate(context.Background(), strings.NewReader(in), ParseOptions{Guides: miniGuides()})
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return res
}

func TestMiniValid(t *testing.T) {
	in := readTestdata(t, "mini-valid.edi")
	res := validate(t, in)
	if got := findings(res); len(got) != 0 || !res.Valid() {
		t.Fatalf("valid file reported %v", got)
	}
	if n := len(res.Interchanges[0].Groups[0].Sets); n != 1 || res.Interchanges[0].Groups[0].Sets[0].Guide != "005010TEST" {
		t.Fatalf("sets: %+v", res.Interchanges[0].Groups[0].Sets)
	}
}

func TestSegmentAndElementErrors(t *testing.T) {
	base := readTestdata(t, "mini-valid.edi")
	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		// IK304
		{"1 unrecognized", "AMT*T*150.25~", "AMT*T*150.25~\nZZQ*1~", []string{"segment 1 ZZQ@5 ST"}},
		{"2 unexpected", "AMT*T*150.25~", "AMT*T*150.25~\nSBR*P~", []string{"segment 2 SBR@5 ST"}},
		{"3 required segment missing", "N3*1 MAIN ST~\n", "", []string{"segment 3 N3@9 1000A"}},
		{"3 required loop missing", "N1*PE*PROVIDER~\nREF*TJ*123~\n", "", []string{"segment 3 N1@11 1000B"}},
		{"4 loop over max", "DTP*431*D8*20230228~", "DTP*431*D8*20230228~\nCLM*A2*1***11:B:1~\nHI*ABK:F329~\nCLM*A3*1***11:B:1~\nHI*ABK:F329~",
			[]string{"segment 4 CLM@22 2300"}},
		{"5 exceeds max use", "AMT*T*150.25~", "AMT*T*150.25~\nAMT*T*1~", []string{"segment 5 AMT@5 ST"}},
		{"5 qualified max use", "REF*EI*123456789~", "REF*EI*1~\nREF*EI*2~\nREF*EI*3~", []string{"segment 5 REF@5 ST"}},
		{"7 out of order", "N3*1 MAIN ST~\nN4*CITY~", "N4*CITY~\nN3*1 MAIN ST~", []string{"segment 7 N3@10 1000A"}},
		{"I4 not used segment", "AMT*T*150.25~", "AMT*T*150.25~\nNTE*ADD*X~", []string{"segment I4 NTE@5 ST"}},
		// IK403 (each preceded by the IK3 8 of its segment)
		{"1 required element", "N1*PR*PAYER~", "N1*PR~", []string{"segment 8 N1@8 1000A", "element 1 N1@8 1000A N102"}},
		{"1 required component", "11:B:1", "11::1", []string{"segment 8 CLM@17 2300", "element 1 CLM@17 2300 CLM05-2"}},
		{"2 paired", "MEA*A*B*C*D*", "MEA*A*B*C**", []string{"segment 8 MEA@6 ST", "element 2 MEA@6 ST MEA04"}},
		{"2 at least one", "MEA*A*B*", "MEA***", []string{"segment 8 MEA@6 ST", "element 2 MEA@6 ST MEA01"}},
		{"2 conditional", "*G*H*I~", "*G**I~", []string{"segment 8 MEA@6 ST", "element 2 MEA@6 ST MEA08"}},
		{"2 list conditional", "*E**G*H*I~", "***G*H*I~", []string{"segment 8 MEA@6 ST", "element 2 MEA@6 ST MEA05"}},
		{"10 exclusion", "*E**G*", "*E*F*G*", []string{"segment 8 MEA@6 ST", "element 10 MEA@6 ST MEA06"}},
		{"3 too many elements", "PRV*BI~", "PRV*BI*X~", []string{"segment 8 PRV@14 2000A", "element 3 PRV@14 2000A PRV02"}},
		{"4 too short", "N4*CITY~", "N4*C~", []string{"segment 8 N4@10 1000A", "element 4 N4@10 1000A N401"}},
		{"5 too long", "REF*EI*123456789~", "REF*EI*" + strings.Repeat("9", 31) + "~", []string{"segment 8 REF@3 ST", "element 5 REF@3 ST REF02"}},
		{"5 too long numeric counts digits", "AMT*T*150.25~", "AMT*T*-12345678901234567.89~", []string{"segment 8 AMT@4 ST", "element 5 AMT@4 ST AMT02"}},
		{"6 invalid character R", "AMT*T*150.25~", "AMT*T*15x.25~", []string{"segment 8 AMT@4 ST", "element 6 AMT@4 ST AMT02"}},
		{"6 invalid character N0", "*1200*5~", "*1200*5a~", []string{"segment 8 BHT@2 ST", "element 6 BHT@2 ST BHT06"}},
		{"6 invalid character AN", "PER*IC*JANE", "PER*IC*JA\x01NE", []string{"segment 8 PER@5 ST", "element 6 PER@5 ST PER02"}},
		{"7 invalid code", "PRV*BI~", "PRV*XX~", []string{"segment 8 PRV@14 2000A", "element 7 PRV@14 2000A PRV01"}},
		{"7 invalid qualifier", "N1*PR*PAYER~", "N1*XX*PAYER~", []string{"segment 8 N1@8 1000A", "element 7 N1@8 1000A N101"}},
		{"8 invalid date", "20230228", "20230229", []string{"segment 8 DTP@19 2300", "element 8 DTP@19 2300 DTP03"}},
		{"9 invalid time", "*1200*5~", "*2460*5~", []string{"segment 8 BHT@2 ST", "element 9 BHT@2 ST BHT05"}},
		{"12 too many repetitions", "EB*1*30^1~", "EB*1*30^1^33^6~", []string{"segment 8 EB@7 ST", "element 12 EB@7 ST EB02"}},
		{"12 repetition of a simple element", "PRV*BI~", "PRV*BI^PE~", []string{"segment 8 PRV@14 2000A", "element 12 PRV@14 2000A PRV01"}},
		{"13 components in a simple element", "PRV*BI~", "PRV*BI:X~", []string{"segment 8 PRV@14 2000A", "element 13 PRV@14 2000A PRV01"}},
		{"13 too many components", "11:B:1", "11:B:1:9", []string{"segment 8 CLM@17 2300", "element 13 CLM@17 2300 CLM05"}},
		{"I10 not used element", "CLM*A1*100***", "CLM*A1*100*X**", []string{"segment 8 CLM@17 2300", "element I10 CLM@17 2300 CLM03"}},
		{"HL01 not sequential", "HL*2*1*22*0~", "HL*3*1*22*0~", []string{"segment 8 HL@15 2000B", "element I12 HL@15 2000B HL01"}},
		{"HL02 wrong parent", "HL*2*1*22*0~", "HL*2*2*22*0~", []string{"segment 8 HL@15 2000B", "element I12 HL@15 2000B HL02"}},
		{"rule CLM05-3 7 needs REF*F8", "11:B:1", "11:B:7", []string{"segment I6 REF@17 2300"}},
		{"rule satisfied", "11:B:1~\nHI*ABK:F329*ABF:F419~\nDTP*431*D8*20230228~", "11:B:7~\nHI*ABK:F329*ABF:F419~\nDTP*431*D8*20230228~\nREF*F8*ORIG1~", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("base file lacks %q", c.old)
			}
			in := fixSE(strings.Replace(base, c.old, c.new, 1))
			got := findings(validate(t, in))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestEnvelopeErrors(t *testing.T) {
	base := readTestdata(t, "mini-valid.edi")
	isa2 := strings.Replace(base[:strings.Index(base, "GS*")], "000000001", "000000002", 1)
	cases := []struct {
		name     string
		old, new string
		all      bool
		want     []string
	}{
		{"001 ISA13 != IEA02", "IEA*1*000000001~", "IEA*1*000000009~", false, []string{"interchange 001 IEA IEA02"}},
		{"021 group count", "IEA*1*", "IEA*2*", false, []string{"interchange 021 IEA IEA01"}},
		{"023 missing IEA", "IEA*1*000000001~\n", "", false, []string{"interchange 023 IEA"}},
		{"025 duplicate ISA13", "IEA*1*000000001~\n", "IEA*1*000000001~\n" + base, false, []string{"interchange 025 ISA ISA13", "group 19 GS GS06"}},
		{"017 version", "*00501*", "*00401*", false, []string{"interchange 017 ISA ISA12"}},
		{"020 usage", "*0*T*:~", "*0*X*:~", false, []string{"interchange 020 ISA ISA15"}},
		{"AK9 4 GS06 != GE02", "GE*1*1~", "GE*1*7~", false, []string{"group 4 GE GE02"}},
		{"AK9 5 set count", "GE*1*1~", "GE*2*1~", false, []string{"group 5 GE GE01"}},
		{"AK9 3 missing GE", "GE*1*1~\n", "", false, []string{"group 3 IEA"}},
		{"AK9 1 unknown GS01", "GS*HC*", "GS*ZZ*", false, []string{"group 1 GS GS01"}},
		{"AK9 19 duplicate GS06", "IEA*1*000000001~\n", "IEA*1*000000001~\n" + isa2 + base[strings.Index(base, "GS*"):strings.Index(base, "IEA")] + "IEA*1*000000002~\n", false,
			[]string{"group 19 GS GS06"}},
		{"IK5 3 ST02 != SE02", "SE*20*0001~", "SE*20*0002~", false, []string{"transaction 3 SE SE02"}},
		{"IK5 4 segment count", "SE*20*", "SE*21*", false, []string{"transaction 4 SE SE01"}},
		{"IK5 2 missing SE", "SE*20*0001~\n", "", false, []string{"transaction 2 SE"}},
		{"IK5 19 ST03 != GS08", "ST*837*0001*005010TEST~", "ST*837*0001*005010X222A1~", false, []string{"transaction 19 ST ST03"}},
		{"IK5 6 set not in group", "ST*837*", "ST*835*", false, []string{"transaction 6 ST ST01"}},
		{"IK5 23 duplicate ST02", "GE*1*1~", strings.Join(strings.SplitAfter(base, "\n")[2:22], "") + "GE*2*1~", false,
			[]string{"transaction 23 ST ST02"}},
		{"024 newline terminator", "~\n", "\n", true, []string{"interchange 024 ISA"}},
		{"022 TA1 after GS", "ST*837*0001", "TA1*000000001*261123*1200*A*000~\nST*837*0001", false, []string{"interchange 022 TA1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 1
			if c.all {
				n = -1
			}
			if !strings.Contains(base, c.old) {
				t.Fatalf("base lacks %q", c.old)
			}
			in := strings.Replace(base, c.old, c.new, n)
			got := findings(validate(t, in))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTA1BeforeGSAndMultipleInterchanges(t *testing.T) {
	base := readTestdata(t, "mini-valid.edi")
	isaEnd := strings.Index(base, "GS*")
	withTA1 := base[:isaEnd] + "TA1*000000007*261123*1200*A*000~\n" + base[isaEnd:]
	second := strings.NewReplacer("*000000001*", "*000000002*", "IEA*1*000000001", "IEA*1*000000002",
		"*1*X*005010TEST", "*2*X*005010TEST", "GE*1*1", "GE*1*2").Replace(base)
	// A third interchange with other delimiters, no newlines.
	third := strings.NewReplacer("*", "|", "^", "!", ":", "}", "~\n", "'").Replace(
		strings.NewReplacer("*000000001*", "*000000003*", "IEA*1*000000001", "IEA*1*000000003",
			"*1*X*005010TEST", "*3*X*005010TEST", "GE*1*1", "GE*1*3").Replace(base))
	in := "\xEF\xBB\xBF" + withTA1 + strings.ReplaceAll(second, "\n", "\r\n") + third
	p := NewParser(strings.NewReader(in), ParseOptions{Guides: miniGuides()})
	n := 0
	for {
		tr, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if tr.Root == nil || len(tr.Root.Loops("2000A")) != 1 || tr.Root.Loops("2000A")[0].Loops("2000B")[0].Loops("2300")[0].Seg("CLM") == nil {
			t.Fatalf("transaction %d: tree lacks 2000A/2000B/2300 CLM", n)
		}
	}
	res := p.Result()
	if n != 3 || len(res.Interchanges) != 3 || len(res.TA1s) != 1 || res.TA1s[0].Str(1) != "000000007" {
		t.Fatalf("transactions %d interchanges %d TA1s %d", n, len(res.Interchanges), len(res.TA1s))
	}
	if got := findings(res); len(got) != 0 {
		t.Fatalf("errors: %v", got)
	}
	if res.Interchanges[2].Delimiters.Component != '}' || res.Interchanges[2].Control != "000000003" {
		t.Fatalf("third interchange: %+v", res.Interchanges[2])
	}
}

func TestUnknownGuideFlatTree(t *testing.T) {
	in := strings.Replace(readTestdata(t, "mini-valid.edi"), "005010TEST", "005010X999", 2)
	p := NewParser(strings.NewReader(in), ParseOptions{Guides: miniGuides()})
	tr, err := p.Next()
	if err != nil {
		t.Fatal(err)
	}
	if tr.Guide != nil || len(tr.Root.Segments) != 20 || len(tr.Root.Children) != 0 || !tr.Root.Segments[19].Is("SE") {
		t.Fatalf("flat tree: guide %v, %d segments, %d children", tr.Guide, len(tr.Root.Segments), len(tr.Root.Children))
	}
	if !tr.Valid() {
		t.Fatalf("envelope-only checks reported %v", tr.Errors)
	}
	if _, err := p.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestOverrides(t *testing.T) {
	g := miniGuide()
	req := Required
	og, err := g.WithOverrides([]Override{
		{Loop: "2000A", Segment: "PRV", Element: "PRV01", RemoveCodes: []string{"BI"}},
		{Loop: "2300", Segment: "DTP*431", Usage: &req},
	})
	if err != nil {
		t.Fatal(err)
	}
	if g.Root.Body[8].Loop == nil || len(miniGuide().Root.Body) == 0 {
		t.Fatal("guide shape changed")
	}
	base := readTestdata(t, "mini-valid.edi")
	in := fixSE(strings.Replace(base, "DTP*431*D8*20230228~\n", "", 1))
	res, err := Validate(context.Background(), strings.NewReader(in), ParseOptions{Guides: guideMap{"837/005010TEST": og}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"segment 8 PRV@14 2000A", "element 7 PRV@14 2000A PRV01", "segment 3 DTP@19 2300"}
	if got := findings(res); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q want %q", got, want)
	}
	// The shared table is untouched.
	if got := findings(validate(t, in)); len(got) != 0 {
		t.Fatalf("base guide changed by override: %v", got)
	}
	if _, err := g.WithOverrides([]Override{{Loop: "2300", Segment: "NM1"}}); err == nil {
		t.Fatal("override of a missing segment accepted")
	}
	if _, err := g.WithOverrides([]Override{{Segment: "PRV", Element: "PRV09"}}); err == nil {
		t.Fatal("override of a missing element accepted")
	}
}
