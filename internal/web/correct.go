package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/eligibility"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/remit"
)

// Corrections is the correction service (pipeline.Queues) `edigate claims correct` uses
// too: the same corrected claim, overrides and history wherever a biller corrects.
type Corrections interface {
	CorrectionForm(ctx context.Context, claimID, key string) (pipeline.CorrectionClaim, error)
	Correct(ctx context.Context, claimID, key string, c claims.Correction, a queue.Action) (*pipeline.Resolution, error)
	SessionConflicts(ctx context.Context, sessionID string) ([]claims.Conflict, error)
	// Conflicts lists every session's correction conflicts (the queues page).
	Conflicts(ctx context.Context) ([]claims.Conflict, error)
	PickConflict(ctx context.Context, sessionID string, field claims.Field, pick claims.Pick, who, source string) error
}

var _ Corrections = pipeline.Queues{}

// correctStates are the claim states a correction form is offered in: a rejection or a
// denial may be open on the claim.
var correctStates = map[lifecycle.State]bool{lifecycle.Rejected: true, lifecycle.FileRejected: true, lifecycle.Denied: true,
	lifecycle.PartiallyPaid: true}

// correctRoutes registers the correction form, its post and the conflict picks.
func (h *handler) correctRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /claims/{id}/correct", h.requireUser(h.correctForm))
	m.HandleFunc("POST /claims/{id}/correct", h.requireUser(h.correct))
	m.HandleFunc("POST /sessions/{id}/conflicts/{field}", h.requireUser(h.pickConflict))
}

// correctionValues are the form's fields as text.
type correctionValues struct {
	MemberID, SubscriberFirst, SubscriberLast, SubscriberDOB, Diagnoses, PlaceOfService, Rendering, Supervising, Authorization, Note string
	Modifiers                                                                                                                        []string // per line, comma-separated
}

type correctLine struct {
	No                               int
	Code, Date, Modifiers, SessionID string
}

type correctPage struct {
	pageBase
	Claim     claims.Claim
	Item      queue.Item
	PayerName string
	Billed    string // "$150.00"
	Reason    string
	Fix       string
	Frequency string // what the corrected claim goes out as
	Lines     []correctLine
	V         correctionValues
	Conflicts []claims.Conflict
	Error     string
}

// values are the claim's current values, as the form starts with them.
func currentValues(cc pipeline.CorrectionClaim) correctionValues {
	c := cc.Claim
	v := correctionValues{MemberID: c.Coverage.MemberID, SubscriberFirst: cc.Subscriber.FirstName, SubscriberLast: cc.Subscriber.LastName,
		SubscriberDOB: cc.Subscriber.DOB, Diagnoses: strings.Join(c.Diagnoses, ","), PlaceOfService: c.PlaceOfService,
		Rendering: c.RenderingNPI, Supervising: c.SupervisingNPI, Authorization: c.Authorization}
	for _, l := range c.Lines {
		v.Modifiers = append(v.Modifiers, strings.Join(l.Modifiers, ","))
	}
	return v
}

func (h *handler) correctionPage(r *http.Request, cc pipeline.CorrectionClaim) *correctPage {
	p := &correctPage{pageBase: h.base(r, "Correct claim "+cc.Claim.ID, "claims"), Claim: cc.Claim, Item: cc.Item,
		PayerName: h.payerName(cc.Claim.Payer), Billed: eligibility.Dollars(cc.Claim.Total), Reason: remit.RejectionWords(cc.Item), Fix: remit.WhatToFix(cc.Item),
		V: currentValues(cc), Conflicts: cc.Conflicts}
	p.Frequency = "a new original claim (the payer rejected it before adjudication, so there is nothing to replace)"
	if cc.Item.Kind == queue.Denials {
		p.Frequency = "a replacement claim (frequency 7) quoting the payer's claim number"
	}
	for i, l := range cc.Claim.Lines {
		p.Lines = append(p.Lines, correctLine{No: i + 1, Code: l.Code, Date: l.Date, Modifiers: p.V.Modifiers[i], SessionID: l.SessionID})
	}
	return p
}

