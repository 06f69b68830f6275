package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// putClient stores a client record with a commercial primary and a Medicaid secondary.
func putClient(t *testing.T, p *Pipeline, id, primaryMember, secondaryMember string) {
	t.Helper()
	cl := &claims.Client{Type: "client", Person: claims.Person{ID: id, FirstName: "Pat", LastName: "Q", DOB: "1990-01-01", Gender: "F"},
		Coverage: []claims.Coverage{
			{Payer: "demo-commercial", MemberID: primaryMember, Relationship: "self", Priority: "primary"},
			{Payer: "demo-medicaid", MemberID: secondaryMember, Relationship: "self", Priority: "secondary"},
		}}
	if err := p.DB.Batch(context.Background(), nil, func(b *store.Batch) error {
		_, err := b.PutClient("demo-practice", cl, "test.json")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// billable gives the test session the demographics the scrubber requires.
func billable(s *claims.Session) *claims.Session {
	s.Client.Address = claims.Address{Line1: "1 Elm St", City: "Springfield", State: "IL", Zip: "62701"}
	return s
}

// remit835 is a hand-written 835 from the primary payer for one claim of one 90791 line
// charged 150.00: CLP04 paid 100.00, a claim-level PR-1 deductible of 20.00 and a
// line-level CO-45 of 30.00 (CLP03 - CLP04 = 20 + 30; SVC02 - SVC03 = 30).
func remit835(clm01, status, check string) []byte {
	segs := []string{
		"ST*835*0001",
		"BPR*I*100*C*ACH*CCP*01*011000015*DA*1234567890*1512345678**01*011000028*DA*9876543210*20261201",
		"TRN*1*" + check + "*1512345678",
		"DTM*405*20261201",
		"N1*PR*DEMO COMMERCIAL HEALTH",
		"N3*1 PAYER WAY",
		"N4*SPRINGFIELD*IL*62701",
		"PER*BL*EDI SUPPORT*TE*8005550100",
		"N1*PE*DEMO BEHAVIORAL HEALTH*XX*1234567893",
		"LX*1",
		"CLP*" + clm01 + "*" + status + "*150*100*20*12*PCN777*11*1",
		"CAS*PR*1*20",
		"NM1*QC*1*Q*PAT****MI*W1",
		"SVC*HC:90791*150*120**1",
		"DTM*472*20261118",
		"CAS*CO*45*30",
		"AMT*B6*120",
	}
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(segs)+1))
	return []byte("ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *261201*1200*^*00501*000000007*0*T*:~" +
		"GS*HP*SIMCH*EDIGATE*20261201*1200*7*X*005010X221A1~" + strings.Join(segs, "~") + "~GE*1*7~IEA*1*000000007~")
}

// TestSecondaryClaimFromPosted835: a session billed to the commercial primary is filed, the
// primary's 835 is posted, and BuildClaims yields exactly one secondary claim to Medicaid
// whose 837P carries that 835's adjudication (2320 SBR/CAS/AMT*D, 2330A/B, 2430 SVD/CAS/
// DTP*573) and validates; once filed, nothing more is built.
func TestSecondaryClaimFromPosted835(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	putClient(t, p, "C-W1", "W1", "MCD9")
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built != 1 || held != 0 {
		t.Fatalf("primary: built %d held %d: %v", built, held, err)
	}
	b, err := p.BuildClaims(ctx)
	if err != nil || len(b.Claims) != 1 {
		t.Fatalf("build: %v", err)
	}
	primary := b.Claims[0].ID
	if _, err := p.FileClaims(ctx); err != nil {
		t.Fatal(err)
	}
	// Filed but not adjudicated yet: no secondary.
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("secondary before the 835: %+v %v", b, err)
	}
	if _, res, err := p.ApplyResponse(ctx, "remit1.835", remit835(primary, "1", "CHK1")); err != nil || res.Applied != 1 {
		t.Fatalf("post 835: %+v %v", res, err)
	}

	b, err = p.BuildClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Claims) != 1 {
		t.Fatalf("want one secondary claim, got %d", len(b.Claims))
	}
	sc, r := b.Claims[0], b.Results[0]
	if sc.Payer != "demo-medicaid" || sc.Responsibility() != claims.ResponsibilitySecondary || sc.PriorClaim != primary || sc.ID == primary {
		t.Fatalf("secondary claim: payer %s resp %s prior %s id %s", sc.Payer, sc.Responsibility(), sc.PriorClaim, sc.ID)
	}
	if r.Held {
		t.Fatalf("secondary held: %+v", r.Findings)
	}
	if n, _, err := p.BuildAndStoreClaims(ctx); err != nil || n != 1 {
		t.Fatalf("store secondary: %d %v", n, err)
	}
	files, err := p.FileClaims(ctx)
	if err != nil || len(files) != 1 || files[0].Claims != 1 {
		t.Fatalf("file secondary: %+v %v", files, err)
	}
	data, err := os.ReadFile(files[0].File)
	if err != nil {
		t.Fatal(err)
	}
	checkSecondary837(t, data, sc.ID)

	// The primary's adjudication was billed onward once: nothing more to build, even
	// when the same CLP is re-sent in another file.
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("built again: %d claims %v", len(b.Claims), err)
	}
	if _, _, err := p.ApplyResponse(ctx, "remit2.835", remit835(primary, "1", "CHK1")); err != nil {
		t.Fatal(err)
	}
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("built again after a re-sent 835: %d claims %v", len(b.Claims), err)
	}
}

