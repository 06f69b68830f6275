package guides

// This file is long on purpose: it is the whole 837P guide as one table, in the guide's own
// loop order, so it can be read side by side with the implementation guide.

import "github.com/edigate/edigate/x12"

// X222A1 is the 837 Health Care Claim: Professional, ASC X12N 005010X222A1 (with the
// 2010 errata), written from the TR3 in guide order. Loop IDs, segment usage, max use and
// element attributes are the guide's; code lists are the values the guide permits
// (external code lists such as states, countries, place of service and adjustment reason
// codes are left open here and checked, where the gateway needs it, by code).
//
// Structure notes for the generic parser:
//   - the HL loops nest as the guide's hierarchy does: 2000B inside 2000A, 2000C inside
//     2000B, so an HL*..*22 after a claim closes the 2300 and opens a new 2000B under the
//     same 2000A, and an HL*..*20 opens a new 2000A;
//   - 2300 appears twice: situational under 2000B (claims of patients who are the
//     subscriber) and required under 2000C (claims of dependents);
//   - same-ID segments and loops are told apart by their qualifier (NM101, REF01, DTP01,
//     HL03...), which is the element the guide itself uses for that purpose.
var X222A1 = &x12.Guide{
	Version:      "005010X222A1",
	Set:          "837",
	FunctionalID: "HC",
	Name:         "Health Care Claim: Professional",
	Root: Root(
		Seg("ST", "Transaction Set Header", R, 1,
			El("ST01", "Transaction Set Identifier Code", R, ID, 3, 3, "837"),
			El("ST02", "Transaction Set Control Number", R, AN, 4, 9),
			El("ST03", "Implementation Convention Reference", R, AN, 1, 35, "005010X222A1"),
		),
		Seg("BHT", "Beginning of Hierarchical Transaction", R, 1,
			El("BHT01", "Hierarchical Structure Code", R, ID, 4, 4, "0019"),
			El("BHT02", "Transaction Set Purpose Code", R, ID, 2, 2, "00", "18"),
			El("BHT03", "Originator Application Transaction Identifier", R, AN, 1, 50),
			El("BHT04", "Transaction Set Creation Date", R, DT, 8, 8),
			El("BHT05", "Transaction Set Creation Time", R, TM, 4, 8),
			El("BHT06", "Claim or Encounter Identifier", R, ID, 2, 2, "CH", "RP"),
		),
		Loop("1000A", "Submitter Name", R, 1,
			x222NM1("Submitter Name", R, []string{"41"}, []string{"1", "2"},
				nm1Use{n03: R, n04: S, n05: S, n08: R, n09: R}, "46"),
			x222PER("Submitter EDI Contact Information", R, 2, S, x222PERCodes, x222PERCodesEX, S),
		),
		Loop("1000B", "Receiver Name", R, 1,
			x222NM1("Receiver Name", R, []string{"40"}, []string{"2"},
				nm1Use{n03: R, n08: R, n09: R}, "46"),
		),
		x222Loop2000A(),
		Seg("SE", "Transaction Set Trailer", R, 1,
			El("SE01", "Transaction Segment Count", R, N0, 1, 10),
			El("SE02", "Transaction Set Control Number", R, AN, 4, 9),
		),
	),
}

// nm1Use holds the guide usage of the NM1 elements that vary between 837P loops; NM101,
// NM102 are always required and NM106, NM110-NM112 never used.
type nm1Use struct{ n03, n04, n05, n07, n08, n09 x12.Usage }

// Communication number qualifiers of the 837P PER segments: the guide allows e-mail, fax
// and telephone as the first number, and adds the extension for the others.
var (
	x222PERCodes   = []string{"EM", "FX", "TE"}
	x222PERCodesEX = []string{"EM", "EX", "FX", "TE"}
)

func x222NM1(name string, usage x12.Usage, entity, typ []string, u nm1Use, idQuals ...string) x12.Node {
	return Q(Syn(Seg("NM1", name, usage, 1,
		El("NM101", "Entity Identifier Code", R, ID, 2, 3, entity...),
		El("NM102", "Entity Type Qualifier", R, ID, 1, 1, typ...),
		El("NM103", "Name Last or Organization Name", u.n03, AN, 1, 60),
		El("NM104", "Name First", u.n04, AN, 1, 35),
		El("NM105", "Name Middle", u.n05, AN, 1, 25),
		NU("NM106"),
		El("NM107", "Name Suffix", u.n07, AN, 1, 10),
		El("NM108", "Identification Code Qualifier", u.n08, ID, 1, 2, idQuals...),
		El("NM109", "Identification Code", u.n09, AN, 2, 80),
		NU("NM110"), NU("NM111"), NU("NM112"),
	), "P0809", "C1110", "C1203"), 1, 0, entity...)
}

// x222REF builds a REF with its qualifier list; ref04 is the usage of the C040 composite,
// which the 837P uses only to name the other payer (REF04-1 = 2U) in provider loops.
func x222REF(name string, usage x12.Usage, maxUse int, ref04 x12.Usage, quals ...string) x12.Node {
	c040 := NU("REF04")
	if ref04 != N {
		c040 = Comp("REF04", "Reference Identifier", ref04,
			El("REF04-1", "Reference Identification Qualifier", R, ID, 2, 3, "2U"),
			El("REF04-2", "Other Payer Primary Identifier", R, AN, 1, 50),
			NU("REF04-3"), NU("REF04-4"), NU("REF04-5"), NU("REF04-6"),
		)
	}
	n := Syn(Seg("REF", name, usage, maxUse,
		El("REF01", "Reference Identification Qualifier", R, ID, 2, 3, quals...),
		El("REF02", "Reference Identification", R, AN, 1, 50),
		NU("REF03"),
		c040,
	), "R0203")
	if len(quals) > 0 {
		n = Q(n, 1, 0, quals...)
	}
	return n
}

func x222PER(name string, usage x12.Usage, maxUse int, per02 x12.Usage, first, others []string, rest x12.Usage) x12.Node {
	return Q(Syn(Seg("PER", name, usage, maxUse,
		El("PER01", "Contact Function Code", R, ID, 2, 2, "IC"),
		El("PER02", "Name", per02, AN, 1, 60),
		El("PER03", "Communication Number Qualifier", R, ID, 2, 2, first...),
		El("PER04", "Communication Number", R, AN, 1, 256),
		El("PER05", "Communication Number Qualifier", rest, ID, 2, 2, others...),
		El("PER06", "Communication Number", rest, AN, 1, 256),
		El("PER07", "Communication Number Qualifier", rest, ID, 2, 2, others...),
		El("PER08", "Communication Number", rest, AN, 1, 256),
		NU("PER09"),
	), "P0304", "P0506", "P0708"), 1, 0, "IC")
}