// correctForm shows the correction form of a claim: ?item=ID names the rejection or
// denial it resolves (from the queue), else the claim's oldest open one.
func (h *handler) correctForm(w http.ResponseWriter, r *http.Request) {
	if h.d.Corrections == nil {
		http.Error(w, "corrections are not connected", http.StatusNotFound)
		return
	}
	cc, err := h.d.Corrections.CorrectionForm(r.Context(), r.PathValue("id"), r.URL.Query().Get("item"))
	if h.correctionFailed(w, r, err) {
		return
	}
	p := h.correctionPage(r, cc)
	if r.URL.Query().Get("refused") != "" {
		p.Error = unchangedWords(p.Reason, p.Fix)
	}
	h.render(w, "correct", p)
}

func unchangedWords(reason, fix string) string {
	return "Nothing was corrected, so the payer would reject the claim again for the same reason: " + reason + ". " + fix
}

// refusedUnchanged answers a queue resolution as resubmitted that was refused because
// nothing changed: to the item's correction form, which says why and what to fix.
func (h *handler) refusedUnchanged(w http.ResponseWriter, r *http.Request, key string) {
	var claim string
	if h.d.Corrections != nil {
		// The item's claim, to link the form.
		if cc, err := h.d.Corrections.CorrectionForm(r.Context(), "", key); err == nil {
			claim = cc.Claim.ID
		}
	}
	if claim == "" {
		http.Error(w, "nothing was corrected, so the payer would reject the claim again: correct it first (Correct and resubmit)", http.StatusConflict)
		return
	}
	http.Redirect(w, r, "/claims/"+url.PathEscape(claim)+"/correct?item="+url.QueryEscape(key)+"&refused=1", http.StatusSeeOther)
}

// correctionFailed answers a lookup's error: 404 for an unknown claim or one with nothing
// open to correct.
func (h *handler) correctionFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if errors.Is(err, pipeline.ErrNothingToCorrect) || errors.Is(err, queue.ErrNoItem) {
		http.Error(w, "this claim has no open rejection or denial to correct", http.StatusNotFound)
		return true
	}
	return h.failed(w, r, err)
}

