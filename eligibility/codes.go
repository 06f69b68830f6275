package eligibility

// Code words a biller reads instead of X12 codes (005010X279A1 code lists).

// aaaReasons are AAA03 reject reason codes.
var aaaReasons = map[string]string{
	"04": "authorized quantity exceeded",
	"15": "required application data missing",
	"41": "authorization/access restrictions",
	"42": "unable to respond at current time",
	"43": "invalid/missing provider identification",
	"44": "invalid/missing provider name",
	"45": "invalid/missing provider specialty",
	"46": "invalid/missing provider phone number",
	"47": "invalid/missing provider state",
	"48": "invalid/missing referring provider identification number",
	"49": "provider is not primary care physician",
	"50": "provider ineligible for inquiries",
	"51": "provider not on file",
	"52": "service dates not within provider plan enrollment",
	"53": "inquired benefit inconsistent with provider type",
	"54": "inappropriate product/service id qualifier",
	"55": "inappropriate product/service id",
	"56": "inappropriate date",
	"57": "invalid/missing date(s) of service",
	"58": "invalid/missing date of birth",
	"60": "date of birth follows date(s) of service",
	"61": "date of death precedes date(s) of service",
	"62": "date of service not within allowable inquiry period",
	"63": "date of service in future",
	"64": "invalid/missing patient id",
	"65": "invalid/missing patient name",
	"66": "invalid/missing patient gender code",
	"67": "patient not found",
	"68": "duplicate patient id number",
	"69": "inconsistent with patient's age",
	"70": "inconsistent with patient's gender",
	"71": "patient birth date does not match that for the patient on the database",
	"72": "invalid/missing subscriber/insured id",
	"73": "invalid/missing subscriber/insured name",
	"74": "invalid/missing subscriber/insured gender code",
	"75": "subscriber/insured not found",
	"76": "duplicate subscriber/insured id number",
	"77": "subscriber found, patient not found",
	"78": "subscriber/insured not in group/plan identified",
	"79": "invalid participant identification",
	"80": "no response received - transaction terminated",
	"97": "invalid or missing provider address",
	"T4": "payer name or identifier missing",
}

// aaaFollowUps are AAA04 follow-up action codes.
var aaaFollowUps = map[string]string{
	"C": "please correct and resubmit",
	"N": "resubmission not allowed",
	"P": "please resubmit original transaction",
	"R": "resubmission allowed",
	"S": "do not resubmit; inquiry initiated to a third party",
	"W": "please wait 30 days and resubmit",
	"X": "please wait 10 days and resubmit",
	"Y": "do not resubmit; we will hand over your request",
}

// ebInfo are EB01 eligibility or benefit information codes.
var ebInfo = map[string]string{
	"1": "active coverage", "2": "active - full risk capitation", "3": "active - services capitated",
	"4": "active - services capitated to primary care physician", "5": "active - pending investigation",
	"6": "inactive", "7": "inactive - pending eligibility update", "8": "inactive - pending investigation",
	"A": "co-insurance", "B": "co-payment", "C": "deductible", "CB": "coverage basis",
	"D": "benefit description", "E": "exclusions", "F": "limitations", "G": "out of pocket (stop loss)",
	"H": "unlimited", "I": "non-covered", "J": "cost containment", "K": "reserve", "L": "primary care provider",
	"M": "pre-existing condition", "MC": "managed care coordinator", "N": "services restricted to following provider",
	"O": "not deemed a medical necessity", "P": "benefit disclaimer", "Q": "second surgical opinion required",
	"R": "other or additional payor", "S": "prior year(s) history", "T": "card(s) reported lost/stolen",
	"U": "contact following entity for eligibility or benefit information", "V": "cannot process",
	"W": "other source of data", "X": "health care facility", "Y": "spend down",
}

// behavioral are the service types whose answers win over the generic 30 for a therapy session.
var behavioral = map[string]int{"A6": 1, "MH": 2, "A8": 3, "CF": 4, "A4": 5, "AI": 6, "CH": 7}

// carveOutEntities are 2120 NM101 entity codes that name an organization to bill or ask
// instead (payer, managed care organization, contracted service provider, plan sponsor...);
// a P3 primary care provider or a 1P provider is information, not a carve-out.
var carveOutEntities = map[string]bool{"PR": true, "Y2": true, "13": true, "PRP": true, "VN": true, "X3": true, "GP": true}

func words(m map[string]string, code string) string {
	if w, ok := m[code]; ok {
		return w
	}
	if code == "" {
		return ""
	}
	return "unknown code " + code
}
