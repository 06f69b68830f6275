package eligibility

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

// parse271 maps every 271 in a file.
func parse271(t testing.TB, path string) []Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := x12.NewParser(f, x12.ParseOptions{Guides: guides.Registry})
	var out []Result
	for {
		tx, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rs, err := Map271(tx)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, rs...)
	}
	return out
}

func one(t *testing.T, name string) Result {
	t.Helper()
	rs := parse271(t, filepath.Join("testdata", name))
	if len(rs) != 1 {
		t.Fatalf("%s: want 1 result, got %d: %+v", name, len(rs), rs)
	}
	return rs[0]
}

func amt(a *x12.Amount) string {
	if a == nil {
		return "null"
	}
	return a.String()
}

func str(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func boolp(b *bool) string {
	if b == nil {
		return "null"
	}
	if *b {
		return "true"
	}
	return "false"
}

func TestMap271Fixtures(t *testing.T) {
	r := one(t, "copay-only.271")
	if r.Trace != "T100" || r.MemberID != "W100" || !r.Active || amt(r.Copay) != "25.00" || boolp(r.InNetwork) != "true" ||
		boolp(r.AuthRequired) != "false" || r.Deductible != nil || r.CoinsurancePercent != nil || r.Plan != "GOLD PPO" || r.CoverageStart != "20260101" {
		t.Errorf("copay only: %+v", r)
	}

	r = one(t, "deductible-coinsurance.271")
	if !r.Active || str(r.CoinsurancePercent) != "20" || amt(r.Deductible) != "1500.00" || amt(r.DeductibleRemaining) != "400.50" ||
		amt(r.OutOfPocket) != "5000.00" || amt(r.OutOfPocketRemaining) != "3200.00" || r.Group != "GRP100" || r.CoverageEnd != "20261231" ||
		r.VisitsRemaining == nil || *r.VisitsRemaining != 12 || r.VisitsLimit == nil || *r.VisitsLimit != 20 || *r.VisitsUsed != 8 || r.Copay != nil {
		t.Errorf("deductible + coinsurance: %+v", r)
	}

	r = one(t, "inactive.271")
	if r.Active || len(r.Messages) != 1 || r.CoverageEnd != "20260930" {
		t.Errorf("inactive: %+v", r)
	}

	r = one(t, "aaa-subscriber.271")
	if r.Active || len(r.Rejects) != 1 || r.Rejects[0].Code != "75" || r.Rejects[0].Reason != "subscriber/insured not found" ||
		r.Rejects[0].FollowUp != "please correct and resubmit" || r.Rejects[0].Level != "subscriber" {
		t.Errorf("AAA at subscriber: %+v", r)
	}

	r = one(t, "aaa-payer.271")
	if r.Level != "payer" || r.PayerID != "60054" || len(r.Rejects) != 1 || r.Rejects[0].Code != "42" || !r.Rejects[0].Transient() {
		t.Errorf("AAA at payer: %+v", r)
	}

	r = one(t, "dependent.271")
	if r.Level != "dependent" || r.MemberID != "W600" || r.Trace != "T600" || !r.Active || amt(r.Copay) != "15.00" {
		t.Errorf("dependent: %+v", r)
	}

	r = one(t, "carve-out.271")
	if r.CarveOut == nil || r.CarveOut.ID != "BH001" || r.CarveOut.Code != "PR" || r.CarveOut.Phone != "8005550199" || !r.Active {
		t.Errorf("carve-out: %+v", r)
	}

	// MH beats 30, in network beats out of network; A6 beats 30 for coinsurance.
	r = one(t, "conflicting.271")
	if amt(r.Copay) != "20.00" || str(r.CoinsurancePercent) != "10" {
		t.Errorf("conflicting: copay %s coinsurance %s", amt(r.Copay), str(r.CoinsurancePercent))
	}

	// A member answered with neither benefits nor a reject: no information, not inactive.
	r = one(t, "no-information.271")
	if !r.NoInformation || r.Trace != "T110" {
		t.Errorf("no information: %+v", r)
	}
	if d := Decide(r, "90837", false); d.Hold || len(d.Warnings) != 1 {
		t.Errorf("no information must warn, not hold: %+v", d)
	}

	r = one(t, "unknown-codes.271")
	if !r.Active || len(r.Benefits) != 2 || !strings.Contains(r.Benefits[1].InfoText, "unknown code Q9") ||
		len(r.Rejects) != 1 || !strings.Contains(r.Rejects[0].Reason, "unknown code Z7") {
		t.Errorf("unknown codes kept: %+v", r)
	}
}

// TestMap271Samples maps the public samples; none may fail, and the known answers hold.
func TestMap271Samples(t *testing.T) {
	dir := "../../shared/x12-samples/271"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared samples not present")
	}
	r := parse271(t, filepath.Join(dir, "lfh-subscriber.edi"))
	if len(r) != 1 || r[0].MemberID != "123456789" || !r[0].Active || r[0].CarveOut != nil {
		t.Fatalf("lfh-subscriber: %+v", r)
	}
	// MH is among the copay's service types; the in-network one (10.00) wins.
	if amt(r[0].Copay) != "10.00" || boolp(r[0].InNetwork) != "true" {
		t.Errorf("lfh-subscriber copay %s in network %s", amt(r[0].Copay), boolp(r[0].InNetwork))
	}
	r = parse271(t, filepath.Join(dir, "lfh-subscriber-error-AAA.edi"))
	if len(r) != 1 || r[0].Level != "provider" || r[0].Rejects[0].Code != "50" {
		t.Fatalf("provider-level AAA: %+v", r)
	}
	for _, name := range []string{"edx12-sample.edi", "nodex12-271-cms.edi", "stupidedi-error-response.edi"} {
		if rs := parse271(t, filepath.Join(dir, name)); len(rs) == 0 {
			t.Errorf("%s: no result", name)
		}
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[string]string{".2": "20", "0.125": "12.5", "1": "100", "0": "0", "0.3333": "33.33"} {
		if got, ok := percent(in); !ok || got != want {
			t.Errorf("%s: %q", in, got)
		}
	}
	if _, ok := percent("abc"); ok {
		t.Error("abc accepted")
	}
}

func FuzzMap271(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.271")
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := x12.NewParser(strings.NewReader(string(data)), x12.ParseOptions{Guides: guides.Registry})
		for i := 0; i < 1000; i++ {
			tx, err := p.Next()
			if err != nil {
				return
			}
			if tx.Set == "271" {
				_, _ = Map271(tx)
			}
		}
	})
}

