package remit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

type wantClaim struct {
	pcn, status      string
	charge, paid, pr string
	adjustments      int // claim-level CAS reasons
	lines            int
	category, action string
	due              string
	denials          int
}

func TestMap835(t *testing.T) {
	type pay = struct {
		check, total string
		balanced     bool
		plb          []string
		claims       []wantClaim
	}
	cases := []struct {
		file string
		want []pay
	}{
		{"835-paid.x12", []pay{{"CHK1001", "100.00", true, nil, []wantClaim{
			{pcn: "PCN1001", status: "1", charge: "150.00", paid: "100.00", pr: "0.00", lines: 1}}}}},
		{"835-partial-pr.x12", []pay{{"CHK2001", "150.00", true, nil, []wantClaim{
			{pcn: "PCN2001", status: "1", charge: "300.00", paid: "150.00", pr: "90.00", lines: 2}}}}},
		{"835-denied-co197.x12", []pay{{"CHK3001", "0.00", true, nil, []wantClaim{
			{pcn: "PCN3001", status: "4", charge: "150.00", paid: "0.00", pr: "0.00", lines: 1,
				category: CategoryAuthorization, action: ActionAppeal, due: "2025-05-30", denials: 1}}}}},
		{"835-reversal.x12", []pay{{"CHK4001", "20.00", true, nil, []wantClaim{
			{pcn: "PCN4001", status: "22", charge: "-150.00", paid: "-100.00", pr: "0.00", adjustments: 1},
			{pcn: "PCN4001", status: "1", charge: "150.00", paid: "120.00", pr: "0.00", adjustments: 1}}}}},
		{"835-plb.x12", []pay{{"CHK5001", "65.25", true, []string{"L6:-5.25", "WO:40.00"}, []wantClaim{
			{pcn: "PCN5001", status: "1", charge: "150.00", paid: "100.00", pr: "0.00", adjustments: 1}}}}},
		{"835-unbalanced.x12", []pay{{"CHK6001", "110.00", false, nil, []wantClaim{
			{pcn: "PCN6001", status: "1", charge: "150.00", paid: "100.00", pr: "0.00", lines: 1}}}}},
		{"835-two-payments.x12", []pay{
			{"CHK7001", "100.00", true, nil, []wantClaim{{pcn: "PCN7001", status: "1", charge: "150.00", paid: "100.00", pr: "0.00", adjustments: 1}}},
			{"CHK7002", "80.00", true, nil, []wantClaim{{pcn: "PCN7002", status: "1", charge: "100.00", paid: "80.00", pr: "0.00", adjustments: 1}}}}},
		{"835-split-st.x12", []pay{
			{"CHK8001", "100.00", true, nil, []wantClaim{{pcn: "PCN8001", status: "1", charge: "150.00", paid: "100.00", pr: "0.00", adjustments: 1}}},
			{"CHK8001", "90.00", true, nil, []wantClaim{{pcn: "PCN8002", status: "1", charge: "150.00", paid: "90.00", pr: "0.00", adjustments: 1}}}}},
		{"835-unknown-carc.x12", []pay{{"CHK9001", "60.00", true, nil, []wantClaim{
			{pcn: "PCN9001", status: "1", charge: "200.00", paid: "60.00", pr: "0.00", lines: 2,
				category: CategoryDocumentation, action: ActionCorrectedClaim, due: "2025-05-30", denials: 2}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			d := readFile(t, filepath.Join("testdata", tc.file))
			if d.Remittance == nil || len(d.Remittance.Payments) != len(tc.want) {
				t.Fatalf("got %+v payments, want %d", d.Remittance, len(tc.want))
			}
			for i, w := range tc.want {
				p := d.Remittance.Payments[i]
				if p.Check != w.check || p.Total.String() != w.total || p.Balanced != w.balanced {
					t.Errorf("payment %d: check %s total %s balanced %v, want %s %s %v (%v)", i, p.Check, p.Total, p.Balanced,
						w.check, w.total, w.balanced, p.BalanceErrors)
				}
				var plb []string
				for _, a := range p.PLB {
					plb = append(plb, a.Reason+":"+a.Amount.String())
				}
				if strings.Join(plb, ",") != strings.Join(w.plb, ",") {
					t.Errorf("payment %d PLB = %v, want %v", i, plb, w.plb)
				}
				if len(p.Claims) != len(w.claims) {
					t.Fatalf("payment %d: %d claims, want %d", i, len(p.Claims), len(w.claims))
				}
				for j, wc := range w.claims {
					c := p.Claims[j]
					got := wantClaim{pcn: c.PatientControl, status: c.Status, charge: c.Charge.String(), paid: c.Paid.String(),
						pr: c.PatientResponsibility.String(), adjustments: len(c.Adjustments), lines: len(c.Lines),
						category: c.DenialCategory, action: c.Action, due: c.AppealDue, denials: len(c.Denials)}
					if got != wc {
						t.Errorf("claim %d:\n got %+v\nwant %+v", j, got, wc)
					}
				}
			}
		})
	}
}

func TestMap835Details(t *testing.T) {
	p := readFile(t, "testdata/835-partial-pr.x12").Remittance.Payments[0]
	l := p.Claims[0].Lines[0]
	if l.Code != "90837" || strings.Join(l.Modifiers, ",") != "HO" || l.Units != "1" || l.Date != "20241110" ||
		l.Allowed == nil || *l.Allowed != x12.MustAmount("120") {
		t.Errorf("line 1 = %+v", l)
	}
	if p.PayeeNPI != "1234567893" || p.Payer != "ACME HEALTH" || p.PayerID != "60054" || p.Date != "20241201" {
		t.Errorf("payment header = %+v", p)
	}
	// PR-1/2/3 are patient responsibility, not denials.
	if n := len(p.Claims[0].Denials); n != 0 {
		t.Errorf("partial PR-1/2/3 claim has %d denials: %+v", n, p.Claims[0].Denials)
	}

	d := readFile(t, "testdata/835-denied-co197.x12").Remittance.Payments[0].Claims[0]
	if !d.Denied() || d.Denials[0].Reason != "197" || d.Denials[0].Line != 1 || len(d.Denials[0].Remarks) != 1 ||
		d.Denials[0].Remarks[0].Code != "N54" || d.Denials[0].Remarks[0].Text == "" {
		t.Errorf("CO-197 denial = %+v", d.Denials)
	}

	u := readFile(t, "testdata/835-unknown-carc.x12").Remittance.Payments[0].Claims[0]
	var unknown *Denial
	for i := range u.Denials {
		if u.Denials[i].Reason == "ZZ9" {
			unknown = &u.Denials[i]
		}
	}
	if unknown == nil || unknown.Category != CategoryOther || unknown.Amount != x12.MustAmount("20") {
		t.Errorf("unknown CARC ZZ9 not kept as other: %+v", u.Denials)
	}
}

func TestBalanceErrorsNameWhere(t *testing.T) {
	p := readFile(t, "testdata/835-unbalanced.x12").Remittance.Payments[0]
	want := map[string]string{"line": "claim PCN6001 line 1 (90837): charge 150.00 - paid 100.00 = 50.00 but line adjustments total 45.00",
		"claim":   "claim PCN6001: charge 150.00 - paid 100.00 = 50.00 but claim and line adjustments total 45.00",
		"payment": "payment CHK6001: BPR02 110.00 but claims paid 100.00 - provider adjustments 0.00 = 100.00"}
	if len(p.BalanceErrors) != len(want) {
		t.Fatalf("balance errors = %+v", p.BalanceErrors)
	}
	for _, e := range p.BalanceErrors {
		if want[e.Rule] != e.Message {
			t.Errorf("%s: %q, want %q", e.Rule, e.Message, want[e.Rule])
		}
	}
}

func TestClassifierPayerMap(t *testing.T) {
	p := readFile(t, "testdata/835-unknown-carc.x12").Remittance.Payments[0]
	c := NewClassifier([]PayerOptions{{ID: "acme", PayerID: "60054", AppealDays: 60,
		DenialMap: map[string]string{"ZZ9": CategoryCoding, "CO-16": CategoryProvider}}})
	c.Classify(&p)
	cl := p.Claims[0]
	got := map[string]string{}
	for _, d := range cl.Denials {
		got[d.Reason] = d.Category
	}
	if got["ZZ9"] != CategoryCoding || got["16"] != CategoryProvider || cl.AppealDue != "2025-01-30" {
		t.Errorf("payer map: categories %v due %s", got, cl.AppealDue)
	}
}
