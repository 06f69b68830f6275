package sim

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/x12"
)

// CarveOutPayer is the behavioral-health organization the carve-out scenario names in 2120C.
const (
	CarveOutPayerName = "DEMO BEHAVIORAL HEALTH CARVE-OUT"
	CarveOutPayerID   = "BH001"
)

// Write271 answers every inquiry of a 270 (005010X279A1) per the member's scenario.
func (a *Answerer) Write271(ctx context.Context, in *Inbound) ([]byte, error) {
	e, err := a.open(ctx, in, "HB", "005010X279A1")
	if err != nil {
		return nil, err
	}
	if err := e.begin("271"); err != nil {
		return nil, err
	}
	s := &segs{w: e.w}
	now := a.now()
	date := now.Format("20060102")
	s.put("BHT", "0022", "11", "SIM"+in.ISAControl, date, now.Format("1504"))
	hl := 1
	lastPayer, lastProv := "", ""
	payerHL, provHL := 0, 0
	for _, q := range in.Inquiries {
		if payerHL == 0 || q.PayerID != lastPayer {
			payerHL, lastPayer, lastProv = hl, q.PayerID, ""
			s.put("HL", fmt.Sprint(hl), "", "20", "1")
			s.put("NM1", "PR", "2", nonEmpty(q.PayerName, "SIMULATED PAYER"), "", "", "", "", "PI", nonEmpty(q.PayerID, "SIMPAYER"))
			hl++
		}
		if provHL == 0 || q.NPI != lastProv {
			provHL, lastProv = hl, q.NPI
			s.put("HL", fmt.Sprint(hl), fmt.Sprint(payerHL), "21", "1")
			s.put("NM1", "1P", "2", nonEmpty(q.ProviderName, "PROVIDER"), "", "", "", "", "XX", q.NPI)
			hl++
		}
		sc := a.Rules.Eligibility(q.MemberID)
		dependent := q.DependentLast != ""
		child := "0"
		if dependent {
			child = "1"
		}
		s.put("HL", fmt.Sprint(hl), fmt.Sprint(provHL), "22", child)
		subHL := hl
		hl++
		// 271 2000C TRN: TRN01 2 (referenced transaction trace) echoes the 270's TRN*1 where
		// the 270 put it. For a dependent's inquiry that is 2000D, and the answer lives
		// there: a subscriber loop carrying the trace but no EB would read as a second,
		// coverage-less answer. A rejection (AAA) is answered at the subscriber.
		rejected := sc == NotFound || sc == UnableToRespond
		if !dependent || rejected {
			s.put("TRN", "2", q.Trace, nonEmpty(q.TraceOriginator, "9SIMCH0000"))
		}
		s.put("NM1", "IL", "1", q.SubscriberLast, q.SubscriberFirst, "", "", "", "MI", q.MemberID)
		if rejected {
			// 2100C AAA: 75 subscriber not found (C: correct and resubmit); 42 unable to respond now (R: resubmission allowed).
			if sc == NotFound {
				s.put("AAA", "N", "", "75", "C")
			} else {
				s.put("AAA", "Y", "", "42", "R")
			}
			continue
		}
		if q.DOB != "" && !dependent {
			s.put("DMG", "D8", q.DOB, q.Gender)
		}
		if dependent {
			s.put("HL", fmt.Sprint(hl), fmt.Sprint(subHL), "23", "0")
			hl++
			s.put("TRN", "2", q.Trace, nonEmpty(q.TraceOriginator, "9SIMCH0000"))
			s.put("NM1", "03", "1", q.DependentLast, q.DependentFirst)
			if q.DependentDOB != "" {
				s.put("DMG", "D8", q.DependentDOB, q.DependentGender)
			}
		}
		s.put("DTP", "346", "D8", now.AddDate(0, -6, 0).Format("20060102"))
		writeBenefits(s, sc)
	}
	if s.err != nil {
		return nil, fmt.Errorf("sim 271: %w", s.err)
	}
	if err := e.w.EndTransaction(); err != nil {
		return nil, err
	}
	return e.close()
}

// writeBenefits writes the 2110C/D EB loops for a scenario.
func writeBenefits(s *segs, sc Scenario) {
	if sc == Inactive {
		s.put("EB", "6", "IND", "30")
		s.put("MSG", "COVERAGE TERMINATED")
		return
	}
	s.put("EB", "1", "IND", "30", "", "GOLD PPO")
	if sc == CarveOut {
		// 2120C: the BH benefits are administered by another organization, which must be billed.
		s.put("EB", "1", "IND", "MH")
		s.put("MSG", "BEHAVIORAL HEALTH BENEFITS ADMINISTERED BY CARVE-OUT")
		s.put("LS", "2120")
		s.put("NM1", "PR", "2", CarveOutPayerName, "", "", "", "", "PI", CarveOutPayerID)
		s.put("LE", "2120")
		return
	}
	// MH benefits in network: copay 25.00 per visit, 20% coinsurance, deductible 1000 with 250
	// remaining. 271 2110C EB12 (in plan network) is the 12th element: EB08 percent,
	// EB09/EB10 quantity, EB11 authorization indicator (left empty: the payer config says
	// which codes need one), and nothing after EB12 (EB13 is a procedure composite).
	s.putV("EB", x12.E("B"), x12.E("IND"), x12.Reps("MH", "A6"), x12.E(""), x12.E(""), x12.E("27"), x12.E("25"),
		x12.E(""), x12.E(""), x12.E(""), x12.E(""), x12.E("Y"))
	s.putV("EB", x12.E("A"), x12.E("IND"), x12.E("MH"), x12.E(""), x12.E(""), x12.E("27"), x12.E(""),
		x12.E(".2"), x12.E(""), x12.E(""), x12.E(""), x12.E("Y"))
	s.put("EB", "C", "IND", "30", "", "", "23", "1000", "", "", "", "", "Y")
	s.put("EB", "C", "IND", "30", "", "", "29", "250", "", "", "", "", "Y")
	s.put("EB", "G", "IND", "30", "", "", "29", "3000", "", "", "", "", "Y")
	s.put("EB", "F", "IND", "MH", "", "", "29", "", "", "VS", "20", "", "Y")
}
