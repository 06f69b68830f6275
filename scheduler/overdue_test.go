package scheduler

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanAcks(t *testing.T) {
	isa := "ISA*00*          *00*          *ZZ*SIMCH          *ZZ*EDIGATE        *240102*1200*^*00501*000000900*0*T*:~"
	cases := []struct {
		name, body string
		want       []Ack
	}{
		{"accepted 837 group", isa + "GS*FA*SIMCH*EDIGATE*20240102*1200*900*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*501*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*900~IEA*1*000000900~",
			[]Ack{{Kind: "999", FunctionalID: "HC", Control: 501, Accepted: true}}},
		{"rejected group then partly accepted one", isa + "GS*FA*SIMCH*EDIGATE*20240102*1200*900*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*7~AK9*R*1*1*0~SE*4*0001~ST*999*0002*005010X231A1~AK1*HS*8~AK9*P*2*2*1~SE*4*0002~GE*2*900~IEA*1*000000900~",
			[]Ack{{Kind: "999", FunctionalID: "HC", Control: 7}, {Kind: "999", FunctionalID: "HS", Control: 8, Accepted: true}}},
		{"TA1 rejecting an interchange", isa + "TA1*000000501*240102*1200*R*022~IEA*0*000000900~",
			[]Ack{{Kind: "TA1", Control: 501}}},
		{"TA1 accepting before the 999", isa + "TA1*000000501*240102*1200*A*000~GS*FA*SIMCH*EDIGATE*20240102*1200*900*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*501~AK9*E*1*1*1~SE*4*0001~GE*1*900~IEA*1*000000900~",
			[]Ack{{Kind: "TA1", Control: 501, Accepted: true}, {Kind: "999", FunctionalID: "HC", Control: 501, Accepted: true}}},
		{"AK1 with no number is not ours", isa + "GS*FA*SIMCH*EDIGATE*20240102*1200*900*X*005010X231A1~ST*999*0001~AK1*HC*~AK9*A*1*1*1~SE*4*0001~GE*1*900~IEA*1*000000900~", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := scanAcks(strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	// A broken tail keeps what was read before it.
	got, err := scanAcks(strings.NewReader(isa + "GS*FA*A*B*20240102*1200*1*X*005010X231A1~ST*999*0001~AK1*HC*12~AK9*A*1*1*1~SE*4"))
	if err == nil || len(got) != 1 || got[0].Control != 12 || !got[0].Accepted {
		t.Errorf("truncated file: %+v, %v", got, err)
	}
}

func FuzzScanAcks(f *testing.F) {
	f.Add("ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*^*00501*000000900*0*T*:~AK1*HC*1~AK9*A~TA1*000000001*240102*1200*R*022~")
	f.Add("ISA*00*")
	f.Fuzz(func(t *testing.T, s string) {
		acks, _ := scanAcks(strings.NewReader(s))
		for _, a := range acks {
			if (a.Kind != "999" && a.Kind != "TA1") || (a.Kind == "TA1" && a.FunctionalID != "") || a.Control < 0 {
				t.Fatalf("ack %+v", a)
			}
		}
	})
}
