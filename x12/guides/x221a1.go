package guides

import (
	"fmt"

	"github.com/edigate/edigate/x12"
)

// 835 code lists used in more than one place.
var (
	// 835 CAS01: 5010 dropped the 4010 group CR (corrections and reversals); a reversal
	// is now a CLP02 = 22 claim carrying the original adjustments with negated amounts.
	x221CASGroups = Codes("CO OA PI PR")
	x221SVCQuals  = Codes("AD ER HC HP IV N4 N6 NU UI WK")
	// 835 PLB03-1 and the later adjustment identifiers (PLB05-1...): provider adjustment
	// reason codes.
	x221PLBReasons = Codes(`50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO HM
		IP IR IS J1 L3 L6 LE LS OA OB PI PL RA RE SL TL WO WU`)
	x221IDQuals = Codes("AD FI NI PI PP XV")
)

// X221A1 is the 835 Health Care Claim Payment/Advice, 005010X221A1.
var X221A1 = &x12.Guide{
	Version:      "005010X221A1",
	Set:          "835",
	FunctionalID: "HP",
	Name:         "835 Health Care Claim Payment/Advice",
	Root: Root(
		segST("835", N),
		Syn(Seg("BPR", "Financial Information", R, 1,
			El("BPR01", "Transaction Handling Code", R, ID, 1, 2, Codes("C D H I P U X")...),
			El("BPR02", "Total Actual Provider Payment Amount", R, RN, 1, 18),
			El("BPR03", "Credit or Debit Flag Code", R, ID, 1, 1, "C", "D"),
			El("BPR04", "Payment Method Code", R, ID, 3, 3, Codes("ACH BOP CHK FWT NON")...),
			El("BPR05", "Payment Format Code", S, ID, 1, 10, "CCP", "CTX"),
			El("BPR06", "(DFI) ID Number Qualifier", S, ID, 2, 2, "01", "04"),
			El("BPR07", "Sender DFI Identifier", S, AN, 3, 12),
			El("BPR08", "Account Number Qualifier", S, ID, 1, 3, "DA"),
			El("BPR09", "Sender Bank Account Number", S, AN, 1, 35),
			El("BPR10", "Payer Identifier", S, AN, 10, 10),
			El("BPR11", "Originating Company Supplemental Code", S, AN, 9, 9),
			El("BPR12", "(DFI) ID Number Qualifier", S, ID, 2, 2, "01", "04"),
			El("BPR13", "Receiver or Provider Bank ID Number", S, AN, 3, 12),
			El("BPR14", "Account Number Qualifier", S, ID, 1, 3, "DA", "SG"),
			El("BPR15", "Receiver or Provider Account Number", S, AN, 1, 35),
			El("BPR16", "Check Issue or EFT Effective Date", R, DT, 8, 8),
			NU("BPR17"), NU("BPR18"), NU("BPR19"), NU("BPR20"), NU("BPR21"),
		), "P0607", "C0809", "P1213", "C1415", "P1819", "C2021"),
		Seg("TRN", "Reassociation Trace Number", R, 1,
			El("TRN01", "Trace Type Code", R, ID, 1, 2, "1"),
			El("TRN02", "Check or EFT Trace Number", R, AN, 1, 50),
			El("TRN03", "Payer Identifier", R, AN, 10, 10),
			El("TRN04", "Originating Company Supplemental Code", S, AN, 1, 50),
		),
		x221CUR(),
		segREF("Receiver Identification", S, 1, N, "EV"),
		segREF("Version Identification", S, 1, N, "F2"),
		segDTM("Production Date", S, 1, "405"),
		Loop("1000A", "Payer Identification", R, 1,
			Q(Syn(Seg("N1", "Payer Identification", R, 1,
				El("N101", "Entity Identifier Code", R, ID, 2, 3, "PR"),
				El("N102", "Payer Name", R, AN, 1, 60),
				El("N103", "Identification Code Qualifier", S, ID, 1, 2, "XV"),
				El("N104", "Payer Identifier", S, AN, 2, 80),
				NU("N105"), NU("N106"),
			), "R0203", "P0304"), 1, 0, "PR"),
			segN3("Payer Address", R),
			segN4("Payer City, State, ZIP Code", R),
			segREF("Additional Payer Identification", S, 4, N, "2U", "EO", "HI", "NF"),
			segPER("Payer Business Contact Information", S, 1, []string{"CX"}, "SSSSSSS",
				Codes("EM FX TE"), Codes("EM EX FX TE"), []string{"EX"}),
			Note(segPER("Payer Technical Contact Information", R, Unbounded, []string{"BL"}, "SSSSSSS",
				Codes("EM TE UR"), Codes("EM EX FX TE UR"), Codes("EM EX FX UR")),
				"835 1000A PER*BL: at least one technical contact is required"),
			segPER("Payer WEB Site", S, 1, []string{"IC"}, "NRRNNNN", []string{"UR"}, nil, nil),
		),
		Loop("1000B", "Payee Identification", R, 1,
			Q(Syn(Seg("N1", "Payee Identification", R, 1,
				El("N101", "Entity Identifier Code", R, ID, 2, 3, "PE"),
				El("N102", "Payee Name", R, AN, 1, 60),
				El("N103", "Identification Code Qualifier", R, ID, 1, 2, "FI", "XV", "XX"),
				El("N104", "Payee Identification Code", R, AN, 2, 80),
				NU("N105"), NU("N106"),
			), "R0203", "P0304"), 1, 0, "PE"),
			segN3("Payee Address", S),
			segN4("Payee City, State, ZIP Code", S),
			segREF("Payee Additional Identification", S, Unbounded, N, "0B", "D3", "PQ", "TJ"),
			Seg("RDM", "Remittance Delivery Method", S, 1,
				El("RDM01", "Report Transmission Code", R, ID, 1, 2, "BM", "EM", "FT", "OL"),
				El("RDM02", "Name", S, AN, 1, 60),
				El("RDM03", "Communication Number", S, AN, 1, 256),
				NU("RDM04"), NU("RDM05"),
			),
		),
		Loop("2000", "Header Number", S, Unbounded,
			Seg("LX", "Header Number", R, 1,
				El("LX01", "Assigned Number", R, N0, 1, 6),
			),
			x221TS3(),
			x221TS2(),
			x221Loop2100(),
		),
		x221PLB(),
		seTrailer(),
	),
}

