package remit

import (
	"fmt"
	"strings"

	"github.com/edigate/edigate/x12"
)

// segments returns a transaction's segments in input order whatever loop tree the parser
// built (guide tree, flat tree, or a tree with misplaced loops).
func segments(tx *x12.Transaction) []*x12.Segment {
	if tx == nil {
		return nil
	}
	return tx.Root.InOrder()
}

// setSegments is segments for a mapper of set (835, 277): an empty transaction set, or one
// the envelope says is another set, cannot be read.
func setSegments(tx *x12.Transaction, set string) ([]*x12.Segment, error) {
	segs := segments(tx)
	if len(segs) == 0 {
		return nil, fmt.Errorf("%s: empty transaction set", set)
	}
	if tx.Set != "" && tx.Set != set {
		return nil, fmt.Errorf("%s: transaction set is a %s", set, tx.Set)
	}
	return segs, nil
}

// Map835 reads one 835 transaction set into a Payment and checks its balancing. A payment
// that does not balance is returned with Balanced false and BalanceErrors; an error means
// the set cannot be read as a payment at all (no BPR, an amount that is not a number).
func Map835(tx *x12.Transaction) (*Payment, error) {
	segs, err := setSegments(tx, "835")
	if err != nil {
		return nil, err
	}
	m := &map835{p: &Payment{ISAControl: tx.Envelope.ISAControl, GSControl: tx.Envelope.GSControl, Control: tx.Control,
		BalanceErrors: []BalanceError{}, PLB: []ProviderAdjustment{}, Claims: []ClaimPayment{}}}
	for _, s := range segs {
		if err := m.segment(s); err != nil {
			return nil, err
		}
	}
	if !m.sawBPR {
		return nil, fmt.Errorf("835 %s: no BPR segment", tx.Control)
	}
	if m.p.Date == "" {
		m.p.Date = m.production
	}
	m.p.Balance()
	return m.p, nil
}

// map835 is Map835's state between segments: the claim (2100) and service line (2110)
// being read, and the entity of the current 1000 loop (PR or PE).
type map835 struct {
	p          *Payment
	clm        *ClaimPayment
	line       *LinePayment
	n1         string
	sawBPR     bool
	production string // DTM*405, the payment date when BPR16 is absent
}

// segment takes one segment into the payment.
func (m *map835) segment(s *x12.Segment) error {
	switch s.ID() {
	case "BPR":
		return m.financial(s)
	case "TRN":
		if m.p.Check == "" && m.clm == nil {
			m.p.Check = s.Str(2)
		}
	case "DTM":
		m.date(s)
	case "N1", "REF":
		m.party(s)
	case "LX":
		m.clm, m.line = nil, nil
	case "CLP":
		return m.claim(s)
	case "CAS":
		return m.adjustment(s)
	case "NM1", "MOA", "MIA":
		m.claimDetail(s)
	case "SVC":
		return m.serviceLine(s)
	case "AMT", "LQ":
		return m.lineDetail(s)
	case "PLB":
		m.clm, m.line = nil, nil
		adj, err := readPLB(s)
		if err != nil {
			return err
		}
		m.p.PLB = append(m.p.PLB, adj...)
	}
	return nil
}

// amount835 reads element n of s as money; an absent optional one is zero.
func amount835(s *x12.Segment, n int, required bool) (x12.Amount, error) {
	v := s.Str(n)
	if v == "" && !required {
		return 0, nil
	}
	a, err := x12.ParseAmount(v)
	if err != nil {
		return 0, fmt.Errorf("835 %s at position %d: %s: %w", s.ID(), s.Index, x12.Ref(s.ID(), n), err)
	}
	return a, nil
}

// financial reads the BPR: total, handling, debit, method and date.
func (m *map835) financial(s *x12.Segment) error {
	m.sawBPR = true
	var err error
	if m.p.Total, err = amount835(s, 2, true); err != nil {
		return err
	}
	m.p.Handling, m.p.Debit, m.p.Method, m.p.Date = s.Str(1), s.Str(3) == "D", s.Str(4), s.Str(16)
	return nil
}

// date reads a DTM: a line's service date, a claim's received date, the production date.
func (m *map835) date(s *x12.Segment) {
	switch {
	case m.line != nil && (s.Str(1) == "472" || (s.Str(1) == "150" && m.line.Date == "")):
		m.line.Date = s.Str(2)
	case m.clm != nil && m.line == nil && s.Str(1) == "050":
		m.clm.Received = s.Str(2)
	case m.clm == nil && s.Str(1) == "405":
		m.production = s.Str(2)
	}
}

