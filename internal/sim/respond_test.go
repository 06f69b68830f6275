package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
)

func testAnswerer() *Answerer {
	rules := DefaultRules()
	rules.Members["W200"] = []Scenario{CopayDeductible}
	rules.Members["W300"] = []Scenario{DenyAuth}
	rules.Members["W400"] = []Scenario{Reversal}
	rules.Members["W500"] = []Scenario{RejectA7}
	return &Answerer{Rules: rules, ID: "SIMCH", Now: func() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) },
		Controls: x12.NewMemorySequence()}
}

func segments(t *testing.T, data []byte) []x12.Segment {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(data))
	var out []x12.Segment
	for {
		s, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("re-reading output: %v", err)
		}
		out = append(out, s.Clone())
	}
}

func readClaims(t *testing.T) *Inbound {
	t.Helper()
	f, err := os.Open("testdata/claims.837")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadInbound(f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestReadInbound837(t *testing.T) {
	in := readClaims(t)
	if in.Set != "837" || in.Sender != "EDIGATE" || in.ISAControl != "000000042" || len(in.Claims) != 4 {
		t.Fatalf("inbound: %+v", in)
	}
	c := in.Claims[0]
	if c.PatientControl != "C1" || c.Charge != x12.MustAmount("300") || c.MemberID != "W100" || len(c.Lines) != 2 ||
		c.Lines[0].Code != "90837" || c.Lines[0].Modifiers[0] != "95" || c.Lines[1].Date != "20261119" || c.BillingNPI != "1234567893" {
		t.Fatalf("claim: %+v", c)
	}
}

func Test277CAAcceptsAndRejectsPerScenario(t *testing.T) {
	a := testAnswerer()
	in := readClaims(t)
	in.Claims[3].MemberID = "W500" // reject-a7
	out, err := a.Write277CA(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	stc := map[string]string{}
	var pcn string
	var qty []string
	for _, s := range segments(t, out) {
		switch s.ID() {
		case "TRN":
			if s.Str(1) == "2" {
				pcn = s.Str(2)
			}
		case "STC":
			stc[pcn] = string(s.Component(1, 1))
		case "QTY":
			qty = append(qty, s.Str(1)+"="+s.Str(2))
		}
	}
	if stc["C1"] != "A2" || stc["C2"] != "A2" || stc["C4"] != "A7" {
		t.Fatalf("STC categories: %v", stc)
	}
	if len(qty) != 2 || qty[0] != "90=3" || qty[1] != "AA=1" {
		t.Fatalf("batch totals: %v", qty)
	}
}

// Test835Balances checks the 835 balancing rules (X221A1) on what the
// simulator writes: per line SVC02 - SVC03 = sum of CAS, per claim CLP03 - CLP04 = sum of
// CAS, BPR02 = sum CLP04.
func Test835Balances(t *testing.T) {
	a := testAnswerer()
	files, err := a.Write835s(context.Background(), readClaims(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Round != 0 || files[1].Round != 1 {
		t.Fatalf("want a payment 835 and a later reversal 835, got %d", len(files))
	}
	status := map[string][]string{}
	for _, f := range files {
		var bpr, sumPaid x12.Amount
		var clpCharge, clpPaid, clpCAS, svcCharge, svcPaid, svcCAS x12.Amount
		inSVC := false
		var pcn string
		closeLine := func() {
			if inSVC && svcCharge-svcPaid != svcCAS {
				t.Errorf("%s: line %s - %s != CAS %s", pcn, svcCharge, svcPaid, svcCAS)
			}
			inSVC = false
		}
		closeClaim := func() {
			closeLine()
			if pcn != "" && clpCharge-clpPaid != clpCAS {
				t.Errorf("%s: claim %s - %s != CAS %s", pcn, clpCharge, clpPaid, clpCAS)
			}
		}
		for _, s := range segments(t, f.Data) {
			switch s.ID() {
			case "BPR":
				bpr = x12.MustAmount(s.Str(2))
			case "CLP":
				closeClaim()
				pcn = s.Str(1)
				status[pcn] = append(status[pcn], s.Str(2))
				clpCharge, clpPaid, clpCAS = x12.MustAmount(s.Str(3)), x12.MustAmount(s.Str(4)), 0
				sumPaid += clpPaid
			case "SVC":
				closeLine()
				inSVC = true
				svcCharge, svcPaid, svcCAS = x12.MustAmount(s.Str(2)), x12.MustAmount(s.Str(3)), 0
			case "CAS":
				for i := 3; i <= s.Len(); i += 3 {
					amt := x12.MustAmount(s.Str(i))
					clpCAS += amt
					if inSVC {
						svcCAS += amt
					}
				}
			case "SE":
				closeClaim()
				pcn = ""
			}
		}
		if bpr != sumPaid {
			t.Errorf("BPR02 %s != sum CLP04 %s", bpr, sumPaid)
		}
	}
	want := map[string]string{"C1": "1", "C2": "1", "C3": "4", "C4": "1,22,1"}
	for pcn, w := range want {
		got := ""
		for i, s := range status[pcn] {
			if i > 0 {
				got += ","
			}
			got += s
		}
		if got != w {
			t.Errorf("%s: CLP02 %q, want %q", pcn, got, w)
		}
	}
}

// Test835OnePerPayer: an 837P whose claims go to two payers is remitted by each payer for
// its own claims only (1000A N1*PR), with distinct check numbers, and the reversal comes
// later from the payer of the reversed claim.
func Test835OnePerPayer(t *testing.T) {
	a := testAnswerer()
	in := readClaims(t)
	for _, i := range []int{1, 3} { // C2 (paid) and C4 (reversal) go to Medicaid
		in.Claims[i].PayerName, in.Claims[i].PayerID = "DEMO STATE MEDICAID", "77027"
	}
	files, err := a.Write835s(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	type era struct {
		round        int
		payer, check string
		patientCtrls string
	}
	var got []era
	checks := map[string]bool{}
	for _, f := range files {
		e := era{round: f.Round}
		for _, s := range segments(t, f.Data) {
			switch {
			case s.ID() == "N1" && s.Str(1) == "PR":
				e.payer = s.Str(2)
			case s.ID() == "REF" && s.Str(1) == "2U":
				e.payer += " " + s.Str(2)
			case s.ID() == "TRN":
				e.check = s.Str(2)
			case s.ID() == "CLP":
				e.patientCtrls += s.Str(1) + "/" + s.Str(2) + " "
			}
		}
		if checks[e.check] {
			t.Errorf("check number %s used twice", e.check)
		}
		checks[e.check] = true
		got = append(got, e)
	}
	want := []era{
		{0, "DEMO COMMERCIAL HEALTH 60054", "", "C1/1 C3/4 "},
		{0, "DEMO STATE MEDICAID 77027", "", "C2/1 C4/1 "},
		{1, "DEMO STATE MEDICAID 77027", "", "C4/22 C4/1 "},
	}
	if len(got) != len(want) {
		t.Fatalf("835s: %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.round != w.round || g.payer != w.payer || g.patientCtrls != w.patientCtrls {
			t.Errorf("835 #%d: %+v, want %+v", i+1, g, w)
		}
	}
}

func Test271PerScenario(t *testing.T) {
	a := testAnswerer()
	a.Rules.Members["W600"] = []Scenario{CarveOut}
	a.Rules.Members["W700"] = []Scenario{NotFound}
	f, err := os.Open("testdata/inquiries.270")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadInbound(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Inquiries) != 3 || in.Inquiries[1].DependentFirst != "KID" || in.Inquiries[1].Trace != "T0002" ||
		len(in.Inquiries[0].ServiceTypes) != 2 || in.Inquiries[0].Date != "20261118" {
		t.Fatalf("inquiries: %+v", in.Inquiries)
	}
	out, err := a.Write271(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// Per trace: what came back.
	got := map[string][]string{}
	var trace string
	for _, s := range segments(t, out) {
		switch s.ID() {
		case "TRN":
			trace = s.Str(2)
		case "EB":
			got[trace] = append(got[trace], "EB"+s.Str(1)+"/"+s.Str(3))
		case "AAA":
			got[trace] = append(got[trace], "AAA"+s.Str(3)+s.Str(4))
		case "NM1":
			if s.Str(1) == "PR" && s.Str(9) == CarveOutPayerID {
				got[trace] = append(got[trace], "carveout")
			}
		}
	}
	if g := got["T0001"]; len(g) < 3 || g[0] != "EB1/30" || g[1] != "EBB/MH^A6" {
		t.Errorf("active: %v", g)
	}
	if g := got["T0002"]; len(g) != 3 || g[2] != "carveout" {
		t.Errorf("carve-out: %v", g)
	}
	if g := got["T0003"]; len(g) != 1 || g[0] != "AAA75C" {
		t.Errorf("not found: %v", g)
	}
}

// The 277CA's information source is the payer when the file's claims are all for one
// payer; a file for several payers is acknowledged by the clearinghouse (NM1*AY), not by
// whichever payer its first claim names. Both forms pass the X214 guide.
func Test277CASource(t *testing.T) {
	for _, tt := range []struct {
		name       string
		otherPayer bool
		want       []string // NM101, NM103, NM108, NM109 of 2100A
	}{
		{"one payer", false, []string{"PR", "DEMO COMMERCIAL HEALTH", "PI", "60054"}},
		{"two payers", true, []string{"AY", "SIMULATED CLEARINGHOUSE", "46", "SIMCH"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := readClaims(t)
			if tt.otherPayer {
				in.Claims[2].PayerName, in.Claims[2].PayerID = "DEMO MEDICAID", "77027"
			}
			out, err := testAnswerer().Write277CA(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			validates(t, tt.name, out)
			for _, s := range segments(t, out) {
				if s.ID() == "NM1" {
					got := []string{s.Str(1), s.Str(3), s.Str(8), s.Str(9)}
					if fmt.Sprint(got) != fmt.Sprint(tt.want) {
						t.Errorf("2100A NM1 = %v, want %v", got, tt.want)
					}
					return
				}
			}
			t.Fatal("no NM1 in the 277CA")
		})
	}
}

// Test835Void: a void (frequency 8) is answered with a reversal of the payment it
// withdraws (CLP02 22, negative amounts, the voided claim's payer number), never a payment.
func Test835Void(t *testing.T) {
	a := testAnswerer()
	in := readClaims(t)
	in.Claims = in.Claims[:1]
	in.Claims[0].Frequency, in.Claims[0].OriginalPayerRef = "8", "PAYER-77"
	files, err := a.Write835s(context.Background(), in)
	if err != nil || len(files) != 1 {
		t.Fatalf("835s %d, %v", len(files), err)
	}
	var clp x12.Segment
	for _, s := range segments(t, files[0].Data) {
		if s.ID() == "CLP" {
			clp = s
		}
	}
	if clp.Str(1) != in.Claims[0].PatientControl || clp.Str(2) != "22" || !strings.HasPrefix(clp.Str(3), "-") ||
		!strings.HasPrefix(clp.Str(4), "-") || clp.Str(7) != "PAYER-77" {
		t.Fatalf("void answered with CLP %v", clp)
	}
}
