package eligibility

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func a(s string) *x12.Amount { v := x12.MustAmount(s); return &v }
func p(s string) *string     { return &s }

func TestEstimate(t *testing.T) {
	cases := []struct {
		name string
		r    Result
		want string
		rule string
	}{
		{"inactive", Result{Active: false}, "150.00", "no active coverage"},
		{"copay", Result{Active: true, Copay: a("25")}, "25.00", "copay 25.00"},
		{"copay above charge", Result{Active: true, Copay: a("200")}, "150.00", "copay"},
		{"deductible then coinsurance", Result{Active: true, DeductibleRemaining: a("100"), CoinsurancePercent: p("20")}, "110.00", "deductible 100.00"},
		{"deductible met", Result{Active: true, DeductibleRemaining: a("0"), CoinsurancePercent: p("12.5")}, "18.75", "12.5%"},
		{"out-of-pocket cap", Result{Active: true, DeductibleRemaining: a("500"), OutOfPocketRemaining: a("40")}, "40.00", "capped"},
		{"rounding half up", Result{Active: true, CoinsurancePercent: p("33.33")}, "50.00", "33.33%"},
	}
	for _, c := range cases {
		e := EstimateResponsibility(c.r, x12.MustAmount("150"))
		if e.PatientOwes.String() != c.want || !strings.Contains(e.Rule, c.rule) {
			t.Errorf("%s: owes %s rule %q", c.name, e.PatientOwes, e.Rule)
		}
	}
}

