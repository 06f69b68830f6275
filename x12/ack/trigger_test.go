package ack_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/ack"
	"github.com/edigate/edigate/x12/guides"
)

// errorLoops returns the 999 lines between AK2 and IK5: the 2100/2110 loops.
func errorLoops(out string) []string {
	var in bool
	var got []string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "AK2*"):
			in = true
		case strings.HasPrefix(l, "IK5*"):
			in = false
		case in:
			got = append(got, l)
		}
	}
	return got
}

// triggers lists the situational-trigger CTXs Parse999 reads, each under the IK3 or IK4 it
// follows: "IK3 REF@19: CLM@19 2300 5:3:0 1325".
func triggers(a *ack.Ack999) []string {
	var out []string
	str := func(at string, c ack.Context) string {
		return fmt.Sprintf("%s: %s@%d %s %d:%d:%d %s", at, c.Segment, c.Position, c.Loop, c.Element, c.Component, c.Repeat, c.Ref)
	}
	for _, s := range a.Sets {
		for _, e := range s.Errors {
			for _, c := range e.Context {
				if c.Name == "SITUATIONAL TRIGGER" {
					out = append(out, str(fmt.Sprintf("IK3 %s@%d", e.Segment, e.Position), c))
				}
			}
			for _, el := range e.Elements {
				for _, c := range el.Context {
					if c.Name == "SITUATIONAL TRIGGER" {
						out = append(out, str(fmt.Sprintf("IK4 %s%02d", e.Segment, el.Position), c))
					}
				}
			}
		}
	}
	return out
}

