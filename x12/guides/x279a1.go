package guides

import (
	"fmt"

	"github.com/edigate/edigate/x12"
)

// 005010X279A1 code lists. There is no pyx12 map for this guide: the tables below are
// written from the guide and checked against the real 270/271 samples instead.
var (
	x279SourceEntities   = Codes("2B 36 GP P5 PR")
	x279SourceIDQuals    = Codes("24 46 FI NI PI XV XX")
	x279ReceiverEntities = Codes("1P 2B 36 80 FA GP P5 PR")
	x279ReceiverIDQuals  = Codes("24 34 FI PI PP SV XV XX")
	x279ReceiverREF      = Codes("0B 1C 1D 1J 4A CT EL EO HPI JD N5 N7 Q4 SY TJ")
	x279MemberREF        = Codes("18 1L 1W 3H 49 6P 9F CE CT EA EJ F6 GH HJ IF IG N6 NQ Q4 SY Y4")
	x279PRVCodes         = Codes("AD AT BI CO CV H HH LA OT P1 P2 PC PE R RF SB SK SU")
	// EB01 eligibility or benefit information: 1 active, 6 inactive, A coinsurance,
	// B copayment, C deductible, F limitations, G out of pocket, I non-covered, CB
	// coverage basis, MC managed care coordinator...
	x279EB01 = Codes("1 2 3 4 5 6 7 8 A B C CB D E F G H I J K L M MC N O P Q R S T U V W X Y")
	x279EB02 = Codes("CHD DEP ECH EMP ESP FAM IND SPC SPO TWO")
	// EB06/HSD05 time period qualifiers: 23 calendar year, 29 remaining, 27 visit...
	x279TimePeriod = Codes("6 7 13 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36")
	x279EB09       = Codes("8H 99 CA CE D3 DB DY HS LA LE M2 MN P6 QA S7 S8 VS YY")
	x279ProcQuals  = Codes("AD CJ HC ID IV N4 ZZ")
	// AAA04 follow-up: C correct and resubmit, N do not resubmit, R resubmission
	// allowed, S do not resubmit (inquiry initiated to a third party), W/X wait, Y do not
	// resubmit (we will hold and respond).
	x279FollowUp = Codes("C N R S W X Y")
)

// x279AAA is the request validation segment of a 271 level; reasons are AAA03 codes the
// guide allows at that level.
func x279AAA(name string, reasons string) x12.Node {
	return Seg("AAA", name, S, 9,
		El("AAA01", "Valid Request Indicator", R, ID, 1, 1, "N", "Y"),
		NU("AAA02"),
		El("AAA03", "Reject Reason Code", R, ID, 2, 2, Codes(reasons)...),
		El("AAA04", "Follow-up Action Code", R, ID, 1, 1, x279FollowUp...),
	)
}

// x279BHT: 0022 structure; the 270/271 names BHT03 the submitter's identifier and makes
// it situational.
func x279BHT(purposes ...string) x12.Node {
	return setEl(segBHT("0022", purposes, S, "RT"), El("BHT03", "Submitter Transaction Identifier", S, AN, 1, 50))
}

func x279PRV(name string) x12.Node {
	return Seg("PRV", name, S, 1,
		El("PRV01", "Provider Code", R, ID, 1, 3, x279PRVCodes...),
		El("PRV02", "Reference Identification Qualifier", R, ID, 2, 3, "PXC"),
		El("PRV03", "Provider Identifier", R, AN, 1, 50),
		NU("PRV04"), NU("PRV05"), NU("PRV06"),
	)
}