func TestDecide(t *testing.T) {
	yes := true
	cases := []struct {
		name     string
		r        Result
		cfgAuth  bool
		hold     bool
		reason   string
		retry    bool
		warnings int
	}{
		{"active", Result{Active: true}, false, false, "", false, 0},
		{"inactive", Result{Active: false}, false, true, HoldInactive, false, 0},
		{"no information", Result{NoInformation: true}, false, false, "", false, 1},
		{"not found", Result{Rejects: []Reject{{Code: "75"}}}, false, true, HoldNotFound, false, 0},
		{"other reject", Result{Rejects: []Reject{{Code: "58"}}}, false, true, HoldRejected, false, 0},
		{"transient", Result{Rejects: []Reject{{Code: "42"}}}, false, false, "", true, 0},
		{"carve-out", Result{Active: true, CarveOut: &Entity{Code: "PR", Name: "BH", ID: "BH001"}}, false, true, HoldCarveOut, false, 0},
		{"auth surprise", Result{Active: true, AuthRequired: &yes}, false, false, "", false, 1},
		{"auth expected", Result{Active: true, AuthRequired: &yes}, true, false, "", false, 0},
	}
	for _, c := range cases {
		d := Decide(c.r, "90837", c.cfgAuth)
		if d.Hold != c.hold || d.Reason != c.reason || d.Retry != c.retry || len(d.Warnings) != c.warnings {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
}

func TestNeedsCheck(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	dp := func(s string) *time.Time { v := day(s); return &v }
	cases := []struct {
		name       string
		today, dos string
		fresh      int
		last       *time.Time
		pending    bool
		want       bool
	}{
		{"never asked, day of service", "2026-11-18", "2026-11-18", 0, nil, false, true},
		{"too early for a day-of-service window", "2026-11-10", "2026-11-18", 0, nil, false, false},
		{"asked today for today", "2026-11-18", "2026-11-18", 0, dp("2026-11-18"), false, false},
		{"stale answer", "2026-11-18", "2026-11-18", 0, dp("2026-11-17"), false, true},
		{"7-day window, answer 3 days before", "2026-11-18", "2026-11-18", 7, dp("2026-11-15"), false, false},
		{"7-day window opens", "2026-11-11", "2026-11-18", 7, nil, false, true},
		{"pending request", "2026-11-18", "2026-11-18", 0, nil, true, false},
		{"past session, never asked", "2026-11-20", "2026-11-18", 0, nil, false, true},
		{"past session, asked after", "2026-11-21", "2026-11-18", 0, dp("2026-11-20"), false, false},
	}
	for _, c := range cases {
		if got := NeedsCheck(day(c.today), day(c.dos), c.fresh, c.last, c.pending); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

func TestWrite270ValidatesAndCarriesTheInquiry(t *testing.T) {
	inqs := []Inquiry{
		{Trace: "T1", Originator: "9371234567", PayerName: "DEMO COMMERCIAL", PayerID: "60054", ProviderName: "DEMO BH", ProviderNPI: "1234567893",
			Subscriber: Person{FirstName: "Jane", LastName: "Doe", DOB: "1990-04-02", Gender: "F"}, MemberID: "W100", Date: "2026-11-18",
			ServiceTypes: []string{"30", "MH", "A6"}},
		{Trace: "T2", Originator: "9371234567", PayerName: "DEMO COMMERCIAL", PayerID: "60054", ProviderName: "DEMO BH", ProviderNPI: "1234567893",
			Subscriber: Person{FirstName: "Rich", LastName: "Roe"}, MemberID: "W200", Date: "2026-11-18",
			Dependent: &Person{FirstName: "Kid", LastName: "Roe", DOB: "2015-01-01", Gender: "M"}},
		{Trace: "T3", Originator: "9371234567", PayerName: "DEMO MEDICAID", PayerID: "77027", ProviderName: "DEMO BH", ProviderNPI: "1234567893",
			Subscriber: Person{FirstName: "Ann", LastName: "Loe", DOB: "1980-01-01", Gender: "F"}, MemberID: "M300", Date: "2026-11-19"},
	}
	var buf bytes.Buffer
	env := Envelope{SenderID: "EDIGATE", ReceiverID: "SIMCH", Usage: "T", Now: time.Date(2026, 11, 17, 6, 0, 0, 0, time.UTC)}
	ctl, err := Write270(context.Background(), &buf, env, x12.NewMemorySequence(), inqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ctl.Sets) != 2 || ctl.Interchange != 1 {
		t.Fatalf("controls: %+v", ctl)
	}
	res, err := x12.Validate(context.Background(), bytes.NewReader(buf.Bytes()), x12.ParseOptions{Guides: guides.Registry})
	if err != nil || !res.Valid() {
		t.Fatalf("generated 270 does not validate: %v %+v\n%s", err, res, buf.String())
	}
	p := x12.NewParser(bytes.NewReader(buf.Bytes()), x12.ParseOptions{Guides: guides.Registry})
	tx, err := p.Next()
	if err != nil {
		t.Fatal(err)
	}
	var eqs, hls []string
	var trn []string
	for _, s := range tx.Root.InOrder() {
		switch s.ID() {
		case "EQ":
			eqs = append(eqs, s.Str(1))
		case "HL":
			hls = append(hls, s.Str(3))
		case "TRN":
			trn = append(trn, s.Str(2))
		}
	}
	if strings.Join(hls, ",") != "20,21,22,22,23" || strings.Join(trn, ",") != "T1,T2" || strings.Join(eqs, ",") != "30,MH,A6,30,MH" {
		t.Fatalf("270 structure: HL %v TRN %v EQ %v\n%s", hls, trn, eqs, buf.String())
	}
	if !strings.Contains(buf.String(), "NM1*03*1*ROE*KID~") || !strings.Contains(buf.String(), "DTP*291*D8*20261118~") {
		t.Fatalf("dependent or date missing:\n%s", buf.String())
	}
}

func BenchmarkWrite270(b *testing.B) {
	var inqs []Inquiry
	for i := 0; i < 1000; i++ {
		inqs = append(inqs, Inquiry{Trace: "T", Originator: "9371234567", PayerName: "P", PayerID: "60054", ProviderName: "DEMO", ProviderNPI: "1234567893",
			Subscriber: Person{FirstName: "A", LastName: "B", DOB: "1990-01-01", Gender: "F"}, MemberID: "W1", Date: "2026-11-18"})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if _, err := Write270(context.Background(), &buf, Envelope{SenderID: "EDIGATE", ReceiverID: "SIMCH", Usage: "T"}, x12.NewMemorySequence(), inqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(inqs))*float64(b.N)/b.Elapsed().Seconds(), "inquiries/s")
}
