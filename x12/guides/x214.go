package guides

import "github.com/edigate/edigate/x12"

// 277CA entity codes allowed in STC01-3 at the claim and line levels.
var x214ClaimEntities = Codes(`03 1P 1Z 40 41 71 72 73 77 82 85 87 DK DN DQ FA GB HK IL LI MSC PR PRP
	QB QC QD SEP TL TTP TU`)

// x214BHT is the 277CA BHT: 0085 structure, 08 status purpose, TH receipt acknowledgment.
func x214BHT() x12.Node {
	return segBHT("0085", []string{"08"}, R, "TH")
}

// X214 is the 277CA Health Care Claim Acknowledgment, 005010X214: per claim, whether the
// claim was accepted into adjudication (STC01-1 A1/A2) or rejected (A3, A4, A6, A7, A8).
var X214 = &x12.Guide{
	Version:      "005010X214",
	Set:          "277",
	FunctionalID: "HN",
	Name:         "277CA Health Care Claim Acknowledgment",
	Root: Root(
		segST("277", R, "005010X214"),
		x214BHT(),
		Loop("2000A", "Information Source Level", R, Unbounded,
			segHL("Information Source Level", "20", N, R, "1"),
			Loop("2100A", "Information Source Name", R, 1,
				segNM1("Information Source Name", R, 1, []string{"PR", "AY"}, []string{"2"}, "RNNNRR",
					Codes("46 FI PI XV")...),
			),
			Loop("2200A", "Transmission Receipt Control Identifier", R, Unbounded,
				segTRN("Transmission Receipt Control Identifier", R, "1", N, N),
				segDTP("Information Source Receipt Date", R, 1, []string{"050"}, []string{"D8"}),
				segDTP("Information Source Process Date", R, 1, []string{"009"}, []string{"D8"}),
			),
			Loop("2000B", "Information Receiver Level", R, 1,
				segHL("Information Receiver Level", "21", R, R, "0", "1"),
				Loop("2100B", "Information Receiver Name", R, 1,
					segNM1("Information Receiver Name", R, 1, []string{"41"}, []string{"1", "2"}, "RSSNRR", "46"),
				),
				Loop("2200B", "Information Receiver Trace Identifier", R, 1,
					segTRN("Information Receiver Trace Identifier", R, "2", N, N),
					segSTC("Information Receiver Status Information", R, Unbounded,
						Codes("36 40 41 AY PR"), "RRRNNNNNSSN", []string{"U", "WQ"}),
					// 277CA 2200B QTY/AMT: batch totals of accepted and rejected claims.
					segQTY("Total Accepted Quantity", S, 1, "90"),
					segQTY("Total Rejected Quantity", S, 1, "AA"),
					segAMT("Total Accepted Amount", S, 1, "YU"),
					segAMT("Total Rejected Amount", S, 1, "YY"),
				),
				Loop("2000C", "Billing Provider of Service Level", R, Unbounded,
					segHL("Billing Provider of Service Level", "19", R, R, "1"),
					Loop("2100C", "Billing Provider Name", R, Unbounded,
						setEl(segNM1("Billing Provider Name", R, 1, []string{"85"}, []string{"1", "2"}, "RSSSRR",
							Codes("FI SV XX")...), El("NM106", "Name Prefix", S, AN, 1, 10)),
					),
					Loop("2200C", "Provider of Service Information Trace Identifier", S, 1,
						segTRN("Provider of Service Information Trace Identifier", R, "1", N, N),
						segSTC("Billing Provider Status Information", R, Unbounded,
							Codes("36 40 41 77 82 85 87 AY PR"), "NRRNNNNNSSN", []string{"U", "WQ"}),
						segREF("Provider Secondary Identifier", S, 1, N, Codes("0B 1G G2 LU SY TJ")...),
						segQTY("Total Accepted Quantity", S, 1, "QA"),
						segQTY("Total Rejected Quantity", S, 1, "QC"),
						segAMT("Total Accepted Amount", S, 1, "YU"),
						segAMT("Total Rejected Amount", S, 1, "YY"),
					),
					Loop("2000D", "Patient Level", R, Unbounded,
						segHL("Patient Level", "PT", R, N, "0", "1"),
						Loop("2100D", "Patient Name", R, 1,
							setEl(segNM1("Patient Name", R, 1, []string{"QC"}, []string{"1"}, "RSSSRR", "II", "MI"),
								El("NM106", "Name Prefix", S, AN, 1, 10)),
						),
						// 277CA 2200D: one per claim; TRN02 echoes the 837 CLM01.
						Loop("2200D", "Claim Status Tracking Number", S, Unbounded,
							segTRN("Claim Status Tracking Number", R, "2", N, N),
							segSTC("Claim Level Status Information", R, Unbounded, x214ClaimEntities,
								"RRRNNNNNSSS", []string{"U", "WQ"}),
							segREF("Payer Claim Control Number", S, 1, N, "1K"),
							segREF("Clearinghouse Trace Number", S, 1, N, "D9"),
							segREF("Institutional Bill Type Identification", S, 1, N, "BLT"),
							segDTP("Claim Level Service Date", R, 1, []string{"472"}, []string{"RD8", "D8"}),
							Loop("2220D", "Service Line Information", S, Unbounded,
								segSVC("Service Identification Code", NU("SVC03")),
								segSTC("Service Line Level Status Information", R, 1, x214ClaimEntities,
									"RRNNNNNNSSN", []string{"U"}),
								segREF("Service Line Item Identification", S, 1, N, "FJ"),
								segREF("Pharmacy Prescription Number", S, 1, N, "XZ"),
								segDTP("Service Line Date", S, 1, []string{"472"}, []string{"D8", "RD8"}),
							),
						),
					),
				),
			),
		),
		seTrailer(),
	),
}
