package ack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/edigate/edigate/x12/ack"
)

// TestParse999Steps pins each step's refusal, word for word: the segment, its position
// and the element at fault.
func TestParse999Steps(t *testing.T) {
	const head = "AK1*HC*1*005010X222A1~AK2*837*0001~"
	tests := []struct{ name, body, want string }{
		{"second AK1", "AK1*HC*1*005010X222A1~AK1*HC*2*005010X222A1~", "999 AK1 at position 5: a 999 acknowledges one functional group"},
		{"AK2 after AK9", "AK1*HC*1*005010X222A1~AK9*A*0*0*0~AK2*837*0001~", "999 AK2 at position 6: AK2 outside AK1..AK9"},
		{"IK3 position", head + "IK3*NM1*-1**8~", "999 IK3 at position 6 IK302: \"-1\" is not a count or position"},
		{"CTX before IK3", head + "CTX*CLM01:X~", "999 CTX at position 6: CTX before any IK3"},
		{"CTX position", head + "IK3*NM1*3**8~CTX*SITUATIONAL TRIGGER*CLM*Z~", "999 CTX at position 7: CTX03: \"Z\" is not a count or position"},
		{"CTX element", head + "IK3*NM1*3**8~CTX*SITUATIONAL TRIGGER*CLM*1**Q~", "999 CTX at position 7: CTX05-1: \"Q\" is not a count or position"},
		{"IK4 before IK3", head + "IK4*1**7~", "999 IK4 at position 6: IK4 before any IK3"},
		{"IK4 position", head + "IK3*NM1*3**8~IK4*X**7~", "999 IK4 at position 7 IK401-1: \"X\" is not a count or position"},
		{"IK4 component", head + "IK3*NM1*3**8~IK4*1:Y**7~", "999 IK4 at position 7 IK401-2: \"Y\" is not a count or position"},
		{"IK4 repeat", head + "IK3*NM1*3**8~IK4*1:2:W**7~", "999 IK4 at position 7 IK401-3: \"W\" is not a count or position"},
		{"IK5 before AK2", "AK1*HC*1*005010X222A1~IK5*A~", "999 IK5 at position 5: IK5 before any AK2"},
		{"IK3 after IK5", head + "IK5*A~IK3*NM1*3**8~", "999 IK3 at position 7: IK3 before any AK2"},
		{"AK9 before AK1", "AK9*A*1*1*1~", "999 AK9 at position 4: AK9 before AK1"},
		{"AK9 received", "AK1*HC*1*005010X222A1~AK9*A*1*R*1~", "999 AK9 at position 5 AK903: \"R\" is not a count or position"},
		{"no AK1", "", "999: no AK1 segment"},
		{"no AK9", head + "IK5*A~", "999: no AK9 segment"},
		{"set without IK5", head + "AK9*A*1*1*1~", "999: set 837 0001 has no IK5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240305*1407*^*00501*000000001*0*T*:~GS*FA*A*B*20240305*1407*1*X*005010X231A1~ST*999*0001*005010X231A1~" +
				tt.body + "SE*9*0001~GE*1*1~IEA*1*000000001~"
			_, txs, err := ack.Read(context.Background(), strings.NewReader(in), nil)
			if err != nil || len(txs) != 1 {
				t.Fatalf("%v", err)
			}
			if _, err := ack.Parse999(txs[0]); err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func BenchmarkParse999(b *testing.B) {
	_, txs := read(b, "999-partial.x12")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ack.Parse999(txs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