// x222PERPhone is the property-and-casualty contact PER of 2010BA, 2010CA and 2310C:
// a telephone number with an optional extension.
func x222PERPhone(name string) x12.Node {
	return Q(Syn(Seg("PER", name, S, 1,
		El("PER01", "Contact Function Code", R, ID, 2, 2, "IC"),
		El("PER02", "Name", S, AN, 1, 60),
		El("PER03", "Communication Number Qualifier", R, ID, 2, 2, "TE"),
		El("PER04", "Communication Number", R, AN, 1, 256),
		El("PER05", "Communication Number Qualifier", S, ID, 2, 2, "EX"),
		El("PER06", "Communication Number", S, AN, 1, 256),
		NU("PER07"), NU("PER08"), NU("PER09"),
	), "P0304", "P0506", "P0708"), 1, 0, "IC")
}

func x222DTP(name string, usage x12.Usage, maxUse int, quals, formats []string) x12.Node {
	return Q(Seg("DTP", name, usage, maxUse,
		El("DTP01", "Date/Time Qualifier", R, ID, 3, 3, quals...),
		El("DTP02", "Date Time Period Format Qualifier", R, ID, 2, 3, formats...),
		FormatBy(El("DTP03", "Date Time Period", R, AN, 1, 35), 2),
	), 1, 0, quals...)
}

func x222D8(name string, usage x12.Usage, qual string) x12.Node {
	return x222DTP(name, usage, 1, []string{qual}, []string{"D8"})
}

func x222AMT(name string, usage x12.Usage, qual string) x12.Node {
	return Q(Seg("AMT", name, usage, 1,
		El("AMT01", "Amount Qualifier Code", R, ID, 1, 3, qual),
		El("AMT02", "Monetary Amount", R, RN, 1, 18),
		NU("AMT03"),
	), 1, 0, qual)
}

func x222K3(usage x12.Usage) x12.Node {
	return Seg("K3", "File Information", usage, 10,
		El("K301", "Fixed Format Information", R, AN, 1, 80),
		NU("K302"), NU("K303"),
	)
}

func x222NTE(name string, quals ...string) x12.Node {
	return Q(Seg("NTE", name, S, 1,
		El("NTE01", "Note Reference Code", R, ID, 3, 3, quals...),
		El("NTE02", "Description", R, AN, 1, 80),
	), 1, 0, quals...)
}

// 837P 2300 and 2400 PWK01 attachment report type codes.
var x222PWK01 = Codes(`03 04 05 06 07 08 09 10 11 13 15 21 A3 A4 AM AS B2 B3 B4 BR BS BT
	CB CK CT D2 DA DB DG DJ DS EB HC HR I5 IR LA M1 MT NN OB OC OD OE OX OZ P4 P5 PE PN
	PO PQ PY PZ RB RR RT RX SG V5 XP`)

// 837P PWK: PWK01 report types overlap between the supplemental-information PWK and the
// 2400 DME certificate PWK (both allow CT), so PWK02, whose transmission codes are
// disjoint, tells the two apart.
var x222PWK02 = []string{"AA", "BM", "EL", "EM", "FT", "FX"}

func x222PWK() x12.Node {
	return Q(Syn(Seg("PWK", "Claim Supplemental Information", S, 10,
		El("PWK01", "Report Type Code", R, ID, 2, 2, x222PWK01...),
		El("PWK02", "Report Transmission Code", R, ID, 1, 2, x222PWK02...),
		NU("PWK03"), NU("PWK04"),
		El("PWK05", "Identification Code Qualifier", S, ID, 1, 2, "AC"),
		El("PWK06", "Attachment Control Number", S, AN, 2, 80),
		NU("PWK07"), NU("PWK08"), NU("PWK09"),
	), "P0506"), 2, 0, x222PWK02...)
}

func x222CN1() x12.Node {
	return Seg("CN1", "Contract Information", S, 1,
		El("CN101", "Contract Type Code", R, ID, 2, 2, "01", "02", "03", "04", "05", "06", "09"),
		El("CN102", "Contract Amount", S, RN, 1, 18),
		El("CN103", "Contract Percentage", S, RN, 1, 6),
		El("CN104", "Contract Code", S, AN, 1, 50),
		El("CN105", "Terms Discount Percentage", S, RN, 1, 6),
		El("CN106", "Contract Version Identifier", S, AN, 1, 30),
	)
}

// x222CR1 is the ambulance transport information of 2300 and 2400.
func x222CR1() x12.Node {
	return Syn(Seg("CR1", "Ambulance Transport Information", S, 1,
		El("CR101", "Unit or Basis for Measurement Code", S, ID, 2, 2, "LB"),
		El("CR102", "Patient Weight", S, RN, 1, 10),
		NU("CR103"),
		El("CR104", "Ambulance Transport Reason Code", R, ID, 1, 1, "A", "B", "C", "D", "E"),
		El("CR105", "Unit or Basis for Measurement Code", R, ID, 2, 2, "DH"),
		El("CR106", "Transport Distance", R, RN, 1, 15),
		NU("CR107"), NU("CR108"),
		El("CR109", "Round Trip Purpose Description", S, AN, 1, 80),
		El("CR110", "Stretcher Purpose Description", S, AN, 1, 80),
	), "P0102", "P0506")
}

// x222CRC builds a condition-indicator CRC: CRC01 category, CRC02 answer, then up to five
// condition codes of which the first is required (n is how many the guide uses).
func x222CRC(name string, maxUse int, category []string, answers []string, conds []string, n int) x12.Node {
	els := []x12.Element{
		El("CRC01", "Code Category", R, ID, 2, 2, category...),
		El("CRC02", "Certification Condition Indicator", R, ID, 1, 1, answers...),
	}
	for i := 3; i <= 7; i++ {
		ref := x12.Ref("CRC", i)
		switch {
		case i == 3:
			els = append(els, El(ref, "Condition Indicator", R, ID, 2, 3, conds...))
		case i < 3+n:
			els = append(els, El(ref, "Condition Indicator", S, ID, 2, 3, conds...))
		default:
			els = append(els, NU(ref))
		}
	}
	return Q(Seg("CRC", name, S, maxUse, els...), 1, 0, category...)
}

// x222HI builds a health care code information segment: HIxx-1 qualifier, HIxx-2 code;
// the dates, amounts, quantities and present-on-admission indicator of C022 are not used
// on a professional claim. n is how many composites the guide allows (the rest are N).
func x222HI(name string, usage x12.Usage, maxUse int, first, others []string, n int) x12.Node {
	var els []x12.Element
	for i := 1; i <= 12; i++ {
		ref := x12.Ref("HI", i)
		u, codes := S, others
		if i == 1 {
			u, codes = R, first
		}
		if i > n {
			els = append(els, NU(ref))
			continue
		}
		els = append(els, Comp(ref, "Health Care Code Information", u,
			El(ref+"-1", "Code List Qualifier Code", R, ID, 1, 3, codes...),
			El(ref+"-2", "Industry Code", R, AN, 1, 30),
			NU(ref+"-3"), NU(ref+"-4"), NU(ref+"-5"), NU(ref+"-6"), NU(ref+"-7"),
			NU(ref+"-8"), NU(ref+"-9"),
		))
	}
	return Q(Seg("HI", name, usage, maxUse, els...), 1, 1, first...)
}

