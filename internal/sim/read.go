package sim

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/edigate/edigate/x12"
)

// Inbound is what the simulator needs from an uploaded file: who sent it and, per
// transaction set, the claims (837P) or inquiries (270) inside. It walks segments flat on
// purpose: the simulator answers whatever it can read, and the validator (not this walk)
// decides whether the file is acceptable.
type Inbound struct {
	Sender, Receiver     string // ISA06, ISA08 (trimmed)
	GSSender, GSReceiver string
	ISAControl           string
	Set                  string // 837 or 270 (the first ST01 seen)
	Claims               []SubmittedClaim
	Inquiries            []Inquiry
}

// SubmittedClaim is one 837P claim as the simulator sees it.
type SubmittedClaim struct {
	PatientControl   string     // CLM01
	Charge           x12.Amount // CLM02
	Frequency        string     // CLM05-3
	OriginalPayerRef string     // REF*F8
	MemberID         string     // 2010BA NM109
	SubscriberLast   string
	SubscriberFirst  string
	PatientLast      string // 2010CA, or the subscriber when absent
	PatientFirst     string
	PayerName        string // 2010BB
	FilingIndicator  string // 2000B SBR09
	PayerID          string
	BillingName      string // 2010AA
	BillingNPI       string
	Lines            []SubmittedLine
	STControl        string
}

// SubmittedLine is one SV1 service line.
type SubmittedLine struct {
	Code      string
	Modifiers []string
	Charge    x12.Amount
	Units     string
	Date      string // CCYYMMDD from DTP*472
}

// Inquiry is one 270 subscriber/dependent request.
type Inquiry struct {
	Trace              string // TRN02
	TraceOriginator    string // TRN03
	PayerName, PayerID string
	ProviderName, NPI  string
	MemberID           string
	SubscriberLast     string
	SubscriberFirst    string
	DOB, Gender        string
	DependentLast      string
	DependentFirst     string
	DependentDOB       string
	DependentGender    string
	Date               string // DTP*291
	ServiceTypes       []string
}

// ReadInbound walks an uploaded file.
func ReadInbound(r io.Reader) (*Inbound, error) {
	rd := x12.NewReader(r)
	w := &inboundWalk{in: &Inbound{}}
	for {
		s, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return w.in, err
		}
		if err := w.segment(s); err != nil {
			return w.in, err
		}
	}
	w.flushClaim()
	if w.in.Set == "" {
		return w.in, errors.New("no transaction set in the file")
	}
	return w.in, nil
}

// inboundWalk is ReadInbound's state between segments.
type inboundWalk struct {
	in        *Inbound
	claim     *SubmittedClaim
	line      *SubmittedLine
	hl        string // HL03 of the current hierarchical level
	sub       SubmittedClaim
	inq       *Inquiry
	payerName string
	payerID   string
	provName  string
	provNPI   string
	stControl string
}

func (w *inboundWalk) flushClaim() {
	if w.claim != nil {
		w.in.Claims = append(w.in.Claims, *w.claim)
		w.claim, w.line = nil, nil
	}
}

// segment takes one segment into the walk.
func (w *inboundWalk) segment(s *x12.Segment) error {
	switch s.ID() {
	case "ISA", "GS", "ST", "SE":
		w.envelope(s)
	case "HL":
		w.level(s)
	case "SBR":
		w.sub.FilingIndicator = s.Str(9)
	case "TRN":
		if w.inq != nil && s.Str(1) == "1" {
			w.inq.Trace, w.inq.TraceOriginator = s.Str(2), s.Str(3)
		}
	case "NM1":
		w.name(s)
	case "DMG", "EQ":
		w.inquiry(s)
	case "CLM":
		return w.claimStart(s)
	case "REF":
		if w.claim != nil && s.Str(1) == "F8" {
			w.claim.OriginalPayerRef = s.Str(2)
		}
	case "SV1":
		return w.serviceLine(s)
	case "DTP":
		switch {
		case s.Str(1) == "472" && w.line != nil:
			w.line.Date = firstDate(s.Str(3))
		case s.Str(1) == "291" && w.inq != nil:
			w.inq.Date = firstDate(s.Str(3))
		}
	}
	return nil
}

// envelope reads the ISA, GS, ST and SE.
func (w *inboundWalk) envelope(s *x12.Segment) {
	switch s.ID() {
	case "ISA":
		w.in.Sender = strings.TrimSpace(s.Str(6))
		w.in.Receiver = strings.TrimSpace(s.Str(8))
		w.in.ISAControl = s.Str(13)
	case "GS":
		w.in.GSSender, w.in.GSReceiver = s.Str(2), s.Str(3)
	case "ST":
		if w.in.Set == "" {
			w.in.Set = s.Str(1)
		}
		w.stControl = s.Str(2)
	case "SE":
		w.flushClaim()
	}
}

