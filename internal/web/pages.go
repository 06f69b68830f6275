package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/scheduler"
)

// pageBase is what the layout needs on every page.
type pageBase struct {
	Title string
	Nav   string // active menu entry
	User  string
	Role  string // the user's role: the layout shows admin links to admins
	CSRF  string
	Now   string
	// Names maps payer ids to their configured names: {{or (index $.Names .Payer) .Payer}}.
	Names map[string]string
}

func (h *handler) base(r *http.Request, title, nav string) pageBase {
	u := currentUser(r.Context())
	return pageBase{Title: title, Nav: nav, User: u.name, Role: string(u.role), CSRF: u.csrf, Now: h.d.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Names: h.names}
}

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"stamp":      stamp,
		"stateWords": lifecycle.State.Words,
		"inc":        func(i int) int { return i + 1 },
		"upper":      strings.ToUpper,
		"holdWords":  func(r string) string { w, _ := queue.HoldWords(r); return w },
		"alertWords": alertWords,
		"queueTitle": queue.Kind.Title,
		"entryWords": entryWords,
		"join":       strings.Join,
		"overdue":    func(today, d string) bool { return d != "" && d < today },
		"soon": func(today, d string) bool {
			t, err := time.Parse(time.DateOnly, today)
			return err == nil && d != "" && d >= today && d <= t.AddDate(0, 0, 14).Format(time.DateOnly)
		},
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

func (h *handler) render(w http.ResponseWriter, name string, data any) {
	h.renderStatus(w, http.StatusOK, name, data)
}

