package claims

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
)

func TestControlNumber(t *testing.T) {
	a := ControlNumber("demo-practice", []string{"s-2", "s-1"})
	if a != ControlNumber("demo-practice", []string{"s-1", "s-2"}) {
		t.Error("CLM01 depends on session order")
	}
	if len(a) != 16 {
		t.Errorf("len(CLM01) = %d", len(a))
	}
	for _, other := range []string{
		ControlNumber("demo-practice", []string{"s-1"}),
		ControlNumber("other-practice", []string{"s-1", "s-2"}),
		ControlNumber("demo-practice", []string{"s-1s-2"}), // separator matters
	} {
		if other == a {
			t.Errorf("collision: %s", other)
		}
	}
	r := Resubmission(a, FrequencyReplacement, 1)
	v := Resubmission(a, FrequencyVoid, 12)
	if r != a+"R1" || v != a+"V12" || len(v) > MaxControlNumber {
		t.Errorf("resubmissions %q %q", r, v)
	}
	if ControlBase(v) != a || ControlBase(Resubmission(r, FrequencyReplacement, 2)) != a {
		t.Error("ControlBase does not find the family")
	}
	// 131,072 distinct session ids give as many distinct numbers.
	seen := make(map[string]bool, 1<<17)
	for i := range 1 << 17 {
		n := ControlNumber("p", []string{fmt.Sprint(i)})
		if seen[n] {
			t.Fatalf("collision at %d", i)
		}
		seen[n] = true
	}
}

