package pipeline

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

// putClient3 stores a client with three coverages: the commercial primary, the Medicaid
// secondary and the behavioral-health carve-out as tertiary.
func putClient3(t *testing.T, p *Pipeline, id string) {
	t.Helper()
	cl := &claims.Client{Type: "client", Person: claims.Person{ID: id, FirstName: "Pat", LastName: "Q", DOB: "1990-01-01", Gender: "F"},
		Coverage: []claims.Coverage{
			{Payer: "demo-commercial", MemberID: "W1", Relationship: "self", Priority: "primary"},
			{Payer: "demo-medicaid", MemberID: "MCD9", Relationship: "self", Priority: "secondary"},
			{Payer: "demo-carveout", MemberID: "BH5", Relationship: "self", Priority: "tertiary"},
		}}
	if err := p.DB.Batch(context.Background(), nil, func(b *store.Batch) error {
		_, err := b.PutClient("demo-practice", cl, "test.json")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// secondaryRemit835 is Medicaid's 835 for the secondary claim clm01 (one 90791 line,
// 150.00, with the AJ modifier Medicaid wants): CLP02 status, paid 30.00, line-level OA-23
// 100 (the primary's payment) and PR-2 20 (SVC02 - SVC03 = 120 = CLP03 - CLP04).
func secondaryRemit835(clm01, status, check string) []byte {
	segs := []string{
		"ST*835*0001",
		"BPR*I*30*C*ACH*CCP*01*011000015*DA*1234567890*1512345678**01*011000028*DA*9876543210*20261210",
		"TRN*1*" + check + "*1512345678",
		"DTM*405*20261210",
		"N1*PR*DEMO STATE MEDICAID",
		"N3*2 STATE ST",
		"N4*SPRINGFIELD*IL*62701",
		"PER*BL*EDI SUPPORT*TE*8005550101",
		"N1*PE*DEMO BEHAVIORAL HEALTH*XX*1234567893",
		"LX*1",
		"CLP*" + clm01 + "*" + status + "*150*30*20*MC*MCD-ICN-5*11*1",
		"NM1*QC*1*Q*PAT****MI*MCD9",
		"SVC*HC:90791:AJ*150*30**1",
		"DTM*472*20261118",
		"CAS*OA*23*100",
		"CAS*PR*2*20",
	}
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(segs)+1))
	return []byte("ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *261210*1200*^*00501*000000009*0*T*:~" +
		"GS*HP*SIMCH*EDIGATE*20261210*1200*9*X*005010X221A1~" + strings.Join(segs, "~") + "~GE*1*9~IEA*1*000000009~")
}

// fileOne stores what BuildClaims yields, files it and returns the one claim and its file.
func fileOne(t *testing.T, p *Pipeline, what string) (*claims.Claim, []byte) {
	t.Helper()
	ctx := context.Background()
	b, err := p.BuildClaims(ctx)
	if err != nil || len(b.Claims) != 1 {
		t.Fatalf("%s: built %d claims: %v", what, len(b.Claims), err)
	}
	if b.Results[0].Held {
		t.Fatalf("%s held: %+v", what, b.Results[0].Findings)
	}
	if n, _, err := p.BuildAndStoreClaims(ctx); err != nil || n != 1 {
		t.Fatalf("%s: stored %d: %v", what, n, err)
	}
	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 1 {
		t.Fatalf("%s: filed %+v: %v", what, files, err)
	}
	data, err := os.ReadFile(files[0].File)
	if err != nil {
		t.Fatal(err)
	}
	return b.Claims[0], data
}

// TestTertiaryClaimFromTwo835s: a session is billed to the commercial primary; the
// primary's 835 makes a Medicaid secondary claim; Medicaid's 835 (processed as secondary,
// a balance left) makes exactly one tertiary claim to the carve-out, quoting both
// adjudications (2320 SBR01 P and S, a 2430 per payer on the line), which validates. Built
// again before and after filing, it keeps its id and nothing more is billed.
func TestTertiaryClaimFromTwo835s(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	putClient3(t, p, "C-W1")
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	primary, _ := fileOne(t, p, "primary")
	if _, res, err := p.ApplyResponse(ctx, "remit1.835", remit835(primary.ID, "1", "CHK1")); err != nil || res.Applied != 1 {
		t.Fatalf("post primary 835: %+v %v", res, err)
	}
	secondary, _ := fileOne(t, p, "secondary")
	if secondary.Responsibility() != claims.ResponsibilitySecondary || secondary.PriorClaim != primary.ID {
		t.Fatalf("secondary: SBR01 %s prior %s", secondary.Responsibility(), secondary.PriorClaim)
	}
	// The secondary is filed but Medicaid has not answered: no tertiary yet.
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("tertiary before the secondary's 835: %d %v", len(b.Claims), err)
	}
	if _, res, err := p.ApplyResponse(ctx, "remit2.835", secondaryRemit835(secondary.ID, "2", "MCHK1")); err != nil || res.Applied != 1 {
		t.Fatalf("post secondary 835: %+v %v", res, err)
	}

	// Built and stored but not filed: building again rebuilds the same claim.
	b, err := p.BuildClaims(ctx)
	if err != nil || len(b.Claims) != 1 {
		t.Fatalf("tertiary: %d claims %v", len(b.Claims), err)
	}
	want := claims.ControlNumber("demo-practice", []string{"S1", "payer:demo-carveout"})
	if id := b.Claims[0].ID; id != want {
		t.Fatalf("tertiary id %s, want %s", id, want)
	}
	if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
		t.Fatal(err)
	}
	tc, data := fileOne(t, p, "tertiary rebuilt")
	if tc.ID != want || tc.Payer != "demo-carveout" || tc.Responsibility() != claims.ResponsibilityTertiary || tc.PriorClaim != secondary.ID {
		t.Fatalf("tertiary: id %s payer %s SBR01 %s prior %s", tc.ID, tc.Payer, tc.Responsibility(), tc.PriorClaim)
	}
	recs, err := p.DB.Claims(ctx, store.ClaimFilter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("stored claims: %d %v", len(recs), err)
	}
	checkTertiary837(t, data, tc.ID)

	// Each adjudication was billed onward once: nothing more to build, even when
	// Medicaid's CLP is sent again in another file.
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("built again: %d claims %v", len(b.Claims), err)
	}
	if _, _, err := p.ApplyResponse(ctx, "remit3.835", secondaryRemit835(secondary.ID, "2", "MCHK1")); err != nil {
		t.Fatal(err)
	}
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("built again after a re-sent 835: %d claims %v", len(b.Claims), err)
	}
}

