package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edigate/edigate/x12"
)

// Field is a claim field a biller corrects. A correction is stored per session as an
// override of the practice system's value (see Override), so every claim rebuilt from the
// session (a corrected original, a replacement) carries it.
type Field string

// The fields billers fix after a rejection or denial.
const (
	FieldMemberID        Field = "member_id"
	FieldSubscriberFirst Field = "subscriber_first_name"
	FieldSubscriberLast  Field = "subscriber_last_name"
	FieldSubscriberDOB   Field = "subscriber_dob"
	FieldDiagnoses       Field = "diagnoses"
	FieldModifiers       Field = "modifiers" // per line: the line's session
	FieldPlaceOfService  Field = "place_of_service"
	FieldRendering       Field = "rendering_provider"
	FieldSupervising     Field = "supervising_provider"
	FieldAuthorization   Field = "authorization"
)

// Fields lists the correctable fields in the order forms and the CLI show them.
func Fields() []Field {
	return []Field{FieldMemberID, FieldSubscriberFirst, FieldSubscriberLast, FieldSubscriberDOB, FieldDiagnoses, FieldModifiers,
		FieldPlaceOfService, FieldRendering, FieldSupervising, FieldAuthorization}
}

var fieldWords = map[Field]string{
	FieldMemberID: "Member id", FieldSubscriberFirst: "Subscriber first name", FieldSubscriberLast: "Subscriber last name",
	FieldSubscriberDOB: "Subscriber date of birth", FieldDiagnoses: "Diagnoses", FieldModifiers: "Modifiers",
	FieldPlaceOfService: "Place of service", FieldRendering: "Rendering provider (NPI)", FieldSupervising: "Supervising provider (NPI)",
	FieldAuthorization: "Authorization number",
}

// Words names the field for a biller.
func (f Field) Words() string {
	if w, ok := fieldWords[f]; ok {
		return w
	}
	return string(f)
}

// Correction is what a biller changes on one claim. An empty field (nil map or slice) is
// left as it is; Modifiers are keyed by the claim's 1-based line number. Supervising
// "none" removes the supervising provider.
type Correction struct {
	MemberID        string
	SubscriberFirst string
	SubscriberLast  string
	SubscriberDOB   string // YYYY-MM-DD
	Diagnoses       []string
	Modifiers       map[int][]string
	PlaceOfService  string
	Rendering       string
	Supervising     string
	Authorization   string
}

// Empty reports whether the correction changes nothing at all.
func (c Correction) Empty() bool {
	return c.MemberID == "" && c.SubscriberFirst == "" && c.SubscriberLast == "" && c.SubscriberDOB == "" && len(c.Diagnoses) == 0 &&
		len(c.Modifiers) == 0 && c.PlaceOfService == "" && c.Rendering == "" && c.Supervising == "" && c.Authorization == ""
}

// Override is one corrected field of one session: the biller's value and the practice
// system's value it replaced, so a later re-send of the session that changes the field can
// be told apart from one that does not (Conflicts).
type Override struct {
	SessionID string `json:"session_id"`
	Field     Field  `json:"field"`
	Value     string `json:"value"`    // the biller's
	Practice  string `json:"practice"` // the practice system's when the biller corrected it
	ClaimID   string `json:"claim_id,omitempty"`
	Who       string `json:"who,omitempty"`
	At        string `json:"at,omitempty"`
}