func TestGrouping(t *testing.T) {
	day2 := session("s-3", "90834")
	day2.Date = "2026-03-03"
	otherProvider := session("s-4", "90834")
	otherProvider.RenderingProvider = lpcaNPI
	scheduled := session("s-5", "90834")
	scheduled.Status = StatusScheduled
	s1, s2 := session("s-1", "90837"), session("s-2", "90785")
	tests := []struct {
		name    string
		grouped bool
		in      []Session
		want    [][]string // session ids per claim
	}{
		{"same day grouped", true, []Session{s2, s1, day2}, [][]string{{"s-1", "s-2"}, {"s-3"}}},
		{"other provider apart", true, []Session{s1, otherProvider}, [][]string{{"s-1"}, {"s-4"}}},
		{"scheduled skipped", true, []Session{s1, scheduled}, [][]string{{"s-1"}}},
		{"ungrouped keeps add-on with primary", false, []Session{s1, s2, session("s-6", "90791")}, [][]string{{"s-1", "s-2"}, {"s-6"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.GroupSameDay = tt.grouped
			cl := (&Builder{Setup: cfg}).Claims(tt.in)
			var got [][]string
			for _, c := range cl {
				got = append(got, c.SessionIDs)
				if c.Total != c.Sum() {
					t.Errorf("claim %s total %s, lines sum %s", c.ID, c.Total, c.Sum())
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("claims %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGroupingSplitsOver12Diagnoses(t *testing.T) {
	cfg := testConfig(t)
	var ss []Session
	for i := range 4 {
		s := session(fmt.Sprintf("s-%d", i), "H2019")
		s.Minutes = 30
		s.Diagnoses = nil
		for j := range 4 {
			s.Diagnoses = append(s.Diagnoses, fmt.Sprintf("F4%d.%d", i, j))
		}
		ss = append(ss, s)
	}
	cl := (&Builder{Setup: cfg}).Claims(ss)
	if len(cl) != 2 || len(cl[0].Diagnoses) != 12 || len(cl[1].Diagnoses) != 4 {
		t.Fatalf("claims %d, diagnoses %d/%d", len(cl), len(cl[0].Diagnoses), len(cl[1].Diagnoses))
	}
	if got := cl[1].Lines[0].Pointers; fmt.Sprint(got) != "[1 2 3 4]" {
		t.Errorf("second claim pointers %v", got)
	}
	if cl[0].Lines[0].Units != 2 {
		t.Errorf("H2019 30 minutes = %d units, want 2", cl[0].Lines[0].Units)
	}
	// One session with 13 diagnoses stays whole and is held.
	big := session("s-big", "90837")
	big.Diagnoses = nil
	for j := range 13 {
		big.Diagnoses = append(big.Diagnoses, fmt.Sprintf("F4%d.%d", j/10, j%10))
	}
	cl = (&Builder{Setup: cfg}).Claims([]Session{big})
	res := (&Scrubber{Setup: cfg, Today: scrubToday}).Scrub(cl)
	if len(cl) != 1 || !res[0].Held {
		t.Fatalf("13 diagnoses: %d claims, %+v", len(cl), res)
	}
}

func TestReplacementAndVoid(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	s := session("s-1", "90834")
	s.Minutes = 45
	orig := b.Claims([]Session{s})[0]

	if _, err := b.Replacement(orig, []Session{s}, "", 1); err == nil {
		t.Error("replacement without REF*F8 accepted")
	}
	changed := s
	changed.Service.Code, changed.Minutes, changed.Charge = "90837", 55, x12.MustAmount("180")
	rep, err := b.Replacement(orig, []Session{changed}, "PAYERCCN123", 1)
	if err != nil {
		t.Fatal(err)
	}
	void, err := b.Void(orig, "PAYERCCN123", 1)
	if err != nil {
		t.Fatal(err)
	}
	if orig.Frequency != FrequencyOriginal || orig.PayerControlNumber != "" {
		t.Fatal("Void changed the original claim")
	}
	data, _ := write837(t, cfg, []*Claim{rep, void})
	clms := find(parse837(t, data)[0].Root, "2300")
	if len(clms) != 2 {
		t.Fatalf("%d claims", len(clms))
	}
	for i, want := range []struct{ id, freq, total, code string }{
		{orig.ID + "R1", "7", "180", "HC:90837"},
		{orig.ID + "V1", "8", "150", "HC:90834"},
	} {
		c := clms[i]
		clm := c.Seg("CLM")
		if clm.Str(1) != want.id || string(clm.Component(5, 3)) != want.freq || clm.Str(2) != want.total {
			t.Errorf("claim %d: CLM01 %q CLM05-3 %q CLM02 %q, want %+v", i, clm.Str(1), clm.Component(5, 3), clm.Str(2), want)
		}
		if f8 := c.SegWhere("REF", 1, "F8"); f8 == nil || f8.Str(2) != "PAYERCCN123" {
			t.Errorf("claim %d: REF*F8 missing", i)
		}
		if got := string(c.Loops("2400")[0].Seg("SV1").Element(1)); got != want.code {
			t.Errorf("claim %d SV101 %q", i, got)
		}
	}
	// A void built by hand without REF*F8 is refused by the writer, not sent.
	void.PayerControlNumber = ""
	if _, err := Write837(context.Background(), &bytes.Buffer{}, []*Claim{void}, FileOptions{Setup: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence()}); err == nil {
		t.Error("void without REF*F8 written")
	}
}

func TestSecondaryClaim(t *testing.T) {
	cfg := testConfig(t)
	b := &Builder{Setup: cfg}
	s1, s2 := session("s-1", "90837"), session("s-2", "90785")
	s2.Charge = x12.MustAmount("30")
	primary := b.Claims([]Session{s1, s2})[0]
	prior := PriorPayerInfo{
		PayerName: "Demo Commercial Health", PayerID: "60054", FilingIndicator: "CI", Group: "G55",
		Relationship: "self", PayerControlNumber: "ICN-1", Paid: x12.MustAmount("100"), Adjudicated: "2026-03-20",
		Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("50")}, {Group: "PR", Reason: "2", Amount: x12.MustAmount("30")}},
		Lines: []PriorLine{
			{Line: 1, Paid: x12.MustAmount("100"), Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("20")}, {Group: "PR", Reason: "2", Amount: x12.MustAmount("30")}}},
			{Line: 2, Paid: 0, Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: x12.MustAmount("30")}}},
		},
	}
	cov := Coverage{Payer: "demo-medicaid", MemberID: "MCD1", Relationship: "self", Priority: "secondary"}
	sec, err := b.Secondary(primary, cov, prior)
	if err != nil {
		t.Fatal(err)
	}
	if sec.ID == primary.ID || sec.Payer != "demo-medicaid" || sec.Primary == nil {
		t.Fatalf("secondary %+v", sec)
	}
	data, _ := write837(t, cfg, []*Claim{sec})
	root := parse837(t, data)[0].Root
	if got := el(find(root, "2000B")[0], "SBR", 1); got != "S" {
		t.Errorf("2000B SBR01 = %q, want S", got)
	}
	other := find(root, "2320")
	if len(other) != 1 {
		t.Fatalf("2320 loops %d", len(other))
	}
	o := other[0]
	if el(o, "SBR", 1) != "P" || el(o, "SBR", 9) != "CI" {
		t.Errorf("2320 SBR %v", o.Seg("SBR"))
	}
	if amt := o.SegWhere("AMT", 1, "D"); amt == nil || amt.Str(2) != "100" {
		t.Error("2320 AMT*D missing")
	}
	cas := o.All("CAS")
	if len(cas) != 2 || cas[0].Str(1) != "CO" || cas[0].Str(2) != "45" || cas[0].Str(3) != "50" || cas[1].Str(1) != "PR" {
		t.Errorf("2320 CAS %v", cas)
	}
	if p := o.Loops("2330B"); len(p) != 1 || el(p[0], "NM1", 9) != "60054" || p[0].SegWhere("REF", 1, "F8") == nil {
		t.Errorf("2330B %v", p)
	}
	if len(o.Loops("2330A")) != 1 {
		t.Error("2330A missing")
	}
	lines := find(root, "2400")
	for i, want := range []string{"100", "0"} {
		adj := lines[i].Loops("2430")
		if len(adj) != 1 || el(adj[0], "SVD", 1) != "60054" || el(adj[0], "SVD", 2) != want {
			t.Errorf("line %d 2430 %v", i+1, adj)
		}
	}
	// The scrubber checks the secondary claim against the secondary payer.
	res := (&Scrubber{Setup: cfg, Today: scrubToday}).Scrub([]*Claim{sec})
	if res[0].ClaimID != sec.ID {
		t.Fatal("result for another claim")
	}
}

// BenchmarkBuild837 measures claims written per second into one valid file (5,000 claims
// per set), the issue's >= 100,000 claims/s target.
func BenchmarkBuild837(b *testing.B) {
	cfg := testConfig(b)
	var ss []Session
	for i := range 10000 {
		s := session(fmt.Sprintf("s-%d", i), "90837")
		s.Client.ID = fmt.Sprintf("c-%d", i)
		s.Coverage.Payer = []string{"demo-commercial", "demo-medicaid"}[i%2]
		s.RenderingProvider = []string{lcswNPI, lpcaNPI}[i%2]
		ss = append(ss, s)
	}
	cl := (&Builder{Setup: cfg}).Claims(ss)
	var buf bytes.Buffer
	now := time.Date(2026, 3, 10, 14, 5, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if _, err := Write837(context.Background(), &buf, cl, FileOptions{Setup: cfg, Clearinghouse: "sim", Sequence: x12.NewMemorySequence(), Now: now}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(cl))*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	b.SetBytes(int64(buf.Len()))
	b.StopTimer()
	res, err := x12.Validate(context.Background(), bytes.NewReader(buf.Bytes()), x12.ParseOptions{Guides: guides837})
	if err != nil || !res.Valid() {
		b.Fatalf("benchmark file invalid: %v %+v", err, res)
	}
}

// BenchmarkBuildClaims measures grouping sessions into claims (the step before writing).
func BenchmarkBuildClaims(b *testing.B) {
	cfg := testConfig(b)
	var ss []Session
	for i := range 10000 {
		s := session(fmt.Sprintf("s-%d", i), "90837")
		s.Client.ID = fmt.Sprintf("c-%d", i/2)
		ss = append(ss, s)
	}
	bd := &Builder{Setup: cfg}
	for b.Loop() {
		bd.Claims(ss)
	}
	b.ReportMetric(float64(len(ss))*float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
}