// BenchmarkMap271 parses and maps a 271 answering 1,000 inquiries (written by the
// simulator for a generated 270), reporting MB/s and answers/s.
func BenchmarkMap271(b *testing.B) {
	var inqs []Inquiry
	for i := 0; i < 1000; i++ {
		inqs = append(inqs, Inquiry{Trace: fmt.Sprintf("T%05d", i), Originator: "9371234567", PayerName: "P", PayerID: "60054",
			ProviderName: "DEMO", ProviderNPI: "1234567893", Subscriber: Person{FirstName: "A", LastName: "B", DOB: "1990-01-01", Gender: "F"},
			MemberID: fmt.Sprintf("W%05d", i), Date: "2026-11-18"})
	}
	var req bytes.Buffer
	if _, err := Write270(context.Background(), &req, Envelope{SenderID: "EDIGATE", ReceiverID: "SIMCH", Usage: "T"}, x12.NewMemorySequence(), inqs); err != nil {
		b.Fatal(err)
	}
	in, err := sim.ReadInbound(&req)
	if err != nil {
		b.Fatal(err)
	}
	data, err := (&sim.Answerer{Rules: sim.DefaultRules(), ID: "SIMCH", Controls: x12.NewMemorySequence()}).Write271(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	answers := 0
	for b.Loop() {
		p := x12.NewParser(bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
		for {
			tx, err := p.Next()
			if err != nil {
				break
			}
			rs, err := Map271(tx)
			if err != nil {
				b.Fatal(err)
			}
			answers += len(rs)
		}
	}
	b.ReportMetric(float64(answers)/b.Elapsed().Seconds(), "answers/s")
}

var _ = context.Background