// party reads the N1 and REF of the payer (1000A) and payee (1000B), and a line's REF*6R.
func (m *map835) party(s *x12.Segment) {
	if s.ID() == "REF" {
		switch {
		case m.line != nil && s.Str(1) == "6R":
			m.line.Control = s.Str(2)
		case m.clm == nil && m.n1 == "PR" && s.Str(1) == "2U" && m.p.PayerID == "":
			m.p.PayerID = s.Str(2)
		case m.clm == nil && m.n1 == "PE" && s.Str(1) == "TJ" && m.p.PayeeTIN == "":
			m.p.PayeeTIN = s.Str(2)
		}
		return
	}
	if m.clm != nil {
		return
	}
	m.n1 = s.Str(1)
	switch m.n1 {
	case "PR":
		m.p.Payer, m.p.PayerID = s.Str(2), s.Str(4)
	case "PE":
		m.p.Payee = s.Str(2)
		switch s.Str(3) {
		case "XX":
			m.p.PayeeNPI = s.Str(4)
		case "FI":
			m.p.PayeeTIN = s.Str(4)
		}
	}
}

// claim opens a claim payment (CLP).
func (m *map835) claim(s *x12.Segment) error {
	c := ClaimPayment{PatientControl: s.Str(1), Status: s.Str(2), FilingIndicator: s.Str(6),
		PayerClaim: s.Str(7), Frequency: s.Str(9),
		Adjustments: []Adjustment{}, Remarks: []Remark{}, Lines: []LinePayment{}}
	c.StatusText = ClaimStatusWords(c.Status)
	var err error
	if c.Charge, err = amount835(s, 3, true); err != nil {
		return err
	}
	if c.Paid, err = amount835(s, 4, true); err != nil {
		return err
	}
	if c.PatientResponsibility, err = amount835(s, 5, false); err != nil {
		return err
	}
	m.p.Claims = append(m.p.Claims, c)
	m.clm, m.line = &m.p.Claims[len(m.p.Claims)-1], nil
	return nil
}

// adjustment adds a CAS to the current line, else the current claim.
func (m *map835) adjustment(s *x12.Segment) error {
	adj, err := readCAS(s)
	if err != nil {
		return err
	}
	switch {
	case m.line != nil:
		m.line.Adjustments = append(m.line.Adjustments, adj...)
	case m.clm != nil:
		m.clm.Adjustments = append(m.clm.Adjustments, adj...)
	}
	return nil
}

// claimDetail reads the claim's rendering provider (NM1*82) and remark codes (MOA, MIA).
func (m *map835) claimDetail(s *x12.Segment) {
	if m.clm == nil {
		return
	}
	switch s.ID() {
	case "NM1":
		if m.line == nil && s.Str(1) == "82" && s.Str(8) == "XX" {
			m.clm.RenderingNPI = s.Str(9)
		}
	case "MOA":
		m.clm.Remarks = appendRemarks(m.clm.Remarks, s, 3, 4, 5, 6, 7)
	case "MIA":
		m.clm.Remarks = appendRemarks(m.clm.Remarks, s, 5, 20, 21, 22, 23)
	}
}

// serviceLine opens a service line payment (SVC) of the current claim.
func (m *map835) serviceLine(s *x12.Segment) error {
	if m.clm == nil {
		return fmt.Errorf("835 SVC at position %d: service line outside a claim (no CLP before it)", s.Index)
	}
	l := LinePayment{Qualifier: string(s.Component(1, 1)), Code: string(s.Component(1, 2)),
		Modifiers: []string{}, Revenue: s.Str(4), Units: s.Str(5), Submitted: string(s.Component(6, 2)),
		Adjustments: []Adjustment{}, Remarks: []Remark{}}
	for c := 3; c <= 6; c++ {
		if mod := string(s.Component(1, c)); mod != "" {
			l.Modifiers = append(l.Modifiers, mod)
		}
	}
	if l.Units == "" {
		l.Units = "1" // SVC05 is required only when units are not 1
	}
	var err error
	if l.Charge, err = amount835(s, 2, true); err != nil {
		return err
	}
	if l.Paid, err = amount835(s, 3, true); err != nil {
		return err
	}
	m.clm.Lines = append(m.clm.Lines, l)
	m.line = &m.clm.Lines[len(m.clm.Lines)-1]
	return nil
}

// lineDetail reads a line's allowed amount (AMT*B6) and remark codes (LQ*HE).
func (m *map835) lineDetail(s *x12.Segment) error {
	if m.line == nil {
		return nil
	}
	switch {
	case s.ID() == "AMT" && s.Str(1) == "B6":
		a, err := amount835(s, 2, true)
		if err != nil {
			return err
		}
		m.line.Allowed = &a
	case s.ID() == "LQ" && s.Str(1) == "HE" && s.Str(2) != "":
		m.line.Remarks = append(m.line.Remarks, Remark{Code: s.Str(2), Text: RARCWords(s.Str(2))})
	}
	return nil
}