// The 999 names the segment whose value made a missing situational segment (2100, after
// the IK3 and before the business unit CTX) or element (2110, after the IK4) required, in
// a CTX SITUATIONAL TRIGGER that our X231A1 table validates and Parse999 reads back.
func TestBuild999SituationalTrigger(t *testing.T) {
	b, err := fixtures.X12File("bad-837p-sv103-code.x12")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture with its one error (SV103 XX) corrected; CLM is at position 19.
	valid := strings.Replace(string(b), "SV1*HC:90837*150*XX*1", "SV1*HC:90837*150*UN*1", 1)
	// X222A1 with CLM11-4 "required when CLM11-1 or CLM11-2 has a value of AA" as a data
	// rule (the tables do not carry it), for an element-level rule finding.
	withState := *guides.X222A1
	withState.Rules = append(slices.Clone(withState.Rules), x12.Rule{Loop: "2300",
		If:   x12.Cond{Segment: "CLM", Element: 11, Component: 1, Values: []string{"AA"}},
		Then: x12.Cond{Segment: "CLM", Element: 11, Component: 4}, Code: x12.IK4ConditionalMissing,
		Note: "CLM11-4 auto accident state is required when CLM11-1 is AA"})
	const clm = "CLM*PCN0001*300***11:B:1*Y*A*Y*Y~"
	tests := []struct {
		name     string
		old, new string
		guides   x12.Guides // nil: guides.Registry
		trees    bool       // pass the parsed transactions (business unit CTX)
		want     []string   // the 2100/2110 lines
		triggers []string   // read back by Parse999
	}{
		{name: "valid", trees: true},
		{name: "replacement without REF*F8", old: clm, new: "CLM*PCN0001*300***11:B:7*Y*A*Y*Y~", trees: true,
			want:     []string{"IK3*REF*19*2300*I6~", "CTX*SITUATIONAL TRIGGER*CLM*19*2300*5:3*1325~", "CTX*CLM01:PCN0001~"},
			triggers: []string{"IK3 REF@19: CLM@19 2300 5:3:0 1325"}},
		{name: "replacement without trees: the trigger comes from the finding", old: clm,
			new:      "CLM*PCN0001*300***11:B:7*Y*A*Y*Y~",
			want:     []string{"IK3*REF*19*2300*I6~", "CTX*SITUATIONAL TRIGGER*CLM*19*2300*5:3*1325~"},
			triggers: []string{"IK3 REF@19: CLM@19 2300 5:3:0 1325"}},
		{name: "other accident without accident date", old: clm, new: "CLM*PCN0001*300***11:B:1*Y*A*Y*Y**EM:OA~", trees: true,
			want:     []string{"IK3*DTP*19*2300*I6~", "CTX*SITUATIONAL TRIGGER*CLM*19*2300*11:2*1362~", "CTX*CLM01:PCN0001~"},
			triggers: []string{"IK3 DTP@19: CLM@19 2300 11:2:0 1362"}},
		{name: "element required by a trigger: CTX after the IK4", old: clm, new: "CLM*PCN0001*300***11:B:1*Y*A*Y*Y**AA~",
			guides: guides.NewSet([]*x12.Guide{&withState}, nil), trees: true,
			want: []string{
				"IK3*DTP*19*2300*I6~", "CTX*SITUATIONAL TRIGGER*CLM*19*2300*11:1*1362~", "CTX*CLM01:PCN0001~",
				"IK3*CLM*19*2300*8~", "CTX*CLM01:PCN0001~", "IK4*11:4*156*2~", "CTX*SITUATIONAL TRIGGER*CLM*19*2300*11:1*1362~"},
			triggers: []string{"IK3 DTP@19: CLM@19 2300 11:1:0 1362", "IK4 CLM11: CLM@19 2300 11:1:0 1362"}},
		{name: "no situational rule: no trigger CTX", old: "SV1*HC:90837*150*UN*1", new: "SV1*HC:90837*150*XX*1", trees: true,
			want: []string{"IK3*SV1*23*2400*8~", "CTX*CLM01:PCN0001~", "IK4*3*355*7*XX~"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			if tt.old != "" {
				if !strings.Contains(in, tt.old) {
					t.Fatalf("the 837P lacks %q", tt.old)
				}
				in = strings.Replace(in, tt.old, tt.new, 1)
			}
			g := tt.guides
			if g == nil {
				g = guides.Registry
			}
			out := build999(t, []byte(in), g, tt.trees)
			if got := errorLoops(out.String()); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("2100/2110 loops:\n got %q\nwant %q", got, tt.want)
			}
			selfCheck(t, out.String())
			_, acks, err := ack.Read(context.Background(), bytes.NewReader(out.Bytes()), guides.Registry)
			if err != nil || len(acks) != 1 {
				t.Fatalf("reading the 999 back: %v, %d sets", err, len(acks))
			}
			a, err := ack.Parse999(acks[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := triggers(a); strings.Join(got, "\n") != strings.Join(tt.triggers, "\n") {
				t.Errorf("Parse999 triggers:\n got %q\nwant %q", got, tt.triggers)
			}
			// The business unit CTX stays a business unit, not a context.
			for _, s := range a.Sets {
				for _, e := range s.Errors {
					if bu := e.BusinessUnit; tt.trees && (bu == nil || bu.Name != "CLM01" || bu.Reference != "PCN0001") {
						t.Errorf("IK3 %s: business unit %+v", e.Segment, bu)
					}
				}
			}
		})
	}
}

// build999 reads data with the guides and returns the 999 for it (one segment a line); with
// trees, the builder also gets the parsed transactions (CTX business units, bad values).
func build999(t *testing.T, data []byte, g x12.Guides, trees bool) *bytes.Buffer {
	t.Helper()
	res, txs, err := ack.Read(context.Background(), bytes.NewReader(data), g)
	if err != nil {
		t.Fatal(err)
	}
	opts := ack.Options{Sequence: x12.NewMemorySequence(), Now: now, Newline: true}
	if trees {
		opts.Transactions = txs
	}
	var out bytes.Buffer
	if err := ack.Build999(context.Background(), &out, res, opts); err != nil {
		t.Fatal(err)
	}
	return &out
}
