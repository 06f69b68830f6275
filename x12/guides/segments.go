package guides

import (
	"fmt"

	"github.com/edigate/edigate/x12"
)

// Segment shapes shared by the 835, 277CA, 999, 270/271 and 276/277 tables. The guides
// reuse a handful of segments (NM1, N3, N4, REF, PER, DTM, DTP, AMT, QTY, CAS) with the
// same element formats; only names, usages and code lists change from loop to loop.

// use reads a usage string like "SSRN" (one letter per element) so a segment's usages
// stay on one line, as in the guides' element tables.
func use(s string, i int) x12.Usage {
	if i >= len(s) {
		return N
	}
	switch s[i] {
	case 'R':
		return R
	case 'S':
		return S
	case 'N':
		return N
	}
	panic("guides: bad usage string " + s)
}

// segNM1 is an NM1 qualified by NM101. usages covers NM103 NM104 NM105 NM107 NM108 NM109.
func segNM1(name string, usage x12.Usage, maxUse int, entity, types []string, usages string, idQuals ...string) x12.Node {
	return Q(Syn(Seg("NM1", name, usage, maxUse,
		El("NM101", "Entity Identifier Code", R, ID, 2, 3, entity...),
		El("NM102", "Entity Type Qualifier", R, ID, 1, 1, types...),
		El("NM103", "Name Last or Organization Name", use(usages, 0), AN, 1, 60),
		El("NM104", "Name First", use(usages, 1), AN, 1, 35),
		El("NM105", "Name Middle", use(usages, 2), AN, 1, 25),
		NU("NM106"),
		El("NM107", "Name Suffix", use(usages, 3), AN, 1, 10),
		El("NM108", "Identification Code Qualifier", use(usages, 4), ID, 1, 2, idQuals...),
		El("NM109", "Identification Code", use(usages, 5), AN, 2, 80),
		NU("NM110"), NU("NM111"), NU("NM112"),
	), "P0809", "C1110", "C1203"), 1, 0, entity...)
}

// segN3 is an address line segment.
func segN3(name string, usage x12.Usage) x12.Node {
	return Seg("N3", name, usage, 1,
		El("N301", "Address Information", R, AN, 1, 55),
		El("N302", "Address Information", S, AN, 1, 55),
	)
}

// segN4 is a city/state/ZIP segment. State and country codes are external lists. N402
// state and N407 country subdivision are exclusive; N404 country is sent only for an
// address outside the United States.
func segN4(name string, usage x12.Usage) x12.Node {
	return Syn(Seg("N4", name, usage, 1,
		El("N401", "City Name", R, AN, 2, 30),
		El("N402", "State or Province Code", S, ID, 2, 2),
		El("N403", "Postal Code", S, ID, 3, 15),
		El("N404", "Country Code", S, ID, 2, 3),
		NU("N405"), NU("N406"),
		El("N407", "Country Subdivision Code", S, ID, 1, 3),
	), "E0207", "C0605", "C0704")
}

// segREF is a REF qualified by REF01; ref03 is REF03's usage (most guides do not use it).
func segREF(name string, usage x12.Usage, maxUse int, ref03 x12.Usage, quals ...string) x12.Node {
	ref := Seg("REF", name, usage, maxUse,
		El("REF01", "Reference Identification Qualifier", R, ID, 2, 3, quals...),
		El("REF02", "Reference Identification", R, AN, 1, 50),
		El("REF03", "Description", ref03, AN, 1, 80),
		NU("REF04"),
	)
	return Q(Syn(ref, "R0203"), 1, 0, quals...)
}

// segPER is a contact segment qualified by PER01. usages covers PER02..PER08; q3, q5, q7
// are the communication number qualifiers allowed in PER03, PER05, PER07.
func segPER(name string, usage x12.Usage, maxUse int, function []string, usages string, q3, q5, q7 []string) x12.Node {
	return Q(Syn(Seg("PER", name, usage, maxUse,
		El("PER01", "Contact Function Code", R, ID, 2, 2, function...),
		El("PER02", "Name", use(usages, 0), AN, 1, 60),
		El("PER03", "Communication Number Qualifier", use(usages, 1), ID, 2, 2, q3...),
		El("PER04", "Communication Number", use(usages, 2), AN, 1, 256),
		El("PER05", "Communication Number Qualifier", use(usages, 3), ID, 2, 2, q5...),
		El("PER06", "Communication Number", use(usages, 4), AN, 1, 256),
		El("PER07", "Communication Number Qualifier", use(usages, 5), ID, 2, 2, q7...),
		El("PER08", "Communication Number", use(usages, 6), AN, 1, 256),
		NU("PER09"),
	), "P0304", "P0506", "P0708"), 1, 0, function...)
}

// segDTM is a date segment (CCYYMMDD only) qualified by DTM01.
func segDTM(name string, usage x12.Usage, maxUse int, quals ...string) x12.Node {
	return Q(Syn(Seg("DTM", name, usage, maxUse,
		El("DTM01", "Date/Time Qualifier", R, ID, 3, 3, quals...),
		El("DTM02", "Date", R, DT, 8, 8),
		NU("DTM03"), NU("DTM04"), NU("DTM05"), NU("DTM06"),
	), "R020305", "C0403", "P0506"), 1, 0, quals...)
}

