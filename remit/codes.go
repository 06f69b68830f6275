package remit

// ClaimStatusWords returns the words for an 835 CLP02 claim status code.
func ClaimStatusWords(code string) string {
	if w, ok := clp02Words[code]; ok {
		return w
	}
	return "unknown claim status " + code
}

var clp02Words = map[string]string{
	"1":  "processed as primary",
	"2":  "processed as secondary",
	"3":  "processed as tertiary",
	"4":  "denied",
	"19": "processed as primary, forwarded to additional payer(s)",
	"20": "processed as secondary, forwarded to additional payer(s)",
	"21": "processed as tertiary, forwarded to additional payer(s)",
	"22": "reversal of previous payment",
	"23": "not our claim, forwarded to additional payer(s)",
	"25": "predetermination pricing only, no payment",
}

// CARCWords returns the words of a claim adjustment reason code, shortened from the X12
// code list for display; "" when the code is not in the table (it is still kept).
func CARCWords(code string) string { return carcWords[code] }

var carcWords = map[string]string{
	"1":   "Deductible amount",
	"2":   "Coinsurance amount",
	"3":   "Co-payment amount",
	"4":   "The procedure code is inconsistent with the modifier used, or a required modifier is missing",
	"5":   "The procedure code/type of bill is inconsistent with the place of service",
	"8":   "The procedure code is inconsistent with the provider type/specialty (taxonomy)",
	"11":  "The diagnosis is inconsistent with the procedure",
	"15":  "The authorization number is missing, invalid, or does not apply to the billed services or provider",
	"16":  "Claim/service lacks information or has submission/billing error(s)",
	"18":  "Exact duplicate claim/service",
	"22":  "This care may be covered by another payer per coordination of benefits",
	"23":  "The impact of prior payer(s) adjudication including payments and/or adjustments",
	"24":  "Charges are covered under a capitation agreement/managed care plan",
	"26":  "Expenses incurred prior to coverage",
	"27":  "Expenses incurred after coverage terminated",
	"29":  "The time limit for filing has expired",
	"31":  "Patient cannot be identified as our insured",
	"35":  "Lifetime benefit maximum has been reached",
	"39":  "Services denied at the time authorization/pre-certification was requested",
	"42":  "Charges exceed our fee schedule or maximum allowable amount",
	"45":  "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement",
	"50":  "Non-covered services because this is not deemed a medical necessity by the payer",
	"56":  "Procedure/treatment has not been deemed proven to be effective by the payer",
	"59":  "Processed based on multiple or concurrent procedure rules",
	"62":  "Payment denied/reduced for absence of, or exceeded, pre-certification/authorization",
	"94":  "Processed in excess of charges",
	"96":  "Non-covered charge(s)",
	"97":  "The benefit for this service is included in the payment/allowance for another service/procedure that has already been adjudicated",
	"109": "Claim/service not covered by this payer/contractor; send the claim to the correct payer",
	"119": "Benefit maximum for this time period or occurrence has been reached",
	"131": "Claim specific negotiated discount",
	"146": "Diagnosis was invalid for the date(s) of service reported",
	"151": "The payer deems the information submitted does not support this many/frequency of services",
	"167": "This (these) diagnosis(es) is (are) not covered",
	"170": "Payment is denied when performed/billed by this type of provider",
	"177": "Patient has not met the required eligibility requirements",
	"181": "Procedure code was invalid on the date of service",
	"182": "Procedure modifier was invalid on the date of service",
	"185": "The rendering provider is not eligible to perform the service billed",
	"197": "Precertification/authorization/notification/pre-treatment absent",
	"198": "Precertification/notification/authorization/pre-treatment exceeded",
	"200": "Expenses incurred during lapse in coverage",
	"204": "This service/equipment/drug is not covered under the patient's current benefit plan",
	"242": "Services not provided by network/primary care providers",
	"251": "The attachment/other documentation that was received was incomplete or deficient",
	"252": "An attachment/other documentation is required to adjudicate this claim/service",
	"253": "Sequestration - reduction in federal payment",
	"A2":  "Contractual adjustment",
	"B7":  "This provider was not certified/eligible to be paid for this procedure/service on this date of service",
}

// RARCWords returns the words of a remittance advice remark code (N, M and MA codes), or
// "" when the code is not in the table.
func RARCWords(code string) string { return rarcWords[code] }