// checkSecondary837 parses the secondary claim's 837P back and asserts the COB loops.
func checkSecondary837(t *testing.T, data []byte, id string) {
	t.Helper()
	pr := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
	tx, err := pr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if !tx.Valid() {
		t.Fatalf("837P invalid: %v\n%s", tx.Errors, bytes.ReplaceAll(data, []byte("~"), []byte("~\n")))
	}
	var sub, clm, other, otherPayer, line, lineAdj *x12.Loop
	tx.Root.Walk(func(l *x12.Loop) {
		switch l.ID {
		case "2000B":
			sub = l
		case "2300":
			clm = l
		case "2320":
			other = l
		case "2330B":
			otherPayer = l
		case "2400":
			line = l
		case "2430":
			lineAdj = l
		}
	})
	if sub == nil || clm == nil || other == nil || otherPayer == nil || line == nil || lineAdj == nil {
		t.Fatalf("loops missing: 2000B %v 2300 %v 2320 %v 2330B %v 2400 %v 2430 %v", sub != nil, clm != nil, other != nil,
			otherPayer != nil, line != nil, lineAdj != nil)
	}
	str := func(l *x12.Loop, seg string, n int) string {
		if s := l.Seg(seg); s != nil {
			return s.Str(n)
		}
		return ""
	}
	want := []struct{ what, got, want string }{
		{"2000B SBR01", str(sub, "SBR", 1), "S"},
		{"2010BA member id", findSeg(sub, "NM1", "IL").Str(9), "MCD9"},
		{"2010BB payer", findSeg(sub, "NM1", "PR").Str(9), "77027"},
		{"CLM01", str(clm, "CLM", 1), id},
		{"2320 SBR01 (prior payer responsibility)", str(other, "SBR", 1), "P"},
		{"2320 SBR09", str(other, "SBR", 9), "CI"},
		{"2320 CAS group", str(other, "CAS", 1), "PR"},
		{"2320 CAS reason", str(other, "CAS", 2), "1"},
		{"2320 CAS amount", str(other, "CAS", 3), "20"},
		{"2320 AMT*D", str(other, "AMT", 2), "100"},
		{"2330B payer id", str(otherPayer, "NM1", 9), "60054"},
		{"2330B REF*F8", str(otherPayer, "REF", 2), "PCN777"},
		{"2430 SVD01", str(lineAdj, "SVD", 1), "60054"},
		{"2430 SVD02 (line paid)", str(lineAdj, "SVD", 2), "120"},
		{"2430 CAS", str(lineAdj, "CAS", 1) + "-" + str(lineAdj, "CAS", 2) + " " + str(lineAdj, "CAS", 3), "CO-45 30"},
		{"2430 DTP*573", str(lineAdj, "DTP", 3), "20261201"},
	}
	for _, w := range want {
		if w.got != w.want {
			t.Errorf("%s = %q, want %q", w.what, w.got, w.want)
		}
	}
	// The 2330A subscriber is the member at the primary payer.
	var otherSub *x12.Loop
	tx.Root.Walk(func(l *x12.Loop) {
		if l.ID == "2330A" {
			otherSub = l
		}
	})
	if otherSub == nil || str(otherSub, "NM1", 9) != "W1" {
		t.Errorf("2330A member id: %v", otherSub)
	}
}

