package claims

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

func amt(s string) x12.Amount { return x12.MustAmount(s) }

// cobPrimary is the commercial primary's adjudication of a claim of two lines (150.00 +
// 30.00), at line level: line 1 paid 100 (CO-45 20, PR-2 30), line 2 paid 20 (PR-3 10);
// AMT*D 120. CLM02 - AMT*D = 60 = the line CAS.
func cobPrimary() PriorPayerInfo {
	return PriorPayerInfo{
		PayerName: "Demo Commercial Health", PayerID: "60054", FilingIndicator: "CI", Group: "G55",
		Relationship: "self", PayerControlNumber: "ICN-P1", Paid: amt("120"), Adjudicated: "2026-03-20",
		Subscriber: Person{MemberID: "W123456789"},
		Lines: []PriorLine{
			{Line: 1, Paid: amt("100"), Units: 1, Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: amt("20")}, {Group: "PR", Reason: "2", Amount: amt("30")}}},
			{Line: 2, Paid: amt("20"), Units: 1, Adjustments: []Adjustment{{Group: "PR", Reason: "3", Amount: amt("10")}}},
		},
	}
}

// cobSecondary is Medicaid's adjudication as secondary, at claim level only: paid 25,
// OA-23 120 (the primary's payment), CO-45 20, PR-2 15. CLM02 - AMT*D = 155 = the CAS.
func cobSecondary() PriorPayerInfo {
	return PriorPayerInfo{
		PayerName: "Demo State Medicaid", PayerID: "77027", FilingIndicator: "MC",
		Relationship: "self", PayerControlNumber: "ICN-S1", Paid: amt("25"), Adjudicated: "2026-04-02",
		Subscriber: Person{MemberID: "MCD1"},
		Adjustments: []Adjustment{
			{Group: "OA", Reason: "23", Amount: amt("120")},
			{Group: "CO", Reason: "45", Amount: amt("20")},
			{Group: "PR", Reason: "2", Amount: amt("15")},
		},
	}
}

// buildTertiary bills two sessions to the commercial primary, then builds the Medicaid
// secondary and the carve-out tertiary claims from the adjudications above.
func buildTertiary(t *testing.T, cfg *Setup) (primary, secondary, tertiary *Claim) {
	t.Helper()
	b := &Builder{Setup: cfg}
	s1, s2 := session("s-1", "90837"), session("s-2", "90785")
	s2.Charge = amt("30")
	primary = b.Claims([]Session{s1, s2})[0]
	var err error
	secondary, err = b.Secondary(primary, Coverage{Payer: "demo-medicaid", MemberID: "MCD1", Relationship: "self", Priority: "secondary"}, cobPrimary())
	if err != nil {
		t.Fatal(err)
	}
	tertiary, err = b.Tertiary(secondary, Coverage{Payer: "demo-carveout", MemberID: "BH77", Relationship: "self", Priority: "tertiary"}, cobSecondary())
	if err != nil {
		t.Fatal(err)
	}
	return primary, secondary, tertiary
}

