package claims

import "regexp"

// The code formats that intake validation (ValidateSession, ValidateAuthorization) and
// the scrubber (cpt.format, modifier.format, icd10.format) both check, defined once so
// that a code one accepts the other does too.
const (
	// icd10Category is an ICD-10-CM category: a letter, a digit and a letter or digit (F41).
	icd10Category = `[A-Z][0-9][0-9A-Z]`
	// icd10Detail is what may follow the category: up to four letters or digits (etiology,
	// site, severity, the 7th-character extension), 3 to 7 characters in all.
	icd10Detail = `[0-9A-Z]{1,4}`
)

var (
	// cptRe is a CPT code (Category I: five digits; Category II/III and PLA: four digits
	// and a letter) or a HCPCS Level II code (a letter A-V and four digits).
	cptRe = regexp.MustCompile(`^([0-9]{4}[0-9A-Z]|[A-V][0-9]{4})$`)
	// modifierRe is a CPT/HCPCS modifier: two letters or digits.
	modifierRe = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	// icd10Re is an ICD-10-CM code as people write it: with or without the decimal point
	// after the category (F41.1 or F411).
	icd10Re = regexp.MustCompile(`^` + icd10Category + `(\.?` + icd10Detail + `)?$`)
	// icd10HIRe is an ICD-10-CM code as 837P 2300 HI carries it: without the decimal point
	// (NormalizeDiagnosis makes F41.1 F411 when a claim is built).
	icd10HIRe = regexp.MustCompile(`^` + icd10Category + `(` + icd10Detail + `)?$`)
)
