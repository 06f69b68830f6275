package claims

// EnrollmentUnlisted says what a payer's non-empty enrollment list means for an NPI it
// leaves out (an empty list means the payer's enrollment is not tracked).
type EnrollmentUnlisted string

// What an unlisted NPI does to a claim.
const (
	// EnrollmentUnlistedBilling, the default: EDI enrollment is the billing NPI's, so an
	// unlisted billing NPI holds the claim; a rendering NPI is listed only to hold its
	// claims while its own enrollment is pending.
	EnrollmentUnlistedBilling EnrollmentUnlisted = "billing"
	EnrollmentUnlistedHold    EnrollmentUnlisted = "hold"  // any unlisted NPI holds the claim
	EnrollmentUnlistedAllow   EnrollmentUnlisted = "allow" // no unlisted NPI holds it
)

// Holds reports whether an NPI missing from the enrollment list holds the claim; billing
// says whether it is the claim's billing NPI (else its rendering NPI).
func (u EnrollmentUnlisted) Holds(billing bool) bool {
	switch u {
	case EnrollmentUnlistedHold:
		return true
	case EnrollmentUnlistedAllow:
		return false
	default:
		return billing
	}
}