// findSeg returns the first segment id with element 1 = qual anywhere under l.
func findSeg(l *x12.Loop, id, qual string) *x12.Segment {
	var out *x12.Segment
	l.Walk(func(x *x12.Loop) {
		if out == nil {
			out = x.SegWhere(id, 1, qual)
		}
	})
	if out == nil {
		return &x12.Segment{}
	}
	return out
}

// TestSecondaryDue covers which primary adjudications are billed onward, and which CLP
// stands after reversals.
func TestSecondaryDue(t *testing.T) {
	pc := func(status, outcome string, patient int64, balanced bool, adj ...store.PostedAdjustment) store.PostedCLP {
		return store.PostedCLP{RemitClaim: store.RemitClaim{Status: status, Outcome: outcome, Patient: x12.Amount(patient)},
			Balanced: balanced, Adjustments: adj}
	}
	pr := store.PostedAdjustment{Group: "PR", Reason: "27", Amount: 15000}
	co := store.PostedAdjustment{Group: "CO", Reason: "197", Amount: 15000}
	cases := []struct {
		name     string
		postings []store.PostedCLP
		due      bool
	}{
		{"paid", []store.PostedCLP{pc("1", "paid", 0, true)}, true},
		{"partially paid", []store.PostedCLP{pc("1", "partially_paid", 2000, true)}, true},
		{"denied with patient responsibility", []store.PostedCLP{pc("4", "denied", 15000, true, pr)}, true},
		{"denied, provider write-off", []store.PostedCLP{pc("4", "denied", 0, true, co)}, false},
		{"forwarded by the primary (crossover)", []store.PostedCLP{pc("19", "paid", 0, true)}, false},
		{"unbalanced payment", []store.PostedCLP{pc("1", "paid", 0, false)}, false},
		{"reversed, nothing stands", []store.PostedCLP{pc("1", "paid", 0, true), pc("22", "reversed", 0, true)}, false},
		{"reversed and corrected", []store.PostedCLP{pc("1", "paid", 0, true), pc("22", "reversed", 0, true), pc("1", "paid", 0, true)}, true},
		{"nothing posted", nil, false},
	}
	for _, tc := range cases {
		post, ok := effectivePosting(tc.postings)
		if got := ok && secondaryDue(post); got != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, got, tc.due)
		}
	}
}

// TestPriorPayerLines: line detail is quoted when the 835 lines match the claim's; an 835
// line the claim does not have moves every adjustment to the claim level.
func TestPriorPayerLines(t *testing.T) {
	p := &Pipeline{Cfg: config.Default()}
	c := &claims.Claim{Payer: "demo-commercial", Coverage: claims.Coverage{MemberID: "W1", Relationship: "self"},
		Lines: []claims.ServiceLine{{Code: "90837", Charge: 20000, Units: 1}, {Code: "90785", Charge: 5000, Units: 1}}}
	post := store.PostedCLP{RemitClaim: store.RemitClaim{Status: "1", Paid: 18000, Payer: "X", PayerClaim: "P1", Date: "20261201"},
		Adjustments: []store.PostedAdjustment{
			{Line: 1, Code: "90837", Group: "CO", Reason: "45", Amount: 4000},
			{Line: 2, Code: "90785", Group: "PR", Reason: "3", Amount: 3000},
		}}
	info := p.priorPayer(c, post)
	if info.PayerID != "60054" || info.FilingIndicator != "CI" || info.Adjudicated != "2026-12-01" || info.Subscriber.MemberID != "W1" {
		t.Errorf("prior payer: %+v", info)
	}
	if len(info.Lines) != 2 || info.Lines[0].Paid != 16000 || info.Lines[1].Paid != 2000 || len(info.Adjustments) != 0 {
		t.Fatalf("lines: %+v adj %+v", info.Lines, info.Adjustments)
	}
	post.Adjustments[1].Code = "99999" // the 835 speaks of a line the claim does not have
	info = p.priorPayer(c, post)
	if len(info.Lines) != 0 || len(info.Adjustments) != 2 {
		t.Fatalf("unmatched line: lines %+v adj %+v", info.Lines, info.Adjustments)
	}
}