// x222HCP is the claim (2300) or line (2400) pricing/repricing information; the line
// version adds the repriced procedure code and units (HCP09-HCP12).
func x222HCP(line bool) x12.Node {
	u := N
	if line {
		u = S
	}
	name := "Claim Pricing/Repricing Information"
	if line {
		name = "Line Pricing/Repricing Information"
	}
	n := Seg("HCP", name, S, 1,
		El("HCP01", "Pricing Methodology", R, ID, 2, 2, "00", "01", "02", "03", "04", "05", "07", "08", "09", "10", "11", "12", "13", "14"),
		El("HCP02", "Repriced Allowed Amount", R, RN, 1, 18),
		El("HCP03", "Repriced Saving Amount", S, RN, 1, 18),
		El("HCP04", "Repricing Organization Identifier", S, AN, 1, 50),
		El("HCP05", "Repricing Per Diem or Flat Rate Amount", S, RN, 1, 9),
		El("HCP06", "Repriced Approved Ambulatory Patient Group Code", S, AN, 1, 50),
		El("HCP07", "Repriced Approved Ambulatory Patient Group Amount", S, RN, 1, 18),
		NU("HCP08"),
		El("HCP09", "Product or Service ID Qualifier", u, ID, 2, 2, x222If(line, "ER", "HC", "IV", "WK")...),
		El("HCP10", "Repriced Approved HCPCS Code", u, AN, 1, 48),
		El("HCP11", "Unit or Basis for Measurement Code", u, ID, 2, 2, x222If(line, "MJ", "UN")...),
		El("HCP12", "Repriced Approved Service Unit Count", u, RN, 1, 15),
		El("HCP13", "Reject Reason Code", S, ID, 2, 2, "T1", "T2", "T3", "T4", "T5", "T6"),
		El("HCP14", "Policy Compliance Code", S, ID, 1, 2, "1", "2", "3", "4", "5"),
		El("HCP15", "Exception Code", S, ID, 1, 2, "1", "2", "3", "4", "5", "6"),
	)
	return Syn(n, "R0113", "P0910", "P1112")
}

func x222If(cond bool, codes ...string) []string {
	if cond {
		return codes
	}
	return nil
}

// x222CAS is the claim (2320) or line (2430) adjustment: a group code and up to six
// reason/amount/quantity triples. Reason codes are the external CARC list.
func x222CAS() x12.Node {
	els := []x12.Element{
		El("CAS01", "Claim Adjustment Group Code", R, ID, 1, 2, "CO", "CR", "OA", "PI", "PR"),
		El("CAS02", "Adjustment Reason Code", R, ID, 1, 5),
		El("CAS03", "Adjustment Amount", R, RN, 1, 18),
		El("CAS04", "Adjustment Quantity", S, RN, 1, 15),
	}
	for i := 5; i <= 19; i += 3 {
		els = append(els,
			El(x12.Ref("CAS", i), "Adjustment Reason Code", S, ID, 1, 5),
			El(x12.Ref("CAS", i+1), "Adjustment Amount", S, RN, 1, 18),
			El(x12.Ref("CAS", i+2), "Adjustment Quantity", S, RN, 1, 15),
		)
	}
	return Syn(Seg("CAS", "Claim Adjustment", S, 5, els...),
		"L050607", "C0605", "C0705", "L080910", "C0908", "C1008", "L111213", "C1211",
		"C1311", "L141516", "C1514", "C1614", "L171819", "C1817", "C1917")
}

// 837P 2400 SV107: a diagnosis code pointer names one of the (at most 12) 2300 HI codes.
var x222Pointers = Codes(`1 2 3 4 5 6 7 8 9 10 11 12`)

// 837P SBR09 claim filing indicator codes (2000B and 2320).
var x222SBR09 = Codes(`11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ`)

// 837P SBR05 insurance type codes, used only when Medicare is secondary.
var x222SBR05 = Codes(`12 13 14 15 16 41 42 43 47`)

// Individual relationship codes of PAT01 and 2320 SBR02.
var x222Relationship = Codes(`01 18 19 20 21 39 40 53 G8`)

func x222SBR(other bool) x12.Node {
	name, rel, relUse := "Subscriber Information", []string{"18"}, S
	if other {
		name, rel, relUse = "Other Subscriber Information", x222Relationship, R
	}
	return Seg("SBR", name, R, 1,
		El("SBR01", "Payer Responsibility Sequence Number Code", R, ID, 1, 1, Codes("A B C D E F G H P S T U")...),
		El("SBR02", "Individual Relationship Code", relUse, ID, 2, 2, rel...),
		El("SBR03", "Subscriber Group or Policy Number", S, AN, 1, 50),
		El("SBR04", "Subscriber Group Name", S, AN, 1, 60),
		El("SBR05", "Insurance Type Code", S, ID, 1, 3, x222SBR05...),
		NU("SBR06"), NU("SBR07"), NU("SBR08"),
		El("SBR09", "Claim Filing Indicator Code", S, ID, 1, 2, x222SBR09...),
	)
}

func x222PAT(patient bool) x12.Node {
	p01 := NU("PAT01")
	usage := S
	if patient {
		usage = R
		// 837P 2000C PAT01: the patient is not the subscriber, so 18 (self) is excluded.
		p01 = El("PAT01", "Individual Relationship Code", R, ID, 2, 2, Codes("01 19 20 21 39 40 53 G8")...)
	}
	return Syn(Seg("PAT", "Patient Information", usage, 1,
		p01, NU("PAT02"), NU("PAT03"), NU("PAT04"),
		El("PAT05", "Date Time Period Format Qualifier", S, ID, 2, 3, "D8"),
		FormatBy(El("PAT06", "Patient Death Date", S, AN, 1, 35), 5),
		El("PAT07", "Unit or Basis for Measurement Code", S, ID, 2, 2, "01"),
		El("PAT08", "Patient Weight", S, RN, 1, 10),
		El("PAT09", "Pregnancy Indicator", S, ID, 1, 1, "Y"),
	), "P0506", "P0708")
}

