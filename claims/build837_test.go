package claims

import (
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

func TestBuild837Structure(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}

	// Claim 1: adult subscriber, two sessions the same day (90837 + 90785) -> one claim.
	s1 := session("s-1", "90837")
	s1.Authorization = "AUTH-77"
	s2 := session("s-2", "90785")
	s2.Charge = x12.MustAmount("25.50")
	s2.Diagnoses = []string{"F41.1", "Z63.0"}
	// Claim 2: a child on a parent's Medicaid plan, seen by the unlicensed LPC-A by telehealth.
	s3 := session("s-3", "90834")
	s3.Client = Person{ID: "c2", FirstName: "Kim", LastName: "Roe", DOB: "2015-06-30", Gender: "M",
		Address: Address{Line1: "2 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}}
	s3.Coverage = Coverage{Payer: "demo-medicaid", MemberID: "MCD998877", Relationship: "child", Priority: "primary",
		Subscriber: &Person{FirstName: "Pat", LastName: "Roe", DOB: "1985-01-15", Gender: "F",
			Address: Address{Line1: "2 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}}}
	s3.Minutes = 45
	s3.RenderingProvider = lpcaNPI
	s3.Service.PlaceOfService = "10"
	s3.Diagnoses = []string{"F90.2"}

	cl := b.Claims([]Session{s1, s2, s3})
	if len(cl) != 2 {
		t.Fatalf("got %d claims, want 2", len(cl))
	}
	data, res := write837(t, cfg, cl)
	txs := parse837(t, data)
	if len(txs) != 1 || len(res.Sets) != 1 || res.Sets[0].Control != txs[0].Control {
		t.Fatalf("sets: parsed %d, result %+v", len(txs), res.Sets)
	}
	root := txs[0].Root
	if got := el(find(root, "1000A")[0], "NM1", 9); got != "EDIGATE" {
		t.Errorf("1000A NM109 = %q", got)
	}
	if got := el(find(root, "1000B")[0], "NM1", 3); got != "edigate simulator" {
		t.Errorf("1000B NM103 = %q", got)
	}
	bp := find(root, "2010AA")
	if len(bp) != 1 || el(bp[0], "NM1", 9) != practiceNPI || el(bp[0], "REF", 2) != "371234567" || el(bp[0], "N4", 3) != "627011234" {
		t.Fatalf("2010AA = %d loops, NM109 %q REF02 %q", len(bp), el(bp[0], "NM1", 9), el(bp[0], "REF", 2))
	}
	if find(root, "2000A")[0].Seg("PRV") != nil {
		t.Error("2000A PRV*BI written for a payer that does not want it")
	}
	clms := find(root, "2300")
	if len(clms) != 2 {
		t.Fatalf("2300 loops = %d", len(clms))
	}

	// Claim 1.
	c1 := clms[0]
	clm := c1.Seg("CLM")
	if clm.Str(1) != cl[0].ID || len(cl[0].ID) > MaxControlNumber {
		t.Errorf("CLM01 = %q, claim id %q", clm.Str(1), cl[0].ID)
	}
	if clm.Str(2) != "175.5" {
		t.Errorf("CLM02 = %q, want 175.5 (150 + 25.50)", clm.Str(2))
	}
	if got := string(clm.Element(5)); got != "11:B:1" {
		t.Errorf("CLM05 = %q", got)
	}
	for n, want := range map[int]string{6: "Y", 7: "A", 8: "Y", 9: "Y"} {
		if clm.Str(n) != want {
			t.Errorf("CLM%02d = %q, want %q", n, clm.Str(n), want)
		}
	}
	if g1 := c1.SegWhere("REF", 1, "G1"); g1 == nil || g1.Str(2) != "AUTH-77" {
		t.Error("2300 REF*G1 missing")
	}
	if hi := c1.Seg("HI"); hi == nil || string(hi.Element(1)) != "ABK:F411" || string(hi.Element(2)) != "ABF:F331" || string(hi.Element(3)) != "ABF:Z630" {
		t.Errorf("HI = %v", hi)
	}
	lines := c1.Loops("2400")
	if len(lines) != 2 {
		t.Fatalf("claim 1 has %d lines", len(lines))
	}
	sv1 := lines[1].Seg("SV1")
	if string(sv1.Element(1)) != "HC:90785" || sv1.Str(2) != "25.5" || sv1.Str(3) != "UN" || sv1.Str(4) != "1" || string(sv1.Element(7)) != "1:3" {
		t.Errorf("line 2 SV1 = %q %q %q %q %q", sv1.Element(1), sv1.Str(2), sv1.Str(3), sv1.Str(4), sv1.Element(7))
	}
	if sv1.Str(5) != "" {
		t.Errorf("SV105 = %q, want empty (same POS as CLM05)", sv1.Str(5))
	}
	if d := lines[0].SegWhere("DTP", 1, "472"); d == nil || d.Str(3) != "20260302" {
		t.Error("DTP*472 missing or wrong")
	}
	if rb := c1.Loops("2310B"); len(rb) != 1 || el(rb[0], "NM1", 9) != lcswNPI || el(rb[0], "PRV", 3) != "1041C0700X" {
		t.Errorf("2310B = %v", rb)
	}
	if len(c1.Loops("2310D")) != 0 {
		t.Error("2310D written for a licensed provider with a payer that does not ask for it")
	}
	// The self-insured patient: SBR02 18 and no 2000C above claim 1.
	sub1 := find(root, "2000B")[0]
	if el(sub1, "SBR", 1) != "P" || el(sub1, "SBR", 2) != "18" || el(sub1, "SBR", 9) != "CI" {
		t.Errorf("2000B SBR = %v", sub1.Seg("SBR"))
	}
	if len(sub1.Loops("2000C")) != 0 {
		t.Error("2000C written for a patient who is the subscriber")
	}

	// Claim 2: the dependent.
	sub2 := find(root, "2000B")[1]
	if el(sub2, "SBR", 2) != "" || el(sub2, "SBR", 9) != "MC" {
		t.Errorf("dependent SBR = %v", sub2.Seg("SBR"))
	}
	if got := el(sub2.Loops("2010BA")[0], "NM1", 3); got != "Roe" || el(sub2.Loops("2010BA")[0], "NM1", 4) != "Pat" {
		t.Errorf("2010BA names the patient, not the subscriber")
	}
	if got := el(sub2.Loops("2010BB")[0], "NM1", 9); got != "77027" {
		t.Errorf("2010BB NM109 = %q", got)
	}
	pat := sub2.Loops("2000C")
	if len(pat) != 1 || el(pat[0], "PAT", 1) != "19" || el(pat[0].Loops("2010CA")[0], "NM1", 4) != "Kim" {
		t.Fatalf("2000C = %v", pat)
	}
	c2 := pat[0].Loops("2300")[0]
	if got := string(c2.Seg("CLM").Element(5)); got != "10:B:1" {
		t.Errorf("CLM05 = %q", got)
	}
	sd := c2.Loops("2310D")
	if len(sd) != 1 || el(sd[0], "NM1", 1) != "DQ" || el(sd[0], "NM1", 9) != lcswNPI {
		t.Errorf("2310D = %v, want the LPC-A's supervisor", sd)
	}
	// The Medicaid payer wants HO for an LPC-A and 95 for telehealth.
	if got := string(c2.Loops("2400")[0].Seg("SV1").Element(1)); got != "HC:90834:HO:95" {
		t.Errorf("SV101 = %q", got)
	}
}

func TestBuild837BillingTaxonomy(t *testing.T) {
	cfg := testConfig(t)
	p, _ := cfg.Payer("demo-commercial")
	p.BillingTaxonomy = true
	cl := (&Builder{Setup: cfg}).Claims([]Session{session("s-1", "90834")})
	data, _ := write837(t, cfg, cl)
	root := parse837(t, data)[0].Root
	prv := find(root, "2000A")[0].Seg("PRV")
	if prv == nil || prv.Str(1) != "BI" || prv.Str(3) != "261QM0801X" {
		t.Errorf("2000A PRV = %v", prv)
	}
}

func TestBuild837SetsAndControlNumbers(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxClaimsPerSet = 2
	var ss []Session
	for i := range 5 {
		s := session("s-"+string(rune('a'+i)), "90834")
		s.Client.ID = "client-" + string(rune('a'+i))
		s.Minutes = 45
		ss = append(ss, s)
	}
	cl := (&Builder{Setup: cfg}).Claims(ss)
	if len(cl) != 5 {
		t.Fatalf("%d claims", len(cl))
	}
	data, res := write837(t, cfg, cl)
	txs := parse837(t, data)
	if len(txs) != 3 || len(res.Sets) != 3 {
		t.Fatalf("got %d sets (result %d), want 3 for 5 claims at 2 per set", len(txs), len(res.Sets))
	}
	seen := map[string]bool{}
	total := 0
	for i, tx := range txs {
		if tx.Control != res.Sets[i].Control || seen[tx.Control] {
			t.Errorf("ST02 %q (result %q) repeated or out of step", tx.Control, res.Sets[i].Control)
		}
		seen[tx.Control] = true
		n := len(find(tx.Root, "2300"))
		if n != len(res.Sets[i].ClaimIDs) {
			t.Errorf("set %d: %d claims parsed, %d recorded", i, n, len(res.Sets[i].ClaimIDs))
		}
		total += n
	}
	if total != 5 {
		t.Errorf("%d claims in the file", total)
	}
	if txs[0].Envelope.Usage != "T" || txs[0].Envelope.ISAControl != x12.FormatISAControl(res.ISAControl) {
		t.Errorf("envelope %+v, result ISA %d", txs[0].Envelope, res.ISAControl)
	}
}

func TestWrite837RejectsForeignClearinghouse(t *testing.T) {
	cfg := testConfig(t)
	cl := (&Builder{Setup: cfg}).Claims([]Session{session("s-1", "90834")})
	cl[0].Payer = "nope"
	if _, err := Write837(t.Context(), &strings.Builder{}, cl, FileOptions{Setup: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence()}); err == nil {
		t.Error("unknown payer accepted")
	}
	if _, err := Write837(t.Context(), &strings.Builder{}, nil, FileOptions{Setup: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence()}); err != ErrNoClaims {
		t.Errorf("empty batch: %v", err)
	}
}

func TestBuild837EdgeValues(t *testing.T) {
	cfg := testConfig(t)
	s := session("s-1", "90791")
	s.RenderingProvider = practiceNPI // a solo practitioner billing under their own NPI
	s.Client.LastName = "O*Brien~Smith"
	s.Client.Address.Zip = "62701-1234"
	s.Charge = x12.MustAmount("99.99")
	s.Service.PlaceOfService = "10"
	s.Service.Modifiers = []string{"93"} // audio only: the builder must not add 95 as well
	cl := (&Builder{Setup: cfg}).Claims([]Session{s})
	data, _ := write837(t, cfg, cl)
	c := find(parse837(t, data)[0].Root, "2300")[0]
	if len(c.Loops("2310B")) != 0 {
		t.Error("2310B written for a rendering provider who is the billing provider")
	}
	if got := c.Seg("CLM").Str(2); got != "99.99" {
		t.Errorf("CLM02 %q", got)
	}
	if got := string(c.Loops("2400")[0].Seg("SV1").Element(1)); got != "HC:90791:93" {
		t.Errorf("SV101 %q", got)
	}
	sub := find(parse837(t, data)[0].Root, "2010BA")[0]
	if got := el(sub, "NM1", 3); got != "O Brien Smith" {
		t.Errorf("delimiters in a name: NM103 %q", got)
	}
	if got := el(sub, "N4", 3); got != "627011234" {
		t.Errorf("N403 %q", got)
	}
}