// correct takes the form: the fields that differ from the claim's values are the
// correction. A refusal (nothing changed after a rejection, a bad value) shows the form
// again with the reason and what the biller typed.
func (h *handler) correct(w http.ResponseWriter, r *http.Request) {
	if h.d.Corrections == nil {
		http.Error(w, "corrections are not connected", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	id, key := r.PathValue("id"), r.PostFormValue("item")
	cc, err := h.d.Corrections.CorrectionForm(ctx, id, key)
	if h.correctionFailed(w, r, err) {
		return
	}
	was := currentValues(cc)
	got := postedValues(r, len(cc.Claim.Lines))
	corr := correctionOf(was, got)
	if len(got.Note) > maxNote {
		http.Error(w, "the note is longer than 2000 characters", http.StatusBadRequest)
		return
	}
	u := currentUser(ctx)
	res, err := h.d.Corrections.Correct(ctx, id, strconv.FormatInt(cc.Item.ID, 10), corr, queue.Action{Who: u.name, Text: got.Note, Source: "web"})
	var unchanged *remit.UnchangedError
	switch {
	case err == nil:
	case errors.As(err, &unchanged), errors.Is(err, claims.ErrCorrection):
		p := h.correctionPage(r, cc)
		p.V = got
		for i := range p.Lines {
			p.Lines[i].Modifiers = got.Modifiers[i]
		}
		p.Error = err.Error()
		if unchanged != nil {
			p.Error = unchangedWords(unchanged.Reason, unchanged.Fix)
		}
		h.renderStatus(w, http.StatusConflict, "correct", p)
		return
	case errors.Is(err, queue.ErrResolved), errors.Is(err, store.ErrChanged):
		http.Error(w, "the claim or its sessions changed meanwhile: reload the form and try again", http.StatusConflict)
		return
	default:
		h.fail(w, r, fmt.Errorf("correct claim %s: %w", id, err))
		return
	}
	// Ids only: what was corrected is PHI.
	h.d.Log.Info().Str("user", u.name).Str("claim", id).Str("new_claim", res.Claim).Int("changes", len(res.Changes)).Msg("web: claim corrected")
	http.Redirect(w, r, "/claims/"+url.PathEscape(res.Claim), http.StatusSeeOther)
}

func postedValues(r *http.Request, lines int) correctionValues {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	v := correctionValues{MemberID: f("member_id"), SubscriberFirst: f("subscriber_first"), SubscriberLast: f("subscriber_last"),
		SubscriberDOB: f("subscriber_dob"), Diagnoses: f("dx"), PlaceOfService: f("pos"), Rendering: f("rendering"),
		Supervising: f("supervising"), Authorization: f("auth"), Note: f("note")}
	for i := 1; i <= lines; i++ {
		v.Modifiers = append(v.Modifiers, f("modifiers_"+strconv.Itoa(i)))
	}
	return v
}

// correctionOf is the correction a posted form makes: every field that differs from the
// claim's value (diagnoses and modifiers compared as lists). A cleared supervising
// provider removes it; other fields left blank stay as they are.
func correctionOf(was, got correctionValues) claims.Correction {
	var c claims.Correction
	diff := func(a, b string) bool { return a != b && b != "" }
	if diff(was.MemberID, got.MemberID) {
		c.MemberID = got.MemberID
	}
	if diff(was.SubscriberFirst, got.SubscriberFirst) {
		c.SubscriberFirst = got.SubscriberFirst
	}
	if diff(was.SubscriberLast, got.SubscriberLast) {
		c.SubscriberLast = got.SubscriberLast
	}
	if diff(was.SubscriberDOB, got.SubscriberDOB) {
		c.SubscriberDOB = got.SubscriberDOB
	}
	if dx := list(got.Diagnoses); len(dx) > 0 && normList(dx, claims.NormalizeDiagnosis) != normList(list(was.Diagnoses), claims.NormalizeDiagnosis) {
		c.Diagnoses = dx
	}
	if diff(was.PlaceOfService, got.PlaceOfService) {
		c.PlaceOfService = got.PlaceOfService
	}
	if diff(was.Rendering, got.Rendering) {
		c.Rendering = got.Rendering
	}
	switch {
	case got.Supervising == "" && was.Supervising != "":
		c.Supervising = "none"
	case diff(was.Supervising, got.Supervising):
		c.Supervising = got.Supervising
	}
	if diff(was.Authorization, got.Authorization) {
		c.Authorization = got.Authorization
	}
	for i, m := range got.Modifiers {
		if i < len(was.Modifiers) && normList(list(m), strings.ToUpper) != normList(list(was.Modifiers[i]), strings.ToUpper) {
			if c.Modifiers == nil {
				c.Modifiers = map[int][]string{}
			}
			c.Modifiers[i+1] = list(m)
		}
	}
	return c
}

// list splits a typed list: commas, spaces or colons between the codes.
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ':' })
}

func normList(xs []string, f func(string) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return strings.Join(out, ",")
}

// pickConflict settles a correction conflict of a session's field: pick=keep keeps the
// biller's value, pick=practice takes the practice system's. Back to the page it came
// from (the session, or the correction form: ?back=/claims/ID/correct).
func (h *handler) pickConflict(w http.ResponseWriter, r *http.Request) {
	if h.d.Corrections == nil {
		http.Error(w, "corrections are not connected", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	sid, field := r.PathValue("id"), claims.Field(r.PathValue("field"))
	u := currentUser(ctx)
	err := h.d.Corrections.PickConflict(ctx, sid, field, claims.Pick(r.PostFormValue("pick")), u.name, "web")
	switch {
	case err == nil:
	case errors.Is(err, claims.ErrCorrection):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case errors.Is(err, queue.ErrNoItem), errors.Is(err, store.ErrChanged):
		http.Error(w, "this conflict was settled meanwhile: reload the page", http.StatusConflict)
		return
	default:
		h.fail(w, r, fmt.Errorf("session %s conflict %s: %w", sid, field, err))
		return
	}
	h.d.Log.Info().Str("user", u.name).Str("session", sid).Str("field", string(field)).Msg("web: correction conflict settled")
	http.Redirect(w, r, safeNext(r.PostFormValue("back")), http.StatusSeeOther)
}

// sessionConflicts lists a session's correction conflicts for its page (none without the
// correction service).
func (h *handler) sessionConflicts(ctx context.Context, id string) ([]claims.Conflict, error) {
	if h.d.Corrections == nil {
		return nil, nil
	}
	return h.d.Corrections.SessionConflicts(ctx, id)
}
