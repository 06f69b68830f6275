package sim

import (
	"context"
	"fmt"

	"github.com/edigate/edigate/x12"
)

// adjustment is one CAS reason/amount.
type adjustment struct {
	Group, Reason string
	Amount        x12.Amount
}

type lineResult struct {
	Line    SubmittedLine
	Paid    x12.Amount
	Allowed x12.Amount
	Adj     []adjustment
	Remarks []string
}

type claimResult struct {
	Claim      SubmittedClaim
	Status     string // CLP02
	PayerClaim string
	Lines      []lineResult
	sign       int64 // -1 for a reversal
}

func (r claimResult) totals() (charge, paid, patient x12.Amount) {
	for _, l := range r.Lines {
		charge += l.Line.Charge
		paid += l.Paid
		for _, a := range l.Adj {
			if a.Group == "PR" {
				patient += a.Amount
			}
		}
	}
	return
}

// pct returns p percent of a, rounded down to the cent (exact integer math).
func pct(a x12.Amount, p int64) x12.Amount { return x12.Amount(int64(a) * p / 100) }

// adjudicate decides each line so that, by construction, charge - paid = sum of CAS
// (835 2110 SVC balancing) for every line, hence for the claim.
func adjudicate(c SubmittedClaim, sc Scenario, payerClaim string) claimResult {
	res := claimResult{Claim: c, Status: "1", PayerClaim: payerClaim, sign: 1}
	copayLeft := x12.MustAmount("25.00")
	deductLeft := x12.MustAmount("40.00")
	for _, l := range c.Lines {
		lr := lineResult{Line: l}
		allowed := pct(l.Charge, 80)
		switch sc {
		case DenyAuth, DenyNecessity, DenyTimely, DenyDocumentation, DenyDuplicate:
			reason := map[Scenario]string{DenyAuth: "197", DenyNecessity: "50", DenyTimely: "29", DenyDocumentation: "16", DenyDuplicate: "18"}[sc]
			lr.Adj = []adjustment{{"CO", reason, l.Charge}}
			if sc == DenyDocumentation {
				lr.Remarks = []string{"N290"}
			}
			res.Status = "4"
		case CoverageTerminated:
			lr.Adj = []adjustment{{"PR", "27", l.Charge}}
			res.Status = "4"
		case CopayDeductible:
			lr.Allowed = allowed
			lr.Adj = []adjustment{{"CO", "45", l.Charge - allowed}}
			rest := allowed
			if copay := min(copayLeft, rest); copay > 0 {
				lr.Adj = append(lr.Adj, adjustment{"PR", "3", copay})
				copayLeft -= copay
				rest -= copay
			}
			if ded := min(deductLeft, rest); ded > 0 {
				lr.Adj = append(lr.Adj, adjustment{"PR", "1", ded})
				deductLeft -= ded
				rest -= ded
			}
			lr.Paid = rest
		default: // Paid, Reversal
			lr.Allowed = allowed
			lr.Paid = allowed
			if l.Charge > allowed {
				lr.Adj = []adjustment{{"CO", "45", l.Charge - allowed}}
			}
		}
		res.Lines = append(res.Lines, lr)
	}
	return res
}

// reverse returns the CLP02 22 reversal of a payment: every amount negated.
func reverse(r claimResult) claimResult {
	out := r
	out.Status = "22"
	out.sign = -1
	out.Lines = nil
	for _, l := range r.Lines {
		nl := lineResult{Line: l.Line, Paid: -l.Paid, Allowed: -l.Allowed, Remarks: l.Remarks}
		nl.Line.Charge = -l.Line.Charge
		for _, a := range l.Adj {
			nl.Adj = append(nl.Adj, adjustment{a.Group, a.Reason, -a.Amount})
		}
		out.Lines = append(out.Lines, nl)
	}
	return out
}