// TestTertiaryClaim837: the tertiary claim goes to the third payer with SBR01 T and quotes
// both earlier payers, P then S, each with its 2330A/2330B, AMT*D and CAS; the primary's
// line detail is in 2430 under its payer id; the file passes the X222A1 validator; and each
// 2320 balances on its own.
func TestTertiaryClaim837(t *testing.T) {
	cfg := testConfig(t)
	primary, secondary, tc := buildTertiary(t, cfg)
	if tc.Payer != "demo-carveout" || tc.Responsibility() != ResponsibilityTertiary {
		t.Fatalf("tertiary payer %s SBR01 %s", tc.Payer, tc.Responsibility())
	}
	if tc.ID == primary.ID || tc.ID == secondary.ID || tc.ID != ControlNumber("demo-practice", []string{"s-1", "s-2", "payer:demo-carveout"}) {
		t.Fatalf("tertiary id %s (primary %s, secondary %s)", tc.ID, primary.ID, secondary.ID)
	}
	if again, _ := (&Builder{Setup: cfg}).Tertiary(secondary, tc.Coverage, cobSecondary()); again.ID != tc.ID {
		t.Errorf("rebuilt tertiary id %s, want %s", again.ID, tc.ID)
	}
	if len(secondary.OtherPayers) != 0 || secondary.Primary.PayerID != "60054" {
		t.Errorf("building the tertiary changed the secondary: %+v", secondary.OtherPayers)
	}

	data, _ := write837(t, cfg, []*Claim{tc})
	res, err := x12.Validate(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides837})
	if err != nil || !res.Valid() {
		t.Fatalf("x12.Validate: %v %+v", err, res)
	}
	root := parse837(t, data)[0].Root
	sub := find(root, "2000B")[0]
	if got := el(sub, "SBR", 1); got != "T" {
		t.Errorf("2000B SBR01 = %q, want T", got)
	}
	if got := el(find(sub, "2010BB")[0], "NM1", 9); got != "BH001" {
		t.Errorf("2010BB payer id %q, want BH001", got)
	}
	others := find(root, "2320")
	if len(others) != 2 {
		t.Fatalf("2320 loops: %d, want 2", len(others))
	}
	clm02, _ := x12.ParseAmount(el(find(root, "2300")[0], "CLM", 2))
	lines := find(root, "2400")
	tests := []struct {
		sbr01, sbr09, payer, member, f8, paid string
		claimCAS                              int // CAS segments in 2320
		lineAdj                               []string
	}{
		{"P", "CI", "60054", "W123456789", "ICN-P1", "120", 0, []string{"100", "20"}},
		{"S", "MC", "77027", "MCD1", "ICN-S1", "25", 3, nil},
	}
	for i, w := range tests {
		o := others[i]
		if got := el(o, "SBR", 1); got != w.sbr01 {
			t.Errorf("2320 #%d SBR01 = %q, want %q", i+1, got, w.sbr01)
		}
		if got := el(o, "SBR", 9); got != w.sbr09 {
			t.Errorf("2320 #%d SBR09 = %q, want %q", i+1, got, w.sbr09)
		}
		if got := el(o.Loops("2330A")[0], "NM1", 9); got != w.member {
			t.Errorf("2320 #%d 2330A member id %q, want %q", i+1, got, w.member)
		}
		pay := o.Loops("2330B")[0]
		if el(pay, "NM1", 9) != w.payer || pay.SegWhere("REF", 1, "F8").Str(2) != w.f8 {
			t.Errorf("2320 #%d 2330B %s REF*F8 %s", i+1, el(pay, "NM1", 9), pay.SegWhere("REF", 1, "F8").Str(2))
		}
		// DTP*573 sits in 2330B only when the payer gave no line detail.
		if (pay.SegWhere("DTP", 1, "573") != nil) != (w.lineAdj == nil) {
			t.Errorf("2320 #%d 2330B DTP*573 present = %v", i+1, pay.SegWhere("DTP", 1, "573") != nil)
		}
		amtD := o.SegWhere("AMT", 1, "D")
		if amtD == nil || amtD.Str(2) != w.paid {
			t.Fatalf("2320 #%d AMT*D %v, want %s", i+1, amtD, w.paid)
		}
		if n := len(o.All("CAS")); n != w.claimCAS {
			t.Errorf("2320 #%d CAS segments %d, want %d", i+1, n, w.claimCAS)
		}
		// Balancing of this payer: CLM02 - AMT*D = its 2320 CAS + its 2430 CAS.
		paid, _ := x12.ParseAmount(amtD.Str(2))
		cas := casSum(t, o.All("CAS"))
		for li, l := range lines {
			var mine []*x12.Loop
			for _, adj := range l.Loops("2430") {
				if el(adj, "SVD", 1) == w.payer {
					mine = append(mine, adj)
				}
			}
			switch {
			case w.lineAdj == nil && len(mine) != 0:
				t.Errorf("line %d: 2430 for %s, which adjudicated at claim level", li+1, w.payer)
			case w.lineAdj != nil && (len(mine) != 1 || el(mine[0], "SVD", 2) != w.lineAdj[li]):
				t.Errorf("line %d: 2430 for %s = %v, want SVD02 %s", li+1, w.payer, mine, w.lineAdj[li])
			}
			for _, adj := range mine {
				cas += casSum(t, adj.All("CAS"))
			}
		}
		if clm02-paid != cas {
			t.Errorf("2320 #%d (%s) does not balance: CLM02 %s - AMT*D %s != CAS %s", i+1, w.sbr01, clm02, paid, cas)
		}
	}
	// The scrubber's COB rules pass the tertiary claim.
	for _, f := range (&Scrubber{Setup: cfg, Today: scrubToday}).Scrub([]*Claim{tc})[0].Findings {
		if strings.HasPrefix(f.Rule, "cob.") {
			t.Errorf("COB finding on a consistent tertiary claim: %+v", f)
		}
	}
}

