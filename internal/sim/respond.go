package sim

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Response is one file the simulator puts in the practice's inbound folder.
type Response struct {
	Name string
	Data []byte
}

// Answerer writes the clearinghouse/payer side of the conversation: 277CA, 835 and 271
// for what was uploaded. Acknowledgements (TA1/999) come from the validator; see Responder.
type Answerer struct {
	Rules    Rules
	ID       string // the simulator's ISA06/GS02 (e.g. SIMCH)
	Usage    string // ISA15 T or P
	Now      func() time.Time
	Controls x12.ControlNumbers
}

func (a *Answerer) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

// envelope opens an interchange and group addressed back to the file's sender.
type envelope struct {
	w       *x12.Writer
	buf     *bytes.Buffer
	a       *Answerer
	in      *Inbound
	fid     string
	version string
	st      int
}

func (a *Answerer) open(ctx context.Context, in *Inbound, fid, version string) (*envelope, error) {
	buf := &bytes.Buffer{}
	w := x12.NewWriter(buf, x12.DefaultDelimiters)
	w.SetNewline(true)
	isa, err := a.Controls.Next(ctx, x12.SequenceKey{Sender: a.ID, Receiver: in.Sender, Kind: x12.SeqInterchange})
	if err != nil {
		return nil, err
	}
	gs, err := a.Controls.Next(ctx, x12.SequenceKey{Sender: a.ID, Receiver: in.Sender, Kind: x12.SeqGroup})
	if err != nil {
		return nil, err
	}
	now := a.now()
	usage := a.Usage
	if usage == "" {
		usage = "T"
	}
	if err := w.BeginInterchange(x12.InterchangeHeader{SenderID: a.ID, Receiver: in.Sender, Date: now, Control: isa, Usage: usage}); err != nil {
		return nil, err
	}
	gsRecv := in.GSSender
	if gsRecv == "" {
		gsRecv = in.Sender
	}
	if err := w.BeginGroup(fid, a.ID, gsRecv, version, now, gs); err != nil {
		return nil, err
	}
	return &envelope{w: w, buf: buf, a: a, in: in, fid: fid, version: version}, nil
}

func (e *envelope) begin(set string) error {
	e.st++
	return e.w.BeginTransaction(set, x12.FormatSTControl(int64(e.st)), e.version)
}

