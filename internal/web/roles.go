package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/webusers"
)

// Role is what a signed-in user may do (webusers.Role: the CLI manages the same users).
type Role = webusers.Role

// The roles, as the pages name them.
const (
	RoleAdmin  = webusers.Admin
	RoleBiller = webusers.Biller
	RoleViewer = webusers.Viewer
)

// userDirectory is where users with roles live (*store.DB). Users from the environment
// (Deps.Users) are admins: they are how a new install gets its first admin.
type userDirectory interface {
	WebUser(ctx context.Context, name string) (store.WebUser, error)
}

// auditor records the audit trail (*store.DB).
type auditor interface {
	Audit(ctx context.Context, a store.AuditEntry) error
}

// roleOf returns the role of a signed-in user now: a role changed or an account disabled
// since sign-in takes effect on the next request. false: no such user (any more).
func (h *handler) roleOf(ctx context.Context, name string) (Role, bool) {
	if h.dir != nil {
		u, err := h.dir.WebUser(ctx, name)
		switch {
		case err == nil && u.Disabled:
			return "", false
		case err == nil:
			r, err := webusers.ParseRole(u.Role)
			return r, err == nil
		case !errors.Is(err, store.ErrNotFound):
			h.d.Log.Error().Err(err).Msg("web: user lookup")
			return "", false
		}
	}
	if _, ok := h.d.Users[name]; ok {
		return RoleAdmin, true
	}
	return "", false
}

// hashOf returns the password hash of an active user (store first, then environment).
func (h *handler) hashOf(ctx context.Context, name string) ([]byte, bool) {
	if h.dir != nil {
		u, err := h.dir.WebUser(ctx, name)
		if err == nil {
			return u.Hash, !u.Disabled
		}
		if !errors.Is(err, store.ErrNotFound) {
			h.d.Log.Error().Err(err).Msg("web: user lookup")
			return nil, false
		}
	}
	hash, ok := h.d.Users[name]
	return hash, ok
}

// refuse answers 403 with what the role may do instead, and records the refusal.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, u reqUser, why string) {
	h.audit(r, u.name, "refused: "+why, "refused")
	http.Error(w, why, http.StatusForbidden)
}

// requireAdmin runs next for admins only.
func (h *handler) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return h.requireUser(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r.Context())
		if u.role != RoleAdmin {
			h.refuse(w, r, u, fmt.Sprintf("this page is for administrators; your role (%s) %s", u.role, u.role.Words()))
			return
		}
		next(w, r)
	})
}

// audit appends an action to the audit trail: who, what (words, ids only), the path, from
// where and how it ended. A failure to record is logged, and does not undo the action.
func (h *handler) audit(r *http.Request, who, action, outcome string) {
	a, ok := h.d.Store.(auditor)
	if !ok {
		return
	}
	if err := a.Audit(r.Context(), store.AuditEntry{At: stampNow(h), Who: who, Action: action, Target: r.URL.Path,
		Remote: remoteHost(r), Outcome: outcome, Source: "web"}); err != nil {
		h.d.Log.Error().Err(err).Msg("web: could not record the audit entry")
	}
}

func stampNow(h *handler) string { return h.d.Now().UTC().Format("2006-01-02T15:04:05.000000000Z") }

// actionWords describes a POST for the audit trail from its path and the form's
// non-free-text fields (a note's text may name a patient and is not copied).
func actionWords(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 4 && parts[0] == "queues":
		w := fmt.Sprintf("%s queue: %s item %s", parts[1], parts[3], parts[2])
		switch parts[3] {
		case "assign":
			w += " to " + r.PostFormValue("assignee")
		case "resolve":
			w += " as " + strings.ReplaceAll(r.PostFormValue("outcome"), "_", " ")
		}
		return w
	case len(parts) == 3 && parts[0] == "queues" && parts[2] == "assign":
		return fmt.Sprintf("%s queue: assigned %d items to %s", parts[1], len(r.PostForm["key"]), r.PostFormValue("assignee"))
	case r.URL.Path == "/logout":
		return "signed out"
	}
	return r.Method + " " + r.URL.Path
}

// auditedWriter notes the status a handler answered with.
type auditedWriter struct {
	http.ResponseWriter
	status int
}

func (a *auditedWriter) WriteHeader(code int) {
	a.status = code
	a.ResponseWriter.WriteHeader(code)
}

func outcomeOf(status int) string {
	switch {
	case status < 400:
		return "done"
	case status == http.StatusForbidden:
		return "refused"
	}
	return fmt.Sprintf("failed (%d)", status)
}
