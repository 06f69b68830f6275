package remit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/x12"
	"github.com/edigate/edigate/x12/guides"
)

func inquiry(trace, pcn, payer string) StatusInquiry {
	return StatusInquiry{Trace: trace, PayerName: "Demo Commercial", PayerID: payer, ReceiverName: "Sunrise Counseling",
		ReceiverID: "EDIGATE", ProviderName: "Sunrise Counseling", ProviderNPI: "1234567893", MemberID: "MEMBER005",
		Subscriber:     StatusPerson{LastName: "Test", FirstName: "Patient", DOB: "1990-01-01", Gender: "F"},
		PatientControl: pcn, Charge: x12.MustAmount("150"), From: "2024-10-15"}
}

// TestWrite276 checks the 276 against the X212 request guide and that what a 277 needs to
// find the claim again (TRN*1 trace, REF*EJ CLM01, REF*1K) is where the guide puts it.
func TestWrite276(t *testing.T) {
	dep := inquiry("FU-2", "PCN5002", "DEMO1")
	dep.Dependent = &StatusPerson{LastName: "Test", FirstName: "Kid", DOB: "2012-03-04", Gender: "M"}
	dep.PayerClaim = "PAYER5002"
	dep.To = "2024-10-16"
	other := inquiry("FU-3", "PCN5003", "OTHER9")
	other.ProviderNPI = "1245319599"
	inqs := []StatusInquiry{inquiry("FU-1", "PCN5001", "DEMO1"), dep, other}
	seq := x12.NewMemorySequence()
	var buf bytes.Buffer
	env := StatusEnvelope{SenderQual: "ZZ", SenderID: "EDIGATE", ReceiverQual: "ZZ", ReceiverID: "CLEARHOUSE", Usage: "T",
		Now: time.Date(2024, 12, 18, 9, 30, 0, 0, time.UTC)}
	ctl, err := Write276(context.Background(), &buf, env, seq, inqs)
	if err != nil {
		t.Fatal(err)
	}
	if ctl.Interchange != 1 || ctl.Group != 1 || len(ctl.Sets) != 2 {
		t.Fatalf("controls = %+v, want ISA 1, GS 1, one set per payer", ctl)
	}
	p := x12.NewParser(bytes.NewReader(buf.Bytes()), x12.ParseOptions{Guides: guides.Registry})
	var sets []*x12.Transaction
	for {
		tx, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tx.Errors {
			t.Errorf("276 %s: %v", tx.Control, e)
		}
		sets = append(sets, tx)
	}
	if len(sets) != 2 || sets[0].Set != "276" || sets[0].Envelope.Version != Version276 {
		t.Fatalf("sets = %d, first %+v", len(sets), sets[0])
	}
	text := buf.String()
	for _, want := range []string{
		"GS*HR*EDIGATE*CLEARHOUSE*", "TRN*1*FU-1~", "REF*EJ*PCN5001~", "AMT*T3*150.00~", "DTP*472*D8*20241015~",
		"HL*6*5*23~\nDMG*D8*20120304*M~\nNM1*QC*1*TEST*KID~\nTRN*1*FU-2~\nREF*1K*PAYER5002~\nREF*EJ*PCN5002~",
		"DTP*472*RD8*20241015-20241016~",
		"NM1*1P*2*SUNRISE COUNSELING*****XX*1245319599~",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("276 lacks %q:\n%s", want, text)
		}
	}
	// The subscriber is the patient in the first inquiry: no 2000E, and no TRN before
	// the subscriber's name (2100D precedes 2200D).
	if strings.Contains(text, "HL*4*3*22*1~") {
		t.Errorf("subscriber-patient inquiry got a dependent level:\n%s", text)
	}
}

func TestWrite276Rejects(t *testing.T) {
	bad := inquiry("FU-1", "PCN5001", "DEMO1")
	bad.MemberID = ""
	for name, inqs := range map[string][]StatusInquiry{"none": nil, "no member": {bad}} {
		_, err := Write276(context.Background(), io.Discard, StatusEnvelope{SenderID: "A", ReceiverID: "B", Usage: "T"}, x12.NewMemorySequence(), inqs)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestMap277X212Followup maps the hand-written answer to a follow-up 276: pending, paid
// (no REF*EJ echoed: the trace is all there is), denied and not found.
func TestMap277X212Followup(t *testing.T) {
	d := readFile(t, "testdata/277-x212-followup.x12")
	if len(d.Statuses) != 1 || d.Statuses[0].Version != Version277 {
		t.Fatalf("statuses = %+v", d.Statuses)
	}
	type want struct {
		pcn, trace, cat         string
		pending, final, rejects bool
		paid                    string
	}
	wants := []want{
		{"PCN5001", "FU-PCN5001", "P1", true, false, false, ""},
		{"FU-PCN5002", "FU-PCN5002", "F1", false, true, false, "95.50"},
		{"PCN5003", "FU-PCN5003", "F2", false, true, false, "0.00"},
		{"PCN5004", "FU-PCN5004", "A4", false, false, true, ""},
	}
	cs := d.Statuses[0].Claims
	if len(cs) != len(wants) {
		t.Fatalf("claims = %+v", cs)
	}
	for i, w := range wants {
		c := cs[i]
		paid := ""
		if c.Paid != nil {
			paid = c.Paid.String()
		}
		if c.PatientControl != w.pcn || c.Trace != w.trace || c.Category != w.cat || c.Pending != w.pending ||
			c.Finalized != w.final || c.Rejected != w.rejects || paid != w.paid {
			t.Errorf("claim %d = %+v (paid %s), want %+v", i, c, paid, w)
		}
	}
}