// checkTertiary837 parses the tertiary claim's 837P back and asserts both COB loops.
func checkTertiary837(t *testing.T, data []byte, id string) {
	t.Helper()
	tx := parse837(t, data)
	var sub, clm *x12.Loop
	var others, lineAdj []*x12.Loop
	tx.Root.Walk(func(l *x12.Loop) {
		switch l.ID {
		case "2000B":
			sub = l
		case "2300":
			clm = l
		case "2320":
			others = append(others, l)
		case "2430":
			lineAdj = append(lineAdj, l)
		}
	})
	if sub == nil || clm == nil || len(others) != 2 || len(lineAdj) != 2 {
		t.Fatalf("loops: 2000B %v 2300 %v 2320 %d 2430 %d", sub != nil, clm != nil, len(others), len(lineAdj))
	}
	sbr := func(l *x12.Loop, n int) string { return l.Seg("SBR").Str(n) }
	nm1 := func(l *x12.Loop, loop string) string {
		for _, x := range l.Loops(loop) {
			return x.Seg("NM1").Str(9)
		}
		return ""
	}
	checks := []struct{ what, got, want string }{
		{"2000B SBR01", sbr(sub, 1), "T"},
		{"2010BA member id", findSeg(sub, "NM1", "IL").Str(9), "BH5"},
		{"2010BB payer", findSeg(sub, "NM1", "PR").Str(9), "BH001"},
		{"CLM01", clm.Seg("CLM").Str(1), id},
		{"2320 #1 SBR01", sbr(others[0], 1), "P"},
		{"2320 #1 SBR09", sbr(others[0], 9), "CI"},
		{"2320 #1 AMT*D", others[0].SegWhere("AMT", 1, "D").Str(2), "100"},
		{"2320 #1 CAS", others[0].Seg("CAS").Str(1) + "-" + others[0].Seg("CAS").Str(2) + " " + others[0].Seg("CAS").Str(3), "PR-1 20"},
		{"2320 #1 2330A member", nm1(others[0], "2330A"), "W1"},
		{"2320 #1 2330B payer", nm1(others[0], "2330B"), "60054"},
		{"2320 #2 SBR01", sbr(others[1], 1), "S"},
		{"2320 #2 SBR09", sbr(others[1], 9), "MC"},
		{"2320 #2 AMT*D", others[1].SegWhere("AMT", 1, "D").Str(2), "30"},
		{"2320 #2 claim-level CAS", fmt.Sprint(len(others[1].All("CAS"))), "0"},
		{"2320 #2 2330A member", nm1(others[1], "2330A"), "MCD9"},
		{"2320 #2 2330B payer", nm1(others[1], "2330B"), "77027"},
		{"2320 #2 2330B REF*F8", findSeg(others[1], "REF", "F8").Str(2), "MCD-ICN-5"},
		{"2430 #1 SVD", lineAdj[0].Seg("SVD").Str(1) + " " + lineAdj[0].Seg("SVD").Str(2), "60054 120"},
		{"2430 #2 SVD", lineAdj[1].Seg("SVD").Str(1) + " " + lineAdj[1].Seg("SVD").Str(2), "77027 30"},
		{"2430 #2 CAS", lineAdj[1].Seg("CAS").Str(1) + "-" + lineAdj[1].Seg("CAS").Str(2) + " " + lineAdj[1].Seg("CAS").Str(3), "OA-23 100"},
		{"2430 #2 DTP*573", lineAdj[1].Seg("DTP").Str(3), "20261210"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestTertiaryDue covers which secondary adjudications are billed onward to a third payer.
func TestTertiaryDue(t *testing.T) {
	pc := func(status, outcome string, patient int64, adj ...store.PostedAdjustment) store.PostedCLP {
		return store.PostedCLP{RemitClaim: store.RemitClaim{Status: status, Outcome: outcome, Patient: x12.Amount(patient)},
			Balanced: true, Adjustments: adj}
	}
	pr := store.PostedAdjustment{Group: "PR", Reason: "2", Amount: 2000}
	co := store.PostedAdjustment{Group: "CO", Reason: "22", Amount: 15000}
	cases := []struct {
		name     string
		postings []store.PostedCLP
		due      bool
	}{
		{"processed as secondary", []store.PostedCLP{pc("2", "partially_paid", 2000, pr)}, true},
		{"denied with patient responsibility", []store.PostedCLP{pc("4", "denied", 2000, pr)}, true},
		{"denied, provider write-off (COB)", []store.PostedCLP{pc("4", "denied", 0, co)}, false},
		{"processed as primary: the order of benefits is disputed", []store.PostedCLP{pc("1", "paid", 0)}, false},
		{"forwarded by the secondary", []store.PostedCLP{pc("20", "paid", 0)}, false},
		{"reversed and corrected", []store.PostedCLP{pc("2", "paid", 0), pc("22", "reversed", 0), pc("2", "paid", 0)}, true},
		{"reversed", []store.PostedCLP{pc("2", "paid", 0), pc("22", "reversed", 0)}, false},
	}
	for _, tc := range cases {
		post, ok := effectivePosting(tc.postings)
		if got := ok && tertiaryDue(post); got != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, got, tc.due)
		}
	}
}

// TestTertiaryCoverage: the tertiary coverage must name a third payer.
func TestTertiaryCoverage(t *testing.T) {
	cov := func(payer, priority string) claims.Coverage {
		return claims.Coverage{Payer: payer, MemberID: "M", Priority: priority}
	}
	cases := []struct {
		name string
		covs []claims.Coverage
		want string // payer picked, "" for none
	}{
		{"third payer", []claims.Coverage{cov("demo-commercial", "primary"), cov("demo-medicaid", "secondary"), cov("demo-carveout", "Tertiary")}, "demo-carveout"},
		{"no tertiary coverage", []claims.Coverage{cov("demo-commercial", "primary"), cov("demo-medicaid", "secondary")}, ""},
		{"tertiary is the primary payer again", []claims.Coverage{cov("demo-commercial", "tertiary")}, ""},
		{"tertiary is the secondary payer again", []claims.Coverage{cov("demo-medicaid", "tertiary")}, ""},
		{"tertiary without a payer", []claims.Coverage{cov("", "tertiary")}, ""},
	}
	for _, tc := range cases {
		got, ok := tertiaryCoverage(&claims.Client{Coverage: tc.covs}, "demo-medicaid", "demo-commercial")
		if ok != (tc.want != "") || got.Payer != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got.Payer, ok, tc.want)
			continue
		}
		if ok && (got.Priority != "tertiary" || got.Relationship != "self") {
			t.Errorf("%s: priority %q relationship %q", tc.name, got.Priority, got.Relationship)
		}
	}
}
