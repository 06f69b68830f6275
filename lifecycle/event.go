package lifecycle

import "strings"

// Entity names what an event is about.
type Entity string

// Entities that have a history.
const (
	EntitySession       Entity = "session"
	EntityClaim         Entity = "claim"
	EntityAuthorization Entity = "authorization"
	EntityClient        Entity = "client"
	EntityFile          Entity = "file"
	EntityQueue         Entity = "queue"
	EntityUpload        Entity = "upload"
	EntitySignIn        Entity = "signin" // a web account or address (the sign-in brake)
)

// EventKind names what happened. A claim's state change is recorded under the state it
// moved to (State(s).Event()), so the history and the state read the same words.
type EventKind string

// Event kinds. Their words are in eventWords, once, for the CLI, the web UI and letters.
const (
	// Records from the practice system (sessions, clients, authorizations).
	Received             EventKind = "received"
	Created              EventKind = "created"
	Updated              EventKind = "updated"
	Unchanged            EventKind = "unchanged"
	ReplacementCandidate EventKind = "replacement_candidate"
	VoidCandidate        EventKind = "void_candidate"

	// Sessions.
	SessionHeld          EventKind = "held"
	SessionReleased      EventKind = "released"
	UnitsConsumed        EventKind = "units_consumed"
	UnitsReturned        EventKind = "units_returned"
	SessionBilled        EventKind = "billed"
	SessionResubmitted   EventKind = "resubmitted"
	EligibilityRequested EventKind = "eligibility_requested"
	EligibilityAnswered  EventKind = "eligibility_answered"
	EligibilityWarning   EventKind = "eligibility_warning"
	ScrubHeld            EventKind = "scrub_held"    // the scrubber found errors on the session's (dry-built) claim
	ScrubCleared         EventKind = "scrub_cleared" // ... and no longer does

	// Claims (besides the state changes).
	PayerClaimNumber EventKind = "payer_claim_number"
	FollowUp         EventKind = "follow_up"
	StatusInquiry    EventKind = "status_inquiry"
	ResubmittedAs    EventKind = "resubmitted_as"
	COBUpdateWaiting EventKind = "cob_update_waiting"
	AppealWon        EventKind = "appeal_won"
	AppealLost       EventKind = "appeal_lost"
	// FieldCorrected is one field a biller corrected (who, field, old -> new in the detail);
	// CorrectionConflict the biller's pick when the practice system later sent the field
	// with another value.
	FieldCorrected     EventKind = "field_corrected"
	CorrectionConflict EventKind = "correction_conflict"
	// ClaimStatusPrefix + the lower-case STC01-1 category: what a 277 said of a claim
	// (status_a2, status_f1), whether or not it moved the claim.
	ClaimStatusPrefix EventKind = "status_"

	// Files.
	FileUploaded      EventKind = "uploaded"
	File837Written    EventKind = "837p_written"
	File276Written    EventKind = "276_written"
	FileDuplicate     EventKind = "duplicate"
	FileArchived      EventKind = "archived"
	FileLost          EventKind = "lost"      // recorded but gone from the outbound folder before upload
	FileResponsePrefx EventKind = "response_" // + the inbound file's state

	// Queue items.
	QueueAssign   EventKind = "queue_assign"
	QueueNote     EventKind = "queue_note"
	QueueResolve  EventKind = "queue_resolve"
	QueueResolved EventKind = "resolved"

	// Web sign-in.
	SignInLockout EventKind = "signin_lockout"

	// Authorization alerts: AlertPrefix + kind, AlertClearedPrefix + kind.
	AlertPrefix        EventKind = "alert_"
	AlertClearedPrefix EventKind = "alert_cleared_"
	AlertLowUnits      EventKind = "alert_low_units"
	AlertEndNear       EventKind = "alert_end_near"
)

// Event returns the event kind recording a move into s.
func (s State) Event() EventKind { return EventKind(s) }

var eventWords = map[EventKind]string{
	Received:             "Received from the practice system",
	Created:              "Received (new record)",
	Updated:              "Updated by the practice system",
	Unchanged:            "Received again, unchanged",
	ReplacementCandidate: "Changed after billing: needs a replacement claim",
	VoidCandidate:        "Voided after billing: needs a void claim",
	SessionHeld:          "Put on hold",
	SessionReleased:      "Released from hold",
	UnitsConsumed:        "Authorization units used",
	UnitsReturned:        "Authorization units returned",
	SessionBilled:        "Put on a claim",
	SessionResubmitted:   "Put on a corrected claim",
	EligibilityRequested: "Eligibility requested (270)",
	EligibilityAnswered:  "Eligibility answered (271)",
	EligibilityWarning:   "Eligibility warning",
	ScrubHeld:            "Held by the scrubber",
	ScrubCleared:         "Scrubber errors cleared",
	PayerClaimNumber:     "Payer claim number received",
	FollowUp:             "No payment yet: put on the follow-up queue",
	StatusInquiry:        "Claim status asked (276)",
	ResubmittedAs:        "Resubmitted as a new claim",
	COBUpdateWaiting:     "Waiting for the payer's 835 before correcting the next payer's claim",
	AppealWon:            "Appeal won",
	AppealLost:           "Appeal lost",
	FieldCorrected:       "Corrected by the biller",
	CorrectionConflict:   "Correction conflict settled by the biller",
	FileUploaded:         "File uploaded to the clearinghouse",
	File837Written:       "837P file written",
	File276Written:       "276 file written",
	FileDuplicate:        "Same file received again",
	FileArchived:         "File archived",
	QueueAssign:          "Assigned",
	QueueNote:            "Note added",
	QueueResolve:         "Resolved",
	QueueResolved:        "Resolved",
	AlertLowUnits:        "Alert: few units left",
	AlertEndNear:         "Alert: authorization ends soon",
	SignInLockout:        "Sign-in locked after repeated failures",
}

// Words names an event kind for a person. A state change reads as its state; unknown kinds
// read as themselves with spaces, so a new kind is never hidden.
func (k EventKind) Words() string {
	if w, ok := eventWords[k]; ok {
		return w
	}
	if s := State(k); s.Valid() {
		return s.Words()
	}
	switch {
	case strings.HasPrefix(string(k), string(AlertClearedPrefix)):
		return "Alert cleared"
	case strings.HasPrefix(string(k), string(ClaimStatusPrefix)):
		return "Claim status (277): " + strings.ToUpper(strings.TrimPrefix(string(k), string(ClaimStatusPrefix)))
	}
	return strings.ReplaceAll(string(k), "_", " ")
}
