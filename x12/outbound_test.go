package x12

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestBeginOutbound: control numbers come from the sequence (never reused across files), the
// envelope closes with the right counts, and GS ids default to the ISA ids.
func TestBeginOutbound(t *testing.T) {
	seq := NewMemorySequence()
	env := Outbound{SenderID: "EDIGATE", ReceiverID: "SIMCH", Usage: "T", Now: time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)}
	var out [2]bytes.Buffer
	var ctl [2]Controls
	for i := range out {
		ow, err := BeginOutbound(context.Background(), &out[i], seq, env, "HS", "005010X279A1")
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			if _, err := ow.BeginSet(context.Background(), "270"); err != nil {
				t.Fatal(err)
			}
			if err := ow.Simple("BHT", "0022", "13", "E1", "20261120", "0700"); err != nil {
				t.Fatal(err)
			}
			if err := ow.EndTransaction(); err != nil {
				t.Fatal(err)
			}
		}
		if err := ow.Close(); err != nil {
			t.Fatal(err)
		}
		ctl[i] = ow.Controls
	}
	if ctl[0].Interchange != 1 || ctl[1].Interchange != 2 || ctl[1].Group != 2 || len(ctl[1].Sets) != 2 || ctl[1].Sets[0] != "0003" {
		t.Fatalf("controls: %+v %+v", ctl[0], ctl[1])
	}
	res, err := Validate(context.Background(), bytes.NewReader(out[1].Bytes()), ParseOptions{})
	if err != nil || !res.Valid() {
		t.Fatalf("envelope: %v %+v\n%s", err, res, out[1].String())
	}
	if !bytes.Contains(out[1].Bytes(), []byte("GS*HS*EDIGATE*SIMCH*20261120*0700*2*X*005010X279A1~")) {
		t.Fatalf("GS:\n%s", out[1].String())
	}
}
