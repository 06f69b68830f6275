package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// era835 assembles an 835 from payer payerName with check trace check, BPR02 total and the
// given claim loops (each a CLP and what follows it).
func era835(payerName, check, total string, clps ...[]string) []byte {
	segs := []string{
		"ST*835*0001",
		"BPR*I*" + total + "*C*ACH*CCP*01*011000015*DA*1234567890*1512345678**01*011000028*DA*9876543210*20261215",
		"TRN*1*" + check + "*1512345678",
		"DTM*405*20261215",
		"N1*PR*" + payerName,
		"N3*1 PAYER WAY",
		"N4*SPRINGFIELD*IL*62701",
		"PER*BL*EDI SUPPORT*TE*8005550100",
		"N1*PE*DEMO BEHAVIORAL HEALTH*XX*1234567893",
		"LX*1",
	}
	for _, c := range clps {
		segs = append(segs, c...)
	}
	segs = append(segs, fmt.Sprintf("SE*%d*0001", len(segs)+1))
	return []byte("ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *261215*1200*^*00501*000000011*0*T*:~" +
		"GS*HP*SIMCH*EDIGATE*20261215*1200*11*X*005010X221A1~" + strings.Join(segs, "~") + "~GE*1*11~IEA*1*000000011~")
}

// primaryReversal is the CLP02 22 that cancels remit835's adjudication of clm01: every
// amount negated (charge 150, paid 100, PR-1 20 at claim level, CO-45 30 on the line).
func primaryReversal(clm01 string) []string {
	return []string{
		"CLP*" + clm01 + "*22*-150*-100*-20*12*PCN777*11*1",
		"CAS*PR*1*-20",
		"NM1*QC*1*Q*PAT****MI*W1",
		"SVC*HC:90791*-150*-120**-1",
		"DTM*472*20261118",
		"CAS*CO*45*-30",
	}
}

// primaryCorrection is the primary's corrected CLP for clm01 (one 90791 line of 150.00)
// under payer claim number PCN778: paid, a claim-level PR-1 deductible pr and a line-level
// CO-45 co, with 150 = paid + pr + co.
func primaryCorrection(clm01 string, paid, pr, co int) []string {
	segs := []string{fmt.Sprintf("CLP*%s*1*150*%d*%d*12*PCN778*11*1", clm01, paid, pr)}
	if pr > 0 {
		segs = append(segs, fmt.Sprintf("CAS*PR*1*%d", pr))
	}
	segs = append(segs, "NM1*QC*1*Q*PAT****MI*W1", fmt.Sprintf("SVC*HC:90791*150*%d**1", 150-co), "DTM*472*20261118")
	if co > 0 {
		segs = append(segs, fmt.Sprintf("CAS*CO*45*%d", co))
	}
	return segs
}

// readjudicated835 is the primary's later 835 reversing its first adjudication of clm01
// and standing a corrected one (see primaryCorrection).
func readjudicated835(clm01, check string, paid, pr, co int) []byte {
	return era835("DEMO COMMERCIAL HEALTH", check, fmt.Sprint(paid-100), primaryReversal(clm01), primaryCorrection(clm01, paid, pr, co))
}

// cobSetup files a session's primary claim, posts the primary's 835 (remit835: paid 100)
// and files the secondary claim to Medicaid; with secondary835 it also posts Medicaid's 835
// for it (secondaryRemit835: CLP07 MCD-ICN-5).
func cobSetup(t *testing.T, p *Pipeline, secondary835 bool) (primary, secondary *claims.Claim) {
	t.Helper()
	ctx := context.Background()
	putClient(t, p, "C-W1", "W1", "MCD9")
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	primary, _ = fileOne(t, p, "primary")
	if _, res, err := p.ApplyResponse(ctx, "remit1.835", remit835(primary.ID, "1", "CHK1")); err != nil || res.Applied != 1 {
		t.Fatalf("post primary 835: %+v %v", res, err)
	}
	secondary, _ = fileOne(t, p, "secondary")
	if secondary835 {
		if _, res, err := p.ApplyResponse(ctx, "remit2.835", secondaryRemit835(secondary.ID, "2", "MCHK1")); err != nil || res.Applied != 1 {
			t.Fatalf("post secondary 835: %+v %v", res, err)
		}
	}
	if b, err := p.BuildClaims(ctx); err != nil || len(b.Claims) != 0 {
		t.Fatalf("built before any re-adjudication: %d %v", len(b.Claims), err)
	}
	return primary, secondary
}