func x222DMG(usage x12.Usage) x12.Node {
	return Syn(Seg("DMG", "Demographic Information", usage, 1,
		El("DMG01", "Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
		FormatBy(El("DMG02", "Birth Date", R, AN, 1, 35), 1),
		El("DMG03", "Gender Code", R, ID, 1, 1, "F", "M", "U"),
		NU("DMG04"), NU("DMG05"), NU("DMG06"), NU("DMG07"), NU("DMG08"), NU("DMG09"),
		NU("DMG10"), NU("DMG11"),
	), "P0102", "P1011", "C1105")
}

func x222HL(level string, parent x12.Usage, children ...string) x12.Node {
	p := NU("HL02")
	if parent != N {
		p = El("HL02", "Hierarchical Parent ID Number", parent, AN, 1, 12)
	}
	return Q(Seg("HL", "Hierarchical Level", R, 1,
		El("HL01", "Hierarchical ID Number", R, AN, 1, 12),
		p,
		El("HL03", "Hierarchical Level Code", R, ID, 1, 2, level),
		El("HL04", "Hierarchical Child Code", R, ID, 1, 1, children...),
	), 3, 0, level)
}

func x222PRV(name string, usage x12.Usage, code string) x12.Node {
	return Q(Syn(Seg("PRV", name, usage, 1,
		El("PRV01", "Provider Code", R, ID, 1, 3, code),
		El("PRV02", "Reference Identification Qualifier", R, ID, 2, 3, "PXC"),
		El("PRV03", "Provider Taxonomy Code", R, AN, 1, 50),
		NU("PRV04"), NU("PRV05"), NU("PRV06"),
	), "P0203"), 1, 0, code)
}

func x222Loop2000A() x12.Node {
	return Loop("2000A", "Billing Provider Hierarchical Level", R, Unbounded,
		x222HL("20", N, "1"),
		x222PRV("Billing Provider Specialty Information", S, "BI"),
		Syn(Seg("CUR", "Foreign Currency Information", S, 1,
			El("CUR01", "Entity Identifier Code", R, ID, 2, 3, "85"),
			El("CUR02", "Currency Code", R, ID, 3, 3),
			NU("CUR03"), NU("CUR04"), NU("CUR05"), NU("CUR06"), NU("CUR07"), NU("CUR08"),
			NU("CUR09"), NU("CUR10"), NU("CUR11"), NU("CUR12"), NU("CUR13"), NU("CUR14"),
			NU("CUR15"), NU("CUR16"), NU("CUR17"), NU("CUR18"), NU("CUR19"), NU("CUR20"),
			NU("CUR21"),
		), "C0807", "C0907", "L101112", "C1110", "C1210", "L131415", "C1413", "C1513",
			"L161718", "C1716", "C1816", "L192021", "C2019", "C2119"),
		Loop("2010AA", "Billing Provider Name", R, 1,
			x222NM1("Billing Provider Name", R, []string{"85"}, []string{"1", "2"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
			segN3("Billing Provider Address", R),
			segN4("Billing Provider City, State, ZIP Code", R),
			x222REF("Billing Provider Tax Identification", R, 1, N, "EI", "SY"),
			x222REF("Billing Provider UPIN/License Information", S, 2, N, "0B", "1G"),
			x222PER("Billing Provider Contact Information", S, 2, S, x222PERCodes, x222PERCodesEX, S),
		),
		Loop("2010AB", "Pay-to Address Name", S, 1,
			x222NM1("Pay-to Address Name", R, []string{"87"}, []string{"1", "2"}, nm1Use{}),
			segN3("Pay-to Address - ADDRESS", R),
			segN4("Pay-To Address City, State, ZIP Code", R),
		),
		Loop("2010AC", "Pay-To Plan Name", S, 1,
			x222NM1("Pay-To Plan Name", R, []string{"PE"}, []string{"2"},
				nm1Use{n03: R, n08: R, n09: R}, "PI", "XV"),
			segN3("Pay-to Plan Address", R),
			segN4("Pay-To Plan City, State, ZIP Code", R),
			x222REF("Pay-to Plan Secondary Identification", S, 1, N, "2U", "FY", "NF"),
			x222REF("Pay-To Plan Tax Identification Number", R, 1, N, "EI"),
		),
		x222Loop2000B(),
	)
}

func x222Loop2000B() x12.Node {
	return Loop("2000B", "Subscriber Hierarchical Level", R, Unbounded,
		x222HL("22", R, "0", "1"),
		x222SBR(false),
		x222PAT(false),
		Loop("2010BA", "Subscriber Name", R, 1,
			x222NM1("Subscriber Name", R, []string{"IL"}, []string{"1", "2"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: R, n09: R}, "II", "MI"),
			segN3("Subscriber Address", S),
			segN4("Subscriber City, State, ZIP Code", S),
			x222DMG(S),
			x222REF("Subscriber Secondary Identification", S, 1, N, "SY"),
			x222REF("Property and Casualty Claim Number", S, 1, N, "Y4"),
			x222PERPhone("Property and Casualty Subscriber Contact Information"),
		),
		Loop("2010BB", "Payer Name", R, 1,
			x222NM1("Payer Name", R, []string{"PR"}, []string{"2"},
				nm1Use{n03: R, n08: R, n09: R}, "PI", "XV"),
			segN3("Payer Address", S),
			segN4("Payer City, State, ZIP Code", S),
			x222REF("Payer Secondary Identification", S, 3, N, "2U", "EI", "FY", "NF"),
			x222REF("Billing Provider Secondary Identification", S, 2, N, "G2", "LU"),
		),
		x222Loop2300(S),
		Loop("2000C", "Patient Hierarchical Level", S, Unbounded,
			x222HL("23", R, "0"),
			x222PAT(true),
			Loop("2010CA", "Patient Name", R, 1,
				x222NM1("Patient Name", R, []string{"QC"}, []string{"1"},
					nm1Use{n03: R, n04: S, n05: S, n07: S}),
				segN3("Patient Address", R),
				segN4("Patient City, State, ZIP Code", R),
				x222DMG(R),
				x222REF("Property and Casualty Claim Number", S, 1, N, "Y4"),
				x222REF("Property and Casualty Patient Identifier", S, 1, N, "1W", "SY"),
				x222PERPhone("Property and Casualty Patient Contact Information"),
			),
			x222Loop2300(R),
		),
	)
}

// 837P 2300 CLM20 delay reason codes.
var x222CLM20 = Codes(`1 2 3 4 5 6 7 8 9 10 11 15`)

func x222Loop2300(usage x12.Usage) x12.Node {
	return Loop("2300", "Claim Information", usage, 100,
		Seg("CLM", "Claim Information", R, 1,
			El("CLM01", "Patient Control Number", R, AN, 1, 38),
			El("CLM02", "Total Claim Charge Amount", R, RN, 1, 18),
			NU("CLM03"), NU("CLM04"),
			Comp("CLM05", "Health Care Service Location Information", R,
				El("CLM05-1", "Place of Service Code", R, AN, 1, 2),
				El("CLM05-2", "Facility Code Qualifier", R, ID, 1, 2, "B"),
				El("CLM05-3", "Claim Frequency Type Code", R, ID, 1, 1),
			),
			El("CLM06", "Provider or Supplier Signature Indicator", R, ID, 1, 1, "N", "Y"),
			El("CLM07", "Assignment or Plan Participation Code", R, ID, 1, 1, "A", "B", "C"),
			El("CLM08", "Benefits Assignment Certification Indicator", R, ID, 1, 1, "N", "W", "Y"),
			El("CLM09", "Release of Information Code", R, ID, 1, 1, "I", "Y"),
			El("CLM10", "Patient Signature Source Code", S, ID, 1, 1, "P"),
			Comp("CLM11", "Related Causes Information", S,
				El("CLM11-1", "Related-Causes Code", R, ID, 2, 3, "AA", "EM", "OA"),
				El("CLM11-2", "Related-Causes Code", S, ID, 2, 3, "AA", "EM", "OA"),
				NU("CLM11-3"),
				El("CLM11-4", "Auto Accident State or Province Code", S, ID, 2, 2),
				El("CLM11-5", "Country Code", S, ID, 2, 3),
			),
			El("CLM12", "Special Program Indicator", S, ID, 2, 3, "02", "03", "05", "09"),
			NU("CLM13"), NU("CLM14"), NU("CLM15"), NU("CLM16"), NU("CLM17"), NU("CLM18"),
			NU("CLM19"),
			El("CLM20", "Delay Reason Code", S, ID, 1, 2, x222CLM20...),
		),
		x222D8("Date - Onset of Current Illness or Symptom", S, "431"),
		x222D8("Date - Initial Treatment Date", S, "454"),
		x222D8("Date - Last Seen Date", S, "304"),
		x222D8("Date - Acute Manifestation", S, "453"),
		x222D8("Date - Accident", S, "439"),
		x222D8("Date - Last Menstrual Period", S, "484"),
		x222D8("Date - Last X-ray Date", S, "455"),
		x222D8("Date - Hearing and Vision Prescription Date", S, "471"),
		x222DTP("Date - Disability Dates", S, 1, []string{"314", "360", "361"}, []string{"D8", "RD8"}),
		x222D8("Date - Last Worked", S, "297"),
		x222D8("Date - Authorized Return to Work", S, "296"),
		x222D8("Date - Admission", S, "435"),
		x222D8("Date - Discharge", S, "096"),
		x222DTP("Date - Assumed and Relinquished Care Dates", S, 2, []string{"090", "091"}, []string{"D8"}),
		x222D8("Date - Property and Casualty Date of First Contact", S, "444"),
		x222D8("Date - Repricer Received Date", S, "050"),
		x222PWK(),
		x222CN1(),
		x222AMT("Patient Amount Paid", S, "F5"),
		x222REF("Service Authorization Exception Code", S, 1, N, "4N"),
		x222REF("Mandatory Medicare (Section 4081) Crossover Indicator", S, 1, N, "F5"),
		x222REF("Mammography Certification Number", S, 1, N, "EW"),
		x222REF("Referral Number", S, 1, N, "9F"),
		x222REF("Prior Authorization", S, 1, N, "G1"),
		x222REF("Payer Claim Control Number", S, 1, N, "F8"),
		x222REF("Clinical Laboratory Improvement Amendment (CLIA) Number", S, 1, N, "X4"),
		x222REF("Repriced Claim Number", S, 1, N, "9A"),
		x222REF("Adjusted Repriced Claim Number", S, 1, N, "9C"),
		x222REF("Investigational Device Exemption Number", S, 1, N, "LX"),
		x222REF("Claim Identifier For Transmission Intermediaries", S, 1, N, "D9"),
		x222REF("Medical Record Number", S, 1, N, "EA"),
		x222REF("Demonstration Project Identifier", S, 1, N, "P4"),
		x222REF("Care Plan Oversight", S, 1, N, "1J"),
		x222K3(S),
		x222NTE("Claim Note", "ADD", "CER", "DCP", "DGN", "TPO"),
		x222CR1(),
		Syn(Seg("CR2", "Spinal Manipulation Service Information", S, 1,
			NU("CR201"), NU("CR202"), NU("CR203"), NU("CR204"), NU("CR205"), NU("CR206"),
			NU("CR207"),
			El("CR208", "Patient Condition Code", R, ID, 1, 1, "A", "C", "D", "E", "F", "G", "M"),
			NU("CR209"),
			El("CR210", "Patient Condition Description", S, AN, 1, 80),
			El("CR211", "Patient Condition Description", S, AN, 1, 80),
			NU("CR212"),
		), "P0102", "C0403", "P0506"),
		x222CRC("Ambulance Certification", 3, []string{"07"}, []string{"N", "Y"},
			Codes("01 04 05 06 07 08 09 12"), 5),
		x222CRC("Patient Condition Information: Vision", 3, []string{"E1", "E2", "E3"}, []string{"N", "Y"},
			Codes("L1 L2 L3 L4 L5"), 5),
		x222CRC("Homebound Indicator", 1, []string{"75"}, []string{"Y"}, []string{"IH"}, 1),
		x222CRC("EPSDT Referral", 1, []string{"ZZ"}, []string{"N", "Y"}, Codes("AV NU S2 ST"), 3),
		// 837P 2300 HI: ICD-10-CM (ABK/ABF) or, for dates of service before
		// 2015-10-01, ICD-9-CM (BK/BF); at most 12 diagnoses.
		x222HI("Health Care Diagnosis Code", R, 1, []string{"ABK", "BK"}, []string{"ABF", "BF"}, 12),
		x222HI("Anesthesia Related Procedure", S, 1, []string{"BP"}, []string{"BO"}, 2),
		x222HI("Condition Information", S, 2, []string{"BG"}, []string{"BG"}, 12),
		x222HCP(false),
		x222Loop2310A(), x222Loop2310B(), x222Loop2310C(), x222Loop2310D(),
		x222Loop2310E(), x222Loop2310F(),
		x222Loop2320(),
		x222Loop2400(),
	)
}

func x222Loop2310A() x12.Node {
	return Loop("2310A", "Referring Provider Name", S, 2,
		x222NM1("Referring Provider Name", R, []string{"DN", "P3"}, []string{"1"},
			nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
		x222REF("Referring Provider Secondary Identification", S, 3, N, "0B", "1G", "G2"),
	)
}

func x222Loop2310B() x12.Node {
	return Loop("2310B", "Rendering Provider Name", S, 1,
		x222NM1("Rendering Provider Name", R, []string{"82"}, []string{"1", "2"},
			nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
		x222PRV("Rendering Provider Specialty Information", S, "PE"),
		x222REF("Rendering Provider Secondary Identification", S, 4, N, "0B", "1G", "G2", "LU"),
	)
}

func x222Loop2310C() x12.Node {
	return Loop("2310C", "Service Facility Location Name", S, 1,
		x222NM1("Service Facility Location Name", R, []string{"77"}, []string{"2"},
			nm1Use{n03: R, n08: S, n09: S}, "XX"),
		segN3("Service Facility Location Address", R),
		segN4("Service Facility Location City, State, ZIP Code", R),
		x222REF("Service Facility Location Secondary Identification", S, 3, N, "0B", "G2", "LU"),
		x222PERPhone("Service Facility Contact Information"),
	)
}

func x222Loop2310D() x12.Node {
	return Loop("2310D", "Supervising Provider Name", S, 1,
		x222NM1("Supervising Provider Name", R, []string{"DQ"}, []string{"1"},
			nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
		x222REF("Supervising Provider Secondary Identification", S, 4, N, "0B", "1G", "G2", "LU"),
	)
}

func x222Loop2310E() x12.Node {
	return Loop("2310E", "Ambulance Pick-up Location", S, 1,
		x222NM1("Ambulance Pick-up Location", R, []string{"PW"}, []string{"2"}, nm1Use{}),
		segN3("Ambulance Pick-up Location Address", R),
		segN4("Ambulance Pick-up Location City, State, ZIP Code", R),
	)
}

func x222Loop2310F() x12.Node {
	return Loop("2310F", "Ambulance Drop-off Location", S, 1,
		x222NM1("Ambulance Drop-off Location", R, []string{"45"}, []string{"2"}, nm1Use{n03: S}),
		segN3("Ambulance Drop-off Location Address", R),
		segN4("Ambulance Drop-off Location City, State, ZIP Code", R),
	)
}

func x222Loop2320() x12.Node {
	return Loop("2320", "Other Subscriber Information", S, 10,
		x222SBR(true),
		x222CAS(),
		x222AMT("Coordination of Benefits (COB) Payer Paid Amount", S, "D"),
		x222AMT("Coordination of Benefits (COB) Total Non-Covered Amount", S, "A8"),
		x222AMT("Remaining Patient Liability", S, "EAF"),
		Seg("OI", "Other Insurance Coverage Information", R, 1,
			NU("OI01"), NU("OI02"),
			El("OI03", "Benefits Assignment Certification Indicator", R, ID, 1, 1, "N", "W", "Y"),
			El("OI04", "Patient Signature Source Code", S, ID, 1, 1, "P"),
			NU("OI05"),
			El("OI06", "Release of Information Code", R, ID, 1, 1, "I", "Y"),
		),
		Seg("MOA", "Outpatient Adjudication Information", S, 1,
			El("MOA01", "Reimbursement Rate", S, RN, 1, 10),
			El("MOA02", "HCPCS Payable Amount", S, RN, 1, 18),
			El("MOA03", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA04", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA05", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA06", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA07", "Claim Payment Remark Code", S, AN, 1, 50),
			El("MOA08", "End Stage Renal Disease Payment Amount", S, RN, 1, 18),
			El("MOA09", "Non-Payable Professional Component Billed Amount", S, RN, 1, 18),
		),
		Loop("2330A", "Other Subscriber Name", R, 1,
			x222NM1("Other Subscriber Name", R, []string{"IL"}, []string{"1", "2"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: R, n09: R}, "II", "MI"),
			segN3("Other Subscriber Address", S),
			segN4("Other Subscriber City, State, ZIP Code", S),
			x222REF("Other Subscriber Secondary Identification", S, 1, N, "SY"),
		),
		Loop("2330B", "Other Payer Name", R, 1,
			x222NM1("Other Payer Name", R, []string{"PR"}, []string{"2"},
				nm1Use{n03: R, n08: R, n09: R}, "PI", "XV"),
			segN3("Other Payer Address", S),
			segN4("Other Payer City, State, ZIP Code", S),
			x222D8("Claim Check or Remittance Date", S, "573"),
			x222REF("Other Payer Secondary Identifier", S, 2, N, "2U", "EI", "FY", "NF"),
			x222REF("Other Payer Prior Authorization Number", S, 1, N, "G1"),
			x222REF("Other Payer Referral Number", S, 1, N, "9F"),
			x222REF("Other Payer Claim Adjustment Indicator", S, 1, N, "T4"),
			x222REF("Other Payer Claim Control Number", S, 1, N, "F8"),
		),
		// The 2330C-2330G other-payer provider loops carry only the other payer's own
		// identifier for the provider: no name, no NPI.
		Loop("2330C", "Other Payer Referring Provider", S, 2,
			x222NM1("Other Payer Referring Provider", R, []string{"DN", "P3"}, []string{"1"}, nm1Use{}),
			x222REF("Other Payer Referring Provider Secondary Identification", R, 3, N, "0B", "1G", "G2"),
		),
		Loop("2330D", "Other Payer Rendering Provider", S, 1,
			x222NM1("Other Payer Rendering Provider", R, []string{"82"}, []string{"1", "2"}, nm1Use{}),
			x222REF("Other Payer Rendering Provider Secondary Identification", R, 3, N, "0B", "1G", "G2", "LU"),
		),
		Loop("2330E", "Other Payer Service Facility Location", S, 1,
			x222NM1("Other Payer Service Facility Location", R, []string{"77"}, []string{"2"}, nm1Use{}),
			x222REF("Other Payer Service Facility Location Secondary Identification", R, 3, N, "0B", "G2", "LU"),
		),
		Loop("2330F", "Other Payer Supervising Provider", S, 1,
			x222NM1("Other Payer Supervising Provider", R, []string{"DQ"}, []string{"1"}, nm1Use{}),
			x222REF("Other Payer Supervising Provider Secondary Identification", R, 3, N, "0B", "1G", "G2", "LU"),
		),
		Loop("2330G", "Other Payer Billing Provider", S, 1,
			x222NM1("Other Payer Billing Provider", R, []string{"85"}, []string{"1", "2"}, nm1Use{}),
			x222REF("Other Payer Billing Provider Secondary Identification", R, 2, N, "G2", "LU"),
		),
	)
}

// x222SVC builds the C003 composite medical procedure identifier of SV1, SV5 and SVD;
// mods is how many modifier positions the guide uses there.
func x222SVC(ref string, quals []string, mods int, desc x12.Usage) x12.Element {
	comps := []x12.Element{
		El(ref+"-1", "Product or Service ID Qualifier", R, ID, 2, 2, quals...),
		El(ref+"-2", "Procedure Code", R, AN, 1, 48),
	}
	for i := 3; i <= 6; i++ {
		r := ref + "-" + string(rune('0'+i))
		if i-2 <= mods {
			comps = append(comps, El(r, "Procedure Modifier", S, AN, 2, 2))
		} else {
			comps = append(comps, NU(r))
		}
	}
	if desc != N {
		comps = append(comps, El(ref+"-7", "Description", desc, AN, 1, 80))
	} else {
		comps = append(comps, NU(ref+"-7"))
	}
	comps = append(comps, NU(ref+"-8"))
	return Comp(ref, "Composite Medical Procedure Identifier", R, comps...)
}

func x222Loop2400() x12.Node {
	return Loop("2400", "Service Line Number", R, 50,
		Seg("LX", "Service Line Number", R, 1,
			El("LX01", "Assigned Number", R, N0, 1, 6),
		),
		Syn(Seg("SV1", "Professional Service", R, 1,
			x222SVC("SV101", []string{"ER", "HC", "IV", "WK"}, 4, S),
			El("SV102", "Line Item Charge Amount", R, RN, 1, 18),
			El("SV103", "Unit or Basis for Measurement Code", R, ID, 2, 2, "MJ", "UN"),
			El("SV104", "Service Unit Count", R, RN, 1, 15),
			El("SV105", "Place of Service Code", S, AN, 1, 2),
			NU("SV106"),
			// 837P 2400 SV107: up to four pointers to the 2300 HI diagnoses (1-12).
			Comp("SV107", "Composite Diagnosis Code Pointer", R,
				El("SV107-1", "Diagnosis Code Pointer", R, N0, 1, 2, x222Pointers...),
				El("SV107-2", "Diagnosis Code Pointer", S, N0, 1, 2, x222Pointers...),
				El("SV107-3", "Diagnosis Code Pointer", S, N0, 1, 2, x222Pointers...),
				El("SV107-4", "Diagnosis Code Pointer", S, N0, 1, 2, x222Pointers...),
			),
			NU("SV108"),
			El("SV109", "Emergency Indicator", S, ID, 1, 1, "Y"),
			NU("SV110"),
			El("SV111", "EPSDT Indicator", S, ID, 1, 1, "Y"),
			El("SV112", "Family Planning Indicator", S, ID, 1, 1, "Y"),
			NU("SV113"), NU("SV114"),
			El("SV115", "Copay Status Code", S, ID, 1, 1, "0"),
			NU("SV116"), NU("SV117"), NU("SV118"), NU("SV119"), NU("SV120"), NU("SV121"),
		), "P0304"),
		Syn(Seg("SV5", "Durable Medical Equipment Service", S, 1,
			x222SVC("SV501", []string{"HC"}, 0, N),
			El("SV502", "Unit or Basis for Measurement Code", R, ID, 2, 2, "DA"),
			El("SV503", "Length of Medical Necessity", R, RN, 1, 15),
			El("SV504", "DME Rental Price", R, RN, 1, 18),
			El("SV505", "DME Purchase Price", R, RN, 1, 18),
			El("SV506", "Rental Unit Price Indicator", R, ID, 1, 1, "1", "4", "6"),
			NU("SV507"),
		), "R0405", "C0604"),
		x222PWK(),
		Q(Syn(Seg("PWK", "Durable Medical Equipment Certificate of Medical Necessity Indicator", S, 1,
			El("PWK01", "Attachment Report Type Code", R, ID, 2, 2, "CT"),
			El("PWK02", "Attachment Transmission Code", R, ID, 1, 2, "AB", "AD", "AF", "AG", "NS"),
			NU("PWK03"), NU("PWK04"), NU("PWK05"), NU("PWK06"), NU("PWK07"), NU("PWK08"),
			NU("PWK09"),
		), "P0506"), 2, 0, "AB", "AD", "AF", "AG", "NS"),
		x222CR1(),
		Syn(Seg("CR3", "Durable Medical Equipment Certification", S, 1,
			El("CR301", "Certification Type Code", R, ID, 1, 1, "I", "R", "S"),
			El("CR302", "Unit or Basis for Measurement Code", R, ID, 2, 2, "MO"),
			El("CR303", "Durable Medical Equipment Duration", R, RN, 1, 15),
			NU("CR304"), NU("CR305"),
		), "P0203"),
		x222CRC("Ambulance Certification", 3, []string{"07"}, []string{"N", "Y"},
			Codes("01 04 05 06 07 08 09 12"), 5),
		x222CRC("Hospice Employee Indicator", 1, []string{"70"}, []string{"N", "Y"}, []string{"65"}, 1),
		x222CRC("Condition Indicator/Durable Medical Equipment", 1, []string{"09"}, []string{"N", "Y"},
			[]string{"38", "ZV"}, 2),
		// 837P 2400 DTP*472: the date of service, a single date or a range.
		x222DTP("Date - Service Date", R, 1, []string{"472"}, []string{"D8", "RD8"}),
		x222D8("Date - Prescription Date", S, "471"),
		x222D8("Date - Certification Revision/Recertification Date", S, "607"),
		x222D8("Date - Begin Therapy Date", S, "463"),
		x222D8("Date - Last Certification Date", S, "461"),
		x222D8("Date - Last Seen Date", S, "304"),
		x222DTP("Date - Test Date", S, 2, []string{"738", "739"}, []string{"D8"}),
		x222D8("Date - Shipped Date", S, "011"),
		x222D8("Date - Last X-ray Date", S, "455"),
		x222D8("Date - Initial Treatment Date", S, "454"),
		x222QTY("Ambulance Patient Count", "PT"),
		x222QTY("Obstetric Anesthesia Additional Units", "FL"),
		Q(Syn(Seg("MEA", "Test Result", S, 5,
			El("MEA01", "Measurement Reference ID Code", R, ID, 2, 2, "OG", "TR"),
			El("MEA02", "Measurement Qualifier", R, ID, 1, 3, "HT", "R1", "R2", "R3", "R4"),
			El("MEA03", "Test Results", R, RN, 1, 20),
			NU("MEA04"), NU("MEA05"), NU("MEA06"), NU("MEA07"), NU("MEA08"), NU("MEA09"),
			NU("MEA10"),
		), "R03050608", "E0803", "L050412", "L060412", "L07030506", "P1112"), 1, 0, "OG", "TR"),
		x222CN1(),
		x222REF("Repriced Line Item Reference Number", S, 1, N, "9B"),
		x222REF("Adjusted Repriced Line Item Reference Number", S, 1, N, "9D"),
		x222REF("Prior Authorization", S, 5, S, "G1"),
		x222REF("Line Item Control Number", S, 1, N, "6R"),
		x222REF("Mammography Certification Number", S, 1, N, "EW"),
		x222REF("Clinical Laboratory Improvement Amendment (CLIA) Number", S, 1, N, "X4"),
		x222REF("Referring Clinical Laboratory Improvement Amendment (CLIA) Facility Identification", S, 1, N, "F4"),
		x222REF("Immunization Batch Number", S, 1, N, "BT"),
		x222REF("Referral Number", S, 5, S, "9F"),
		x222AMT("Sales Tax Amount", S, "T"),
		x222AMT("Postage Claimed Amount", S, "F4"),
		x222K3(S),
		x222NTE("Line Note", "ADD", "DCP"),
		x222NTE("Third Party Organization Notes", "TPO"),
		Seg("PS1", "Purchased Service Information", S, 1,
			El("PS101", "Purchased Service Provider Identifier", R, AN, 1, 50),
			El("PS102", "Purchased Service Charge Amount", R, RN, 1, 18),
			NU("PS103"),
		),
		x222HCP(true),
		Loop("2410", "Drug Identification", S, 1,
			Syn(Seg("LIN", "Drug Identification", R, 1,
				NU("LIN01"),
				El("LIN02", "Product or Service ID Qualifier", R, ID, 2, 2, "EN", "EO", "HI", "N4", "ON", "UK", "UP"),
				El("LIN03", "National Drug Code or Universal Product Number", R, AN, 1, 48),
				NU("LIN04"), NU("LIN05"), NU("LIN06"), NU("LIN07"), NU("LIN08"), NU("LIN09"),
				NU("LIN10"), NU("LIN11"), NU("LIN12"), NU("LIN13"), NU("LIN14"), NU("LIN15"),
				NU("LIN16"), NU("LIN17"), NU("LIN18"), NU("LIN19"), NU("LIN20"), NU("LIN21"),
				NU("LIN22"), NU("LIN23"), NU("LIN24"), NU("LIN25"), NU("LIN26"), NU("LIN27"),
				NU("LIN28"), NU("LIN29"), NU("LIN30"), NU("LIN31"),
			), "P0405", "P0607", "P0809", "P1011", "P1213", "P1415", "P1617", "P1819",
				"P2021", "P2223", "P2425", "P2627", "P2829", "P3031"),
			Syn(Seg("CTP", "Drug Quantity", R, 1,
				NU("CTP01"), NU("CTP02"), NU("CTP03"),
				El("CTP04", "National Drug Unit Count", R, RN, 1, 15),
				Comp("CTP05", "Composite Unit of Measure", R,
					El("CTP05-1", "Unit or Basis for Measurement Code", R, ID, 2, 2, "F2", "GR", "ME", "ML", "UN"),
					NU("CTP05-2"), NU("CTP05-3"), NU("CTP05-4"), NU("CTP05-5"), NU("CTP05-6"),
					NU("CTP05-7"), NU("CTP05-8"), NU("CTP05-9"), NU("CTP05-10"), NU("CTP05-11"),
					NU("CTP05-12"), NU("CTP05-13"), NU("CTP05-14"), NU("CTP05-15"),
				),
				NU("CTP06"), NU("CTP07"), NU("CTP08"), NU("CTP09"), NU("CTP10"), NU("CTP11"),
			), "P0405", "C0607", "C0902", "C1002", "C1103"),
			x222REF("Prescription or Compound Drug Association Number", S, 1, N, "VY", "XZ"),
		),
		Loop("2420A", "Rendering Provider Name", S, 1,
			x222NM1("Rendering Provider Name", R, []string{"82"}, []string{"1", "2"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
			x222PRV("Rendering Provider Specialty Information", S, "PE"),
			x222REF("Rendering Provider Secondary Identification", S, 20, S, "0B", "1G", "G2", "LU"),
		),
		Loop("2420B", "Purchased Service Provider Name", S, 1,
			x222NM1("Purchased Service Provider Name", R, []string{"QB"}, []string{"1", "2"},
				nm1Use{n08: S, n09: S}, "XX"),
			x222REF("Purchased Service Provider Secondary Identification", S, 20, S, "0B", "1G", "G2"),
		),
		Loop("2420C", "Service Facility Location Name", S, 1,
			x222NM1("Service Facility Location Name", R, []string{"77"}, []string{"2"},
				nm1Use{n03: R, n08: S, n09: S}, "XX"),
			segN3("Service Facility Location Address", R),
			segN4("Service Facility Location City, State, ZIP Code", R),
			x222REF("Service Facility Location Secondary Identification", S, 3, S, "G2", "LU"),
		),
		Loop("2420D", "Supervising Provider Name", S, 1,
			x222NM1("Supervising Provider Name", R, []string{"DQ"}, []string{"1"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
			x222REF("Supervising Provider Secondary Identification", S, 20, S, "0B", "1G", "G2", "LU"),
		),
		Loop("2420E", "Ordering Provider Name", S, 1,
			x222NM1("Ordering Provider Name", R, []string{"DK"}, []string{"1"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
			segN3("Ordering Provider Address", S),
			segN4("Ordering Provider City, State, ZIP Code", S),
			x222REF("Ordering Provider Secondary Identification", S, 20, S, "0B", "1G", "G2"),
			x222PER("Ordering Provider Contact Information", S, 1, S, x222PERCodes, x222PERCodesEX, S),
		),
		Loop("2420F", "Referring Provider Name", S, 2,
			x222NM1("Referring Provider Name", R, []string{"DN", "P3"}, []string{"1"},
				nm1Use{n03: R, n04: S, n05: S, n07: S, n08: S, n09: S}, "XX"),
			x222REF("Referring Provider Secondary Identification", S, 20, S, "0B", "1G", "G2"),
		),
		Loop("2420G", "Ambulance Pick-up Location", S, 1,
			x222NM1("Ambulance Pick-up Location", R, []string{"PW"}, []string{"2"}, nm1Use{}),
			segN3("Ambulance Pick-up Location Address", R),
			segN4("Ambulance Pick-up Location City, State, ZIP Code", R),
		),
		Loop("2420H", "Ambulance Drop-off Location", S, 1,
			x222NM1("Ambulance Drop-off Location", R, []string{"45"}, []string{"2"}, nm1Use{n03: S}),
			segN3("Ambulance Drop-off Location Address", R),
			segN4("Ambulance Drop-off Location City, State, ZIP Code", R),
		),
		Loop("2430", "Line Adjudication Information", S, 15,
			Seg("SVD", "Line Adjudication Information", R, 1,
				El("SVD01", "Other Payer Primary Identifier", R, AN, 2, 80),
				El("SVD02", "Service Line Paid Amount", R, RN, 1, 18),
				x222SVC("SVD03", []string{"ER", "HC", "IV", "WK"}, 4, S),
				NU("SVD04"),
				El("SVD05", "Paid Service Unit Count", R, RN, 1, 15),
				El("SVD06", "Bundled or Unbundled Line Number", S, N0, 1, 6),
			),
			x222CAS(),
			x222D8("Line Check or Remittance Date", R, "573"),
			x222AMT("Remaining Patient Liability", S, "EAF"),
		),
		Loop("2440", "Form Identification Code", S, Unbounded,
			Q(Syn(Seg("LQ", "Form Identification Code", R, 1,
				El("LQ01", "Code List Qualifier Code", R, ID, 1, 3, "AS", "UT"),
				El("LQ02", "Form Identifier", R, AN, 1, 30),
			), "C0102"), 1, 0, "AS", "UT"),
			Syn(Seg("FRM", "Supporting Documentation", R, 99,
				El("FRM01", "Question Number/Letter", R, AN, 1, 20),
				El("FRM02", "Question Response", S, ID, 1, 1, "N", "W", "Y"),
				El("FRM03", "Question Response", S, AN, 1, 50),
				El("FRM04", "Question Response", S, DT, 8, 8),
				El("FRM05", "Question Response", S, RN, 1, 6),
			), "R02030405"),
		),
	)
}

func x222QTY(name, qual string) x12.Node {
	return Q(Syn(Seg("QTY", name, S, 1,
		El("QTY01", "Quantity Qualifier", R, ID, 2, 2, qual),
		El("QTY02", "Quantity", R, RN, 1, 15),
		NU("QTY03"), NU("QTY04"),
	), "R0204", "E0204"), 1, 0, qual)
}
