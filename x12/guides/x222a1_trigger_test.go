package guides

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// x222Triggers lists the findings that carry a situational trigger as
// "REF@19 2300 I6 <- CLM@19 2300 5:3 #1325", sorted.
func x222Triggers(errs []x12.Error) []string {
	var out []string
	for _, e := range errs {
		if t := e.Trigger; t != nil {
			out = append(out, fmt.Sprintf("%s@%d %s %s <- %s@%d %s %d:%d #%d", e.Segment, e.Position, e.Loop, e.Code,
				t.Segment, t.Position, t.Loop, t.Elem, t.Comp, t.DataElement))
		}
	}
	sort.Strings(out)
	return out
}

// TestX222A1SituationalTriggers: the 837P situational rules (the data rules and
// X222A1Check's REF*F8 check) name the CLM element whose value made the missing segment
// required, with its data element number; other findings name no trigger.
func TestX222A1SituationalTriggers(t *testing.T) {
	base := x222Claims(t)
	const cob = "HI*ABK:F411*ABF:Z630\nSBR*S*18*******CI\nOI***Y***Y\n" +
		"NM1*IL*1*TESTPERSON*ONE****MI*W000000001\nNM1*PR*2*OTHER PAYER*****PI*99999\nREF*F8*OTHERPAYERICN\n"
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"replacement without REF*F8 (data rule)", "11:B:1*Y*A*Y*Y\nHI*ABK:F411", "11:B:7*Y*A*Y*Y\nHI*ABK:F411",
			[]string{"REF@19 2300 I6 <- CLM@19 2300 5:3 #1325"}},
		{"void with REF*F8 only from the other payer (X222A1Check)", "11:B:1*Y*A*Y*Y\nHI*ABK:F411*ABF:Z630\n",
			"11:B:8*Y*A*Y*Y\n" + cob, []string{"REF@19 2300 I6 <- CLM@19 2300 5:3 #1325"}},
		{"auto accident in CLM11-1 without accident date", "CLM*PCN001*300***11:B:1*Y*A*Y*Y\n",
			"CLM*PCN001*300***11:B:1*Y*A*Y*Y**AA:::IL\n", []string{"DTP@19 2300 I6 <- CLM@19 2300 11:1 #1362"}},
		{"other accident in CLM11-2 without accident date", "CLM*PCN001*300***11:B:1*Y*A*Y*Y\n",
			"CLM*PCN001*300***11:B:1*Y*A*Y*Y**EM:OA\n", []string{"DTP@19 2300 I6 <- CLM@19 2300 11:2 #1362"}},
		{"the dependent's claim: its own CLM is the trigger", "CLM*PCN002*150***11:B:1", "CLM*PCN002*150***11:B:7",
			[]string{"REF@37 2300 I6 <- CLM@37 2300 5:3 #1325"}},
		{"claim total does not balance: no trigger", "CLM*PCN001*300*", "CLM*PCN001*300.01*", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := x222Triggers(x222Mutated(t, base, tc.old, tc.new))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("triggers:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
