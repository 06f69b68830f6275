package guides

import "github.com/edigate/edigate/x12"

// 999 segment-level (IK304) and element-level (IK403) codes of 005010X231A1.
var (
	ik304Codes = Codes("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9")
	ik403Codes = Codes("1 2 3 4 5 6 7 8 9 10 11 12 13 I10 I11 I12 I13 I6 I9")
	ik5Codes   = Codes("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6")
	ak9Codes   = Codes("1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26")
)

// ctxPosition is the C030 composite naming an element position (CTX05, IK401).
func ctxPosition(ref string, usage x12.Usage) x12.Element {
	return Comp(ref, "Position in Segment", usage,
		El(ref+"-1", "Element Position in Segment", R, N0, 1, 2),
		El(ref+"-2", "Component Data Element Position in Composite", S, N0, 1, 2),
		El(ref+"-3", "Repeating Data Element Position", S, N0, 1, 4),
	)
}

// ctxSituational is the CTX that names the segment whose presence triggered a situational
// rule (2100 Segment Context, 2110 Element Context): CTX01-1 is "SITUATIONAL TRIGGER".
func ctxSituational(name string, maxUse int) x12.Node {
	return Q(Seg("CTX", name, S, maxUse,
		// CTX01 is a repeating composite (C998, up to 10) in 00501.
		Rep(Comp("CTX01", "Context Identification", R,
			El("CTX01-1", "Context Name", R, AN, 1, 35, "SITUATIONAL TRIGGER"),
			NU("CTX01-2"),
		), 10),
		El("CTX02", "Segment ID Code", R, ID, 2, 3),
		El("CTX03", "Segment Position in Transaction Set", R, N0, 1, 10),
		El("CTX04", "Loop Identifier Code", S, AN, 1, 4),
		ctxPosition("CTX05", S),
		Comp("CTX06", "Reference in Segment", S,
			El("CTX06-1", "Data Element Reference Number", R, N0, 1, 4),
			NU("CTX06-2"),
		),
	), 1, 1, "SITUATIONAL TRIGGER")
}

// X231A1 is the 999 Implementation Acknowledgment for Health Care Insurance, 005010X231A1.
var X231A1 = &x12.Guide{
	Version:      "005010X231A1",
	Set:          "999",
	FunctionalID: "FA",
	Name:         "999 Implementation Acknowledgment",
	Root: Root(
		Seg("ST", "Transaction Set Header", R, 1,
			El("ST01", "Transaction Set Identifier Code", R, ID, 3, 3, "999"),
			El("ST02", "Transaction Set Control Number", R, AN, 4, 9),
			El("ST03", "Implementation Convention Reference", R, AN, 1, 35, "005010X231A1", "005010X231"),
		),
		Seg("AK1", "Functional Group Response Header", R, 1,
			El("AK101", "Functional Identifier Code", R, ID, 2, 2, Codes("BE HB HC HI HN HP HR HS RA")...),
			El("AK102", "Group Control Number", R, N0, 1, 9),
			El("AK103", "Version / Release / Industry Identifier Code", R, AN, 1, 12),
		),
		Loop("2000", "Transaction Set Response Header", S, Unbounded,
			Seg("AK2", "Transaction Set Response Header", R, 1,
				El("AK201", "Transaction Set Identifier Code", R, ID, 3, 3, Codes("270 271 276 277 278 820 834 835 837")...),
				El("AK202", "Transaction Set Control Number", R, AN, 4, 9),
				El("AK203", "Implementation Convention Reference", S, AN, 1, 35),
			),
			Loop("2100", "Error Identification", S, Unbounded,
				Seg("IK3", "Error Identification", R, 1,
					El("IK301", "Segment ID Code", R, ID, 2, 3),
					El("IK302", "Segment Position in Transaction Set", R, N0, 1, 10),
					El("IK303", "Loop Identifier Code", S, AN, 1, 4),
					El("IK304", "Implementation Segment Syntax Error Code", R, ID, 1, 3, ik304Codes...),
				),
				ctxSituational("Segment Context", 9),
				Note(Seg("CTX", "Business Unit Identifier", S, 1,
					Rep(Comp("CTX01", "Context Identification", R,
						El("CTX01-1", "Context Name", R, AN, 1, 35,
							"CLM01", "ENT01", "NM109", "REF02", "TRN02"),
						El("CTX01-2", "Context Reference", R, AN, 1, 35),
					), 10),
					NU("CTX02"), NU("CTX03"), NU("CTX04"),
					ctxPosition("CTX05", S),
					NU("CTX06"),
				), "999 2100 CTX: identifies the business unit (e.g. the claim's CLM01) in error; only for 837 and 835 and the other claim sets"),
				Loop("2110", "Implementation Data Element Note", S, Unbounded,
					Seg("IK4", "Implementation Data Element Note", S, 1,
						ctxPosition("IK401", R),
						El("IK402", "Data Element Reference Number", S, N0, 1, 4),
						El("IK403", "Implementation Data Element Syntax Error Code", R, ID, 1, 3, ik403Codes...),
						El("IK404", "Copy of Bad Data Element", S, AN, 1, 99),
					),
					ctxSituational("Element Context", 10),
				),
			),
			Seg("IK5", "Transaction Set Response Trailer", R, 1,
				El("IK501", "Transaction Set Acknowledgment Code", R, ID, 1, 1, "A", "E", "M", "R", "W", "X"),
				El("IK502", "Implementation Transaction Set Syntax Error Code", S, ID, 1, 3, ik5Codes...),
				El("IK503", "Implementation Transaction Set Syntax Error Code", S, ID, 1, 3, ik5Codes...),
				El("IK504", "Implementation Transaction Set Syntax Error Code", S, ID, 1, 3, ik5Codes...),
				El("IK505", "Implementation Transaction Set Syntax Error Code", S, ID, 1, 3, ik5Codes...),
				El("IK506", "Implementation Transaction Set Syntax Error Code", S, ID, 1, 3, ik5Codes...),
			),
		),
		Seg("AK9", "Functional Group Response Trailer", R, 1,
			El("AK901", "Functional Group Acknowledge Code", R, ID, 1, 1, "A", "E", "M", "P", "R", "W", "X"),
			El("AK902", "Number of Transaction Sets Included", R, N0, 1, 6),
			El("AK903", "Number of Received Transaction Sets", R, N0, 1, 6),
			El("AK904", "Number of Accepted Transaction Sets", R, N0, 1, 6),
			El("AK905", "Functional Group Syntax Error Code", S, ID, 1, 3, ak9Codes...),
			El("AK906", "Functional Group Syntax Error Code", S, ID, 1, 3, ak9Codes...),
			El("AK907", "Functional Group Syntax Error Code", S, ID, 1, 3, ak9Codes...),
			El("AK908", "Functional Group Syntax Error Code", S, ID, 1, 3, ak9Codes...),
			El("AK909", "Functional Group Syntax Error Code", S, ID, 1, 3, ak9Codes...),
		),
		seTrailer(),
	),
}

// seTrailer is the SE every guide ends with.
func seTrailer() x12.Node {
	return Seg("SE", "Transaction Set Trailer", R, 1,
		El("SE01", "Number of Included Segments", R, N0, 1, 10),
		El("SE02", "Transaction Set Control Number", R, AN, 4, 9),
	)
}
