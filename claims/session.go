// Package claims holds therapy sessions, prior authorizations, the 837P claim builder and
// the behavioral-health scrubber. It knows nothing of SFTP, HTTP or storage engines.
package claims

import (
	"github.com/edigate/edigate/x12"
)

// Session statuses as sent by practice systems.
const (
	StatusCompleted = "completed"
	StatusScheduled = "scheduled"
	StatusVoid      = "void"
	StatusReplaced  = "replaced"
)

// Address is a postal address (N3/N4).
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	State string `json:"state"`
	Zip   string `json:"zip"`
}

// Person is a client or subscriber.
type Person struct {
	ID        string  `json:"id,omitempty"`
	FirstName string  `json:"first_name"`
	LastName  string  `json:"last_name"`
	DOB       string  `json:"dob"`    // YYYY-MM-DD
	Gender    string  `json:"gender"` // F, M or U
	MemberID  string  `json:"member_id,omitempty"`
	Address   Address `json:"address"`
}

// Coverage is the insurance a session is billed to.
type Coverage struct {
	Payer        string  `json:"payer"` // configured payer id
	MemberID     string  `json:"member_id"`
	Group        string  `json:"group,omitempty"`
	Relationship string  `json:"relationship"` // self, spouse, child, other
	Priority     string  `json:"priority"`     // primary, secondary, tertiary
	Subscriber   *Person `json:"subscriber,omitempty"`
}

// Service is the billed procedure of a session.
type Service struct {
	Code           string   `json:"code"` // CPT/HCPCS
	Modifiers      []string `json:"modifiers,omitempty"`
	Units          int      `json:"units"`
	PlaceOfService string   `json:"place_of_service"`
}

// Session is one therapy session as a practice system reports it (the inbox contract).
type Session struct {
	Type                string     `json:"type"` // "session"
	ID                  string     `json:"id"`
	Practice            string     `json:"practice"`
	Status              string     `json:"status"`
	Client              Person     `json:"client"`
	Coverage            Coverage   `json:"coverage"`
	Date                string     `json:"date"` // YYYY-MM-DD
	Start               string     `json:"start,omitempty"`
	End                 string     `json:"end,omitempty"`
	Minutes             int        `json:"minutes,omitempty"`
	Service             Service    `json:"service"`
	Diagnoses           []string   `json:"diagnoses"`
	RenderingProvider   string     `json:"rendering_provider"`
	SupervisingProvider *string    `json:"supervising_provider"`
	Charge              x12.Amount `json:"charge"`
	Authorization       string     `json:"authorization,omitempty"`
}

// Unit kinds of an authorization.
const (
	UnitVisit    = "visit"
	Unit15Minute = "15min"
)

// Authorization is a payer's prior authorization for a client.
type Authorization struct {
	Type           string   `json:"type"` // "authorization"
	Number         string   `json:"number"`
	Payer          string   `json:"payer"`
	ClientID       string   `json:"client_id"`
	MemberID       string   `json:"member_id"`
	Codes          []string `json:"codes"`
	Diagnosis      string   `json:"diagnosis,omitempty"`
	Units          int      `json:"units"`
	UnitKind       string   `json:"unit_kind"` // visit or 15min
	Start          string   `json:"start"`
	End            string   `json:"end"`
	Provider       string   `json:"provider,omitempty"`         // rendering NPI it names, if any
	PlaceOfService string   `json:"place_of_service,omitempty"` // POS it names, if any
}

// Client is a client record sent on its own (demographics without a session).
type Client struct {
	Type string `json:"type"` // "client"
	Person
	Coverage []Coverage `json:"coverage,omitempty"`
}