// x221CUR: 835 header CUR, only when the payment is not in US dollars.
func x221CUR() x12.Node {
	els := []x12.Element{
		El("CUR01", "Entity Identifier Code", R, ID, 2, 3, "PR"),
		El("CUR02", "Currency Code", R, ID, 3, 3),
	}
	for i := 3; i <= 21; i++ {
		els = append(els, NU(fmt.Sprintf("CUR%02d", i)))
	}
	return Syn(Seg("CUR", "Foreign Currency Information", S, 1, els...),
		"C0807", "C0907", "L101112", "C1110", "C1210", "L131415", "C1413", "C1513",
		"L161718", "C1716", "C1816", "L192021", "C2019", "C2119")
}

// x221TS3: 835 2000 TS3, institutional provider summary (Medicare Part A).
func x221TS3() x12.Node {
	els := []x12.Element{
		El("TS301", "Provider Identifier", R, AN, 1, 50),
		El("TS302", "Facility Type Code", R, AN, 1, 2),
		El("TS303", "Fiscal Period Date", R, DT, 8, 8),
		El("TS304", "Total Claim Count", R, RN, 1, 15),
		El("TS305", "Total Claim Charge Amount", R, RN, 1, 18),
	}
	// TS306-TS312, TS314, TS316 and TS319 are not used; the rest are situational totals.
	used := map[int]string{
		13: "Total MSP Payer Amount", 15: "Total Non-Lab Charge Amount",
		17: "Total HCPCS Reported Charge Amount", 18: "Total HCPCS Payable Amount",
		20: "Total Professional Component Amount", 21: "Total MSP Patient Liability Met Amount",
		22: "Total Patient Reimbursement Amount", 23: "Total PIP Claim Count",
		24: "Total PIP Adjustment Amount",
	}
	for i := 6; i <= 24; i++ {
		ref := fmt.Sprintf("TS3%02d", i)
		name, ok := used[i]
		switch {
		case !ok:
			els = append(els, NU(ref))
		case i == 23:
			els = append(els, El(ref, name, S, RN, 1, 15))
		default:
			els = append(els, El(ref, name, S, RN, 1, 18))
		}
	}
	return Seg("TS3", "Provider Summary Information", S, 1, els...)
}

