package remit

import (
	"strings"
	"testing"

	"github.com/edigate/edigate/x12"
)

// segs277 reads "ID*e1*e2~ID*..." into segments with the default delimiters.
func segs277(text string) []*x12.Segment {
	var out []*x12.Segment
	for i, st := range strings.Split(strings.TrimSuffix(text, "~"), "~") {
		s := &x12.Segment{Delims: x12.DefaultDelimiters, Index: i + 1}
		for _, e := range strings.Split(st, "*") {
			s.Elements = append(s.Elements, []byte(e))
		}
		out = append(out, s)
	}
	return out
}

// TestMap277Steps drives Map277's steps segment by segment: which level each segment
// lands on (batch, claim, line) and which bad amount stops the read.
func TestMap277Steps(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		check   func(r *StatusReport) bool
		wantErr string
	}{
		{"batch counts outside a claim",
			"HL*2*1*20*1~QTY*90*4~QTY*AA*2~HL*3*2*PT~TRN*2*C1~QTY*90*9", func(r *StatusReport) bool {
				return *r.AcceptedCount == 4 && *r.RejectedCount == 2 && len(r.Claims) == 1
			}, ""},
		{"batch count not a number", "QTY*90*X", nil, "277 QTY at position 1: QTY02 \"X\""},
		{"TRN opens a claim only on a claim level",
			"HL*1**20~TRN*2*SRC~HL*2*1*22~TRN*1*NOPE~TRN*2*C22~HL*3*1*23~TRN*2*C23", func(r *StatusReport) bool {
				return len(r.Claims) == 2 && r.Claims[0].PatientControl == "C22" && r.Claims[1].Trace == "C23"
			}, ""},
		{"status before any claim is ignored", "HL*1**20~STC*A1:19*20240101*WQ*bad", func(r *StatusReport) bool {
			return len(r.Claims) == 0
		}, ""},
		{"first claim STC carries date, amounts and message",
			"HL*1**PT~TRN*2*C1~STC*A1:19*20240102**150*100*******MSG~STC*A2:20*20240103**999", func(r *StatusReport) bool {
				c := r.Claims[0]
				return c.Date == "20240102" && *c.Charge == 15000 && *c.Paid == 10000 && c.Message == "MSG" &&
					len(c.Statuses) == 2 && c.Statuses[1].Category == "A2"
			}, ""},
		{"claim STC04 bad", "HL*1**PT~TRN*2*C1~STC*A1:19*20240102**1.2.3", nil, "277 STC at position 3: STC04"},
		{"claim STC05 bad", "HL*1**PT~TRN*2*C1~STC*A1:19*20240102**1*Z", nil, "277 STC at position 3: STC05"},
		{"references and dates go to the line once one is open",
			"HL*1**22~TRN*2*T1~REF*1K*PCN~REF*EJ*PAT~DTP*472*D8*20240105~SVC*HC:99213*100*80~REF*FJ*L1~REF*1K*LATE~DTP*472*D8*20240106~STC*F1:65",
			func(r *StatusReport) bool {
				c := r.Claims[0]
				l := c.Lines[0]
				return c.PayerClaim == "PCN" && c.PatientControl == "PAT" && c.Trace == "T1" && c.ServiceDate == "20240105" &&
					l.Code == "99213" && l.Charge == 10000 && l.Paid == 8000 && l.Control == "L1" && l.Date == "20240106" &&
					len(l.Statuses) == 1 && len(c.Statuses) == 0
			}, ""},
		{"a new HL closes the claim and line", "HL*1**PT~TRN*2*C1~SVC*HC:1*10~HL*2**PT~REF*1K*X~SVC*HC:2*5~DTP*472*D8*1",
			func(r *StatusReport) bool {
				return len(r.Claims) == 1 && r.Claims[0].PayerClaim == "" && len(r.Claims[0].Lines) == 1 && r.Claims[0].Lines[0].Date == ""
			}, ""},
		{"line SVC02 bad", "HL*1**PT~TRN*2*C1~SVC*HC:1*", nil, "277 SVC at position 3: SVC02"},
		{"line SVC03 bad", "HL*1**PT~TRN*2*C1~SVC*HC:1*10*X", nil, "277 SVC at position 3: SVC03"},
		{"ST03 and BHT03", "ST*277*0001*005010X212~BHT*0010*08*REF1", func(r *StatusReport) bool {
			return r.Version == "005010X212" && r.Reference == "REF1"
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &map277{r: &StatusReport{Claims: []ClaimStatus{}}}
			var err error
			for _, s := range segs277(tt.in) {
				if err = m.segment(s); err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(m.r) {
				t.Errorf("report = %+v", *m.r)
			}
		})
	}
}