// FieldChange is one change of a correction as the history records it (on the claim).
type FieldChange struct {
	Field Field  `json:"field"`
	Line  int    `json:"line,omitempty"` // modifiers: the claim's line
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Words says the change for a biller: "Member id: W9A -> W9B".
func (c FieldChange) Words() string {
	name := c.Field.Words()
	if c.Line > 0 {
		name += " (line " + strconv.Itoa(c.Line) + ")"
	}
	old, nw := c.Old, c.New
	if old == "" {
		old = "(none)"
	}
	if nw == "" {
		nw = "(none)"
	}
	return name + ": " + old + " -> " + nw
}

// CorrectionPlan is what a correction does: the overrides to store and the changes the
// history records. Sessions are the claim's sessions with the plan applied (build the
// corrected claim from them).
type CorrectionPlan struct {
	Overrides []Override
	Changes   []FieldChange
	Sessions  []Session
}

// ErrCorrection is a correction that cannot be applied (a bad value, a line the claim does
// not have, a field that cannot be corrected on this claim).
var ErrCorrection = errors.New("correction refused")

// PlanCorrection decides a biller's correction of claim c: sessions are the claim's
// sessions as the claim is now built from them (earlier corrections applied), practice the
// same sessions as the practice system sent them (for the overrides' Practice values).
// Fields equal to what the claim has already change nothing. who and now are recorded.
func PlanCorrection(c *Claim, sessions, practice []Session, corr Correction, who string, now time.Time) (CorrectionPlan, error) {
	if err := corr.check(c); err != nil {
		return CorrectionPlan{}, err
	}
	p := CorrectionPlan{Sessions: make([]Session, len(sessions))}
	for i := range sessions {
		p.Sessions[i] = cloneSession(sessions[i])
	}
	byID := map[string]*Session{}
	for i := range practice {
		byID[practice[i].ID] = &practice[i]
	}
	at := now.UTC().Format(time.RFC3339)
	set := func(s *Session, f Field, v string) {
		if SessionField(s, f) == v {
			return
		}
		pv := SessionField(s, f)
		if ps, ok := byID[s.ID]; ok {
			pv = SessionField(ps, f)
		}
		SetSessionField(s, f, v)
		p.Overrides = append(p.Overrides, Override{SessionID: s.ID, Field: f, Value: v, Practice: pv, ClaimID: c.ID, Who: who, At: at})
	}
	claimWide := []struct {
		f   Field
		v   string
		old string
	}{
		{FieldMemberID, corr.MemberID, c.Coverage.MemberID},
		{FieldSubscriberFirst, corr.SubscriberFirst, claimSubscriber(c).FirstName},
		{FieldSubscriberLast, corr.SubscriberLast, claimSubscriber(c).LastName},
		{FieldSubscriberDOB, corr.SubscriberDOB, claimSubscriber(c).DOB},
		{FieldDiagnoses, diagList(corr.Diagnoses), diagList(c.Diagnoses)},
		{FieldPlaceOfService, corr.PlaceOfService, c.PlaceOfService},
		{FieldRendering, corr.Rendering, c.RenderingNPI},
		{FieldSupervising, supervising(corr.Supervising), c.SupervisingNPI},
		{FieldAuthorization, corr.Authorization, c.Authorization},
	}
	for _, w := range claimWide {
		if w.v == "" && !(w.f == FieldSupervising && corr.Supervising != "") {
			continue
		}
		for i := range p.Sessions {
			set(&p.Sessions[i], w.f, w.v)
		}
		if w.v != w.old {
			p.Changes = append(p.Changes, FieldChange{Field: w.f, Old: w.old, New: w.v})
		}
	}
	lines := make([]int, 0, len(corr.Modifiers))
	for n := range corr.Modifiers {
		lines = append(lines, n)
	}
	slices.Sort(lines)
	for _, n := range lines {
		line := c.Lines[n-1]
		v := strings.Join(normalizeModifiers(corr.Modifiers[n]), ",")
		for i := range p.Sessions {
			if p.Sessions[i].ID == line.SessionID {
				set(&p.Sessions[i], FieldModifiers, v)
			}
		}
		if old := strings.Join(line.Modifiers, ","); old != v {
			p.Changes = append(p.Changes, FieldChange{Field: FieldModifiers, Line: n, Old: old, New: v})
		}
	}
	return p, nil
}

// check validates the values and that the claim has the lines named.
func (c Correction) check(cl *Claim) error {
	bad := func(f Field, format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrCorrection, f.Words(), fmt.Sprintf(format, a...))
	}
	if cl.Primary != nil && (c.MemberID != "" || c.SubscriberFirst != "" || c.SubscriberLast != "" || c.SubscriberDOB != "") {
		return fmt.Errorf("%w: claim %s goes to a secondary payer; its member and subscriber come from that coverage: correct them in the practice system", ErrCorrection, cl.ID)
	}
	if c.SubscriberDOB != "" {
		if _, err := time.Parse(time.DateOnly, c.SubscriberDOB); err != nil {
			return bad(FieldSubscriberDOB, "%q is not a date (YYYY-MM-DD)", c.SubscriberDOB)
		}
	}
	if len(c.Diagnoses) > MaxDiagnoses {
		return bad(FieldDiagnoses, "%d codes, at most %d", len(c.Diagnoses), MaxDiagnoses)
	}
	for _, d := range c.Diagnoses {
		if n := NormalizeDiagnosis(d); len(n) < 3 || len(n) > 7 {
			return bad(FieldDiagnoses, "%q is not an ICD-10-CM code", d)
		}
	}
	if p := c.PlaceOfService; p != "" && (len(p) != 2 || strings.Trim(p, "0123456789") != "") {
		return bad(FieldPlaceOfService, "%q is not a two-digit place of service code", p)
	}
	for _, npi := range []struct {
		f Field
		v string
	}{{FieldRendering, c.Rendering}, {FieldSupervising, supervising(c.Supervising)}} {
		if npi.v != "" && !x12.ValidNPI(npi.v) {
			return bad(npi.f, "%q is not a valid NPI (10 digits with a check digit)", npi.v)
		}
	}
	for n, mods := range c.Modifiers {
		if n < 1 || n > len(cl.Lines) {
			return bad(FieldModifiers, "claim %s has no line %d (it has %d)", cl.ID, n, len(cl.Lines))
		}
		if len(mods) > MaxModifiers {
			return bad(FieldModifiers, "line %d: %d modifiers, at most %d", n, len(mods), MaxModifiers)
		}
		for _, m := range normalizeModifiers(mods) {
			if len(m) != 2 {
				return bad(FieldModifiers, "line %d: %q is not a two-character modifier", n, m)
			}
		}
	}
	return nil
}

