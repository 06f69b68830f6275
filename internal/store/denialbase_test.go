package store

import (
	"testing"

	"github.com/edigate/edigate/x12"
)

// TestGroupDenials: every grouping of the same claims adds up to the same denied claims,
// denied lines and denied amount (one base), and each claim goes under the key holding most
// of its denied amount.
func TestGroupDenials(t *testing.T) {
	cs := []adjClaim{
		// Two CARCs on one claim: counted once, under CO-16 (the larger amount).
		{payer: "p1", month: "202612", provider: "N1", codes: []string{"90837", "90785"}, denied: true, adjs: []denialAdj{
			{line: 1, code: "90837", grp: "CO", reason: "16", category: "documentation", amount: 10000},
			{line: 2, code: "90785", grp: "CO", reason: "ZZ9", category: "other", amount: 2000}}},
		// A claim-level denial: every line denied, under the first code by CPT.
		{payer: "p1", month: "202611", provider: "N2", codes: []string{"90834", "90785"}, denied: true, adjs: []denialAdj{
			{grp: "CO", reason: "29", category: "timely", amount: 15000}}},
		// Denied by CLP status without a categorised adjustment.
		{payer: "p2", month: "202612", provider: "N1", codes: []string{"90791"}, denied: true},
		// Equal amounts: the lower key.
		{payer: "p2", month: "202612", provider: "N2", codes: []string{"90837"}, denied: true, adjs: []denialAdj{
			{line: 1, code: "90837", grp: "PR", reason: "204", category: "coverage", amount: 500},
			{line: 1, code: "90837", grp: "CO", reason: "197", category: "authorization", amount: 500}}},
		{payer: "p2", month: "202612", provider: "N1", codes: []string{"90837"}}, // paid
	}
	want := map[string]map[string]int{
		"carc":     {"CO-16": 1, "CO-29": 1, "-": 0, "": 1, "CO-197": 1},
		"cpt":      {"90837": 2, "90834": 1, "90791": 1},
		"category": {"documentation": 1, "timely": 1, "": 1, "authorization": 1},
		"payer":    {"p1": 2, "p2": 2},
	}
	for _, by := range []string{"payer", "month", "provider", "cpt", "carc", "category"} {
		rows := groupDenials(by, cs)
		var denied, lines int
		var amount x12.Amount
		for _, r := range rows {
			denied, lines, amount = denied+r.Denied, lines+r.DeniedLines, amount+r.DeniedAmount
			if w, ok := want[by]; ok {
				if _, listed := w[r.Key]; !listed && r.Denied > 0 {
					t.Errorf("by %s: unexpected denied key %q", by, r.Key)
				} else if r.Denied != w[r.Key] {
					t.Errorf("by %s %q: denied %d, want %d", by, r.Key, r.Denied, w[r.Key])
				}
			}
		}
		// 4 denied claims; lines 2 + 2 + 0 (no adjustment names a line) + 1; $100 + $20 + $150 + $5 + $5.
		if denied != 4 || lines != 5 || amount != 28000 {
			t.Errorf("by %s: totals denied %d lines %d amount %s, want 4, 5, $280.00 (%+v)", by, denied, lines, amount, rows)
		}
	}
}
