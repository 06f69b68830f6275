package guides

import "github.com/edigate/edigate/x12"

// 005010X212 276/277 Health Care Claim Status Request and Response. There is no pyx12 map
// for this guide: the tables are written from the guide and checked against the real
// 276/277 samples. The 277 here is the claim status response, not the 277CA (X214).

// x212Claim is the 2200D/2200E claim status tracking loop with its 2210/2220 service
// line loop; the request names the claim, the response adds STC status segments.
func x212Claim(level string, response bool) x12.Node {
	if !response {
		return Loop("2200"+level, "Claim Status Tracking Number", R, Unbounded,
			segTRN("Claim Status Tracking Number", R, "1", N, N),
			segREF("Payer Claim Control Number", S, 1, N, "1K"),
			segREF("Institutional Bill Type Identification", S, 1, N, "BLT"),
			segREF("Application or Location System Identifier", S, 1, N, "LU"),
			segREF("Group Number", S, 1, N, "6P"),
			segREF("Patient Control Number", S, 1, N, "EJ"),
			segREF("Pharmacy Prescription Number", S, 1, N, "XZ"),
			segREF("Claim Identification Number for Clearinghouses", S, 1, N, "D9"),
			segAMT("Claim Submitted Charges", S, 1, "T3"),
			segDTP("Claim Service Date", S, 1, []string{"472"}, Codes("D8 RD8")),
			Loop("2210"+level, "Service Line Information", S, Unbounded,
				x212SVC(false),
				segREF("Service Line Item Identification", S, 1, N, "FJ"),
				segDTP("Service Line Date", S, 1, []string{"472"}, Codes("D8 RD8")),
			),
		)
	}
	return Loop("2200"+level, "Claim Status Tracking Number", R, Unbounded,
		segTRN("Claim Status Tracking Number", R, "2", N, N),
		segSTC("Claim Level Status Information", S, Unbounded, x214ClaimEntities, "RSSSSSSSSSS", nil),
		segREF("Payer Claim Control Number", S, 1, N, "1K"),
		segREF("Institutional Bill Type Identification", S, 1, N, "BLT"),
		segREF("Patient Control Number", S, 1, N, "EJ"),
		segREF("Pharmacy Prescription Number", S, 1, N, "XZ"),
		segREF("Voucher Identifier", S, 1, N, "VV"),
		segREF("Claim Identification Number for Clearinghouses", S, 1, N, "D9"),
		segDTP("Claim Service Date", S, 1, []string{"472"}, Codes("D8 RD8")),
		Loop("2220"+level, "Service Line Information", S, Unbounded,
			x212SVC(true),
			segSTC("Service Line Status Information", R, Unbounded, x214ClaimEntities, "RSSSSSSSSSN", nil),
			segREF("Service Line Item Identification", S, 1, N, "FJ"),
			segDTP("Service Line Date", S, 1, []string{"472"}, Codes("D8 RD8")),
		),
	)
}

// x212SVC: SVC03 (paid amount) is not used in the 276 and required in the 277.
func x212SVC(response bool) x12.Node {
	paid := N
	if response {
		paid = R
	}
	return segSVC("Procedure Code", El("SVC03", "Line Item Provider Payment Amount", paid, RN, 1, 18))
}

