package x12

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC)

func testHeader() InterchangeHeader {
	return InterchangeHeader{SenderQual: "ZZ", SenderID: "EDIGATE", ReceiverQual: "ZZ", Receiver: "CLEARINGHOUSE",
		Date: testDate, Control: 42, AckRequested: true, Usage: "T"}
}

// writeSample writes one interchange with two groups (two sets in the first).
func writeSample(t *testing.T, d Delimiters, newline bool) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, d)
	w.SetNewline(newline)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.BeginInterchange(testHeader()))
	must(w.BeginGroup("HC", "EDIGATE", "CH", "005010X222A1", testDate, 7))
	for _, ctl := range []string{"0001", "0002"} {
		must(w.BeginTransaction("837", ctl, "005010X222A1"))
		must(w.Simple("BHT", "0019", "00", "B1", "20240305", "1407", "CH"))
		must(w.Segment("CLM", E("PCN1"), E("100"), E(""), E(""), C("11", "B", "1"), E("Y"), E(""), E(""), E("")))
		must(w.Segment("EB", E("1"), E("IND"), Reps("30", "MH", "")))
		must(w.EndTransaction())
	}
	must(w.EndGroup())
	must(w.BeginGroup("HS", "EDIGATE", "CH", "005010X279A1", testDate, 8))
	must(w.BeginTransaction("835", "0003", "005010X221A1"))
	must(w.EndTransaction())
	must(w.EndGroup())
	must(w.EndInterchange())
	must(w.Flush())
	return buf.String()
}

func TestWriterEnvelopes(t *testing.T) {
	got := writeSample(t, DefaultDelimiters, true)
	want := strings.Join([]string{
		"ISA*00*          *00*          *ZZ*EDIGATE        *ZZ*CLEARINGHOUSE  *240305*1407*^*00501*000000042*1*T*:~",
		"GS*HC*EDIGATE*CH*20240305*1407*7*X*005010X222A1~",
		"ST*837*0001*005010X222A1~",
		"BHT*0019*00*B1*20240305*1407*CH~",
		"CLM*PCN1*100***11:B:1*Y~",
		"EB*1*IND*30^MH~",
		"SE*5*0001~",
		"ST*837*0002*005010X222A1~",
		"BHT*0019*00*B1*20240305*1407*CH~",
		"CLM*PCN1*100***11:B:1*Y~",
		"EB*1*IND*30^MH~",
		"SE*5*0002~",
		"GE*2*7~",
		"GS*HS*EDIGATE*CH*20240305*1407*8*X*005010X279A1~",
		"ST*835*0003~",
		"SE*2*0003~",
		"GE*1*8~",
		"IEA*2*000000042~", ""}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