// readCAS reads the up to six reason/amount/quantity triples of one CAS.
func readCAS(s *x12.Segment) ([]Adjustment, error) {
	group := s.Str(1)
	var out []Adjustment
	for n := 2; n+1 <= 19; n += 3 {
		reason := s.Str(n)
		if reason == "" {
			continue
		}
		a, err := x12.ParseAmount(s.Str(n + 1))
		if err != nil {
			return nil, fmt.Errorf("835 CAS at position %d: %s: %w", s.Index, x12.Ref("CAS", n+1), err)
		}
		out = append(out, Adjustment{Group: group, Reason: reason, Amount: a, Quantity: s.Str(n + 2)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("835 CAS at position %d: no adjustment reason", s.Index)
	}
	return out, nil
}

// readPLB reads the up to six reason/amount pairs of one PLB.
func readPLB(s *x12.Segment) ([]ProviderAdjustment, error) {
	var out []ProviderAdjustment
	for n := 3; n+1 <= 14; n += 2 {
		if s.Str(n) == "" {
			continue
		}
		a, err := x12.ParseAmount(s.Str(n + 1))
		if err != nil {
			return nil, fmt.Errorf("835 PLB at position %d: %s: %w", s.Index, x12.Ref("PLB", n+1), err)
		}
		out = append(out, ProviderAdjustment{Provider: s.Str(1), FiscalDate: s.Str(2),
			Reason: string(s.Component(n, 1)), Reference: string(s.Component(n, 2)), Amount: a})
	}
	return out, nil
}

func appendRemarks(rs []Remark, s *x12.Segment, elems ...int) []Remark {
	for _, n := range elems {
		if c := strings.TrimSpace(s.Str(n)); c != "" {
			rs = append(rs, Remark{Code: c, Text: RARCWords(c)})
		}
	}
	return rs
}

// Balance runs the three 835 balancing rules and sets Balanced and
// BalanceErrors: per line SVC02 - SVC03 = line CAS; per claim CLP03 - CLP04 = claim and
// line CAS; per payment BPR02 = sum CLP04 - sum PLB.
func (p *Payment) Balance() {
	var b balancer
	for ci := range p.Claims {
		b.claim(&p.Claims[ci])
	}
	b.finish(p)
}

// maxBalanceErrors bounds the balancing errors kept per payment, so a huge payment that
// does not balance claim by claim has bounded memory; the rest are counted.
const maxBalanceErrors = 1000

// balancer runs the 835 balancing rules claim by claim with running sums, so a payment
// is checked without keeping its claims (Stream).
type balancer struct {
	paid    x12.Amount
	errs    []BalanceError
	dropped int
}

func (b *balancer) add(e BalanceError) {
	if len(b.errs) >= maxBalanceErrors {
		b.dropped++
		return
	}
	b.errs = append(b.errs, e)
}

// claim checks one claim (line and claim rules) and adds its payment to the sum.
func (b *balancer) claim(c *ClaimPayment) {
	adj := sumAdj(c.Adjustments)
	for li := range c.Lines {
		l := &c.Lines[li]
		la := sumAdj(l.Adjustments)
		adj += la
		if want := l.Charge - l.Paid; want != la {
			b.add(BalanceError{Rule: "line", Claim: c.PatientControl, Line: li + 1,
				Expected: want, Actual: la, Message: fmt.Sprintf("claim %s line %d (%s): charge %s - paid %s = %s but line adjustments total %s",
					c.PatientControl, li+1, l.Code, l.Charge, l.Paid, want, la)})
		}
	}
	if want := c.Charge - c.Paid; want != adj {
		b.add(BalanceError{Rule: "claim", Claim: c.PatientControl,
			Expected: want, Actual: adj, Message: fmt.Sprintf("claim %s: charge %s - paid %s = %s but claim and line adjustments total %s",
				c.PatientControl, c.Charge, c.Paid, want, adj)})
	}
	b.paid += c.Paid
}

// finish runs the payment rule (BPR02 = sum CLP04 - sum PLB) and sets Balanced and
// BalanceErrors; b is ready for the next payment.
func (b *balancer) finish(p *Payment) {
	var plb x12.Amount
	for _, a := range p.PLB {
		plb += a.Amount
	}
	total := p.Total
	if p.Debit {
		total = -total
	}
	errs := b.errs
	if want := b.paid - plb; want != total {
		errs = append(errs, BalanceError{Rule: "payment", Expected: want, Actual: total,
			Message: fmt.Sprintf("payment %s: BPR02 %s but claims paid %s - provider adjustments %s = %s",
				p.Check, total, b.paid, plb, want)})
	}
	if b.dropped > 0 {
		errs = append(errs, BalanceError{Rule: "more", Message: fmt.Sprintf("payment %s: %d more claim and line balancing errors are not listed (at most %d are kept)",
			p.Check, b.dropped, maxBalanceErrors)})
	}
	if errs == nil {
		errs = []BalanceError{}
	}
	p.BalanceErrors, p.Balanced = errs, len(errs) == 0
	*b = balancer{}
}

func sumAdj(as []Adjustment) x12.Amount {
	var t x12.Amount
	for _, a := range as {
		t += a.Amount
	}
	return t
}
