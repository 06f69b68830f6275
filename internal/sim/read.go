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
	in := &Inbound{}
	var (
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
	)
	flushClaim := func() {
		if claim != nil {
			in.Claims = append(in.Claims, *claim)
			claim, line = nil, nil
		}
	}
	for {
		s, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, err
		}
		switch s.ID() {
		case "ISA":
			in.Sender = strings.TrimSpace(s.Str(6))
			in.Receiver = strings.TrimSpace(s.Str(8))
			in.ISAControl = s.Str(13)
		case "GS":
			in.GSSender, in.GSReceiver = s.Str(2), s.Str(3)
		case "ST":
			if in.Set == "" {
				in.Set = s.Str(1)
			}
			stControl = s.Str(2)
		case "HL":
			flushClaim()
			hl = s.Str(3)
			if hl == "22" && in.Set == "270" {
				in.Inquiries = append(in.Inquiries, Inquiry{PayerName: payerName, PayerID: payerID, ProviderName: provName, NPI: provNPI})
				inq = &in.Inquiries[len(in.Inquiries)-1]
			}
			if hl == "22" {
				sub = SubmittedClaim{PayerName: sub.PayerName, PayerID: sub.PayerID, BillingName: sub.BillingName, BillingNPI: sub.BillingNPI}
			}
		case "SBR":
			sub.FilingIndicator = s.Str(9)
		case "TRN":
			if inq != nil && s.Str(1) == "1" {
				inq.Trace, inq.TraceOriginator = s.Str(2), s.Str(3)
			}
		case "NM1":
			switch s.Str(1) {
			case "85":
				sub.BillingName, sub.BillingNPI = s.Str(3), s.Str(9)
			case "IL":
				sub.MemberID, sub.SubscriberLast, sub.SubscriberFirst = s.Str(9), s.Str(3), s.Str(4)
				sub.PatientLast, sub.PatientFirst = s.Str(3), s.Str(4)
				if inq != nil {
					inq.MemberID, inq.SubscriberLast, inq.SubscriberFirst = s.Str(9), s.Str(3), s.Str(4)
				}
			case "QC":
				sub.PatientLast, sub.PatientFirst = s.Str(3), s.Str(4)
			case "03":
				if inq != nil {
					inq.DependentLast, inq.DependentFirst = s.Str(3), s.Str(4)
				}
			case "PR":
				if in.Set == "270" && hl == "20" {
					payerName, payerID = s.Str(3), s.Str(9)
				} else if hl == "22" {
					sub.PayerName, sub.PayerID = s.Str(3), s.Str(9)
				}
			case "1P":
				provName, provNPI = s.Str(3), s.Str(9)
			}
		case "DMG":
			if inq != nil {
				if hl == "23" {
					inq.DependentDOB, inq.DependentGender = s.Str(2), s.Str(3)
				} else {
					inq.DOB, inq.Gender = s.Str(2), s.Str(3)
				}
			}
		case "EQ":
			if inq != nil {
				for _, st := range s.Repeats(1) {
					inq.ServiceTypes = append(inq.ServiceTypes, string(st))
				}
			}
		case "CLM":
			flushClaim()
			amt, err := x12.ParseAmount(s.Str(2))
			if err != nil {
				return in, fmt.Errorf("837P 2300 CLM02 at segment %d: %w", s.Index, err)
			}
			c := sub
			c.Lines = nil
			c.PatientControl, c.Charge, c.STControl = s.Str(1), amt, stControl
			c.Frequency = string(s.Component(5, 3))
			claim = &c
		case "REF":
			if claim != nil && s.Str(1) == "F8" {
				claim.OriginalPayerRef = s.Str(2)
			}
		case "SV1":
			if claim == nil {
				return in, fmt.Errorf("837P 2400 SV1 at segment %d: no claim before it", s.Index)
			}
			amt, err := x12.ParseAmount(s.Str(2))
			if err != nil {
				return in, fmt.Errorf("837P 2400 SV102 at segment %d: %w", s.Index, err)
			}
			l := SubmittedLine{Code: string(s.Component(1, 2)), Charge: amt, Units: s.Str(4)}
			for c := 3; c <= 6; c++ {
				if m := s.Component(1, c); len(m) > 0 {
					l.Modifiers = append(l.Modifiers, string(m))
				}
			}
			claim.Lines = append(claim.Lines, l)
			line = &claim.Lines[len(claim.Lines)-1]
		case "DTP":
			switch {
			case s.Str(1) == "472" && line != nil:
				line.Date = firstDate(s.Str(3))
			case s.Str(1) == "291" && inq != nil:
				inq.Date = firstDate(s.Str(3))
			}
		case "SE":
			flushClaim()
		}
	}
	flushClaim()
	if in.Set == "" {
		return in, errors.New("no transaction set in the file")
	}
	return in, nil
}

// firstDate returns the first date of a D8 or RD8 value.
func firstDate(v string) string {
	if i := strings.IndexByte(v, '-'); i >= 0 {
		return v[:i]
	}
	return v
}