// segDTP is a date or date-range segment qualified by DTP01; formats are D8 and/or RD8.
func segDTP(name string, usage x12.Usage, maxUse int, quals, formats []string) x12.Node {
	return Q(Seg("DTP", name, usage, maxUse,
		El("DTP01", "Date/Time Qualifier", R, ID, 3, 3, quals...),
		El("DTP02", "Date Time Period Format Qualifier", R, ID, 2, 3, formats...),
		FormatBy(El("DTP03", "Date Time Period", R, AN, 1, 35), 2),
	), 1, 0, quals...)
}

// segAMT is a monetary amount qualified by AMT01.
func segAMT(name string, usage x12.Usage, maxUse int, quals ...string) x12.Node {
	return Q(Seg("AMT", name, usage, maxUse,
		El("AMT01", "Amount Qualifier Code", R, ID, 1, 3, quals...),
		El("AMT02", "Monetary Amount", R, RN, 1, 18),
		NU("AMT03"),
	), 1, 0, quals...)
}

// segQTY is a quantity qualified by QTY01.
func segQTY(name string, usage x12.Usage, maxUse int, quals ...string) x12.Node {
	return Q(Syn(Seg("QTY", name, usage, maxUse,
		El("QTY01", "Quantity Qualifier", R, ID, 2, 2, quals...),
		El("QTY02", "Quantity", R, RN, 1, 15),
		NU("QTY03"), NU("QTY04"),
	), "E0204", "R0204"), 1, 0, quals...)
}

// segCAS is a claim or service adjustment: a group code and up to six reason/amount/
// quantity triplets; each later triplet is list-conditional on its reason code (L050607)
// and its amount and quantity need the reason (C0605, C0705). Reason codes (CARC) are an
// external list maintained by X12, so they are not enumerated here.
func segCAS(name string, usage x12.Usage, groups []string) x12.Node {
	els := []x12.Element{
		El("CAS01", "Claim Adjustment Group Code", R, ID, 1, 2, groups...),
		El("CAS02", "Adjustment Reason Code", R, ID, 1, 5),
		El("CAS03", "Adjustment Amount", R, RN, 1, 18),
		El("CAS04", "Adjustment Quantity", S, RN, 1, 15),
	}
	var notes []string
	for i := 5; i <= 17; i += 3 {
		els = append(els,
			El(fmt.Sprintf("CAS%02d", i), "Adjustment Reason Code", S, ID, 1, 5),
			El(fmt.Sprintf("CAS%02d", i+1), "Adjustment Amount", S, RN, 1, 18),
			El(fmt.Sprintf("CAS%02d", i+2), "Adjustment Quantity", S, RN, 1, 15),
		)
		notes = append(notes,
			fmt.Sprintf("L%02d%02d%02d", i, i+1, i+2),
			fmt.Sprintf("C%02d%02d", i+1, i),
			fmt.Sprintf("C%02d%02d", i+2, i))
	}
	return Syn(Seg("CAS", name, usage, 99, els...), notes...)
}

// segHL is a hierarchical level qualified by HL03. parent is HL02's usage, child HL04's.
func segHL(name string, level string, parent, child x12.Usage, childCodes ...string) x12.Node {
	return Q(Seg("HL", name, R, 1,
		El("HL01", "Hierarchical ID Number", R, AN, 1, 12),
		El("HL02", "Hierarchical Parent ID Number", parent, AN, 1, 12),
		El("HL03", "Hierarchical Level Code", R, ID, 1, 2, level),
		El("HL04", "Hierarchical Child Code", child, ID, 1, 1, childCodes...),
	), 3, 0, level)
}

// segBHT is the BHT that opens a hierarchical transaction: structure is BHT01 (the guide's
// HL tree, e.g. 0010, 0022, 0085), purposes the BHT02 codes, BHT06 its usage and codes.
// A guide that names BHT03 otherwise (270/271) replaces it with setEl.
func segBHT(structure string, purposes []string, bht06 x12.Usage, types ...string) x12.Node {
	return Seg("BHT", "Beginning of Hierarchical Transaction", R, 1,
		El("BHT01", "Hierarchical Structure Code", R, ID, 4, 4, structure),
		El("BHT02", "Transaction Set Purpose Code", R, ID, 2, 2, purposes...),
		El("BHT03", "Originator Application Transaction Identifier", R, AN, 1, 50),
		El("BHT04", "Transaction Set Creation Date", R, DT, 8, 8),
		El("BHT05", "Transaction Set Creation Time", R, TM, 4, 8),
		El("BHT06", "Transaction Type Code", bht06, ID, 2, 2, types...),
	)
}

