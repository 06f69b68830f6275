package remit

import (
	"encoding/json"
	"strconv"

	"github.com/edigate/edigate/x12"
)

// AppendJSON appends e as encoding/json marshals it (the same bytes: field order, omitempty,
// HTML-escaped strings), without reflection: posting an 835 writes one such detail per CLP
// into the history, and json.Marshal's reflection was most of the cost of an event.
// TestPaymentEventAppendJSON holds it to json.Marshal's output.
func (e *PaymentEvent) AppendJSON(b []byte) []byte {
	b = append(b, `{"from":`...)
	b = appendJSONString(b, string(e.From))
	b = append(b, `,"to":`...)
	b = appendJSONString(b, string(e.To))
	b = append(b, `,"moved":`...)
	b = strconv.AppendBool(b, e.Moved)
	b = append(b, `,"check":`...)
	b = appendJSONString(b, e.Check)
	b = append(b, `,"payer":`...)
	b = appendJSONString(b, e.Payer)
	b = append(b, `,"isa":`...)
	b = appendJSONString(b, e.ISA)
	b = append(b, `,"gs":`...)
	b = appendJSONString(b, e.GS)
	b = append(b, `,"st":`...)
	b = appendJSONString(b, e.ST)
	b = append(b, `,"clp02":`...)
	b = appendJSONString(b, e.CLP02)
	b = append(b, `,"paid":`...)
	b = appendJSONString(b, e.Paid)
	b = append(b, `,"patient":`...)
	b = appendJSONString(b, e.Patient)
	if e.Charge != "" {
		b = append(b, `,"charge":`...)
		b = appendJSONString(b, e.Charge)
	}
	if len(e.Adjustments) > 0 {
		b = append(b, `,"adjustments":`...)
		b = appendAdjustmentsJSON(b, e.Adjustments)
	}
	if len(e.Remarks) > 0 {
		b = append(b, `,"remarks":`...)
		b = appendRemarksJSON(b, e.Remarks)
	}
	if len(e.Lines) > 0 {
		b = append(b, `,"lines":[`...)
		for i := range e.Lines {
			l := &e.Lines[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"line":`...)
			b = strconv.AppendInt(b, int64(l.Line), 10)
			b = append(b, `,"code":`...)
			b = appendJSONString(b, l.Code)
			b = append(b, `,"charge":`...)
			b = appendAmount(b, l.Charge)
			b = append(b, `,"paid":`...)
			b = appendAmount(b, l.Paid)
			if len(l.Adjustments) > 0 {
				b = append(b, `,"adjustments":`...)
				b = appendAdjustmentsJSON(b, l.Adjustments)
			}
			if len(l.Remarks) > 0 {
				b = append(b, `,"remarks":`...)
				b = appendRemarksJSON(b, l.Remarks)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendAdjustmentsJSON(b []byte, as []Adjustment) []byte {
	b = append(b, '[')
	for i := range as {
		a := &as[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"group":`...)
		b = appendJSONString(b, a.Group)
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, a.Reason)
		b = append(b, `,"amount":`...)
		b = appendAmount(b, a.Amount)
		if a.Quantity != "" {
			b = append(b, `,"quantity":`...)
			b = appendJSONString(b, a.Quantity)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendRemarksJSON(b []byte, rs []Remark) []byte {
	b = append(b, '[')
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendJSONString(b, rs[i].Code)
		if rs[i].Text != "" {
			b = append(b, `,"text":`...)
			b = appendJSONString(b, rs[i].Text)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendAmount appends an amount as its MarshalText makes it, quoted (digits, '.', '-').
func appendAmount(b []byte, a x12.Amount) []byte {
	b = append(b, '"')
	b = a.AppendDecimal(b)
	return append(b, '"')
}

// appendJSONString appends s quoted. Plain printable ASCII (codes, ids, amounts) is copied
// as it is; anything json.Marshal would escape (quotes, backslashes, control characters,
// <, >, &, non-ASCII) goes through json.Marshal so the bytes stay its own.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