// renderStatus renders into a buffer first so a template error becomes a clean 500 rather
// than half a page.
func (h *handler) renderStatus(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.tmpl[name].Execute(&buf, data); err != nil {
		h.d.Log.Error().Err(err).Str("template", name).Msg("web: render")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail logs the error (no PHI: store errors name ids and statements) and shows a 500.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.d.Log.Error().Err(err).Str("path", r.URL.Path).Msg("web")
	http.Error(w, "internal error: see the edigate log", http.StatusInternalServerError)
}

func stamp(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// count is one labelled number on the dashboard.
type count struct {
	Key, Label string
	N          int
}

type queueSummary struct {
	Kind      queue.Kind
	Connected bool
	Count     int
	Overdue   int
	Nearest   string
	Err       string
}

type dashboardPage struct {
	pageBase
	Today      string
	Sessions   []count
	Holds      []count
	Claims     []count
	Alerts     []alertView
	Exchange   []exchangeAlert // open clearinghouse alerts: overdue 999s and 277CAs, unsendable files
	Queues     []queueSummary
	Jobs       []scheduler.JobStatus
	JobsWired  bool
	Health     []scheduler.Health
	HealthWire bool
	Outbox     *outboxView // nil when not wired
}

type alertView struct {
	store.Alert
	Words string
}

var sessionStates = []string{store.StateReady, store.StateHeld, store.StateScheduled, store.StateBilled, store.StateVoid, store.StateReplaced}

func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := dashboardPage{pageBase: h.base(r, "Dashboard", "dashboard"), Today: h.today()}
	counts, err := h.d.Store.CountSessions(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range sessionStates {
		p.Sessions = append(p.Sessions, count{Key: s, Label: s, N: counts[s]})
	}
	byReason, err := h.d.Store.HeldByReason(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Holds = sortedCounts(byReason, func(k string) string { w, _ := queue.HoldWords(k); return w })
	byState, err := h.d.Store.ClaimStateCounts(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Claims = lifecycleCounts(byState)
	if p.Alerts, err = h.alerts(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Exchange, err = h.exchangeAlerts(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, k := range queue.Kinds() {
		p.Queues = append(p.Queues, h.summarize(ctx, k, p.Today))
	}
	if h.d.Jobs != nil {
		p.JobsWired, p.Jobs = true, h.d.Jobs()
	}
	if h.d.Health != nil {
		p.HealthWire, p.Health = true, h.d.Health()
	}
	if p.Outbox, err = h.outboxView(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, "dashboard", &p)
}

func (h *handler) today() string { return h.d.Now().UTC().Format(time.DateOnly) }

func sortedCounts(m map[string]int, label func(string) string) []count {
	var out []count
	for k, n := range m {
		out = append(out, count{Key: k, Label: label(k), N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// lifecycleCounts lists the non-zero claim states in lifecycle order; a state the list
// does not know (a newer store) still shows, after the known ones.
func lifecycleCounts(m map[string]int) []count {
	var out []count
	seen := map[string]bool{}
	for _, st := range lifecycle.States() {
		k := string(st)
		seen[k] = true
		if m[k] > 0 {
			out = append(out, count{Key: k, Label: strings.ReplaceAll(k, "_", " "), N: m[k]})
		}
	}
	var rest []string
	for k, n := range m {
		if !seen[k] && n > 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, count{Key: k, Label: strings.ReplaceAll(k, "_", " "), N: m[k]})
	}
	return out
}

// letterStates are the lifecycle states in which a claim has a denial to appeal.
var letterStates = map[lifecycle.State]bool{lifecycle.Denied: true, lifecycle.PartiallyPaid: true, lifecycle.Appealed: true}

// summarize counts a queue without failing the dashboard when one queue's service errs.
func (h *handler) summarize(ctx context.Context, kind queue.Kind, today string) queueSummary {
	q, ok := h.d.Queues[kind]
	s := queueSummary{Kind: kind, Connected: ok}
	if !ok {
		return s
	}
	sum, err := summarizeQueue(ctx, q, today)
	if err != nil {
		h.d.Log.Error().Err(err).Str("queue", string(kind)).Msg("web: queue")
		s.Err = "unavailable"
		return s
	}
	s.Count, s.Overdue, s.Nearest = sum.Open, sum.Overdue, sum.Nearest
	return s
}

func (h *handler) alerts(ctx context.Context) ([]alertView, error) {
	as, err := h.d.Store.Alerts(ctx, true)
	if err != nil {
		return nil, err
	}
	auths, err := h.d.Store.Authorizations(ctx)
	if err != nil {
		return nil, err
	}
	remaining := map[string]int{}
	for _, a := range auths {
		remaining[a.Key().String()] = a.Remaining
	}
	out := make([]alertView, 0, len(as))
	for _, a := range as {
		if a.EntityKind != "authorization" {
			continue // a clearinghouse alert (see exchangeAlerts) names no authorization
		}
		// An alert is raised once per threshold crossing and its detail is the state at
		// that moment; the biller needs what is left now.
		if n, ok := remaining[a.EntityID]; ok {
			a.Detail = withRemaining(a.Detail, n)
		}
		out = append(out, alertView{Alert: a, Words: alertWords(a.Kind, a.Detail)})
	}
	return out, nil
}

func withRemaining(detail json.RawMessage, n int) json.RawMessage {
	m := map[string]any{}
	json.Unmarshal(detail, &m)
	m["remaining"] = n
	b, err := json.Marshal(m)
	if err != nil {
		return detail
	}
	return b
}

// alertWords says what an authorization alert means for the biller.
func alertWords(kind string, detail json.RawMessage) string {
	var d struct {
		Remaining *int   `json:"remaining"`
		End       string `json:"end"`
	}
	_ = json.Unmarshal(detail, &d) // a detail that does not decode still gives the kind in words
	return claims.AuthAlertWords(kind, d.Remaining, d.End)
}

type sessionsPage struct {
	pageBase
	State, Payer string
	States       []string
	Payers       []payerOption
	Rows         []store.SessionRecord
	Pager        pager
}

type payerOption struct{ ID, Name string }

func (h *handler) payerOptions() []payerOption {
	var out []payerOption
	for _, p := range h.d.Config.Payers {
		out = append(out, payerOption{p.ID, p.Name})
	}
	return out
}

func (h *handler) sessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := sessionsPage{pageBase: h.base(r, "Sessions", "sessions"), State: q.Get("state"), Payer: q.Get("payer"),
		States: sessionStates, Payers: h.payerOptions()}
	pg := pageOf(r)
	rows, total, err := h.d.Store.SessionPage(r.Context(), store.SessionFilter{State: p.State, Payer: p.Payer}, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Rows, p.Pager = rows, newPager(r, pg, len(rows), total)
	h.render(w, "sessions", &p)
}

// traceRow is one line of a session's history, from any entity that touched it.
type traceRow struct {
	At, Entity, Kind, Words, Source string
	Detail                          []kv
}

type kv struct{ K, V string }

type claimView struct {
	store.ClaimRecord
	Letter bool
}

type sessionPage struct {
	pageBase
	S      store.SessionRecord
	Claims []claimView
	Trace  []traceRow
	// Conflicts are corrections the practice system has since sent other values for
	// (correct.go); Eligibility the latest 271 answer in words (files.go).
	Conflicts   []claims.Conflict
	Eligibility *eligView
}

func (h *handler) session(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.d.Store.Session(ctx, id)
	if h.failed(w, r, err) {
		return
	}
	p := sessionPage{pageBase: h.base(r, "Session "+s.ID, "sessions"), S: s}
	tr, err := h.d.Store.Trace(ctx, s.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) { // a session with no history yet shows none
		h.fail(w, r, fmt.Errorf("session %s trace: %w", id, err))
		return
	}
	for _, e := range tr.Events {
		label := string(e.EntityKind)
		switch e.EntityKind {
		case lifecycle.EntitySession:
		case lifecycle.EntityAuthorization: // payer/number: the biller knows it by its number
			label += " " + e.EntityID[strings.LastIndex(e.EntityID, "/")+1:]
		default:
			label += " " + e.EntityID
		}
		p.Trace = append(p.Trace, traceRow{At: e.At, Entity: label, Kind: string(e.Kind), Words: e.Summary(),
			Source: e.SourceFile, Detail: details(e.Detail)})
	}
	for _, ct := range tr.Claims {
		c, err := h.d.Store.Claim(ctx, ct.ClaimID)
		if err != nil {
			h.fail(w, r, fmt.Errorf("session %s claim %s: %w", id, ct.ClaimID, err))
			return
		}
		p.Claims = append(p.Claims, claimView{ClaimRecord: c, Letter: h.d.Appeals != nil && letterStates[c.State]})
	}
	if p.Conflicts, err = h.sessionConflicts(ctx, s.ID); err != nil {
		h.fail(w, r, fmt.Errorf("session %s conflicts: %w", id, err))
		return
	}
	if p.Eligibility, err = h.sessionEligibilityView(ctx, s); err != nil {
		h.fail(w, r, fmt.Errorf("session %s eligibility: %w", id, err))
		return
	}
	h.render(w, "session", &p)
}

func details(raw json.RawMessage) []kv {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make([]kv, 0, len(m))
	for k, v := range m {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case nil:
			continue
		default:
			b, _ := json.Marshal(x)
			s = string(b)
		}
		if s == "" {
			continue
		}
		out = append(out, kv{k, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

type authsPage struct {
	pageBase
	Rows   []store.AuthRecord
	Alerts []alertView
	Pager  pager
}

func (h *handler) authorizations(w http.ResponseWriter, r *http.Request) {
	p := authsPage{pageBase: h.base(r, "Authorizations", "authorizations")}
	all, err := h.d.Store.Authorizations(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A practice has authorizations in the thousands, not the hundred thousands: the page
	// shows 50 at a time with the count, from the one list the alerts need anyway.
	pg := pageOf(r)
	from := min(pg.Offset, len(all))
	p.Rows = all[from:min(from+pg.Limit, len(all))]
	p.Pager = newPager(r, pg, len(p.Rows), len(all))
	if p.Alerts, err = h.alerts(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, "authorizations", &p)
}

func (h *handler) appealLetter(w http.ResponseWriter, r *http.Request) {
	if h.d.Appeals == nil {
		http.Error(w, "appeal letters are not connected", http.StatusNotFound)
		return
	}
	b, err := h.d.Appeals.AppealLetterHTML(r.Context(), r.PathValue("claim"))
	if h.failed(w, r, err) {
		return
	}
	// Letter templates are overridable by the practice and commonly carry a <style> block:
	// allow inline style here, still no script.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}