// x221TS2: 835 2000 TS2, Medicare Part A DRG totals; every element is situational.
func x221TS2() x12.Node {
	names := []string{"Total DRG Amount", "Total Federal Specific Amount", "Total Hospital Specific Amount",
		"Total Disproportionate Share Amount", "Total Capital Amount", "Total Indirect Medical Education Amount",
		"Total Outlier Day Count", "Total Day Outlier Amount", "Total Cost Outlier Amount",
		"Average DRG Length of Stay", "Total Discharge Count", "Total Cost Report Day Count",
		"Total Covered Day Count", "Total Noncovered Day Count", "Total MSP Pass-Through Amount",
		"Average DRG weight", "Total PPS Capital FSP DRG Amount", "Total PPS Capital HSP DRG Amount",
		"Total PPS DSH DRG Amount"}
	var els []x12.Element
	for i, name := range names {
		n := i + 1
		max := 18
		// Counts, averages and weights are quantities (R 1/15), the others amounts.
		if n == 7 || (n >= 10 && n <= 14) || n == 16 {
			max = 15
		}
		els = append(els, El(fmt.Sprintf("TS2%02d", n), name, S, RN, 1, max))
	}
	return Seg("TS2", "Provider Supplemental Summary Information", S, 1, els...)
}

// x221Loop2100: 835 2100 Claim Payment Information, one per claim (CLP01 = our CLM01).
func x221Loop2100() x12.Node {
	return Loop("2100", "Claim Payment Information", R, Unbounded,
		Seg("CLP", "Claim Payment Information", R, 1,
			El("CLP01", "Patient Control Number", R, AN, 1, 38),
			// 835 2100 CLP02: 1-3 processed as primary/secondary/tertiary, 4 denied,
			// 19-21 processed and forwarded, 22 reversal, 23 not our claim, 25 predetermination.
			El("CLP02", "Claim Status Code", R, ID, 1, 2, Codes("1 2 3 4 19 20 21 22 23 25")...),
			El("CLP03", "Total Claim Charge Amount", R, RN, 1, 18),
			El("CLP04", "Claim Payment Amount", R, RN, 1, 18),
			El("CLP05", "Patient Responsibility Amount", S, RN, 1, 18),
			El("CLP06", "Claim Filing Indicator Code", R, ID, 1, 2,
				Codes("12 13 14 15 16 17 AM CH DS HM LM MA MB MC OF TV VA WC ZZ")...),
			El("CLP07", "Payer Claim Control Number", R, AN, 1, 50),
			El("CLP08", "Facility Type Code", S, AN, 1, 2),
			El("CLP09", "Claim Frequency Code", S, ID, 1, 1),
			NU("CLP10"),
			El("CLP11", "Diagnosis Related Group (DRG) Code", S, ID, 1, 4),
			El("CLP12", "Diagnosis Related Group (DRG) Weight", S, RN, 1, 15),
			El("CLP13", "Discharge Fraction", S, RN, 1, 10),
			NU("CLP14"),
		),
		segCAS("Claim Adjustment", S, x221CASGroups),
		segNM1("Patient Name", R, 1, []string{"QC"}, []string{"1"}, "SSSSSS", Codes("34 HN II MI MR")...),
		segNM1("Insured Name", S, 1, []string{"IL"}, []string{"1", "2"}, "SSSSRR", Codes("FI II MI")...),
		segNM1("Corrected Patient/Insured Name", S, 1, []string{"74"}, []string{"1", "2"}, "SSSSSS", "C"),
		segNM1("Service Provider Name", S, 1, []string{"82"}, []string{"1", "2"}, "SSSSRR",
			Codes("BD BS FI MC PC SL UP XX")...),
		segNM1("Crossover Carrier Name", S, 1, []string{"TT"}, []string{"2"}, "RNNNRR", x221IDQuals...),
		segNM1("Corrected Priority Payer Name", S, 1, []string{"PR"}, []string{"2"}, "RNNNRR", x221IDQuals...),
		segNM1("Other Subscriber Name", S, 1, []string{"GB"}, []string{"1", "2"}, "SSSSSS", Codes("FI II MI")...),
		x221MIA(),
		Seg("MOA", "Outpatient Adjudication Information", S, 1,
			El("MOA01", "Reimbursement Rate", S, RN, 1, 10),
			El("MOA02", "Claim HCPCS Payable Amount", S, RN, 1, 18),
			El("MOA03", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA04", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA05", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA06", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA07", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA08", "Claim ESRD Payment Amount", S, RN, 1, 18),
			El("MOA09", "Nonpayable Professional Component Amount", S, RN, 1, 18),
		),
		segREF("Other Claim Related Identification", S, 5, N,
			Codes("1L 1W 28 6P 9A 9C BB CE EA F8 G1 G3 IG SY")...),
		segREF("Rendering Provider Identification", S, 10, N,
			Codes("0B 1A 1B 1C 1D 1G 1H 1J D3 G2 LU")...),
		segDTM("Statement From or To Date", S, 2, "232", "233"),
		segDTM("Coverage Expiration Date", S, 1, "036"),
		segDTM("Claim Received Date", S, 1, "050"),
		segPER("Claim Contact Information", S, 2, []string{"CX"}, "SRRSSSS",
			Codes("EM FX TE"), Codes("EM EX FX TE"), []string{"EX"}),
		segAMT("Claim Supplemental Information", S, 13, Codes("AU D8 DY F5 I NL T T2 ZK ZL ZM ZN ZO")...),
		segQTY("Claim Supplemental Information Quantity", S, 14,
			Codes("CA CD LA LE NE NR OU PS VS ZK ZL ZM ZN ZO")...),
		Loop("2110", "Service Payment Information", S, 999,
			Seg("SVC", "Service Payment Information", R, 1,
				x221Procedure("SVC01", "Composite Medical Procedure Identifier", R, x221SVCQuals, N),
				El("SVC02", "Line Item Charge Amount", R, RN, 1, 18),
				El("SVC03", "Line Item Provider Payment Amount", R, RN, 1, 18),
				El("SVC04", "National Uniform Billing Committee Revenue Code", S, AN, 1, 48),
				El("SVC05", "Units of Service Paid Count", S, RN, 1, 15),
				// SVC06 is the submitted procedure when the payer adjudicated a different one.
				x221Procedure("SVC06", "Composite Medical Procedure Identifier", S, Codes("AD ER HC HP IV N4 NU WK"), S),
				El("SVC07", "Original Units of Service Count", S, RN, 1, 15),
			),
			segDTM("Service Date", S, 2, "150", "151", "472"),
			segCAS("Service Adjustment", S, x221CASGroups),
			segREF("Service Identification", S, 8, N, Codes("1S APC BB E9 G1 G3 LU RB")...),
			segREF("Line Item Control Number", S, 1, N, "6R"),
			segREF("Rendering Provider Information", S, 10, N, Codes("0B 1A 1B 1C 1D 1G 1H 1J D3 G2 HPI SY TJ")...),
			segREF("HealthCare Policy Identification", S, 5, N, "0K"),
			segAMT("Service Supplemental Amount", S, 9, Codes("B6 KH T T2 ZK ZL ZM ZN ZO")...),
			segQTY("Service Supplemental Quantity", S, 6, Codes("ZK ZL ZM ZN ZO")...),
			Q(Syn(Seg("LQ", "Health Care Remark Codes", S, 99,
				El("LQ01", "Code List Qualifier Code", R, ID, 1, 3, "HE", "RX"),
				El("LQ02", "Remark Code", R, AN, 1, 30),
			), "C0102"), 1, 0, "HE", "RX"),
		),
	)
}

// x221Procedure is the C003 composite of SVC01/SVC06: qualifier, code, up to four
// modifiers, description.
func x221Procedure(ref, name string, usage x12.Usage, quals []string, desc x12.Usage) x12.Element {
	return Comp(ref, name, usage,
		El(ref+"-1", "Product or Service ID Qualifier", R, ID, 2, 2, quals...),
		El(ref+"-2", "Procedure Code", R, AN, 1, 48),
		El(ref+"-3", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-4", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-5", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-6", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-7", "Description", desc, AN, 1, 80),
		NU(ref+"-8"),
	)
}

// x221MIA: 835 2100 MIA, inpatient adjudication (institutional claims only).
func x221MIA() x12.Node {
	type f struct {
		name string
		typ  x12.DataType
		max  int
	}
	fields := []f{
		{"Covered Days or Visits Count", RN, 15}, {"PPS Operating Outlier Amount", RN, 18},
		{"Lifetime Psychiatric Days Count", RN, 15}, {"Claim DRG Amount", RN, 18},
		{"Claim Payment Remark Code", AN, 50}, {"Claim Disproportionate Share Amount", RN, 18},
		{"Claim MSP Pass-through Amount", RN, 18}, {"Claim PPS Capital Amount", RN, 18},
		{"PPS-Capital FSP DRG Amount", RN, 18}, {"PPS-Capital HSP DRG Amount", RN, 18},
		{"PPS-Capital DSH DRG Amount", RN, 18}, {"Old Capital Amount", RN, 18},
		{"PPS-Capital IME amount", RN, 18}, {"PPS-Operating Hospital Specific DRG Amount", RN, 18},
		{"Cost Report Day Count", RN, 15}, {"PPS-Operating Federal Specific DRG Amount", RN, 18},
		{"Claim PPS Capital Outlier Amount", RN, 18}, {"Claim Indirect Teaching Amount", RN, 18},
		{"Nonpayable Professional Component Amount", RN, 18}, {"Claim Payment Remark Code", AN, 50},
		{"Claim Payment Remark Code", AN, 50}, {"Claim Payment Remark Code", AN, 50},
		{"Claim Payment Remark Code", AN, 50}, {"PPS-Capital Exception Amount", RN, 18},
	}
	var els []x12.Element
	for i, fl := range fields {
		u := S
		if i == 0 {
			u = R
		}
		els = append(els, El(fmt.Sprintf("MIA%02d", i+1), fl.name, u, fl.typ, 1, fl.max))
	}
	return Seg("MIA", "Inpatient Adjudication Information", S, 1, els...)
}

// x221PLB: 835 PLB provider-level adjustments, up to six identifier/amount pairs; each
// identifier is a composite of reason code and reference (e.g. "WO:claim number").
func x221PLB() x12.Node {
	els := []x12.Element{
		El("PLB01", "Provider Identifier", R, AN, 1, 50),
		El("PLB02", "Fiscal Period Date", R, DT, 8, 8),
	}
	var notes []string
	for i := 3; i <= 13; i += 2 {
		u := S
		if i == 3 {
			u = R
		}
		ref := fmt.Sprintf("PLB%02d", i)
		els = append(els,
			Comp(ref, "Adjustment Identifier", u,
				El(ref+"-1", "Adjustment Reason Code", R, ID, 2, 2, x221PLBReasons...),
				El(ref+"-2", "Provider Adjustment Identifier", S, AN, 1, 50),
			),
			El(fmt.Sprintf("PLB%02d", i+1), "Provider Adjustment Amount", u, RN, 1, 18),
		)
		if i > 3 {
			notes = append(notes, fmt.Sprintf("P%02d%02d", i, i+1))
		}
	}
	return Syn(Seg("PLB", "Provider Adjustment", S, Unbounded, els...), notes...)
}