// readjudicate is the corrected payment after a reversal: 90% allowed instead of 80%.
func readjudicate(c SubmittedClaim, payerClaim string) claimResult {
	res := claimResult{Claim: c, Status: "1", PayerClaim: payerClaim, sign: 1}
	for _, l := range c.Lines {
		allowed := pct(l.Charge, 90)
		lr := lineResult{Line: l, Allowed: allowed, Paid: allowed}
		if l.Charge > allowed {
			lr.Adj = []adjustment{{"CO", "45", l.Charge - allowed}}
		}
		res.Lines = append(res.Lines, lr)
	}
	return res
}

// ERA is one 835 the simulator sends, and in which round: 0 with the submission's
// adjudication, 1 for the later reversals and re-adjudications.
type ERA struct {
	Data  []byte
	Round int
}

// frequencyVoid is CLM05-3 of a void claim.
const frequencyVoid = "8"

// Write835s pays, adjusts or denies the accepted claims of an 837P per scenario, and
// answers a void (frequency 8) with the reversal (CLP02 22) of the payment it withdraws. A payer
// remits only its own claims, so a batch that spans payers gets one 835 per payer (in the
// order the payers first appear in the 837P); claims whose scenario is Reversal get a
// second, later 835 from their payer that reverses the payment (CLP02 22) and
// re-adjudicates it.
func (a *Answerer) Write835s(ctx context.Context, in *Inbound) ([]ERA, error) {
	var rounds [2]byPayer
	for i, c := range in.Claims {
		if a.rejected(c) {
			continue
		}
		sc := a.Rules.Claim(c.MemberID)
		pcn := payerClaimNumber(in, i)
		if c.Frequency == frequencyVoid {
			// A void withdraws the claim it names (REF*F8): the payer takes back what it
			// paid, it never pays the claim again.
			if c.OriginalPayerRef != "" {
				pcn = c.OriginalPayerRef
			}
			rounds[0].add(c.PayerID, reverse(adjudicate(c, Paid, pcn)))
			continue
		}
		r := adjudicate(c, sc, pcn)
		rounds[0].add(c.PayerID, r)
		if sc == Reversal {
			rounds[1].add(c.PayerID, reverse(r), readjudicate(c, pcn+"R"))
		}
	}
	var out []ERA
	for round, groups := range rounds {
		for _, batch := range groups.batches {
			// The check/EFT number (TRN02) must differ between the 835s of one submission.
			b, err := a.write835(ctx, in, batch, len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, ERA{Data: b, Round: round})
		}
	}
	return out, nil
}

// byPayer keeps claim results grouped by 2010BB payer id, in first-seen order.
type byPayer struct {
	index   map[string]int
	batches [][]claimResult
}

func (g *byPayer) add(payerID string, rs ...claimResult) {
	if g.index == nil {
		g.index = map[string]int{}
	}
	i, ok := g.index[payerID]
	if !ok {
		i = len(g.batches)
		g.index[payerID] = i
		g.batches = append(g.batches, nil)
	}
	g.batches[i] = append(g.batches[i], rs...)
}