var rarcWords = map[string]string{
	"M15":   "Separately billed services/tests have been bundled as they are considered components of the same procedure",
	"M20":   "Missing/incomplete/invalid HCPCS",
	"M51":   "Missing/incomplete/invalid procedure code(s)",
	"M62":   "Missing/incomplete/invalid treatment authorization code",
	"M76":   "Missing/incomplete/invalid diagnosis or condition",
	"M77":   "Missing/incomplete/invalid place of service",
	"M79":   "Missing/incomplete/invalid charge",
	"M80":   "Not covered when performed during the same session/date as a previously processed service for the patient",
	"M86":   "Service denied because payment already made for same/similar procedure within set time frame",
	"M127":  "Missing patient medical record for this service",
	"MA01":  "If you do not agree with what we approved for these services, you may appeal our decision",
	"MA04":  "Secondary payment cannot be considered without the identity of or payment information from the primary payer",
	"MA07":  "The claim information has also been forwarded to Medicaid for review",
	"MA18":  "The claim information is also being forwarded to the patient's supplemental insurer",
	"MA130": "The claim contains incomplete and/or invalid information; no appeal rights are afforded because the claim is unprocessable; submit a new claim with the complete/correct information",
	"N1":    "You may appeal this decision in writing within the required time limits following receipt of this notice",
	"N4":    "Missing/incomplete/invalid prior insurance carrier(s) EOB",
	"N19":   "Procedure code incidental to primary procedure",
	"N20":   "Service not payable with other service rendered on the same date",
	"N30":   "Patient ineligible for this service",
	"N54":   "Claim information is inconsistent with pre-certified/authorized services",
	"N56":   "Procedure code billed is not correct/valid for the services billed or the date of service billed",
	"N95":   "This provider type/provider specialty may not bill this service",
	"N115":  "This decision was based on a Local Coverage Determination (LCD)",
	"N122":  "Add-on code cannot be billed by itself",
	"N130":  "Consult plan benefit documents/guidelines for information about restrictions for this service",
	"N211":  "You may not appeal this decision",
	"N286":  "Missing/incomplete/invalid referring provider primary identifier",
	"N290":  "Missing/incomplete/invalid rendering provider primary identifier",
	"N362":  "The number of days or units of service exceeds our acceptable maximum",
	"N381":  "Consult our contractual agreement for restrictions/billing/payment information related to these charges",
	"N386":  "This decision was based on a National Coverage Determination (NCD)",
	"N425":  "Statutorily excluded service(s)",
	"N479":  "Missing Explanation of Benefits (coordination of benefits or Medicare secondary payer)",
	"N517":  "Resubmit a new claim with the requested information",
	"N522":  "Duplicate of a claim processed, or to be processed, as a crossover claim",
	"N657":  "This should be billed with the appropriate code for these services",
}

// CategoryWords returns the words of a health care claim status category code (STC01-1),
// shared by the 277CA (X214) and the 277 claim status response (X212).
func CategoryWords(code string) string {
	if w, ok := categoryWords[code]; ok {
		return w
	}
	return "unknown status category " + code
}

var categoryWords = map[string]string{
	"A0":  "acknowledgement: forwarded to another entity",
	"A1":  "acknowledgement: received",
	"A2":  "acknowledgement: accepted into the adjudication system",
	"A3":  "acknowledgement: returned as unprocessable claim (rejected)",
	"A4":  "acknowledgement: not found",
	"A5":  "acknowledgement: split claim",
	"A6":  "acknowledgement: rejected for missing information",
	"A7":  "acknowledgement: rejected for invalid information",
	"A8":  "acknowledgement: rejected for relational field in error",
	"D0":  "data search unsuccessful",
	"E0":  "response not possible: error on submitted request data",
	"E1":  "response not possible: system status",
	"E2":  "information holder is not responding; resubmit later",
	"E3":  "correction required: relational fields in error",
	"E4":  "trading partner agreement requirement not met: data correction required",
	"F0":  "finalized: adjudication complete, no more action will be taken",
	"F1":  "finalized: payment",
	"F2":  "finalized: denial",
	"F3":  "finalized: revised",
	"F3F": "finalized: revised, forwarded",
	"F3N": "finalized: revised, not forwarded",
	"F4":  "finalized: adjudication complete, no payment forthcoming",
	"P0":  "pending: adjudication details not yet available",
	"P1":  "pending: in process",
	"P2":  "pending: payer review",
	"P3":  "pending: provider requested information",
	"P4":  "pending: patient requested information",
	"P5":  "pending: payer administrative/system hold",
	"R0":  "requests additional information: general",
	"R1":  "requests additional information: entity requests",
	"R3":  "requests additional information: claim/line",
	"R4":  "requests additional information: documentation",
}

// RejectedCategory reports whether a status category means the claim was not taken into
// adjudication and must be corrected and sent again as an original.
func RejectedCategory(cat string) bool {
	switch cat {
	case "A3", "A4", "A6", "A7", "A8", "E3", "E4":
		return true
	}
	return false
}

// StatusWords returns the words of a common health care claim status code (STC01-2), or
// "" when the code is not in the table.
func StatusWords(code string) string { return statusWords[code] }

var statusWords = map[string]string{
	"0":   "Cannot provide further status electronically",
	"1":   "For more detailed information, see remittance advice",
	"3":   "Claim has been adjudicated and is awaiting payment cycle",
	"16":  "Claim/encounter has been forwarded to entity",
	"19":  "Entity acknowledges receipt of claim/encounter",
	"20":  "Accepted for processing",
	"21":  "Missing or invalid information",
	"24":  "Entity not approved as an electronic submitter",
	"33":  "Subscriber and subscriber id not found",
	"65":  "Claim/line has been paid",
	"97":  "Patient eligibility not found with entity",
	"145": "Entity's specialty/taxonomy code",
	"187": "Date(s) of service",
	"254": "Principal diagnosis code",
	"255": "Diagnosis code",
	"454": "Procedure code for services rendered",
	"562": "Entity's National Provider Identifier (NPI)",
}

// EntityWords returns the words of an STC01-3 entity identifier code.
func EntityWords(code string) string { return entityWords[code] }

var entityWords = map[string]string{
	"1P": "provider",
	"36": "employer",
	"40": "receiver",
	"41": "submitter",
	"77": "service location",
	"82": "rendering provider",
	"85": "billing provider",
	"AY": "clearinghouse",
	"DK": "ordering provider",
	"DN": "referring provider",
	"IL": "subscriber",
	"PR": "payer",
	"QC": "patient",
}