// level opens a hierarchical level: a 270 subscriber starts an inquiry, an 837P
// subscriber starts the claims of that subscriber (keeping billing provider and payer).
func (w *inboundWalk) level(s *x12.Segment) {
	w.flushClaim()
	w.hl = s.Str(3)
	if w.hl != "22" {
		return
	}
	if w.in.Set == "270" {
		w.in.Inquiries = append(w.in.Inquiries, Inquiry{PayerName: w.payerName, PayerID: w.payerID, ProviderName: w.provName, NPI: w.provNPI})
		w.inq = &w.in.Inquiries[len(w.in.Inquiries)-1]
	}
	w.sub = SubmittedClaim{PayerName: w.sub.PayerName, PayerID: w.sub.PayerID, BillingName: w.sub.BillingName, BillingNPI: w.sub.BillingNPI}
}

// name reads an NM1: billing provider, subscriber, patient, dependent, payer, provider.
func (w *inboundWalk) name(s *x12.Segment) {
	switch s.Str(1) {
	case "85":
		w.sub.BillingName, w.sub.BillingNPI = s.Str(3), s.Str(9)
	case "IL":
		w.sub.MemberID, w.sub.SubscriberLast, w.sub.SubscriberFirst = s.Str(9), s.Str(3), s.Str(4)
		w.sub.PatientLast, w.sub.PatientFirst = s.Str(3), s.Str(4)
		if w.inq != nil {
			w.inq.MemberID, w.inq.SubscriberLast, w.inq.SubscriberFirst = s.Str(9), s.Str(3), s.Str(4)
		}
	case "QC":
		w.sub.PatientLast, w.sub.PatientFirst = s.Str(3), s.Str(4)
	case "03":
		if w.inq != nil {
			w.inq.DependentLast, w.inq.DependentFirst = s.Str(3), s.Str(4)
		}
	case "PR":
		if w.in.Set == "270" && w.hl == "20" {
			w.payerName, w.payerID = s.Str(3), s.Str(9)
		} else if w.hl == "22" {
			w.sub.PayerName, w.sub.PayerID = s.Str(3), s.Str(9)
		}
	case "1P":
		w.provName, w.provNPI = s.Str(3), s.Str(9)
	}
}

// inquiry reads the DMG and EQ of a 270 inquiry.
func (w *inboundWalk) inquiry(s *x12.Segment) {
	if w.inq == nil {
		return
	}
	switch s.ID() {
	case "DMG":
		if w.hl == "23" {
			w.inq.DependentDOB, w.inq.DependentGender = s.Str(2), s.Str(3)
		} else {
			w.inq.DOB, w.inq.Gender = s.Str(2), s.Str(3)
		}
	case "EQ":
		for _, st := range s.Repeats(1) {
			w.inq.ServiceTypes = append(w.inq.ServiceTypes, string(st))
		}
	}
}

// claimStart opens an 837P claim (CLM) for the current subscriber.
func (w *inboundWalk) claimStart(s *x12.Segment) error {
	w.flushClaim()
	amt, err := x12.ParseAmount(s.Str(2))
	if err != nil {
		return fmt.Errorf("837P 2300 CLM02 at segment %d: %w", s.Index, err)
	}
	c := w.sub
	c.Lines = nil
	c.PatientControl, c.Charge, c.STControl = s.Str(1), amt, w.stControl
	c.Frequency = string(s.Component(5, 3))
	w.claim = &c
	return nil
}

// serviceLine adds an SV1 to the current claim.
func (w *inboundWalk) serviceLine(s *x12.Segment) error {
	if w.claim == nil {
		return fmt.Errorf("837P 2400 SV1 at segment %d: no claim before it", s.Index)
	}
	amt, err := x12.ParseAmount(s.Str(2))
	if err != nil {
		return fmt.Errorf("837P 2400 SV102 at segment %d: %w", s.Index, err)
	}
	l := SubmittedLine{Code: string(s.Component(1, 2)), Charge: amt, Units: s.Str(4)}
	for c := 3; c <= 6; c++ {
		if m := s.Component(1, c); len(m) > 0 {
			l.Modifiers = append(l.Modifiers, string(m))
		}
	}
	w.claim.Lines = append(w.claim.Lines, l)
	w.line = &w.claim.Lines[len(w.claim.Lines)-1]
	return nil
}

// firstDate returns the first date of a D8 or RD8 value.
func firstDate(v string) string {
	if i := strings.IndexByte(v, '-'); i >= 0 {
		return v[:i]
	}
	return v
}