func (a *Answerer) write835(ctx context.Context, in *Inbound, claims []claimResult, n int) ([]byte, error) {
	e, err := a.open(ctx, in, "HP", "005010X221A1")
	if err != nil {
		return nil, err
	}
	if err := e.begin("835"); err != nil {
		return nil, err
	}
	s := &segs{w: e.w}
	now := a.now()
	date := now.Format("20060102")
	var total x12.Amount
	for _, c := range claims {
		_, paid, _ := c.totals()
		total += paid
	}
	c0 := claims[0].Claim
	check := fmt.Sprintf("SIM%s%d", in.ISAControl, n+1)
	// 835 BPR: I (remittance + payment) by ACH when money moves, H (notification only) when none does.
	if total > 0 {
		s.put("BPR", "I", total.X12(), "C", "ACH", "CCP", "01", "011000015", "DA", "1234567890", "1512345678", "", "01", "011000028", "DA", "9876543210", date)
	} else {
		s.put("BPR", "H", total.X12(), "C", "NON", "", "", "", "", "", "", "", "", "", "", "", date)
	}
	s.put("TRN", "1", check, "1512345678")
	s.put("DTM", "405", date)
	// 1000A payer, 1000B payee
	s.put("N1", "PR", nonEmpty(c0.PayerName, "SIMULATED PAYER"))
	s.put("N3", "1 PAYER WAY")
	s.put("N4", "SPRINGFIELD", "IL", "62701")
	// 835 1000A REF*2U: the payer id the practice configured (2010BB NM109), so postings,
	// denial queues and reports can say which payer paid; N104 takes only a National Plan ID.
	if c0.PayerID != "" {
		s.put("REF", "2U", c0.PayerID)
	}
	s.put("PER", "BL", "EDI SUPPORT", "TE", "8005550100")
	s.put("N1", "PE", nonEmpty(c0.BillingName, "BILLING PROVIDER"), "XX", c0.BillingNPI)
	// 2000 header number, 2100 claim payment, 2110 service payment
	s.put("LX", "1")
	for _, c := range claims {
		charge, paid, patient := c.totals()
		s.put("CLP", c.Claim.PatientControl, c.Status, charge.X12(), paid.X12(), patient.X12(), clp06(c.Claim.FilingIndicator), c.PayerClaim, "11", "1")
		s.put("NM1", "QC", "1", nonEmpty(c.Claim.PatientLast, "PATIENT"), c.Claim.PatientFirst, "", "", "", "MI", nonEmpty(c.Claim.MemberID, "UNKNOWN"))
		if first, _ := serviceDates(c.Claim); first != "" {
			s.put("DTM", "232", first)
		}
		for _, l := range c.Lines {
			comp := append([]string{"HC", l.Line.Code}, l.Line.Modifiers...)
			units := l.Line.Units
			if c.sign < 0 && units != "" && units[0] != '-' {
				units = "-" + units
			}
			s.putV("SVC", x12.C(comp...), x12.E(l.Line.Charge.X12()), x12.E(l.Paid.X12()), x12.E(""), x12.E(units))
			if l.Line.Date != "" {
				s.put("DTM", "472", l.Line.Date)
			}
			writeCAS(s, l.Adj)
			if l.Allowed != 0 {
				s.put("AMT", "B6", l.Allowed.X12())
			}
			for _, rm := range l.Remarks {
				s.put("LQ", "HE", rm)
			}
		}
	}
	if s.err != nil {
		return nil, fmt.Errorf("sim 835: %w", s.err)
	}
	if err := e.w.EndTransaction(); err != nil {
		return nil, err
	}
	return e.close()
}

// writeCAS groups adjustments by group code, up to six reason/amount pairs per CAS.
func writeCAS(s *segs, adj []adjustment) {
	var order []string
	by := map[string][]adjustment{}
	for _, a := range adj {
		if _, ok := by[a.Group]; !ok {
			order = append(order, a.Group)
		}
		by[a.Group] = append(by[a.Group], a)
	}
	for _, g := range order {
		list := by[g]
		for len(list) > 0 {
			n := min(6, len(list))
			els := []string{g}
			for _, a := range list[:n] {
				els = append(els, a.Reason, a.Amount.X12(), "")
			}
			for len(els) > 0 && els[len(els)-1] == "" {
				els = els[:len(els)-1]
			}
			s.put("CAS", els...)
			list = list[n:]
		}
	}
}

// clp06 maps the 837P SBR09 claim filing indicator to the 835 CLP06 code list, which has no
// "CI" (commercial): commercial plans answer as a PPO (12).
func clp06(sbr09 string) string {
	switch sbr09 {
	case "MC", "MB", "MA", "HM", "CH", "VA", "WC", "OF", "TV", "DS", "AM", "LM", "16", "17", "13", "14", "15", "12":
		return sbr09
	}
	return "12"
}