// casSum adds the amounts of CAS segments (reason/amount/quantity triplets from CAS02).
func casSum(t *testing.T, segs []*x12.Segment) x12.Amount {
	t.Helper()
	var sum x12.Amount
	for _, s := range segs {
		for i := 3; i <= 18; i += 3 {
			if v := s.Str(i); v != "" {
				a, err := x12.ParseAmount(v)
				if err != nil {
					t.Fatalf("CAS%02d %q: %v", i, v, err)
				}
				sum += a
			}
		}
	}
	return sum
}

// TestTertiaryBuilderRefuses: a tertiary claim needs the primary's adjudication on the
// secondary claim, payer ids on every earlier payer, and a payer not already billed.
func TestTertiaryBuilderRefuses(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	_, secondary, _ := buildTertiary(t, cfg)
	carve := Coverage{Payer: "demo-carveout", MemberID: "BH77", Relationship: "self"}
	tests := []struct {
		name  string
		sec   func() *Claim
		cov   Coverage
		prior func() PriorPayerInfo
		want  string
	}{
		{"no primary adjudication on the secondary", func() *Claim { c := *secondary; c.Primary = nil; return &c }, carve, cobSecondary, "quotes no primary"},
		{"secondary without payer id", func() *Claim { return secondary }, carve, func() PriorPayerInfo { p := cobSecondary(); p.PayerID = ""; return p }, "2330B"},
		{"tertiary payer is the primary payer", func() *Claim { return secondary }, Coverage{Payer: "demo-commercial", MemberID: "W1"}, cobSecondary, "twice"},
		{"no payer", func() *Claim { return secondary }, Coverage{}, cobSecondary, "no payer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Tertiary(tt.sec(), tt.cov, tt.prior())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
	// Building forces the levels: the primary's stays P, the secondary's is S.
	tc, err := b.Tertiary(secondary, carve, func() PriorPayerInfo { p := cobSecondary(); p.Responsibility = ""; return p }())
	if err != nil {
		t.Fatal(err)
	}
	if got := tc.PriorPayers(); len(got) != 2 || got[0].Responsibility != "P" || got[1].Responsibility != "S" || tc.Coverage.Priority != "tertiary" {
		t.Fatalf("prior payers %+v priority %s", got, tc.Coverage.Priority)
	}
}

// TestClaimJSONPriorPayers: a secondary claim stored before tertiary claims existed (only
// "primary") loads with one prior payer and writes one 2320; a tertiary claim round-trips
// with both, and a claim without COB data writes neither key.
func TestClaimJSONPriorPayers(t *testing.T) {
	cfg := testConfig(t)
	old := `{"id":"OLDSECONDARY0001","practice":"demo-practice","payer":"demo-medicaid","clearinghouse":"sim",
		"session_ids":["s-1"],"client":{"id":"c1","first_name":"Alex","last_name":"Doe","dob":"1990-04-01","gender":"F",
		"address":{"line1":"1 Elm St","city":"Springfield","state":"IL","zip":"62701"}},
		"coverage":{"payer":"demo-medicaid","member_id":"MCD1","relationship":"self","priority":"secondary"},
		"date":"2026-03-02","place_of_service":"11","frequency":"1","rendering_npi":"1245319599","diagnoses":["F411"],
		"lines":[{"session_id":"s-1","code":"90837","charge":"150.00","units":1,"place_of_service":"11","pointers":[1],"date":"2026-03-02"}],
		"total":"150.00",
		"primary":{"responsibility":"P","payer_name":"Demo Commercial Health","payer_id":"60054","filing_indicator":"CI",
			"subscriber":{"first_name":"","last_name":"","dob":"","gender":"","address":{},"member_id":"W123456789"},
			"paid":"100.00","adjudicated":"2026-03-20","adjustments":[{"group":"PR","reason":"1","amount":"50.00"}]},
		"prior_claim":"PRIMARYCLAIM0001"}`
	var c Claim
	if err := json.Unmarshal([]byte(old), &c); err != nil {
		t.Fatal(err)
	}
	if pp := c.PriorPayers(); len(pp) != 1 || pp[0].PayerID != "60054" || pp[0].Paid != amt("100") || c.OtherPayers != nil || c.PriorClaim != "PRIMARYCLAIM0001" {
		t.Fatalf("old claim loaded as %+v", pp)
	}
	data, _ := write837(t, cfg, []*Claim{&c})
	if others := find(parse837(t, data)[0].Root, "2320"); len(others) != 1 || el(others[0], "SBR", 1) != "P" {
		t.Fatalf("old claim wrote %d 2320 loops", len(others))
	}

	_, _, tc := buildTertiary(t, cfg)
	raw, err := json.Marshal(tc)
	if err != nil {
		t.Fatal(err)
	}
	var back Claim
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if pp := back.PriorPayers(); len(pp) != 2 || pp[0].PayerID != "60054" || pp[1].PayerID != "77027" || len(pp[0].Lines) != 2 || pp[1].Paid != amt("25") {
		t.Fatalf("tertiary round trip: %+v", pp)
	}

	plain := (&Builder{Setup: cfg}).Claims([]Session{session("s-9", "90837")})[0]
	raw, _ = json.Marshal(plain)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	if _, p := keys["primary"]; p || keys["other_payers"] != nil || plain.PriorPayers() != nil {
		t.Errorf("a primary claim carries COB data: %s", raw)
	}
}

// cobScrubCases are the COB rules' cases of TestScrubRules: each turns the clean claim
// into a secondary or tertiary claim and breaks (or keeps) one COB fact.
func cobScrubCases() []struct {
	name string
	rule string
	fire bool
	fix  func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
} {
	// The clean claim has one line of 150.00: the primary pays 100 at line level (CO-45 20,
	// PR-2 30); the secondary pays 25 at claim level (OA-23 100, CO-45 10, PR-2 15).
	primary := func() PriorPayerInfo {
		p := cobPrimary()
		p.Paid = amt("100")
		p.Lines = p.Lines[:1]
		return p
	}
	secondary := func() PriorPayerInfo {
		p := cobSecondary()
		p.Adjustments = []Adjustment{{Group: "OA", Reason: "23", Amount: amt("100")}, {Group: "CO", Reason: "45", Amount: amt("10")}, {Group: "PR", Reason: "2", Amount: amt("15")}}
		return p
	}
	tertiary := func(t *testing.T, cfg *Setup, c *Claim, edit func(p, s *PriorPayerInfo)) *Claim {
		t.Helper()
		b := &Builder{Setup: cfg}
		sec, err := b.Secondary(c, Coverage{Payer: "demo-medicaid", MemberID: "MCD1", Relationship: "self"}, primary())
		if err != nil {
			t.Fatal(err)
		}
		tc, err := b.Tertiary(sec, Coverage{Payer: "demo-carveout", MemberID: "BH77", Relationship: "self"}, secondary())
		if err != nil {
			t.Fatal(err)
		}
		edit(tc.Primary, &tc.OtherPayers[0])
		return tc
	}
	keep := func(p, s *PriorPayerInfo) {}
	type fix = func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
	with := func(edit func(p, s *PriorPayerInfo)) fix {
		return func(t *testing.T, cfg *Setup, c *Claim, _ *Scrubber) *Claim { return tertiary(t, cfg, c, edit) }
	}
	return []struct {
		name string
		rule string
		fire bool
		fix  func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim
	}{
		{"tertiary quotes primary and secondary", "cob.payers", false, with(keep)},
		{"secondary quotes the primary", "cob.payers", false, func(t *testing.T, cfg *Setup, c *Claim, _ *Scrubber) *Claim {
			sec, err := (&Builder{Setup: cfg}).Secondary(c, Coverage{Payer: "demo-medicaid", MemberID: "MCD1", Relationship: "self"}, primary())
			if err != nil {
				t.Fatal(err)
			}
			return sec
		}},
		{"tertiary skips the secondary's adjudication", "cob.payers", true, func(t *testing.T, cfg *Setup, c *Claim, s *Scrubber) *Claim {
			tc := tertiary(t, cfg, c, keep)
			tc.OtherPayers = nil
			return tc
		}},
		{"two earlier payers at level P", "cob.payers", true, with(func(p, s *PriorPayerInfo) { s.Responsibility = "P" })},
		{"earlier payers share a payer id", "cob.payers", true, with(func(p, s *PriorPayerInfo) { s.PayerID = p.PayerID })},
		{"earlier payer is the tertiary payer", "cob.payers", true, with(func(p, s *PriorPayerInfo) { s.PayerID = "BH001" })},
		{"both earlier payers balance", "cob.balance", false, with(keep)},
		{"secondary's AMT*D off by a cent", "cob.balance", true, with(func(p, s *PriorPayerInfo) { s.Paid++ })},
		{"primary's line paid does not match its line CAS", "cob.balance", true, with(func(p, s *PriorPayerInfo) { p.Lines[0].Paid -= amt("5") })},
		{"primary's 2430 for a line the claim lacks", "cob.balance", true, with(func(p, s *PriorPayerInfo) { p.Lines[0].Line = 2 })},
		{"earlier payments within the charge", "cob.paid", false, with(keep)},
		{"earlier payers paid more than the charge", "cob.paid", true, with(func(p, s *PriorPayerInfo) {
			s.Paid, s.Adjustments = amt("60"), []Adjustment{{Group: "OA", Reason: "23", Amount: amt("90")}}
		})},
		{"negative payment", "cob.paid", true, with(func(p, s *PriorPayerInfo) { s.Paid = -amt("1") })},
	}
}

// A replacement of a secondary or tertiary claim goes to that claim's payer with its
// earlier payers' adjudications, not to the primary payer its sessions name; a primary
// claim's replacement is unchanged.
func TestReplacementKeepsPayer(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	primary, secondary, tertiary := buildTertiary(t, cfg)
	s1, s2 := session("s-1", "90837"), session("s-2", "90785")
	s2.Charge = amt("30")
	for _, orig := range []*Claim{primary, secondary, tertiary} {
		rep, err := b.Replacement(orig, []Session{s1, s2}, "PCN-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Payer != orig.Payer || rep.Responsibility() != orig.Responsibility() || rep.Clearinghouse != orig.Clearinghouse ||
			len(rep.PriorPayers()) != len(orig.PriorPayers()) {
			t.Errorf("replacement of %s (%s, SBR01 %s, %d prior) went to %s (SBR01 %s, %d prior)", orig.ID, orig.Payer,
				orig.Responsibility(), len(orig.PriorPayers()), rep.Payer, rep.Responsibility(), len(rep.PriorPayers()))
		}
		if orig.Primary != nil && rep.Authorization != "" {
			t.Errorf("replacement of %s to %s quotes the primary payer's authorization %s", orig.ID, rep.Payer, rep.Authorization)
		}
	}
	// It still writes a valid 837P with its 2320 loops.
	rep, _ := b.Replacement(tertiary, []Session{s1, s2}, "PCN-1", 1)
	data, _ := write837(t, cfg, []*Claim{rep})
	if n := len(find(parse837(t, data)[0].Root, "2320")); n != 2 {
		t.Errorf("replacement of the tertiary claim has %d 2320 loops, want 2", n)
	}
}
