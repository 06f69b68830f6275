package x12

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// triggered lists a set's segment and element findings as finding() does, each followed by
// its situational trigger ("<- CLM@17 2300 5:3") when it has one.
func triggered(res *FileResult) []string {
	var out []string
	for _, ic := range res.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Sets {
				for _, e := range s.Errors {
					if e.Level != LevelSegment && e.Level != LevelElement {
						continue
					}
					f := finding(e)
					if t := e.Trigger; t != nil {
						f += fmt.Sprintf(" <- %s@%d %s", t.Segment, t.Position, t.Loop)
						if t.Elem > 0 {
							f += fmt.Sprintf(" %d:%d:%d", t.Elem, t.Comp, t.Rep)
						}
					}
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// A finding of a situational rule names the segment (and element) whose presence or value
// made the rule apply, for the 999's CTX SITUATIONAL TRIGGER; other findings name none.
func TestSituationalTrigger(t *testing.T) {
	base := readTestdata(t, "mini-valid.edi")
	refF8 := Cond{Segment: "REF", Qual: &Qualifier{Element: 1, Values: []string{"F8"}}}
	cases := []struct {
		name     string
		rule     *Rule // replaces the mini guide's CLM05-3 rule; nil keeps it
		old, new string
		want     []string
	}{
		{name: "element value in the rule's own loop", old: "11:B:1", new: "11:B:7",
			want: []string{"segment I6 REF@17 2300 <- CLM@17 2300 5:3:0"}},
		{name: "segment presence: no element position",
			rule: &Rule{Loop: "2300", If: Cond{Segment: "DTP"}, Then: refF8, Code: "I6"},
			want: []string{"segment I6 REF@17 2300 <- DTP@19 2300"}},
		{name: "trigger in a nested loop names its own loop",
			rule: &Rule{Loop: "2000B", If: Cond{Segment: "CLM", Element: 5, Component: 3, Values: []string{"1"}},
				Then: Cond{Segment: "PRV"}, Code: "I6"},
			want: []string{"segment I6 PRV@15 2000B <- CLM@17 2300 5:3:0"}},
		{name: "the first segment that meets the condition is the trigger",
			rule: &Rule{Loop: "2000B", If: Cond{Segment: "CLM"}, Then: Cond{Segment: "PRV"}, Code: "I6"},
			old:  "DTP*431*D8*20230228~", new: "DTP*431*D8*20230228~\nCLM*A2*1***11:B:1~\nHI*ABK:F329~",
			want: []string{"segment I6 PRV@15 2000B <- CLM@17 2300"}},
		{name: "element required by another segment's element",
			rule: &Rule{Loop: "2300", If: Cond{Segment: "HI", Element: 2, Component: 1, Values: []string{"ABF"}},
				Then: Cond{Segment: "REF", Qual: refF8.Qual, Element: 2}, Code: IK4ConditionalMissing},
			want: []string{"element 2 REF@17 2300 REF02 <- HI@18 2300 2:1:0"}},
		{name: "a condition on an absent segment has no trigger",
			rule: &Rule{Loop: "2300", If: Cond{Segment: "DTP", Absent: true}, Then: refF8, Code: "I6"},
			old:  "DTP*431*D8*20230228~\n", new: "",
			want: []string{"segment I6 REF@17 2300"}},
		{name: "structure finding: no trigger", old: "N3*1 MAIN ST~\n", new: "",
			want: []string{"segment 3 N3@9 1000A"}},
		{name: "rule not violated", old: "DTP*431*D8*20230228~", new: "DTP*431*D8*20230228~\nREF*F8*ORIG1~",
			rule: &Rule{Loop: "2300", If: Cond{Segment: "DTP"}, Then: refF8, Code: "I6"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := miniGuide()
			if c.rule != nil {
				g.Rules = []Rule{*c.rule}
			}
			in := base
			if c.old != "" {
				if !strings.Contains(base, c.old) {
					t.Fatalf("base file lacks %q", c.old)
				}
				in = fixSE(strings.Replace(base, c.old, c.new, 1))
			}
			res, err := Validate(context.Background(), strings.NewReader(in), ParseOptions{Guides: guideMap{"837/005010TEST": g}})
			if err != nil {
				t.Fatal(err)
			}
			if got := triggered(res); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
