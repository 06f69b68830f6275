package guides

import (
	"strconv"
	"strings"
)

// X12 data element reference numbers (the 005010 data element dictionary), which a 999
// reports in IK402. In X12 the data element at a segment position is fixed by the
// segment's definition in the standard, not by the implementation guide: DTP03 is data
// element 1251 in every guide, NM109 is 67. So the numbers are kept here once, by segment
// position, and El and NU fill Element.DataElement from the ref; a guide table needs no
// number of its own. Written from the X12 dictionary, checked by tests against independent
// sources: the pyx12 maps of the 837P, 835, 277CA and 999 (maps_test.go: every number the
// map has must agree, and a segment listed here must be listed whole) and, for every guide,
// the type and length dataele.xml gives each number (dataele_test.go).
//
// Each entry lists a segment's elements in order; 0 marks a composite (its C-number is not
// numeric, so IK402 cannot carry it). Composites list their components under the ref of
// the composite's position (CLM05: C023). Not listed, so without IK402: the 835's MIA, TS2
// and TS3, whose long element lists the maps alone would have supplied.
var segmentElements = map[string][]int{
	"AAA": {1073, 559, 901, 889},
	"AK1": {479, 28, 480},
	"AK2": {143, 329, 1705},
	"AK9": {715, 97, 123, 2, 716, 716, 716, 716, 716},
	"AMT": {522, 782, 478},
	"BHT": {1005, 353, 127, 373, 337, 640},
	"BPR": {305, 782, 478, 591, 812, 506, 507, 569, 508, 509, 510, 506, 507, 569, 508, 373, 1048, 506, 507, 569, 508},
	"CAS": {1033, 1034, 782, 380, 1034, 782, 380, 1034, 782, 380, 1034, 782, 380, 1034, 782, 380, 1034, 782, 380},
	"CLM": {1028, 782, 1032, 1343, 0, 1073, 1359, 1073, 1363, 1351, 0, 1366, 1073, 1338, 1073, 1360, 1029, 1073, 1383, 1514},
	"CLP": {1028, 1029, 782, 782, 782, 1032, 127, 1331, 1325, 1352, 1354, 380, 954, 1073},
	"CN1": {1166, 782, 332, 127, 338, 799},
	"CR1": {355, 81, 1316, 1317, 355, 380, 166, 166, 352, 352},
	"CR2": {609, 380, 1367, 1367, 355, 380, 380, 1342, 1073, 352, 352, 1073},
	"CR3": {1322, 355, 380, 1335, 352},
	"CRC": {1136, 1073, 1321, 1321, 1321, 1321, 1321},
	"CTX": {0, 721, 719, 447, 0, 0},
	"CTP": {687, 236, 212, 380, 0, 648, 649, 782, 639, 499, 289},
	"CUR": {98, 100, 280, 98, 100, 669, 374, 373, 337, 374, 373, 337, 374, 373, 337, 374, 373, 337, 374, 373, 337},
	"DMG": {1250, 1251, 1068, 1067, 0, 1066, 26, 659, 380, 1270, 1271},
	"DTM": {374, 373, 337, 623, 1250, 1251},
	"DTP": {374, 1250, 1251},
	"EB":  {1390, 1207, 1365, 1336, 1204, 615, 782, 954, 673, 380, 1073, 1073, 0, 0},
	"EQ":  {1365, 0, 1207, 1336, 0},
	"FRM": {350, 1073, 127, 373, 332},
	"HCP": {1473, 782, 782, 127, 118, 127, 782, 234, 235, 234, 355, 380, 901, 1526, 1527},
	"HI":  {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	"HL":  {628, 734, 735, 736},
	"HSD": {673, 380, 355, 1167, 615, 616, 678, 679},
	"III": {1270, 1271, 1136, 933, 380, 0, 752, 752, 752},
	"IK3": {721, 719, 447, 620},
	"IK4": {0, 725, 621, 724},
	"IK5": {717, 618, 618, 618, 618, 618},
	"INS": {1073, 1069, 875, 1203, 1216, 0, 1219, 584, 1220, 1073, 1250, 1251, 1165, 19, 156, 26, 1470},
	"K3":  {449, 1333, 0},
	"LE":  {447},
	"LIN": linElements(),
	"LQ":  {1270, 1271},
	"LS":  {447},
	"LX":  {554},
	"MEA": {737, 738, 739, 0, 740, 741, 935, 936, 752, 1373, 1270, 1271},
	"MOA": {954, 782, 127, 127, 127, 127, 127, 782, 782},
	"MPI": {1201, 584, 1595, 352, 1596, 1250, 1251},
	"MSG": {933, 934, 1470},
	"N1":  {98, 93, 66, 67, 706, 98},
	"N3":  {166, 166},
	"N4":  {19, 156, 116, 26, 309, 310, 1715},
	"NM1": {98, 1065, 1035, 1036, 1037, 1038, 1039, 66, 67, 706, 98, 1035},
	"NTE": {363, 352},
	"OI":  {1032, 1383, 1073, 1351, 1360, 1363},
	"PAT": {1069, 1384, 584, 1220, 1250, 1251, 355, 81, 1073},
	"PER": {366, 93, 365, 364, 365, 364, 365, 364, 443},
	"PLB": {127, 373, 0, 782, 0, 782, 0, 782, 0, 782, 0, 782, 0, 782},
	"PRV": {1221, 128, 127, 156, 0, 1223},
	"PS1": {127, 782, 156},
	"PWK": {755, 756, 757, 98, 66, 67, 352, 0, 1525},
	"QTY": {673, 380, 0, 61},
	"RDM": {756, 93, 364, 0, 0},
	"REF": {128, 127, 352, 0},
	"SBR": {1138, 1069, 127, 93, 1336, 1143, 1073, 584, 1032},
	"SE":  {96, 329},
	"ST":  {143, 329, 1705},
	"STC": {0, 373, 306, 782, 782, 373, 591, 373, 429, 0, 0, 933},
	"SV1": {0, 782, 355, 380, 1331, 1365, 0, 782, 1073, 1340, 1073, 1073, 1364, 1341, 1327, 1334, 127, 116, 782, 1337, 1360},
	"SV5": {0, 355, 380, 782, 782, 594, 923},
	"SVC": {0, 782, 782, 234, 380, 0, 380},
	"SVD": {67, 782, 0, 234, 380, 554},
	"TRN": {481, 127, 509, 127},
}

// Composites by segment position: their components in order.
var (
	c001 = []int{355, 1018, 649, 355, 1018, 649, 355, 1018, 649, 355, 1018, 649, 355, 1018, 649} // C001 Composite Unit of Measure
	c003 = []int{235, 234, 1339, 1339, 1339, 1339, 352, 234}                                     // C003 Composite Medical Procedure Identifier
	c004 = []int{1328, 1328, 1328, 1328}                                                         // C004 Composite Diagnosis Code Pointer
	c022 = []int{1270, 1271, 1250, 1251, 782, 380, 799, 1271, 1073}                              // C022 Health Care Code Information
	c023 = []int{1331, 1332, 1325}                                                               // C023 Health Care Service Location Information
	c024 = []int{1362, 1362, 1362, 156, 26}                                                      // C024 Related Causes Information
	c040 = []int{128, 127, 128, 127, 128, 127}                                                   // C040 Reference Identifier
	c043 = []int{1271, 1271, 98, 1270}                                                           // C043 Health Care Claim Status
	c030 = []int{722, 1528, 1686}                                                                // C030 Position in Segment
	c042 = []int{426, 127}                                                                       // C042 Adjustment Identifier
)

var compositeElements = func() map[string][]int {
	m := map[string][]int{
		"CLM05": c023, "CLM11": c024,
		"CTP05": c001, "K303": c001, "MEA04": c001, "QTY03": c001,
		"REF04": c040,
		"SV101": c003, "SV107": c004, "SV501": c003, "SVD03": c003,
		"STC01": c043, "STC10": c043, "STC11": c043,
		"EB13": c003, "EB14": c004, "EQ02": c003, "EQ05": c004, "SVC01": c003, "SVC06": c003,
		"III06": c001, "IK401": c030, "CTX05": c030,
		"CTX01": {9999, 9998}, // C998 Context Identification
		"CTX06": {725, 725},   // C999 Reference in Segment
	}
	for i := 1; i <= 12; i++ {
		m["HI"+twoDigits(i)] = c022
	}
	for i := 3; i <= 13; i += 2 {
		m["PLB"+twoDigits(i)] = c042
	}
	return m
}()

// linElements is LIN: an assigned identification, then fifteen pairs of product/service
// ID qualifier and ID.
func linElements() []int {
	out := []int{350}
	for i := 0; i < 15; i++ {
		out = append(out, 235, 234)
	}
	return out
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dataElement returns the reference number of the element or component ref names
// ("DTP03", "CLM05-3"), 0 when the dictionary above does not have it or ref is a
// composite.
func dataElement(ref string) int {
	main, comp, isComp := strings.Cut(ref, "-")
	if len(main) < 4 {
		return 0
	}
	seg, pos := main[:len(main)-2], main[len(main)-2:]
	n, err := strconv.Atoi(pos)
	if err != nil || n < 1 {
		return 0
	}
	if isComp {
		c, err := strconv.Atoi(comp)
		list := compositeElements[main]
		if err != nil || c < 1 || c > len(list) {
			return 0
		}
		return list[c-1]
	}
	list := segmentElements[seg]
	if n > len(list) {
		return 0
	}
	return list[n-1]
}