func (e *envelope) close() ([]byte, error) {
	if err := e.w.EndGroup(); err != nil {
		return nil, err
	}
	if err := e.w.EndInterchange(); err != nil {
		return nil, err
	}
	if err := e.w.Flush(); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// segs writes simple segments and keeps the first error, so writers read like the guide.
type segs struct {
	w   *x12.Writer
	err error
}

func (s *segs) put(id string, els ...string) {
	if s.err == nil {
		s.err = s.w.Simple(id, els...)
	}
}

func (s *segs) putV(id string, els ...x12.Value) {
	if s.err == nil {
		s.err = s.w.Segment(id, els...)
	}
}

// payerClaimNumber is deterministic per submitted claim (REF*1K in the 277CA, CLP07 in the 835).
func payerClaimNumber(in *Inbound, i int) string {
	return fmt.Sprintf("SIM%s%04d", strings.TrimLeft(in.ISAControl, "0"), i+1)
}

func serviceDates(c SubmittedClaim) (first, last string) {
	for _, l := range c.Lines {
		if l.Date == "" {
			continue
		}
		if first == "" || l.Date < first {
			first = l.Date
		}
		if l.Date > last {
			last = l.Date
		}
	}
	return first, last
}

// rejected reports whether the claim's scenario rejects it at the 277CA.
func (a *Answerer) rejected(c SubmittedClaim) bool { return a.Rules.Claim(c.MemberID) == RejectA7 }

// Write277CA acknowledges every claim of an 837P (005010X214): accepted into adjudication
// (A2:20) or rejected for invalid information (A7) per the member's scenario.
func (a *Answerer) Write277CA(ctx context.Context, in *Inbound) ([]byte, error) {
	e, err := a.open(ctx, in, "HN", "005010X214")
	if err != nil {
		return nil, err
	}
	if err := e.begin("277"); err != nil {
		return nil, err
	}
	s := &segs{w: e.w}
	now := a.now()
	date := now.Format("20060102")
	var acc, rej int
	var accAmt, rejAmt, total x12.Amount
	for _, c := range in.Claims {
		total += c.Charge
		if a.rejected(c) {
			rej++
			rejAmt += c.Charge
		} else {
			acc++
			accAmt += c.Charge
		}
	}
	s.put("BHT", "0085", "08", "SIM"+in.ISAControl, date, now.Format("1504"), "TH")
	// 2000A information source: the payer when every claim is for one payer, else the
	// clearinghouse that acknowledges the whole file for all of them.
	s.put("HL", "1", "", "20", "1")
	s.put("NM1", sourceOf277CA(in, a.ID)...)
	s.put("TRN", "1", "SIM"+in.ISAControl)
	s.put("DTP", "050", "D8", date)
	s.put("DTP", "009", "D8", date)
	// 2000B information receiver (the submitter), with the batch totals
	s.put("HL", "2", "1", "21", "1")
	s.put("NM1", "41", "2", "SUBMITTER", "", "", "", "", "46", in.Sender)
	s.put("TRN", "2", in.ISAControl)
	s.putV("STC", x12.C("A1", "19", "PR"), x12.E(date), x12.E("WQ"), x12.E(total.X12()))
	s.put("QTY", "90", fmt.Sprint(acc))
	s.put("QTY", "AA", fmt.Sprint(rej))
	s.put("AMT", "YU", accAmt.X12())
	s.put("AMT", "YY", rejAmt.X12())
	// 2000C billing provider (with its own total), then 2000D patient per claim
	byNPI := map[string]x12.Amount{}
	for _, c := range in.Claims {
		byNPI[c.BillingNPI] += c.Charge
	}
	hl := 3
	provHL := 0
	lastNPI := ""
	for i, c := range in.Claims {
		if provHL == 0 || c.BillingNPI != lastNPI {
			provHL, lastNPI = hl, c.BillingNPI
			s.put("HL", fmt.Sprint(hl), "2", "19", "1")
			s.put("NM1", "85", "2", nonEmpty(c.BillingName, "BILLING PROVIDER"), "", "", "", "", "XX", c.BillingNPI)
			s.put("TRN", "1", "0")
			// 277CA 2200C STC: STC02 is not used at the provider level.
			s.putV("STC", x12.C("A1", "19", "PR"), x12.E(""), x12.E("WQ"), x12.E(byNPI[c.BillingNPI].X12()))
			hl++
		}
		s.put("HL", fmt.Sprint(hl), fmt.Sprint(provHL), "PT")
		hl++
		s.put("NM1", "QC", "1", nonEmpty(c.PatientLast, "PATIENT"), c.PatientFirst, "", "", "", "MI", nonEmpty(c.MemberID, "UNKNOWN"))
		s.put("TRN", "2", c.PatientControl)
		if a.rejected(c) {
			// 277CA STC01: A7 (invalid information), 33 subscriber and id not found, entity IL
			s.putV("STC", x12.C("A7", "33", "IL"), x12.E(date), x12.E("U"), x12.E(c.Charge.X12()))
		} else {
			s.putV("STC", x12.C("A2", "20", "PR"), x12.E(date), x12.E("WQ"), x12.E(c.Charge.X12()))
			s.put("REF", "1K", payerClaimNumber(in, i))
		}
		first, last := serviceDates(c)
		switch {
		case first != "" && first != last:
			s.put("DTP", "472", "RD8", first+"-"+last)
		case first != "":
			s.put("DTP", "472", "D8", first)
		}
	}
	if s.err != nil {
		return nil, fmt.Errorf("sim 277CA: %w", s.err)
	}
	if err := e.w.EndTransaction(); err != nil {
		return nil, err
	}
	return e.close()
}

// sourceOf277CA is the 2100A NM1 elements: payer (PR, payer id PI) when the claims name one
// payer, clearinghouse (AY, ETIN 46) when they name several or none.
func sourceOf277CA(in *Inbound, clearinghouseID string) []string {
	payers := map[string]string{}
	for _, c := range in.Claims {
		if c.PayerID != "" {
			payers[c.PayerID] = c.PayerName
		}
	}
	if len(payers) == 1 {
		for id, name := range payers {
			return []string{"PR", "2", nonEmpty(name, "PAYER"), "", "", "", "", "PI", id}
		}
	}
	return []string{"AY", "2", "SIMULATED CLEARINGHOUSE", "", "", "", "", "46", nonEmpty(clearinghouseID, "SIMCH")}
}

func nonEmpty(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
