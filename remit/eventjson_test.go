package remit

import (
	"encoding/json"
	"testing"

	"github.com/edigate/edigate/lifecycle"
)

// The history and the outbox read what AppendJSON writes as if json.Marshal had written
// it; it must be the same bytes for every shape of detail.
func TestPaymentEventAppendJSON(t *testing.T) {
	adj := []Adjustment{{Group: "CO", Reason: "45", Amount: 1234}, {Group: "PR", Reason: "2", Amount: -6, Quantity: "1"}}
	cases := []PaymentEvent{
		{},
		{From: lifecycle.Filed, To: lifecycle.Paid, Moved: true, Check: "CHK1", Payer: "P1", ISA: "000000001", GS: "1", ST: "0001",
			CLP02: "1", Paid: "100.00", Patient: "0.00"},
		{To: lifecycle.Denied, Check: `a"b\c`, Payer: "<&>", ISA: "é", GS: "\x01\t\n", ST: "\u2028", CLP02: "4", Paid: "-0.06",
			Patient: "12.00", Charge: "150.00", Adjustments: adj, Remarks: []Remark{{Code: "N130"}, {Code: "MA01", Text: "appeal <rights> & \"more\""}},
			Lines: []PaymentEventLine{
				{Line: 1, Code: "HC:90837", Charge: 15000, Paid: 0, Adjustments: adj, Remarks: []Remark{{Code: "M15", Text: "x"}}},
				{Line: 2, Code: "", Charge: -1, Paid: 99},
			}},
		{Adjustments: []Adjustment{}, Remarks: []Remark{}, Lines: []PaymentEventLine{}, Charge: ""},
		{Check: "\xff\xfe invalid utf-8"},
	}
	for i, e := range cases {
		want, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		got := e.AppendJSON([]byte("prefix"))
		if string(got) != "prefix"+string(want) {
			t.Errorf("case %d:\n got %s\nwant prefix%s", i, got, want)
		}
	}
}