// segSVC is the service line of the 276/277 (X212) and the 277CA (X214): the procedure
// composite, charge, revenue code and units. procName is SVC01-2's name in the guide;
// svc03 (paid amount) is required in the 277 only, so each table passes its own.
func segSVC(procName string, svc03 x12.Element) x12.Node {
	return Seg("SVC", "Service Line Information", R, 1,
		Comp("SVC01", "Composite Medical Procedure Identifier", R,
			El("SVC01-1", "Product or Service ID Qualifier", R, ID, 2, 2, Codes("AD ER HC HP IV N4 NU WK")...),
			El("SVC01-2", procName, R, AN, 1, 48),
			El("SVC01-3", "Procedure Modifier", S, AN, 2, 2),
			El("SVC01-4", "Procedure Modifier", S, AN, 2, 2),
			El("SVC01-5", "Procedure Modifier", S, AN, 2, 2),
			El("SVC01-6", "Procedure Modifier", S, AN, 2, 2),
			NU("SVC01-7"), NU("SVC01-8"),
		),
		El("SVC02", "Line Item Charge Amount", R, RN, 1, 18),
		svc03,
		El("SVC04", "Revenue Code", S, AN, 1, 48),
		NU("SVC05"), NU("SVC06"),
		El("SVC07", "Original Units of Service Count", S, RN, 1, 15),
	)
}

// segST is the ST header; st03 is its usage (the 835 does not use it) and the guide id.
func segST(set string, st03 x12.Usage, versions ...string) x12.Node {
	st := Seg("ST", "Transaction Set Header", R, 1,
		El("ST01", "Transaction Set Identifier Code", R, ID, 3, 3, set),
		El("ST02", "Transaction Set Control Number", R, AN, 4, 9),
		El("ST03", "Implementation Convention Reference", st03, AN, 1, 35, versions...),
	)
	if st03 == N {
		st.Seg.Elements[2] = NU("ST03")
	}
	return st
}

// setEl replaces the element with e.Ref in a segment node built by a shape above, for the
// few places where a guide departs from the shape. It panics on an unknown ref because
// the tables are checked by a test that loads every guide.
func setEl(n x12.Node, e x12.Element) x12.Node {
	for i := range n.Seg.Elements {
		if n.Seg.Elements[i].Ref == e.Ref {
			n.Seg.Elements[i] = e
			return n
		}
	}
	panic("guides: no element " + e.Ref + " in " + n.Seg.ID)
}

// claimStatus is the C043 Health Care Claim Status composite (STC01, STC10, STC11):
// category code, status code, entity code, code list qualifier. Category and status
// codes are external lists maintained by X12 (codes 507 and 508).
func claimStatus(ref string, usage x12.Usage, entity []string, listQual x12.Usage) x12.Element {
	c := Comp(ref, "Health Care Claim Status", usage,
		El(ref+"-1", "Health Care Claim Status Category Code", R, AN, 1, 30),
		El(ref+"-2", "Status Code", R, AN, 1, 30),
		El(ref+"-3", "Entity Identifier Code", S, ID, 2, 3, entity...),
		El(ref+"-4", "Code List Qualifier Code", listQual, ID, 1, 3, "RX"),
	)
	if listQual == N {
		c.Components[3] = NU(ref + "-4")
	}
	return c
}

// segSTC is a status segment. usages covers STC02..STC12 (11 letters); entity is the
// STC01-3 code list, actions the STC03 list.
func segSTC(name string, usage x12.Usage, maxUse int, entity []string, usages string, actions []string) x12.Node {
	return Seg("STC", name, usage, maxUse,
		claimStatus("STC01", R, entity, N),
		El("STC02", "Status Information Effective Date", use(usages, 0), DT, 8, 8),
		El("STC03", "Action Code", use(usages, 1), ID, 1, 2, actions...),
		El("STC04", "Monetary Amount", use(usages, 2), RN, 1, 18),
		El("STC05", "Monetary Amount", use(usages, 3), RN, 1, 18),
		El("STC06", "Date", use(usages, 4), DT, 8, 8),
		El("STC07", "Payment Method Code", use(usages, 5), ID, 3, 3, Codes("ACH BOP CHK FWT NON")...),
		El("STC08", "Date", use(usages, 6), DT, 8, 8),
		El("STC09", "Check Number", use(usages, 7), AN, 1, 16),
		claimStatus("STC10", use(usages, 8), entity, N),
		claimStatus("STC11", use(usages, 9), entity, N),
		El("STC12", "Free-form Message Text", use(usages, 10), AN, 1, 264),
	)
}

// segTRN is a trace segment; TRN03/TRN04 usages vary by guide.
func segTRN(name string, usage x12.Usage, typ string, trn03, trn04 x12.Usage) x12.Node {
	return Q(Seg("TRN", name, usage, 1,
		El("TRN01", "Trace Type Code", R, ID, 1, 2, typ),
		El("TRN02", "Reference Identification", R, AN, 1, 50),
		El("TRN03", "Originating Company Identifier", trn03, AN, 10, 10),
		El("TRN04", "Reference Identification", trn04, AN, 1, 50),
	), 1, 0, typ)
}
