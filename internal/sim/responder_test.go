package sim

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func testResponder() *Responder {
	return &Responder{Answerer: *testAnswerer(), Guides: guides.Registry}
}

// validates asserts that what the simulator writes passes edigate's own validator.
func validates(t *testing.T, name string, data []byte) {
	t.Helper()
	res, err := x12.Validate(context.Background(), bytes.NewReader(data), x12.ParseOptions{Guides: guides.Registry})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() {
		t.Errorf("%s does not validate: %+v\n%s", name, res, data)
	}
}

func TestRespondTo837(t *testing.T) {
	data, err := os.ReadFile("testdata/claims.837")
	if err != nil {
		t.Fatal(err)
	}
	out, err := testResponder().Respond(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range out {
		names = append(names, o.Name)
		validates(t, o.Name, o.Data)
	}
	if len(out) != 4 || !strings.HasSuffix(names[0], ".999") || !strings.HasSuffix(names[1], ".277") ||
		!strings.HasSuffix(names[2], ".835") || !strings.HasSuffix(names[3], ".835") {
		t.Fatalf("responses: %v", names)
	}
	// ISA14 = 1 asked for a TA1: it comes first in the acknowledgement interchange.
	ack := string(out[0].Data)
	if !strings.Contains(ack, "TA1*000000042*") || !strings.Contains(ack, "IK5*A") || !strings.Contains(ack, "AK9*A*1*1*1") {
		t.Fatalf("acknowledgement:\n%s", ack)
	}
}

func TestRespondRejectsInvalidGroupWith999Only(t *testing.T) {
	data, err := os.ReadFile("testdata/claims.837")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("CLM*C2*120***11:B:1*Y*A*Y*Y~"), []byte("CLM*C2*120***11:B:1*Q*A*Y*Y~"), 1)
	out, err := testResponder().Respond(context.Background(), bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("a rejected group must get only its 999, got %d files", len(out))
	}
	ack := string(out[0].Data)
	// 837P 2300 CLM06 (provider signature indicator) allows Y or N: IK4 with code 7, and
	// IK402 1073 (Yes/No Condition or Response Code, the data element of CLM06).
	if !strings.Contains(ack, "IK3*CLM*") || !strings.Contains(ack, "IK4*6*1073*7") || !strings.Contains(ack, "IK5*R") {
		t.Fatalf("999 does not name the CLM06 error:\n%s", ack)
	}
	validates(t, out[0].Name, out[0].Data)
}

// TestRespondTo270Validates: every 271 scenario passes the X279A1 guide, and the benefit
// lines say "in network" in EB12, where a 271 reader looks for it.
func TestRespondTo270Validates(t *testing.T) {
	data, err := os.ReadFile("testdata/inquiries.270")
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []Scenario{Active, Inactive, CarveOut, NotFound} {
		r := testResponder()
		r.Rules.DefaultEligibility = sc
		out, err := r.Respond(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			validates(t, string(sc)+" "+o.Name, o.Data)
			if sc != Active || !strings.HasSuffix(o.Name, ".271") {
				continue
			}
			for _, s := range segments(t, o.Data) {
				if s.ID() == "EB" && (s.Str(1) == "B" || s.Str(1) == "A" || s.Str(1) == "C") && (s.Str(12) != "Y" || s.Len() > 12) {
					t.Errorf("EB*%s: EB12 %q, %d elements; want in network in EB12 and no EB13", s.Str(1), s.Str(12), s.Len())
				}
			}
		}
	}
}

// TestRespondTo270OneAnswerPerInquiry: edigate's own 271 reader finds exactly one answer
// per inquiry in what the simulator writes. A dependent's inquiry (T0002) is answered at
// the dependent, active and in network; a subscriber loop that also echoed the trace read
// as a second answer, "subscriber inactive", beside it.
func TestRespondTo270OneAnswerPerInquiry(t *testing.T) {
	data, err := os.ReadFile("testdata/inquiries.270")
	if err != nil {
		t.Fatal(err)
	}
	out, err := testResponder().Respond(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string][]eligibility.Result{}
	for _, o := range out {
		if !strings.HasSuffix(o.Name, ".271") {
			continue
		}
		p := x12.NewParser(bytes.NewReader(o.Data), x12.ParseOptions{Guides: guides.Registry})
		for {
			tx, err := p.Next()
			if err != nil {
				break
			}
			rs, err := eligibility.Map271(tx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				answers[r.Trace] = append(answers[r.Trace], r)
			}
		}
	}
	for _, trace := range []string{"T0001", "T0002", "T0003"} {
		if len(answers[trace]) != 1 {
			t.Errorf("%s: %d answers, want 1: %+v", trace, len(answers[trace]), answers[trace])
		}
	}
	if rs := answers["T0002"]; len(rs) > 0 {
		r := rs[0]
		if r.Level != "dependent" || !r.Active || r.InNetwork == nil || !*r.InNetwork {
			t.Errorf("dependent answer = %+v", r)
		}
	}
}
