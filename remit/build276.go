package remit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// StatusPerson is the subscriber or dependent a 276 asks about (2100D/2100E).
type StatusPerson struct {
	LastName, FirstName string
	DOB                 string // YYYY-MM-DD
	Gender              string // F, M or U
}

// StatusInquiry is one claim a 276 asks the payer about (loop 2200D or 2200E).
type StatusInquiry struct {
	Trace        string // TRN02: unique per inquiry, echoed in the 277's TRN*2
	PayerName    string
	PayerID      string // 2100A NM109 (PI)
	ReceiverName string // 2100B: who asks (the submitter)
	ReceiverID   string // 2100B NM109 (46, the submitter's ETIN)
	ProviderName string // 2100C billing provider
	ProviderNPI  string // 2100C NM109 (XX)
	MemberID     string
	Subscriber   StatusPerson
	Dependent    *StatusPerson // when the patient is not the subscriber (2000E)
	// PatientControl is our CLM01, sent in REF*EJ so the 277 echoes it.
	PatientControl string
	PayerClaim     string     // REF*1K when the payer gave one (277CA or earlier 835)
	Charge         x12.Amount // AMT*T3: CLM02 as billed
	From, To       string     // DTP*472 dates of service, YYYY-MM-DD; To "" for one day
}

// StatusEnvelope addresses a 276 file to a clearinghouse.
type StatusEnvelope = x12.Outbound

// StatusControls are the control numbers a written 276 used.
type StatusControls = x12.Controls

// Write276 writes one interchange with one 276 (005010X212) per payer: HL 20 payer,
// HL 21 information receiver, HL 19 provider, HL 22 subscriber (with the claim when the
// subscriber is the patient), HL 23 dependent otherwise. Control numbers come from seq,
// which must never hand out a number twice.
func Write276(ctx context.Context, w io.Writer, env StatusEnvelope, seq x12.ControlNumbers, inqs []StatusInquiry) (StatusControls, error) {
	var ctl StatusControls
	if len(inqs) == 0 {
		return ctl, errors.New("276: no inquiries")
	}
	for i := range inqs {
		if err := inqs[i].check(); err != nil {
			return ctl, fmt.Errorf("276 inquiry %d: %w", i+1, err)
		}
	}
	return x12.WriteOutbound(ctx, w, seq, env, "HR", Version276, "276", inqs, func(q StatusInquiry) string { return q.PayerID }, write276Set)
}

func (q *StatusInquiry) check() error {
	switch {
	case q.Trace == "":
		return errors.New("2200 TRN02 (trace) is required")
	case q.PayerID == "":
		return errors.New("2100A NM109 (payer id) is required")
	case q.ProviderNPI == "":
		return errors.New("2100C NM109 (provider NPI) is required")
	case q.MemberID == "":
		return errors.New("2100D NM109 (member id) is required")
	case q.Dependent == nil && q.Subscriber.LastName == "":
		return errors.New("2100D NM103 (subscriber last name) is required")
	case q.Dependent != nil && q.Dependent.LastName == "":
		return errors.New("2100E NM103 (dependent last name) is required")
	case q.From == "":
		return errors.New("2200 DTP*472 (date of service) is required")
	}
	return nil
}

// write276Set writes the body of one 276, between its ST and SE.
func write276Set(xw *x12.Writer, control string, now time.Time, inqs []StatusInquiry) error {
	b := x12.NewBody(xw)
	// BHT: 0010 source/receiver/provider/subscriber/dependent structure, 13 request.
	b.BHT("0010", "13", "E"+control, now)
	payerHL := b.HL(0, "20", "1")
	b.Put("NM1", "PR", "2", upper(inqs[0].PayerName), "", "", "", "", "PI", inqs[0].PayerID)
	// Inquiries are grouped by receiver and provider so each gets one HL, as the guide's
	// tree has one 2000B per receiver and one 2000C per provider below it.
	sort.SliceStable(inqs, func(i, j int) bool {
		if inqs[i].ReceiverID != inqs[j].ReceiverID {
			return inqs[i].ReceiverID < inqs[j].ReceiverID
		}
		return inqs[i].ProviderNPI < inqs[j].ProviderNPI
	})
	recvHL, provHL := 0, 0
	lastRecv, lastNPI := "", ""
	for _, q := range inqs {
		if recvHL == 0 || q.ReceiverID != lastRecv {
			recvHL, lastRecv, provHL = b.HL(payerHL, "21", "1"), q.ReceiverID, 0
			b.Put("NM1", "41", "2", upper(orDefault(q.ReceiverName, q.ProviderName)), "", "", "", "", "46", orDefault(q.ReceiverID, q.ProviderNPI))
		}
		if provHL == 0 || q.ProviderNPI != lastNPI {
			provHL, lastNPI = b.HL(recvHL, "19", "1"), q.ProviderNPI
			b.Put("NM1", "1P", "2", upper(q.ProviderName), "", "", "", "", "XX", q.ProviderNPI)
		}
		child := "0"
		if q.Dependent != nil {
			child = "1"
		}
		subHL := b.HL(provHL, "22", child)
		// 2000D/E DMG: required for a dependent, and sent for the subscriber when known, as
		// payers match the patient on it.
		if q.Dependent == nil {
			b.DMG(q.Subscriber.DOB, q.Subscriber.Gender)
		}
		b.Put("NM1", "IL", "1", upper(q.Subscriber.LastName), upper(q.Subscriber.FirstName), "", "", "", "MI", q.MemberID)
		if q.Dependent != nil {
			b.HL(subHL, "23", "")
			b.DMG(q.Dependent.DOB, q.Dependent.Gender)
			b.Put("NM1", "QC", "1", upper(q.Dependent.LastName), upper(q.Dependent.FirstName))
		}
		// 2200D/E: the claim. TRN*1 is the trace the 277 echoes in TRN*2; REF*EJ our CLM01.
		b.Put("TRN", "1", q.Trace)
		if q.PayerClaim != "" {
			b.Put("REF", "1K", q.PayerClaim)
		}
		if q.PatientControl != "" {
			b.Put("REF", "EJ", q.PatientControl)
		}
		if q.Charge != 0 {
			b.Put("AMT", "T3", q.Charge.String())
		}
		from, to := x12.D8(q.From), x12.D8(q.To)
		if to == "" || to == from {
			b.Put("DTP", "472", "D8", from)
		} else {
			b.Put("DTP", "472", "RD8", from+"-"+to)
		}
	}
	return b.Err()
}

func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
