package store

import (
	"reflect"
	"testing"

	"github.com/edigate/edigate/x12"
)

// TestDenialGroups: a line denial counts that line under its key; a claim-level denial
// (line 0) denies every line of the claim, by CPT each under its own code with the amount
// on the first code; rates are against the code's lines (cpt) or all lines.
func TestDenialGroups(t *testing.T) {
	c1, c2 := [2]int64{1, 1}, [2]int64{1, 2}
	adj := &adjudicated{codes: map[[2]int64][]string{}, linesByCode: map[string]int{}, claimsByCode: map[string]map[[2]int64]bool{}}
	adj.add(c1, []string{"90837", "90785"})
	adj.add(c2, []string{"90837"})
	lineDenial := denialAdjustment{claim: c1, line: 2, code: "90785", grp: "CO", reason: "197", category: "authorization", amount: 5000}
	claimDenial := denialAdjustment{claim: c1, grp: "CO", reason: "29", category: "timely", amount: 20000}
	otherClaim := denialAdjustment{claim: c2, line: 1, code: "90837", grp: "CO", reason: "197", category: "authorization", amount: 15000}
	type row struct {
		key                                string
		claims, denied, lines, deniedLines int
		amount                             x12.Amount
		rate, lineRate                     float64
	}
	tests := []struct {
		by   string
		in   []denialAdjustment
		want []row
	}{
		{"cpt", []denialAdjustment{lineDenial}, []row{{"90785", 1, 1, 1, 1, 5000, 1, 1}}},
		{"cpt", []denialAdjustment{claimDenial}, []row{
			{"90785", 1, 1, 1, 1, 0, 1, 1},
			{"90837", 2, 1, 2, 1, 20000, 0.5, 0.5}}},
		{"cpt", []denialAdjustment{claimDenial, otherClaim}, []row{
			{"90785", 1, 1, 1, 1, 0, 1, 1},
			{"90837", 2, 2, 2, 2, 35000, 1, 1}}},
		{"carc", []denialAdjustment{lineDenial, claimDenial, otherClaim}, []row{
			{"CO-197", 2, 2, 3, 2, 20000, 1, 2.0 / 3},
			{"CO-29", 2, 1, 3, 2, 20000, 0.5, 2.0 / 3}}},
		{"category", []denialAdjustment{lineDenial, claimDenial}, []row{
			{"authorization", 2, 1, 3, 1, 5000, 0.5, 1.0 / 3},
			{"timely", 2, 1, 3, 2, 20000, 0.5, 2.0 / 3}}},
		{"category", nil, nil},
		// A line adjustment whose SVC01-2 was not stored still counts, under no code,
		// instead of crashing the report.
		{"cpt", []denialAdjustment{{claim: c2, line: 1, grp: "CO", reason: "16", category: "documentation", amount: 700}},
			[]row{{"", 0, 1, 0, 1, 700, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			gs := denialGroups{}
			for _, d := range tt.in {
				gs.add(tt.by, d, adj.codes[d.claim])
			}
			var got []row
			for _, r := range gs.rows(tt.by, adj) {
				got = append(got, row{r.Key, r.Claims, r.Denied, r.Lines, r.DeniedLines, r.DeniedAmount, r.Rate, r.LineRate})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rows = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
