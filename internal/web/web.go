// Package web is the biller UI: dashboard, sessions with their full history, authorizations,
// work queues with assign/note/resolve actions, and printable appeal letters. Pages are
// server-rendered html/template with one embedded stylesheet and no script, so they print
// cleanly and work under a strict Content-Security-Policy.
//
// The UI has no SQL of its own: it reads through the same store and service functions the
// CLI uses (Deps holds them as small interfaces) so a page and `edigate sessions show` can
// never disagree. Every page shows PHI, so every page needs a logged-in biller; URLs carry
// opaque ids only and nothing about a client is logged.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/outbox"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/scheduler"
	"github.com/rs/zerolog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the pages read; *store.DB implements it.
type Store interface {
	CountSessions(ctx context.Context) (map[string]int, error)
	Sessions(ctx context.Context, f store.SessionFilter) ([]store.SessionRecord, error)
	Session(ctx context.Context, id string) (store.SessionRecord, error)
	Events(ctx context.Context, entityKind, entityID string) ([]store.Event, error)
	Authorizations(ctx context.Context) ([]store.AuthRecord, error)
	Alerts(ctx context.Context, openOnly bool) ([]store.Alert, error)
	Claims(ctx context.Context, f store.ClaimFilter) ([]store.ClaimRecord, error)
	Claim(ctx context.Context, id string) (store.ClaimRecord, error)
	ClaimsForSession(ctx context.Context, sessionID string) ([]string, error)
	// Trace is the one timeline of a session and its claims (as `edigate trace` shows it).
	Trace(ctx context.Context, id string) (store.Trace, error)
	ClaimStateCounts(ctx context.Context) (map[string]int, error)
	// The paged lists: one page and the number of rows matching in all.
	ClaimList(ctx context.Context, f store.ClaimListFilter) ([]store.ClaimListRow, int, error)
	SessionPage(ctx context.Context, f store.SessionFilter, p store.Page) ([]store.SessionRecord, int, error)
	ClaimPostings(ctx context.Context, claimID string) ([]store.PostedCLP, error)
	HeldByReason(ctx context.Context) (map[string]int, error)
}

// AppealLetters renders a claim's appeal letter as a complete HTML document for print
// (remit's letter templates); store.ErrNotFound when the claim has no appeal.
type AppealLetters interface {
	AppealLetterHTML(ctx context.Context, claimID string) ([]byte, error)
}

// Deps is everything the UI needs. Store and Users are required; a nil func or a missing
// queue shows as "not connected" rather than failing the page.
type Deps struct {
	Store   Store
	Config  *config.Config // payer names and windows; config.Default() when nil
	Users   Users
	Queues  map[queue.Kind]Queue
	Appeals AppealLetters
	// Jobs returns the scheduler's job states (scheduler.Runner.Status).
	Jobs func() []scheduler.JobStatus
	// Health returns the clearinghouse exchange states (scheduler.Failures.Health).
	Health func() []scheduler.Health
	// Outbox reports what was told to the practice system (pipeline.OutboxStatus); nil
	// hides the dashboard card.
	Outbox func(ctx context.Context) (pipeline.OutboxStatus, error)
	// Statements lists the payment messages for patient statements
	// (store.StatementMessages); nil: no statements download.
	Statements func(ctx context.Context, clientID string) ([]outbox.PaidMessage, error)
	Log        zerolog.Logger
	Now        func() time.Time
	// Corrections corrects and resubmits claims (pipeline.Queues); nil hides the form.
	Corrections Corrections
	// Responses re-applies a response file that could not be applied (the files page's
	// retry button); nil hides the button.
	Responses Responses
	// SessionTTL is how long a login lasts without use; 12 hours when zero.
	SessionTTL time.Duration
}

// handler is the UI; all of its state lives here (no package-level mutable state).
type handler struct {
	d     Deps
	tmpl  map[string]*template.Template
	auth  *authenticator
	mux   *http.ServeMux
	payer map[string]config.Payer
	names map[string]string // payer id -> name, for the pages
	// origin is the Fetch-metadata check every POST passes (csrf.go).
	origin *http.CrossOriginProtection
	// dir holds the users with roles (the store), nil when the store has none (roles.go).
	dir userDirectory
}

// New returns the UI handler the daemon mounts on web.listen.
func New(d Deps) http.Handler {
	h, err := newHandler(d)
	if err != nil {
		// The templates are embedded and parsed by every test run; failing here is a
		// build defect, not a runtime condition.
		panic(err)
	}
	return h
}

func newHandler(d Deps) (*handler, error) {
	if d.Config == nil {
		d.Config = config.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	if d.Queues == nil {
		d.Queues = map[queue.Kind]Queue{}
	}
	tm, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	h := &handler{d: d, tmpl: tm, auth: newAuthenticator(d.Users, d.Now, d.SessionTTL), payer: map[string]config.Payer{}, names: map[string]string{},
		origin: newOriginCheck()}
	for _, p := range d.Config.Payers {
		h.payer[p.ID] = p
		if p.Name != "" {
			h.names[p.ID] = p.Name
		}
	}
	h.dir, _ = d.Store.(userDirectory)
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", h.loginForm)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.requireUser(h.logout))
	m.HandleFunc("GET /{$}", h.requireUser(h.dashboard))
	m.HandleFunc("GET /sessions", h.requireUser(h.sessions))
	m.HandleFunc("GET /sessions/{id}", h.requireUser(h.session))
	m.HandleFunc("GET /claims", h.requireUser(h.claims))
	m.HandleFunc("GET /claims/{id}", h.requireUser(h.claim))
	m.HandleFunc("GET /claims/{id}/files/{n}", h.requireUser(h.claimFile))
	m.HandleFunc("GET /authorizations", h.requireUser(h.authorizations))
	m.HandleFunc("GET /queues", h.requireUser(h.queues))
	m.HandleFunc("GET /queues/{kind}", h.requireUser(h.queue))
	m.HandleFunc("POST /queues/{kind}/assign", h.requireUser(h.bulkAssign))
	m.HandleFunc("POST /queues/{kind}/{id}/{action}", h.requireUser(h.queueAction))
	m.HandleFunc("GET /appeals/{claim}/letter", h.requireUser(h.appealLetter))
	h.correctRoutes(m)
	h.filesRoutes(m)
	m.HandleFunc("GET /reports", h.requireUser(h.reports))
	m.HandleFunc("GET /reports/{file}", h.requireUser(h.reportCSV))
	m.HandleFunc("GET /admin/users", h.requireAdmin(h.usersPage))
	m.HandleFunc("POST /admin/users", h.requireAdmin(h.addUser))
	m.HandleFunc("POST /admin/users/{name}/{what}", h.requireAdmin(h.changeUser))
	m.HandleFunc("GET /admin/settings", h.requireAdmin(h.settings))
	m.HandleFunc("GET /audit", h.requireAdmin(h.auditTrail))
	m.HandleFunc("GET /outbox/statements.csv", h.requireUser(h.statementsCSV))
	h.mux = m
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	hdr := w.Header()
	// No script and no third-party anything: the strictest policy the pages allow.
	hdr.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", referrerPolicy)
	// Pages hold PHI: keep them out of shared and disk caches.
	hdr.Set("Cache-Control", "no-store")
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if !h.rejectCrossOrigin(sw, r) {
		h.mux.ServeHTTP(sw, r)
	}
	// Paths carry opaque ids only; the query (filters) and bodies (notes) are not logged.
	h.d.Log.Debug().Str("method", r.Method).Str("path", r.URL.Path).Int("status", sw.status).
		Dur("took", time.Since(start)).Msg("web")
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