func x279DMG(name string) x12.Node {
	els := []x12.Element{
		El("DMG01", "Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
		FormatBy(El("DMG02", "Date of Birth", R, AN, 1, 35), 1),
		El("DMG03", "Gender Code", S, ID, 1, 1, "F", "M", "U"),
	}
	for i := 4; i <= 11; i++ {
		els = append(els, NU(fmt.Sprintf("DMG%02d", i)))
	}
	return Syn(Seg("DMG", name, S, 1, els...), "P0102")
}

// x279INS: 2100C/2100D INS. INS01 is Y for the subscriber, N for a dependent.
func x279INS(name string, ins01 string, relationships []string, response bool) x12.Node {
	els := []x12.Element{
		El("INS01", "Yes/No Condition or Response Code", R, ID, 1, 1, ins01),
		El("INS02", "Individual Relationship Code", R, ID, 2, 2, relationships...),
	}
	if response {
		els = append(els,
			El("INS03", "Maintenance Type Code", S, ID, 3, 3, "001"),
			El("INS04", "Maintenance Reason Code", S, ID, 2, 3, "25"),
		)
	} else {
		els = append(els, NU("INS03"), NU("INS04"))
	}
	for i := 5; i <= 16; i++ {
		els = append(els, NU(fmt.Sprintf("INS%02d", i)))
	}
	els = append(els, El("INS17", "Birth Sequence Number", S, N0, 1, 9))
	return Seg("INS", name, S, 1, els...)
}

// x279HI: up to eight diagnosis codes, the first principal (ABK ICD-10, BK ICD-9).
func x279HI(name string) x12.Node {
	var els []x12.Element
	for i := 1; i <= 8; i++ {
		ref := fmt.Sprintf("HI%02d", i)
		u, quals := S, Codes("ABF BF")
		if i == 1 {
			u, quals = R, Codes("ABK BK")
		}
		els = append(els, Comp(ref, "Health Care Code Information", u,
			El(ref+"-1", "Diagnosis Type Code", R, ID, 1, 3, quals...),
			El(ref+"-2", "Diagnosis Code", R, AN, 1, 30),
			NU(ref+"-3"), NU(ref+"-4"), NU(ref+"-5"), NU(ref+"-6"), NU(ref+"-7"), NU(ref+"-8"), NU(ref+"-9"),
		))
	}
	for i := 9; i <= 12; i++ {
		els = append(els, NU(fmt.Sprintf("HI%02d", i)))
	}
	return Seg("HI", name, S, 1, els...)
}

// x279Proc is the C003 medical procedure composite of EQ02 and EB13.
func x279Proc(ref string) x12.Element {
	return Comp(ref, "Composite Medical Procedure Identifier", S,
		El(ref+"-1", "Product or Service ID Qualifier", R, ID, 2, 2, x279ProcQuals...),
		El(ref+"-2", "Procedure Code", R, AN, 1, 48),
		El(ref+"-3", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-4", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-5", "Procedure Modifier", S, AN, 2, 2),
		El(ref+"-6", "Procedure Modifier", S, AN, 2, 2),
		NU(ref+"-7"),
		El(ref+"-8", "Product/Service ID", S, AN, 1, 48),
	)
}

// x279Pointer is the C004 diagnosis code pointer composite of EQ05 and EB14.
func x279Pointer(ref string) x12.Element {
	return Comp(ref, "Composite Diagnosis Code Pointer", S,
		El(ref+"-1", "Diagnosis Code Pointer", R, N0, 1, 2),
		El(ref+"-2", "Diagnosis Code Pointer", S, N0, 1, 2),
		El(ref+"-3", "Diagnosis Code Pointer", S, N0, 1, 2),
		El(ref+"-4", "Diagnosis Code Pointer", S, N0, 1, 2),
	)
}

// x279Source is 2000A with its 2100A name; the 271 adds AAA and PER.
func x279Source(response bool) x12.Node {
	name := []x12.Node{
		segNM1("Information Source Name", R, 1, x279SourceEntities, []string{"1", "2"}, "RSSSRR", x279SourceIDQuals...),
	}
	if response {
		name = append(name,
			segPER("Information Source Contact Information", S, 3, []string{"IC"}, "SSSSSSS",
				Codes("ED EM FX TE UR"), Codes("ED EM EX FX TE UR"), Codes("ED EM EX FX TE UR")),
			x279AAA("Request Validation", "04 41 42 79 80 T4"),
		)
	}
	// 271 HL04 may be 0: a request rejected by an AAA at 2100A or 2100B has no
	// subscriber level below it.
	children := []string{"1"}
	if response {
		children = []string{"0", "1"}
	}
	return Loop("2000A", "Information Source Level", R, Unbounded,
		segHL("Information Source Level", "20", N, R, children...),
		Loop("2100A", "Information Source Name", R, 1, name...),
		x279Receiver(response),
	)
}

func x279Receiver(response bool) x12.Node {
	name := []x12.Node{
		segNM1("Information Receiver Name", R, 1, x279ReceiverEntities, []string{"1", "2"}, "RSSSRR", x279ReceiverIDQuals...),
		segREF("Information Receiver Additional Identification", S, 9, S, x279ReceiverREF...),
	}
	if response {
		name = append(name,
			x279AAA("Information Receiver Request Validation", "15 41 43 44 45 46 47 48 50 51 79 97 T4"),
			x279PRV("Information Receiver Provider Information"),
		)
	} else {
		name = append(name,
			segN3("Information Receiver Address", S),
			segN4("Information Receiver City, State, ZIP Code", S),
			x279PRV("Information Receiver Provider Information"),
		)
	}
	children, usage := []string{"1"}, R
	if response {
		// absent in a 271 whose request an AAA at 2100A rejected
		children, usage = []string{"0", "1"}, S
	}
	return Loop("2000B", "Information Receiver Level", usage, Unbounded,
		segHL("Information Receiver Level", "21", R, R, children...),
		Loop("2100B", "Information Receiver Name", R, 1, name...),
		x279Member("C", response),
	)
}

// x279Member builds 2000C (subscriber, level "C") or 2000D (dependent, level "D").
func x279Member(level string, response bool) x12.Node {
	sub := level == "C"
	hl, entity, who := "22", "IL", "Subscriber"
	nm1 := segNM1(who+" Name", R, 1, []string{entity}, []string{"1"}, "SSSSSS", "II", "MI")
	ins := x279INS(who+" Relationship", "Y", []string{"18"}, response)
	if !sub {
		hl, entity, who = "23", "03", "Dependent"
		nm1 = segNM1(who+" Name", R, 1, []string{entity}, []string{"1"}, "SSSSNN")
		ins = x279INS(who+" Relationship", "N", Codes("01 19 20 21 39 40 53 G8"), response)
	}
	trnMax := 2
	if response {
		trnMax = 3
	}
	name := []x12.Node{
		nm1,
		segREF(who+" Additional Identification", S, 9, S, x279MemberREF...),
		segN3(who+" Address", S),
		segN4(who+" City, State, ZIP Code", S),
	}
	if response {
		name = append(name, x279AAA(who+" Request Validation",
			"15 33 35 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 64 65 66 67 68 71 72 73 74 75 76 78"))
	}
	name = append(name,
		x279PRV("Provider Information"),
		x279DMG(who+" Demographic Information"),
		ins,
		x279HI(who+" Health Care Diagnosis Code"),
	)
	if response {
		name = append(name,
			segDTP(who+" Date", S, 9, Codes("102 152 291 307 318 340 341 342 343 346 347 356 357 382 435 442 458 539 540 636 771"),
				Codes("D8 RD8")),
			Syn(Seg("MPI", "Military Personnel Information", S, 1,
				El("MPI01", "Information Status Code", R, ID, 1, 1, Codes("A C L O P S T")...),
				El("MPI02", "Employment Status Code", R, ID, 2, 2, Codes("AE AO AS AT AU CC DD HD IR LX PE RE RM RR RU")...),
				El("MPI03", "Government Service Affiliation Code", R, ID, 1, 1, Codes("A B C D E F G H I J K L M N O Q R S U W")...),
				El("MPI04", "Description", S, AN, 1, 80),
				El("MPI05", "Military Service Rank Code", S, ID, 2, 2),
				El("MPI06", "Date Time Period Format Qualifier", S, ID, 2, 3, "D8", "RD8"),
				FormatBy(El("MPI07", "Date Time Period", S, AN, 1, 35), 6),
			), "P0607"),
			x279Benefit(level),
		)
	} else {
		name = append(name,
			segDTP(who+" Date", S, 2, []string{"291", "307", "435", "472"}, Codes("D8 RD8")),
			x279Inquiry(level),
		)
	}
	body := []x12.Node{
		segHL(who+" Level", hl, R, R, "0", "1"),
		Q(Seg("TRN", who+" Trace Number", S, trnMax,
			El("TRN01", "Trace Type Code", R, ID, 1, 2, "1", "2"),
			El("TRN02", "Reference Identification", R, AN, 1, 50),
			El("TRN03", "Originating Company Identifier", R, AN, 10, 10),
			El("TRN04", "Reference Identification", S, AN, 1, 50),
		), 1, 0, "1", "2"),
		Loop("2100"+level, who+" Name", R, 1, name...),
	}
	if sub {
		body = append(body, x279Member("D", response))
		usage := R
		if response {
			usage = S // absent when an AAA at 2100A/2100B rejected the request
		}
		return Loop("2000C", "Subscriber Level", usage, Unbounded, body...)
	}
	body[0] = segHL(who+" Level", hl, R, R, "0")
	return Loop("2000D", "Dependent Level", S, Unbounded, body...)
}

// x279Inquiry is the 270 2110C/2110D EQ loop: what the provider asks about. EQ01 service
// types for behavioral health: 30 generic, MH, A4, A6, A7, A8, AI, CE-CJ.
func x279Inquiry(level string) x12.Node {
	return Loop("2110"+level, "Eligibility or Benefit Inquiry", S, 99,
		Syn(Seg("EQ", "Eligibility or Benefit Inquiry", R, 1,
			Rep(El("EQ01", "Service Type Code", S, ID, 1, 2), 99),
			x279Proc("EQ02"),
			El("EQ03", "Coverage Level Code", S, ID, 3, 3, "FAM", "IND"),
			NU("EQ04"),
			x279Pointer("EQ05"),
		), "R0102"),
		segAMT("Spend Down Amount", S, 1, "R"),
		segAMT("Spend Down Total Billed Amount", S, 1, "PB"),
		Syn(Seg("III", "Eligibility or Benefit Additional Inquiry Information", S, 10,
			El("III01", "Code List Qualifier Code", S, ID, 1, 3, "ZZ"),
			El("III02", "Industry Code", S, AN, 1, 30),
			NU("III03"), NU("III04"), NU("III05"), NU("III06"), NU("III07"), NU("III08"), NU("III09"),
		), "P0102"),
		segREF("Eligibility or Benefit Additional Information", S, 1, N, "9F", "G1"),
		segDTP("Eligibility or Benefit Date", S, 1, []string{"291", "472"}, Codes("D8 RD8")),
	)
}

// x279Benefit is the 271 2110C/2110D EB loop, with its 2115 and 2120 (LS/LE) loops. The
// 2120 loop names a benefit-related entity, e.g. a behavioral-health carve-out payer.
func x279Benefit(level string) x12.Node {
	return Loop("2110"+level, "Eligibility or Benefit Information", S, Unbounded,
		Syn(Seg("EB", "Eligibility or Benefit Information", R, 1,
			El("EB01", "Eligibility or Benefit Information Code", R, ID, 1, 2, x279EB01...),
			El("EB02", "Coverage Level Code", S, ID, 3, 3, x279EB02...),
			Rep(El("EB03", "Service Type Code", S, ID, 1, 2), 99),
			El("EB04", "Insurance Type Code", S, ID, 1, 3),
			El("EB05", "Plan Coverage Description", S, AN, 1, 50),
			El("EB06", "Time Period Qualifier", S, ID, 1, 2, x279TimePeriod...),
			El("EB07", "Monetary Amount", S, RN, 1, 18),
			El("EB08", "Percentage as Decimal", S, RN, 1, 10),
			El("EB09", "Quantity Qualifier", S, ID, 2, 2, x279EB09...),
			El("EB10", "Quantity", S, RN, 1, 15),
			El("EB11", "Authorization or Certification Indicator", S, ID, 1, 1, "N", "U", "Y"),
			El("EB12", "In Plan Network Indicator", S, ID, 1, 1, "N", "U", "W", "Y"),
			x279Proc("EB13"),
			x279Pointer("EB14"),
		), "P0910"),
		Syn(Seg("HSD", "Health Care Services Delivery", S, 9,
			El("HSD01", "Quantity Qualifier", S, ID, 2, 2, Codes("DY FL HS MN VS")...),
			El("HSD02", "Benefit Quantity", S, RN, 1, 15),
			El("HSD03", "Unit or Basis for Measurement Code", S, ID, 2, 2, Codes("DA MO VS WK YR")...),
			El("HSD04", "Sample Selection Modulus", S, RN, 1, 6),
			El("HSD05", "Time Period Qualifier", S, ID, 1, 2, x279TimePeriod...),
			El("HSD06", "Period Count", S, N0, 1, 3),
			El("HSD07", "Delivery Frequency Code", S, ID, 1, 2),
			El("HSD08", "Delivery Pattern Time Code", S, ID, 1, 1),
		), "P0102", "C0605"),
		segREF("Additional Identification", S, 9, S, Codes("18 1L 1W 49 6P 9F ALS CLI F8 FO G1 IG N6 NQ Y4")...),
		segDTP("Eligibility/Benefit Date", S, 20,
			Codes("096 193 194 198 290 291 292 295 304 307 318 346 348 349 356 357 435 472 636 771"), Codes("D8 RD8")),
		x279AAA("Request Validation", "15 33 52 53 54 55 56 57 60 61 62 63 69 70 98 AA AE AF AG AO CI E8 IA MA"),
		Seg("MSG", "Message Text", S, 10,
			El("MSG01", "Free-Form Message Text", R, AN, 1, 264),
			NU("MSG02"), NU("MSG03"),
		),
		Loop("2115"+level, "Eligibility or Benefit Additional Information", S, 10,
			Seg("III", "Eligibility or Benefit Additional Information", R, 1,
				El("III01", "Code List Qualifier Code", S, ID, 1, 3, "GR", "NI", "ZZ"),
				El("III02", "Industry Code", S, AN, 1, 30),
				El("III03", "Code Category", S, ID, 2, 2, "44"),
				El("III04", "Injured Body Part Name", S, AN, 1, 264),
				NU("III05"), NU("III06"), NU("III07"), NU("III08"), NU("III09"),
			),
		),
		Seg("LS", "Loop Header", S, 1, El("LS01", "Loop Identifier Code", R, AN, 1, 4, "2120")),
		Loop("2120"+level, "Benefit Related Entity Name", S, 23,
			segNM1("Benefit Related Entity Name", R, 1,
				Codes("13 1I 1P 2B 36 73 FA GP GW I3 IL LR OC P3 P4 P5 PR PRP SEP TTP VER VN VY X3 Y2"),
				[]string{"1", "2"}, "SSSSSS", Codes("24 34 46 FA FI II MI NI PI PP SV XV XX")...),
			segN3("Benefit Related Entity Address", S),
			segN4("Benefit Related Entity City, State, ZIP Code", S),
			segPER("Benefit Related Entity Contact Information", S, 3, []string{"IC"}, "SSSSSSS",
				Codes("ED EM FX TE UR"), Codes("ED EM EX FX TE UR"), Codes("ED EM EX FX TE UR")),
			x279PRV("Benefit Related Provider Information"),
		),
		Seg("LE", "Loop Trailer", S, 1, El("LE01", "Loop Identifier Code", R, AN, 1, 4, "2120")),
	)
}

// X279A1Request is the 270 Health Care Eligibility Benefit Inquiry, 005010X279A1.
var X279A1Request = &x12.Guide{
	Version:      "005010X279A1",
	Set:          "270",
	FunctionalID: "HS",
	Name:         "270 Health Care Eligibility Benefit Inquiry",
	Root: Root(
		segST("270", R, "005010X279A1"),
		x279BHT("01", "13"),
		x279Source(false),
		seTrailer(),
	),
}

// X279A1Response is the 271 Health Care Eligibility Benefit Response, 005010X279A1.
var X279A1Response = &x12.Guide{
	Version:      "005010X279A1",
	Set:          "271",
	FunctionalID: "HB",
	Name:         "271 Health Care Eligibility Benefit Response",
	Root: Root(
		segST("271", R, "005010X279A1"),
		x279BHT("06", "11"),
		x279Source(true),
		seTrailer(),
	),
}
