package eligibility

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Version is the 270/271 implementation guide.
const Version = "005010X279A1"

// Inquiry is one eligibility question: is this member (or dependent) covered on this date.
type Inquiry struct {
	Trace        string // TRN02: unique, stored, echoed in the 271
	Originator   string // TRN03: "9" + the practice's 9-digit id (10 characters)
	PayerName    string
	PayerID      string // 2100A NM109 (PI)
	ProviderName string // 2100B organization name
	ProviderNPI  string // 2100B NM109 (XX)
	Subscriber   Person
	MemberID     string
	Dependent    *Person  // when the patient is not the subscriber (2000D)
	Date         string   // date of service, YYYY-MM-DD (DTP*291)
	ServiceTypes []string // EQ01 values; default 30 and MH
	SessionIDs   []string // the sessions this answer will be applied to (not sent)
}

// Person is a subscriber or dependent as a 270 names them (NM1 and DMG).
type Person struct {
	FirstName string
	LastName  string
	DOB       string // YYYY-MM-DD
	Gender    string // F, M or U
}

// Envelope addresses a 270 file to a clearinghouse.
type Envelope = x12.Outbound

// Controls are the control numbers a written file used (recorded with the upload).
type Controls = x12.Controls

// Write270 writes one interchange with one 270 per payer: HL 20 payer, HL 21 provider,
// HL 22 subscriber (TRN, NM1*IL, DMG, DTP*291, EQ when the subscriber is the patient),
// HL 23 dependent when not.
func Write270(ctx context.Context, w io.Writer, env Envelope, seq x12.ControlNumbers, inqs []Inquiry) (Controls, error) {
	var ctl Controls
	if len(inqs) == 0 {
		return ctl, fmt.Errorf("270: no inquiries")
	}
	return x12.WriteOutbound(ctx, w, seq, env, "HS", Version, "270", inqs, func(q Inquiry) string { return q.PayerID }, write270Set)
}

// write270Set writes the body of one 270, between its ST and SE.
func write270Set(xw *x12.Writer, control string, now time.Time, inqs []Inquiry) error {
	b := x12.NewBody(xw)
	// BHT: 0022 information source/receiver/subscriber/dependent structure, 13 request.
	b.BHT("0022", "13", "E"+control, now)
	payerHL := b.HL(0, "20", "1")
	b.Put("NM1", "PR", "2", inqs[0].PayerName, "", "", "", "", "PI", inqs[0].PayerID)
	provHL := 0
	lastNPI := ""
	for _, q := range inqs {
		if provHL == 0 || q.ProviderNPI != lastNPI {
			provHL, lastNPI = b.HL(payerHL, "21", "1"), q.ProviderNPI
			b.Put("NM1", "1P", "2", q.ProviderName, "", "", "", "", "XX", q.ProviderNPI)
		}
		child := "0"
		if q.Dependent != nil {
			child = "1"
		}
		subHL := b.HL(provHL, "22", child)
		if q.Dependent == nil {
			b.Put("TRN", "1", q.Trace, q.Originator)
		}
		b.Put("NM1", "IL", "1", upper(q.Subscriber.LastName), upper(q.Subscriber.FirstName), "", "", "", "MI", q.MemberID)
		if q.Dependent == nil {
			writePatient(b, q.Subscriber, q)
			continue
		}
		b.HL(subHL, "23", "0")
		b.Put("TRN", "1", q.Trace, q.Originator)
		b.Put("NM1", "03", "1", upper(q.Dependent.LastName), upper(q.Dependent.FirstName))
		writePatient(b, *q.Dependent, q)
	}
	return b.Err()
}

// writePatient writes DMG, DTP*291 and the EQ loops for the person whose coverage is asked.
func writePatient(b *x12.Body, p Person, q Inquiry) {
	b.DMG(p.DOB, p.Gender)
	b.Put("DTP", "291", "D8", x12.D8(q.Date))
	types := q.ServiceTypes
	if len(types) == 0 {
		types = []string{"30", "MH"}
	}
	for _, t := range types {
		b.Put("EQ", t)
	}
}

func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