// applyERA posts an 835 and fails the test unless it applied.
func applyERA(t *testing.T, p *Pipeline, name string, data []byte) {
	t.Helper()
	if _, res, err := p.ApplyResponse(context.Background(), name, data); err != nil || res.Applied == 0 {
		t.Fatalf("post %s: %+v %v", name, res, err)
	}
}

// buildsNothing fails the test when BuildClaims yields a claim.
func buildsNothing(t *testing.T, p *Pipeline, when string) {
	t.Helper()
	b, err := p.BuildClaims(context.Background())
	if err != nil || len(b.Claims) != 0 {
		ids := []string{}
		if b != nil {
			for _, c := range b.Claims {
				ids = append(ids, c.ID+"/"+c.Frequency)
			}
		}
		t.Fatalf("%s: built %v: %v", when, ids, err)
	}
}

// parse837 validates an 837P file against X222A1 and returns its one transaction.
func parse837(t *testing.T, data []byte) *x12.Transaction {
	t.Helper()
	res, err := x12.Validate(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
	if err != nil || !res.Valid() {
		t.Fatalf("837P invalid: %v %+v\n%s", err, res, bytes.ReplaceAll(data, []byte("~"), []byte("~\n")))
	}
	tx, err := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry}).Next()
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// loops returns every loop with the id under tx, in file order.
func loops(tx *x12.Transaction, id string) []*x12.Loop {
	var out []*x12.Loop
	tx.Root.Walk(func(l *x12.Loop) {
		if l.ID == id {
			out = append(out, l)
		}
	})
	return out
}

