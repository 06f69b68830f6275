package eligibility

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/edigate/edigate/fixtures"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// with271 replaces the EB segments (and the 2120 loop) of the hand-written 271 with ebs.
func with271(t *testing.T, ebs ...string) Result {
	t.Helper()
	b, err := fixtures.X12File("271-active-coverage.x12")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "EB|") || strings.HasPrefix(l, "LS|") || strings.HasPrefix(l, "LE|") || strings.HasPrefix(l, "NM1|PR|2|BH") {
			continue
		}
		if strings.HasPrefix(l, "SE|") {
			lines = append(lines, ebs...)
			l = fmt.Sprintf("SE|%d|0001~", 12+len(ebs))
		}
		lines = append(lines, l)
	}
	rs, findings, err := Read271(context.Background(), strings.NewReader(strings.Join(lines, "\n")), x12.ParseOptions{Guides: guides.Registry})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%v %v: %d results", err, findings, len(rs))
	}
	return rs[0]
}

// eb writes an EB segment: EB01 info, EB03 service types (! repeats), EB07 amount, EB08
// percent, EB11 authorization, EB12 network.
func eb(info, st, amount, pct, auth, net string) string {
	return strings.TrimRight(strings.Join([]string{"EB", info, "IND", st, "", "", "", amount, pct, "", "", auth, net}, "|"), "|") + "~"
}

func flag(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

// TestSummaryFlagsEveryEB01: an EB11/EB12 on a behavioral-health benefit sets the summary
// flags whatever the benefit's EB01.
func TestSummaryFlagsEveryEB01(t *testing.T) {
	for _, code := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C", "CB", "D", "E", "F", "G", "H", "I",
		"J", "K", "L", "M", "MC", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y"} {
		t.Run("EB01 "+code, func(t *testing.T) {
			r := with271(t, eb("1", "30", "", "", "", ""), eb(code, "A6", "", "", "Y", "N"))
			if flag(r.AuthRequired) != "true" || flag(r.InNetwork) != "false" {
				t.Errorf("auth_required %s in_network %s, want true false", flag(r.AuthRequired), flag(r.InNetwork))
			}
		})
	}
}

// TestSummaryFlagsSpecificWins: the most specific service type that says anything wins;
// benefits for other service types say nothing of a therapy session.
func TestSummaryFlagsSpecificWins(t *testing.T) {
	tests := []struct {
		name     string
		ebs      []string
		auth, in string
	}{
		{"A6 over 30", []string{eb("1", "30", "", "", "Y", "Y"), eb("CB", "A6", "", "", "N", "N")}, "false", "false"},
		{"A6 over MH", []string{eb("B", "MH", "25", "", "N", "Y"), eb("CB", "A6", "", "", "Y", "")}, "true", "true"},
		{"plan level when no behavioral flag", []string{eb("1", "30", "", "", "Y", "Y"), eb("B", "A6", "25", "", "", "")}, "true", "true"},
		{"medical says nothing", []string{eb("1", "30", "", "", "", ""), eb("CB", "1!2", "", "", "Y", "N")}, "null", "null"},
		{"one Y at the winning rank", []string{eb("B", "A6", "25", "", "N", "N"), eb("A", "A6", "", ".2", "Y", "Y")}, "true", "true"},
		{"W is unknown", []string{eb("1", "30", "", "", "", "W")}, "null", "null"},
		{"prior authorization on a coverage basis", []string{eb("1", "30!MH", "", "", "", "Y"), eb("B", "A6", "25", "", "", "Y"), eb("CB", "A6", "", "", "Y", "")}, "true", "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := with271(t, tt.ebs...)
			if flag(r.AuthRequired) != tt.auth || flag(r.InNetwork) != tt.in {
				t.Errorf("auth_required %s in_network %s, want %s %s", flag(r.AuthRequired), flag(r.InNetwork), tt.auth, tt.in)
			}
		})
	}
}