// supervising maps the "none" of a correction to the empty value it stores.
func supervising(v string) string {
	if strings.EqualFold(v, "none") {
		return ""
	}
	return v
}

func normalizeModifiers(ms []string) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
			out = append(out, m)
		}
	}
	return out
}

func diagList(ds []string) string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		if n := NormalizeDiagnosis(d); n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

// claimSubscriber is the claim's subscriber: the client when the client is the subscriber.
func claimSubscriber(c *Claim) Person {
	if c.Coverage.Subscriber != nil && c.Coverage.Relationship != "self" {
		return *c.Coverage.Subscriber
	}
	return c.Client
}

// subscriberOf is the session's subscriber record (the client when the client is the
// subscriber); nil when the coverage names no subscriber and the client is not it.
func subscriberOf(s *Session) *Person {
	if s.Coverage.Subscriber != nil && s.Coverage.Relationship != "self" {
		return s.Coverage.Subscriber
	}
	return &s.Client
}

// SessionField reads a correctable field of a session as an override stores it: diagnoses
// and modifiers comma-joined (diagnoses without the decimal point).
func SessionField(s *Session, f Field) string {
	switch f {
	case FieldMemberID:
		return s.Coverage.MemberID
	case FieldSubscriberFirst:
		return subscriberOf(s).FirstName
	case FieldSubscriberLast:
		return subscriberOf(s).LastName
	case FieldSubscriberDOB:
		return subscriberOf(s).DOB
	case FieldDiagnoses:
		return diagList(s.Diagnoses)
	case FieldModifiers:
		return strings.Join(normalizeModifiers(s.Service.Modifiers), ",")
	case FieldPlaceOfService:
		return s.Service.PlaceOfService
	case FieldRendering:
		return s.RenderingProvider
	case FieldSupervising:
		if s.SupervisingProvider == nil {
			return ""
		}
		return *s.SupervisingProvider
	case FieldAuthorization:
		return s.Authorization
	}
	return ""
}