func x212DMG(usage x12.Usage) x12.Node {
	return Syn(Seg("DMG", "Demographic Information", usage, 1,
		El("DMG01", "Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
		FormatBy(El("DMG02", "Date of Birth", R, AN, 1, 35), 1),
		El("DMG03", "Gender Code", S, ID, 1, 1, "F", "M", "U"),
		NU("DMG04"), NU("DMG05"), NU("DMG06"), NU("DMG07"), NU("DMG08"), NU("DMG09"), NU("DMG10"), NU("DMG11"),
	), "P0102")
}

// x212Tree builds the HL tree shared by the 276 and the 277: payer (20), information
// receiver (21), service provider (19), subscriber (22) and dependent (23).
func x212Tree(response bool) x12.Node {
	source := []x12.Node{
		segNM1("Payer Name", R, 1, []string{"PR"}, []string{"2"}, "RNNNRR", Codes("PI XV")...),
	}
	if response {
		source = append(source,
			segPER("Payer Contact Information", S, 1, []string{"IC"}, "SSSSSSS",
				Codes("ED EM FX TE UR"), Codes("EM EX FX TE"), []string{"EX"}))
	}
	subscriberName := segNM1("Subscriber Name", R, 1, []string{"IL"}, []string{"1", "2"}, "RSSSRR", "II", "MI")
	dependentBody := []x12.Node{segHL("Dependent Level", "23", R, N)}
	if !response {
		dependentBody = append(dependentBody, x212DMG(R))
	}
	dependent := Loop("2000E", "Dependent Level", S, Unbounded, append(dependentBody,
		Loop("2100E", "Dependent Name", R, 1,
			segNM1("Dependent Name", R, 1, []string{"QC"}, []string{"1"}, "RSSSNN"),
		),
		x212Claim("E", response),
	)...)
	subscriberBody := []x12.Node{
		segHL("Subscriber Level", "22", R, R, "0", "1"),
	}
	if !response {
		subscriberBody = append(subscriberBody, x212DMG(S))
	}
	subscriberBody = append(subscriberBody,
		Loop("2100D", "Subscriber Name", R, 1, subscriberName),
		x212ClaimOptional("D", response),
		dependent,
	)
	// A 277 may answer at the receiver or provider level only (2200B/2200C status, HL04
	// = 0), with no subscriber below.
	children, subscriberUsage := []string{"1"}, R
	if response {
		children, subscriberUsage = []string{"0", "1"}, S
	}
	return Loop("2000A", "Information Source Level", R, Unbounded,
		segHL("Information Source Level", "20", N, R, "1"),
		Loop("2100A", "Payer Name", R, 1, source...),
		Loop("2000B", "Information Receiver Level", R, Unbounded, nonNil(
			segHL("Information Receiver Level", "21", R, R, children...),
			Loop("2100B", "Information Receiver Name", R, 1,
				segNM1("Information Receiver Name", R, 1, []string{"41"}, []string{"1", "2"}, "RSSSRR", "46", "FI", "XX"),
			),
			x212LevelStatus("B", "Information Receiver Application Trace Identifier", response),
			Loop("2000C", "Service Provider Level", R, Unbounded, append([]x12.Node{
				segHL("Service Provider Level", "19", R, R, children...),
				Loop("2100C", "Provider Name", R, Unbounded,
					segNM1("Provider Name", R, 1, []string{"1P"}, []string{"1", "2"}, "RSSSRR", "FI", "SV", "XX"),
				),
			}, nonNil(
				x212LevelStatus("C", "Provider of Service Trace Identifier", response),
				Loop("2000D", "Subscriber Level", subscriberUsage, Unbounded, subscriberBody...),
			)...)...),
		)...),
	)
}

// x212LevelStatus is the 277's status of a whole receiver (2200B) or provider (2200C)
// level, used when the payer rejects the inquiry there; the 276 has none (nil node).
func x212LevelStatus(level, name string, response bool) x12.Node {
	if !response {
		return x12.Node{}
	}
	return Loop("2200"+level, name, S, 1,
		Q(Seg("TRN", name, R, 1,
			El("TRN01", "Trace Type Code", R, ID, 1, 2, "1", "2"),
			El("TRN02", "Reference Identification", R, AN, 1, 50),
			NU("TRN03"), NU("TRN04"),
		), 1, 0, "1", "2"),
		segSTC(name+" Status", R, Unbounded, x214ClaimEntities, "RSSNNNNNSSS", nil),
	)
}

// nonNil drops empty nodes (parts a guide variant does not have).
func nonNil(nodes ...x12.Node) []x12.Node {
	var out []x12.Node
	for _, n := range nodes {
		if n.Seg != nil || n.Loop != nil {
			out = append(out, n)
		}
	}
	return out
}

// x212ClaimOptional: the subscriber's claim loop is required unless the patient is a
// dependent, whose claims then sit in 2200E; so it is situational in the table.
func x212ClaimOptional(level string, response bool) x12.Node {
	n := x212Claim(level, response)
	n.Loop.Usage = S
	return n
}

// x212BHT: 0010 source/receiver/provider/subscriber/dependent structure; 13 request or
// 08 status; BHT06 DG (response) when sent.
func x212BHT(purpose string) x12.Node {
	return segBHT("0010", []string{purpose}, S, "DG")
}

// X212Request is the 276 Health Care Claim Status Request, 005010X212.
var X212Request = &x12.Guide{
	Version:      "005010X212",
	Set:          "276",
	FunctionalID: "HR",
	Name:         "276 Health Care Claim Status Request",
	Root:         Root(segST("276", R, "005010X212"), x212BHT("13"), x212Tree(false), seTrailer()),
}

// X212Response is the 277 Health Care Claim Status Response, 005010X212.
var X212Response = &x12.Guide{
	Version:      "005010X212",
	Set:          "277",
	FunctionalID: "HN",
	Name:         "277 Health Care Claim Status Response",
	Root:         Root(segST("277", R, "005010X212"), x212BHT("08"), x212Tree(true), seTrailer()),
}
