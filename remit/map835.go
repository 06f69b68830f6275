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
	p := &Payment{ISAControl: tx.Envelope.ISAControl, GSControl: tx.Envelope.GSControl, Control: tx.Control,
		BalanceErrors: []BalanceError{}, PLB: []ProviderAdjustment{}, Claims: []ClaimPayment{}}
	var (
		clm        *ClaimPayment
		line       *LinePayment
		n1         string // entity of the current 1000 loop: PR or PE
		sawBPR     bool
		production string
	)
	amt := func(s *x12.Segment, n int, required bool) (x12.Amount, error) {
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
	for _, s := range segs {
		switch s.ID() {
		case "BPR":
			sawBPR = true
			var err error
			if p.Total, err = amt(s, 2, true); err != nil {
				return nil, err
			}
			p.Handling, p.Debit, p.Method, p.Date = s.Str(1), s.Str(3) == "D", s.Str(4), s.Str(16)
		case "TRN":
			if p.Check == "" && clm == nil {
				p.Check = s.Str(2)
			}
		case "DTM":
			switch {
			case line != nil && (s.Str(1) == "472" || (s.Str(1) == "150" && line.Date == "")):
				line.Date = s.Str(2)
			case clm != nil && line == nil && s.Str(1) == "050":
				clm.Received = s.Str(2)
			case clm == nil && s.Str(1) == "405":
				production = s.Str(2)
			}
		case "N1":
			if clm != nil {
				continue
			}
			n1 = s.Str(1)
			switch n1 {
			case "PR":
				p.Payer, p.PayerID = s.Str(2), s.Str(4)
			case "PE":
				p.Payee = s.Str(2)
				switch s.Str(3) {
				case "XX":
					p.PayeeNPI = s.Str(4)
				case "FI":
					p.PayeeTIN = s.Str(4)
				}
			}
		case "REF":
			switch {
			case line != nil && s.Str(1) == "6R":
				line.Control = s.Str(2)
			case clm == nil && n1 == "PR" && s.Str(1) == "2U" && p.PayerID == "":
				p.PayerID = s.Str(2)
			case clm == nil && n1 == "PE" && s.Str(1) == "TJ" && p.PayeeTIN == "":
				p.PayeeTIN = s.Str(2)
			}
		case "LX":
			clm, line = nil, nil
		case "CLP":
			c := ClaimPayment{PatientControl: s.Str(1), Status: s.Str(2), FilingIndicator: s.Str(6),
				PayerClaim: s.Str(7), Frequency: s.Str(9),
				Adjustments: []Adjustment{}, Remarks: []Remark{}, Lines: []LinePayment{}}
			c.StatusText = ClaimStatusWords(c.Status)
			var err error
			if c.Charge, err = amt(s, 3, true); err != nil {
				return nil, err
			}
			if c.Paid, err = amt(s, 4, true); err != nil {
				return nil, err
			}
			if c.PatientResponsibility, err = amt(s, 5, false); err != nil {
				return nil, err
			}
			p.Claims = append(p.Claims, c)
			clm, line = &p.Claims[len(p.Claims)-1], nil
		case "CAS":
			adj, err := readCAS(s)
			if err != nil {
				return nil, err
			}
			switch {
			case line != nil:
				line.Adjustments = append(line.Adjustments, adj...)
			case clm != nil:
				clm.Adjustments = append(clm.Adjustments, adj...)
			}
		case "NM1":
			if clm != nil && line == nil && s.Str(1) == "82" && s.Str(8) == "XX" {
				clm.RenderingNPI = s.Str(9)
			}
		case "MOA":
			if clm != nil {
				clm.Remarks = appendRemarks(clm.Remarks, s, 3, 4, 5, 6, 7)
			}
		case "MIA":
			if clm != nil {
				clm.Remarks = appendRemarks(clm.Remarks, s, 5, 20, 21, 22, 23)
			}
		case "SVC":
			if clm == nil {
				return nil, fmt.Errorf("835 SVC at position %d: service line outside a claim (no CLP before it)", s.Index)
			}
			l := LinePayment{Qualifier: string(s.Component(1, 1)), Code: string(s.Component(1, 2)),
				Modifiers: []string{}, Revenue: s.Str(4), Units: s.Str(5), Submitted: string(s.Component(6, 2)),
				Adjustments: []Adjustment{}, Remarks: []Remark{}}
			for c := 3; c <= 6; c++ {
				if m := string(s.Component(1, c)); m != "" {
					l.Modifiers = append(l.Modifiers, m)
				}
			}
			if l.Units == "" {
				l.Units = "1" // SVC05 is required only when units are not 1
			}
			var err error
			if l.Charge, err = amt(s, 2, true); err != nil {
				return nil, err
			}
			if l.Paid, err = amt(s, 3, true); err != nil {
				return nil, err
			}
			clm.Lines = append(clm.Lines, l)
			line = &clm.Lines[len(clm.Lines)-1]
		case "AMT":
			if line != nil && s.Str(1) == "B6" {
				a, err := amt(s, 2, true)
				if err != nil {
					return nil, err
				}
				line.Allowed = &a
			}
		case "LQ":
			if line != nil && s.Str(1) == "HE" && s.Str(2) != "" {
				line.Remarks = append(line.Remarks, Remark{Code: s.Str(2), Text: RARCWords(s.Str(2))})
			}
		case "PLB":
			clm, line = nil, nil
			adj, err := readPLB(s)
			if err != nil {
				return nil, err
			}
			p.PLB = append(p.PLB, adj...)
		}
	}
	if !sawBPR {
		return nil, fmt.Errorf("835 %s: no BPR segment", tx.Control)
	}
	if p.Date == "" {
		p.Date = production
	}
	p.Balance()
	return p, nil
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
	p.BalanceErrors = p.BalanceErrors[:0]
	var paid, plb x12.Amount
	for ci := range p.Claims {
		c := &p.Claims[ci]
		adj := sumAdj(c.Adjustments)
		for li := range c.Lines {
			l := &c.Lines[li]
			la := sumAdj(l.Adjustments)
			adj += la
			if want := l.Charge - l.Paid; want != la {
				p.BalanceErrors = append(p.BalanceErrors, BalanceError{Rule: "line", Claim: c.PatientControl, Line: li + 1,
					Expected: want, Actual: la, Message: fmt.Sprintf("claim %s line %d (%s): charge %s - paid %s = %s but line adjustments total %s",
						c.PatientControl, li+1, l.Code, l.Charge, l.Paid, want, la)})
			}
		}
		if want := c.Charge - c.Paid; want != adj {
			p.BalanceErrors = append(p.BalanceErrors, BalanceError{Rule: "claim", Claim: c.PatientControl,
				Expected: want, Actual: adj, Message: fmt.Sprintf("claim %s: charge %s - paid %s = %s but claim and line adjustments total %s",
					c.PatientControl, c.Charge, c.Paid, want, adj)})
		}
		paid += c.Paid
	}
	for _, a := range p.PLB {
		plb += a.Amount
	}
	total := p.Total
	if p.Debit {
		total = -total
	}
	if want := paid - plb; want != total {
		p.BalanceErrors = append(p.BalanceErrors, BalanceError{Rule: "payment", Expected: want, Actual: total,
			Message: fmt.Sprintf("payment %s: BPR02 %s but claims paid %s - provider adjustments %s = %s",
				p.Check, total, paid, plb, want)})
	}
	p.Balanced = len(p.BalanceErrors) == 0
}

func sumAdj(as []Adjustment) x12.Amount {
	var t x12.Amount
	for _, a := range as {
		t += a.Amount
	}
	return t
}