// SetSessionField writes a correctable field (the form SessionField reads).
func SetSessionField(s *Session, f Field, v string) {
	split := func() []string {
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	}
	switch f {
	case FieldMemberID:
		s.Coverage.MemberID = v
		if s.Coverage.Subscriber != nil {
			s.Coverage.Subscriber.MemberID = v
		}
	case FieldSubscriberFirst:
		subscriberOf(s).FirstName = v
	case FieldSubscriberLast:
		subscriberOf(s).LastName = v
	case FieldSubscriberDOB:
		subscriberOf(s).DOB = v
	case FieldDiagnoses:
		s.Diagnoses = split()
	case FieldModifiers:
		s.Service.Modifiers = split()
	case FieldPlaceOfService:
		s.Service.PlaceOfService = v
	case FieldRendering:
		s.RenderingProvider = v
	case FieldSupervising:
		if v == "" {
			s.SupervisingProvider = nil
		} else {
			s.SupervisingProvider = &v
		}
	case FieldAuthorization:
		s.Authorization = v
	}
}

// ApplyOverrides puts a session's stored corrections on it (the session as claims are
// built from it).
func ApplyOverrides(s *Session, ovs []Override) {
	for _, o := range ovs {
		if o.SessionID == "" || o.SessionID == s.ID {
			SetSessionField(s, o.Field, o.Value)
		}
	}
}

// cloneSession copies a session deeply enough for SetSessionField to leave the original
// untouched.
func cloneSession(s Session) Session {
	out := s
	out.Diagnoses = slices.Clone(s.Diagnoses)
	out.Service.Modifiers = slices.Clone(s.Service.Modifiers)
	if s.Coverage.Subscriber != nil {
		sub := *s.Coverage.Subscriber
		out.Coverage.Subscriber = &sub
	}
	if s.SupervisingProvider != nil {
		v := *s.SupervisingProvider
		out.SupervisingProvider = &v
	}
	return out
}

// Conflict is a corrected field the practice system has since sent another value for:
// neither the value the biller corrected nor the biller's own. The correction stays in
// force until the biller picks (ResolveConflict); nothing is overwritten silently.
type Conflict struct {
	Override
	Sent string `json:"sent"` // what the practice system sends now
}

// Words says the conflict for a biller.
func (c Conflict) Words() string {
	show := func(v string) string {
		if v == "" {
			return "(none)"
		}
		return v
	}
	return c.Field.Words() + ": practice sent " + show(c.Sent) + ", biller corrected to " + show(c.Value)
}

// Conflicts compares a session's corrections with the session as the practice system
// sends it now (the pending re-send, if any, else the stored data).
func Conflicts(practice *Session, ovs []Override) []Conflict {
	var out []Conflict
	for _, o := range ovs {
		sent := SessionField(practice, o.Field)
		if sent != o.Practice && sent != o.Value {
			out = append(out, Conflict{Override: o, Sent: sent})
		}
	}
	return out
}

// Pick is the biller's answer to a conflict.
type Pick string

// Picks.
const (
	KeepCorrection Pick = "keep"     // the biller's value stays; the practice's new value is acknowledged
	TakePractice   Pick = "practice" // the correction is dropped; the practice's value is used
)

// ResolveConflict decides the biller's pick: the override to store instead (nil: drop
// the override) and the change the history records.
func ResolveConflict(c Conflict, pick Pick, who string, now time.Time) (*Override, FieldChange, error) {
	switch pick {
	case KeepCorrection:
		o := c.Override
		o.Practice, o.Who, o.At = c.Sent, who, now.UTC().Format(time.RFC3339)
		return &o, FieldChange{Field: c.Field, Old: c.Value, New: c.Value}, nil
	case TakePractice:
		return nil, FieldChange{Field: c.Field, Old: c.Value, New: c.Sent}, nil
	}
	return nil, FieldChange{}, fmt.Errorf("%w: pick %q: want keep or practice", ErrCorrection, pick)
}

// SameBilling reports whether two claims bill the payer the same: the same patient,
// coverage, providers, diagnoses, authorization and lines, whatever their control numbers,
// frequency or REF*F8. A rejected claim sent again the same is rejected again.
func SameBilling(a, b *Claim) bool {
	norm := func(c *Claim) []byte {
		x := *c
		x.ID, x.Frequency, x.PayerControlNumber, x.PriorClaim, x.SessionIDs = "", "", "", "", nil
		x.Lines = slices.Clone(c.Lines)
		for i := range x.Lines {
			x.Lines[i].SessionID = ""
		}
		data, _ := json.Marshal(x)
		return data
	}
	return string(norm(a)) == string(norm(b))
}