// check compares named values and reports every mismatch.
func check(t *testing.T, checks []struct{ what, got, want string }) {
	t.Helper()
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

// sessionClaimRef is the claim session S1 is billed on.
func sessionClaimRef(t *testing.T, p *Pipeline) string {
	t.Helper()
	s, err := p.DB.Session(context.Background(), "S1")
	if err != nil {
		t.Fatal(err)
	}
	return s.ClaimRef
}

// TestSecondaryReplacedAfterPrimaryReadjudication: the primary paid 100 and the secondary
// claim quoting it was filed and adjudicated by Medicaid; the primary then reverses and
// pays 110. Exactly one replacement of the secondary is built (frequency 7, to Medicaid,
// REF*F8 Medicaid's claim number), quoting the new adjudication in 2320/2330B/2430; it
// validates, is rebuilt under the same id until filed, and once filed nothing more is
// built, even when the primary's 835 is sent again. The sessions stay on the primary claim.
func TestSecondaryReplacedAfterPrimaryReadjudication(t *testing.T) {
	secondaryReplaced(t, newPipeline(t))
}

func secondaryReplaced(t *testing.T, p *Pipeline) {
	ctx := context.Background()
	primary, secondary := cobSetup(t, p, true)
	applyERA(t, p, "remit3.835", readjudicated835(primary.ID, "CHK2", 110, 20, 20))

	want := claims.Resubmission(secondary.ID, claims.FrequencyReplacement, 1)
	for range 2 { // built and stored, not filed: built again under the same id
		b, err := p.BuildClaims(ctx)
		if err != nil || len(b.Claims) != 1 {
			t.Fatalf("replacement: %d claims %v", len(b.Claims), err)
		}
		if id := b.Claims[0].ID; id != want {
			t.Fatalf("replacement id %s, want %s", id, want)
		}
		if _, _, err := p.BuildAndStoreClaims(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rc, data := fileOne(t, p, "replacement")
	if rc.ID != want || rc.Frequency != claims.FrequencyReplacement || rc.Payer != "demo-medicaid" ||
		rc.PayerControlNumber != "MCD-ICN-5" || rc.PriorClaim != primary.ID || rc.Responsibility() != claims.ResponsibilitySecondary {
		t.Fatalf("replacement: id %s freq %s payer %s F8 %s prior %s SBR01 %s", rc.ID, rc.Frequency, rc.Payer,
			rc.PayerControlNumber, rc.PriorClaim, rc.Responsibility())
	}
	tx := parse837(t, data)
	clm, sub := loops(tx, "2300")[0], loops(tx, "2000B")[0]
	other, otherPayer, lineAdj := loops(tx, "2320"), loops(tx, "2330B"), loops(tx, "2430")
	if len(other) != 1 || len(otherPayer) != 1 || len(lineAdj) != 1 {
		t.Fatalf("loops: 2320 %d 2330B %d 2430 %d", len(other), len(otherPayer), len(lineAdj))
	}
	cas := func(l *x12.Loop) string {
		s := l.Seg("CAS")
		if s == nil {
			return ""
		}
		return s.Str(1) + "-" + s.Str(2) + " " + s.Str(3)
	}
	check(t, []struct{ what, got, want string }{
		{"CLM01", clm.Seg("CLM").Str(1), want},
		{"CLM05-3", string(clm.Seg("CLM").Component(5, 3)), "7"},
		{"2300 REF*F8 (Medicaid's claim number)", clm.SegWhere("REF", 1, "F8").Str(2), "MCD-ICN-5"},
		{"2000B SBR01", sub.Seg("SBR").Str(1), "S"},
		{"2010BB payer", findSeg(sub, "NM1", "PR").Str(9), "77027"},
		{"2320 SBR01", other[0].Seg("SBR").Str(1), "P"},
		{"2320 AMT*D (the new primary payment)", other[0].SegWhere("AMT", 1, "D").Str(2), "110"},
		{"2320 CAS", cas(other[0]), "PR-1 20"},
		{"2330B REF*F8 (the primary's new claim number)", otherPayer[0].SegWhere("REF", 1, "F8").Str(2), "PCN778"},
		{"2430 SVD02", lineAdj[0].Seg("SVD").Str(2), "130"},
		{"2430 CAS", cas(lineAdj[0]), "CO-45 20"},
	})
	if ref := sessionClaimRef(t, p); ref != primary.ID {
		t.Errorf("session S1 billed on %s after the secondary's replacement, want the primary claim %s", ref, primary.ID)
	}

	buildsNothing(t, p, "after the replacement was filed")
	if _, _, err := p.ApplyResponse(ctx, "remit4.835", readjudicated835(primary.ID, "CHK2", 110, 20, 20)); err != nil {
		t.Fatal(err)
	}
	buildsNothing(t, p, "after the primary's 835 was sent again")
	// Medicaid adjudicates the replacement: it quotes what stands, so nothing is owed and
	// nothing is waited for.
	applyERA(t, p, "remit5.835", medicaidReadjudication835(secondary.ID, rc.ID))
	buildsNothing(t, p, "after Medicaid's 835 for the replacement")
	if n := countEvents(t, p, rc.ID, lifecycle.COBUpdateWaiting); n != 0 {
		t.Errorf("%d %s events on the replacement", n, lifecycle.COBUpdateWaiting)
	}
	recs, err := p.DB.Claims(ctx, store.ClaimFilter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("stored claims: %d %v", len(recs), err)
	}
}

// countEvents counts the events of a kind on a claim.
func countEvents(t *testing.T, p *Pipeline, claimID string, kind lifecycle.EventKind) int {
	t.Helper()
	evs, err := p.DB.Events(context.Background(), "claim", claimID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestSecondaryReplacementWaitsForItsERA: the primary re-adjudicates before Medicaid has
// answered the secondary claim. Nothing is built (there is no claim number for REF*F8),
// the wait is recorded once on the secondary claim, and Medicaid's 835 then brings the
// replacement.
func TestSecondaryReplacementWaitsForItsERA(t *testing.T) { secondaryWaits(t, newPipeline(t)) }

func secondaryWaits(t *testing.T, p *Pipeline) {
	ctx := context.Background()
	primary, secondary := cobSetup(t, p, false)
	applyERA(t, p, "remit3.835", readjudicated835(primary.ID, "CHK2", 110, 20, 20))
	// Building alone (a dry run) reports the wait and records nothing.
	b, err := p.BuildClaims(ctx)
	if err != nil || len(b.Claims) != 0 || len(b.Waiting) != 1 || b.Waiting[0].Claim != secondary.ID ||
		!strings.Contains(b.Waiting[0].Reason, primary.ID) {
		t.Fatalf("dry build: %+v %v", b, err)
	}
	if n := countEvents(t, p, secondary.ID, lifecycle.COBUpdateWaiting); n != 0 {
		t.Fatalf("a dry build recorded %d %s events", n, lifecycle.COBUpdateWaiting)
	}
	for range 2 {
		if built, held, err := p.BuildAndStoreClaims(ctx); err != nil || built+held != 0 {
			t.Fatalf("before Medicaid's 835: built %d held %d: %v", built, held, err)
		}
	}
	evs, err := p.DB.Events(ctx, "claim", secondary.ID)
	if err != nil {
		t.Fatal(err)
	}
	var waits []map[string]string
	for _, e := range evs {
		if e.Kind == lifecycle.COBUpdateWaiting {
			var d map[string]string
			if err := json.Unmarshal(e.Detail, &d); err != nil {
				t.Fatal(err)
			}
			waits = append(waits, d)
		}
	}
	if len(waits) != 1 || waits[0]["action"] != "replacement" || waits[0]["prior_claim"] != primary.ID || waits[0]["prior_payer_claim"] != "PCN778" {
		t.Fatalf("%s events: %v", lifecycle.COBUpdateWaiting, waits)
	}

	applyERA(t, p, "remit4.835", secondaryRemit835(secondary.ID, "2", "MCHK1"))
	rc, data := fileOne(t, p, "replacement")
	if rc.ID != claims.Resubmission(secondary.ID, claims.FrequencyReplacement, 1) || rc.PayerControlNumber != "MCD-ICN-5" || rc.Primary.Paid != x12.MustAmount("110") {
		t.Fatalf("replacement: id %s F8 %s primary paid %s", rc.ID, rc.PayerControlNumber, rc.Primary.Paid)
	}
	parse837(t, data)
	buildsNothing(t, p, "after the replacement was filed")
}

// TestSecondaryVoidedWhenPrimaryPaysInFull: the primary's correction pays the whole
// charge, so nothing is left for Medicaid: its claim is voided (frequency 8, REF*F8 its
// claim number), once, and no new secondary claim is billed.
func TestSecondaryVoidedWhenPrimaryPaysInFull(t *testing.T) { secondaryVoided(t, newPipeline(t)) }

func secondaryVoided(t *testing.T, p *Pipeline) {
	primary, secondary := cobSetup(t, p, true)
	applyERA(t, p, "remit3.835", readjudicated835(primary.ID, "CHK2", 150, 0, 0))
	vc, data := fileOne(t, p, "void")
	if vc.ID != claims.Resubmission(secondary.ID, claims.FrequencyVoid, 1) || vc.Frequency != claims.FrequencyVoid ||
		vc.Payer != "demo-medicaid" || vc.PayerControlNumber != "MCD-ICN-5" {
		t.Fatalf("void: id %s freq %s payer %s F8 %s", vc.ID, vc.Frequency, vc.Payer, vc.PayerControlNumber)
	}
	clm := loops(parse837(t, data), "2300")[0]
	if f8, freq := clm.SegWhere("REF", 1, "F8").Str(2), string(clm.Seg("CLM").Component(5, 3)); f8 != "MCD-ICN-5" || freq != "8" {
		t.Errorf("2300 REF*F8 = %q, CLM05-3 = %q", f8, freq)
	}
	if ref := sessionClaimRef(t, p); ref != primary.ID {
		t.Errorf("session S1 billed on %s after the secondary's void, want %s", ref, primary.ID)
	}
	buildsNothing(t, p, "after the void was filed")
}

// medicaidReadjudication835 is Medicaid's 835 reversing its adjudication of the secondary
// claim orig (secondaryRemit835) and paying the replacement repl 20.00 under MCD-ICN-6
// (OA-23 110 for the primary's new payment, PR-2 20).
func medicaidReadjudication835(orig, repl string) []byte {
	return era835("DEMO STATE MEDICAID", "MCHK2", "-10", []string{
		"CLP*" + orig + "*22*-150*-30*-20*MC*MCD-ICN-5*11*1",
		"NM1*QC*1*Q*PAT****MI*MCD9",
		"SVC*HC:90791:AJ*-150*-30**-1",
		"DTM*472*20261118",
		"CAS*OA*23*-100",
		"CAS*PR*2*-20",
	}, []string{
		"CLP*" + repl + "*2*150*20*20*MC*MCD-ICN-6*11*7",
		"NM1*QC*1*Q*PAT****MI*MCD9",
		"SVC*HC:90791:AJ*150*20**1",
		"DTM*472*20261118",
		"CAS*OA*23*110",
		"CAS*PR*2*20",
	})
}

// TestTertiaryReplacedAfterSecondaryReadjudication: primary, secondary and tertiary claims
// are filed and adjudicated. The primary re-adjudicates: the secondary is replaced, and the
// tertiary is left alone while Medicaid's adjudication stands. Medicaid then reverses its
// payment and pays the replacement: exactly one replacement of the tertiary is built, to the
// carve-out under its claim number, quoting the primary's and Medicaid's new adjudications.
func TestTertiaryReplacedAfterSecondaryReadjudication(t *testing.T) {
	tertiaryReplaced(t, newPipeline(t))
}

func tertiaryReplaced(t *testing.T, p *Pipeline) {
	putClient3(t, p, "C-W1")
	put(t, p, billable(session("S1", "W1", "2026-11-18", "90791")))
	primary, _ := fileOne(t, p, "primary")
	applyERA(t, p, "remit1.835", remit835(primary.ID, "1", "CHK1"))
	secondary, _ := fileOne(t, p, "secondary")
	applyERA(t, p, "remit2.835", secondaryRemit835(secondary.ID, "2", "MCHK1"))
	tertiary, _ := fileOne(t, p, "tertiary")
	applyERA(t, p, "remit3.835", era835("DEMO CARVEOUT", "TCHK1", "20", []string{
		"CLP*" + tertiary.ID + "*3*150*20*0*MC*BH-CLM-9*11*1",
		"NM1*QC*1*Q*PAT****MI*BH5",
		"SVC*HC:90791*150*20**1",
		"DTM*472*20261118",
		"CAS*OA*23*130",
	}))
	buildsNothing(t, p, "every payer adjudicated once")

	applyERA(t, p, "remit4.835", readjudicated835(primary.ID, "CHK2", 110, 20, 20))
	sr, _ := fileOne(t, p, "secondary replacement")
	if sr.ID != claims.Resubmission(secondary.ID, claims.FrequencyReplacement, 1) {
		t.Fatalf("secondary replacement %s", sr.ID)
	}
	buildsNothing(t, p, "Medicaid has not re-adjudicated")

	applyERA(t, p, "remit5.835", medicaidReadjudication835(secondary.ID, sr.ID))
	tr, data := fileOne(t, p, "tertiary replacement")
	if tr.ID != claims.Resubmission(tertiary.ID, claims.FrequencyReplacement, 1) || tr.Payer != "demo-carveout" ||
		tr.PayerControlNumber != "BH-CLM-9" || tr.PriorClaim != sr.ID || tr.Responsibility() != claims.ResponsibilityTertiary {
		t.Fatalf("tertiary replacement: id %s payer %s F8 %s prior %s SBR01 %s", tr.ID, tr.Payer, tr.PayerControlNumber,
			tr.PriorClaim, tr.Responsibility())
	}
	tx := parse837(t, data)
	others := loops(tx, "2320")
	if len(others) != 2 {
		t.Fatalf("2320 loops: %d", len(others))
	}
	f8 := func(l *x12.Loop) string {
		for _, x := range l.Loops("2330B") {
			return x.SegWhere("REF", 1, "F8").Str(2)
		}
		return ""
	}
	check(t, []struct{ what, got, want string }{
		{"2300 REF*F8 (the carve-out's claim number)", loops(tx, "2300")[0].SegWhere("REF", 1, "F8").Str(2), "BH-CLM-9"},
		{"2320 #1 SBR01", others[0].Seg("SBR").Str(1), "P"},
		{"2320 #1 AMT*D", others[0].SegWhere("AMT", 1, "D").Str(2), "110"},
		{"2320 #1 2330B REF*F8", f8(others[0]), "PCN778"},
		{"2320 #2 SBR01", others[1].Seg("SBR").Str(1), "S"},
		{"2320 #2 AMT*D", others[1].SegWhere("AMT", 1, "D").Str(2), "20"},
		{"2320 #2 2330B REF*F8", f8(others[1]), "MCD-ICN-6"},
	})
	buildsNothing(t, p, "after the tertiary replacement was filed")
	if ref := sessionClaimRef(t, p); ref != primary.ID {
		t.Errorf("session S1 billed on %s, want the primary claim %s", ref, primary.ID)
	}
}

// TestCOBQuotes covers what counts as a re-adjudication (sameQuotes) and when nothing is
// left for the next payer (a paid-in-full claim: void rather than replace).
func TestCOBQuotes(t *testing.T) {
	base := claims.PriorPayerInfo{Paid: 10000, PayerControlNumber: "PCN777", PayerName: "A",
		Adjustments: []claims.Adjustment{{Group: "PR", Reason: "1", Amount: 2000}, {Group: "CO", Reason: "45", Amount: 3000}},
		Lines:       []claims.PriorLine{{Line: 1, Paid: 12000, Adjustments: []claims.Adjustment{{Group: "CO", Reason: "45", Amount: 3000}}}}}
	mod := func(f func(p *claims.PriorPayerInfo)) claims.PriorPayerInfo {
		n := base
		n.Adjustments = append([]claims.Adjustment(nil), base.Adjustments...)
		n.Lines = []claims.PriorLine{{Line: 1, Paid: 12000, Adjustments: []claims.Adjustment{{Group: "CO", Reason: "45", Amount: 3000}}}}
		f(&n)
		return n
	}
	cases := []struct {
		name string
		want claims.PriorPayerInfo
		same bool
	}{
		{"unchanged", mod(func(*claims.PriorPayerInfo) {}), true},
		{"adjustments in another order, another payer name", mod(func(p *claims.PriorPayerInfo) {
			p.Adjustments[0], p.Adjustments[1] = p.Adjustments[1], p.Adjustments[0]
			p.PayerName = "B"
		}), true},
		{"paid", mod(func(p *claims.PriorPayerInfo) { p.Paid = 11000 }), false},
		{"payer claim number", mod(func(p *claims.PriorPayerInfo) { p.PayerControlNumber = "PCN778" }), false},
		{"claim adjustment", mod(func(p *claims.PriorPayerInfo) { p.Adjustments[0].Amount = 1000 }), false},
		{"line paid", mod(func(p *claims.PriorPayerInfo) { p.Lines[0].Paid = 13000 }), false},
		{"line adjustment", mod(func(p *claims.PriorPayerInfo) { p.Lines[0].Adjustments[0].Reason = "253" }), false},
		{"lines dropped", mod(func(p *claims.PriorPayerInfo) { p.Lines = nil }), false},
	}
	for _, tc := range cases {
		if got := sameQuotes([]*claims.PriorPayerInfo{&base}, []claims.PriorPayerInfo{tc.want}); got != tc.same {
			t.Errorf("%s: same %v, want %v", tc.name, got, tc.same)
		}
	}
	if sameQuotes([]*claims.PriorPayerInfo{&base}, []claims.PriorPayerInfo{base, base}) {
		t.Error("a second earlier payer quoted as the same")
	}

	due := []struct {
		name         string
		charge, paid int64
		want         bool
	}{
		{"paid in part", 15000, 10000, true},
		{"paid in full", 15000, 15000, false},
		{"no charge posted", 0, 0, true},
	}
	for _, tc := range due {
		pc := store.PostedCLP{RemitClaim: store.RemitClaim{Status: "1", Outcome: "paid", Charge: x12.Amount(tc.charge), Paid: x12.Amount(tc.paid)}}
		if got := secondaryDue(pc); got != tc.want {
			t.Errorf("%s: due %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCOBUpdatesPostgres runs the COB update flows on PostgreSQL, whose SQL dialect the
// store's COBFamilies query must also suit.
func TestCOBUpdatesPostgres(t *testing.T) {
	flows := []struct {
		name string
		run  func(*testing.T, *Pipeline)
	}{
		{"secondary replaced", secondaryReplaced},
		{"secondary waits for its 835", secondaryWaits},
		{"secondary voided", secondaryVoided},
		{"tertiary replaced", tertiaryReplaced},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			p := newPipeline(t)
			p.DB = openDialect(t, "postgres", nil)
			f.run(t, p)
		})
	}
}

// TestRejectedSecondaryResubmitted: the secondary payer's 277CA rejects the secondary claim;
// resolving the rejection as resubmitted builds a corrected original for the secondary
// payer, quoting the primary's adjudication (2320), and the session stays on its primary
// claim (a later change to it replaces the primary claim, not the secondary).
func TestRejectedSecondaryResubmitted(t *testing.T) {
	ctx := context.Background()
	p := newPipeline(t)
	primary, secondary := cobSetup(t, p, false)
	if err := p.ResponseHandlers()[Kind277CA](ctx, "ACK.277", bytes.NewReader(fill(t, "277ca-reject.x12.tmpl", "{{CLAIM}}", secondary.ID, "{{MEMBER}}", "MCD9"))); err != nil {
		t.Fatal(err)
	}
	rej, _ := p.DB.QueueItems(ctx, store.QueueFilter{Kind: store.QueueRejections, ClaimID: secondary.ID, OpenOnly: true})
	if len(rej) != 1 {
		t.Fatalf("rejections of the secondary claim: %+v", rej)
	}
	// Sent again unchanged it would be rejected again: the biller corrects the diagnoses.
	r, err := Queues{p}.Correct(ctx, secondary.ID, "", claims.Correction{Diagnoses: []string{"F41.1", "F32.9"}}, queue.Action{Who: "kim"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := p.DB.Claim(ctx, r.Claim)
	if err != nil {
		t.Fatal(err)
	}
	c := rec.Claim
	if r.Frequency != claims.FrequencyOriginal || c.Payer != secondary.Payer || c.Responsibility() != claims.ResponsibilitySecondary ||
		c.Primary == nil || c.Primary.Paid != secondary.Primary.Paid {
		t.Fatalf("corrected claim %s: payer %s SBR01 %s primary %+v, want the secondary payer %s quoting the primary",
			c.ID, c.Payer, c.Responsibility(), c.Primary, secondary.Payer)
	}
	if s, _ := p.DB.Session(ctx, "S1"); s.ClaimRef != primary.ID {
		t.Errorf("S1 claim_ref %q, want the primary claim %s", s.ClaimRef, primary.ID)
	}
}
