package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/internal/webusers"
)

// userAdmin is the store's user administration (*store.DB).
type userAdmin interface {
	userDirectory
	WebUsers(ctx context.Context) ([]store.WebUser, error)
	AddWebUser(ctx context.Context, u store.WebUser, a store.AuditEntry) error
	ChangeWebUser(ctx context.Context, name, expect string, c store.UserChange, a store.AuditEntry) error
	AuditPage(ctx context.Context, who string, p store.Page) ([]store.AuditEntry, int, error)
}

type usersPage struct {
	pageBase
	Connected bool
	Users     []store.WebUser
	EnvUsers  []string // admins from the environment (not editable here)
	Roles     []Role
	Error     string
	Done      string
}

func (h *handler) admin() (userAdmin, bool) {
	a, ok := h.d.Store.(userAdmin)
	return a, ok
}

func (h *handler) usersPage(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, http.StatusOK, "", r.URL.Query().Get("done"))
}

func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, msg, done string) {
	if status >= 400 { // user administration records its own entries (not the generic ones)
		h.audit(r, currentUser(r.Context()).name, "refused: "+msg, outcomeOf(status))
	}
	p := usersPage{pageBase: h.base(r, "Users", "admin"), Roles: webusers.Roles(), Error: msg, Done: done}
	for name := range h.d.Users {
		p.EnvUsers = append(p.EnvUsers, name)
	}
	if a, ok := h.admin(); ok {
		p.Connected = true
		var err error
		if p.Users, err = a.WebUsers(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.renderStatus(w, status, "users", &p)
}

// addUser adds a user from the form (name, role, password).
func (h *handler) addUser(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin()
	if !ok {
		http.NotFound(w, r)
		return
	}
	me := currentUser(r.Context())
	name := strings.TrimSpace(r.PostFormValue("name"))
	role, err := webusers.ParseRole(r.PostFormValue("role"))
	switch {
	case !webusers.NameRE.MatchString(name):
		h.renderUsers(w, r, http.StatusBadRequest, "A user name is 1 to 64 letters, digits, dots, dashes, underscores or @.", "")
		return
	case err != nil:
		h.renderUsers(w, r, http.StatusBadRequest, "Choose a role: admin, biller or viewer.", "")
		return
	}
	if _, env := h.d.Users[name]; env {
		h.renderUsers(w, r, http.StatusConflict, "That name is an administrator from the environment; choose another.", "")
		return
	}
	hash, err := webusers.HashPassword(r.PostFormValue("password"))
	if err != nil {
		h.renderUsers(w, r, http.StatusBadRequest, "Password: "+err.Error()+".", "")
		return
	}
	err = a.AddWebUser(r.Context(), store.WebUser{Name: name, Hash: hash, Role: string(role)},
		h.auditEntry(r, me.name, fmt.Sprintf("added user %s as %s", name, role)))
	if errors.Is(err, store.ErrUserExists) {
		h.renderUsers(w, r, http.StatusConflict, "A user named "+name+" exists already.", "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?done="+url.QueryEscape("Added "+name+" as "+string(role)+"."), http.StatusSeeOther)
}

// changeUser sets a user's role, disables or enables it, or sets its password. An admin
// cannot demote or disable themselves, so the UI always keeps an admin who can undo it.
func (h *handler) changeUser(w http.ResponseWriter, r *http.Request) {
	a, ok := h.admin()
	if !ok {
		http.NotFound(w, r)
		return
	}
	me := currentUser(r.Context())
	name, what := r.PathValue("name"), r.PathValue("what")
	u, err := a.WebUser(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var c store.UserChange
	var words string
	switch what {
	case "role":
		role, err := webusers.ParseRole(r.PostFormValue("role"))
		if err != nil {
			h.renderUsers(w, r, http.StatusBadRequest, "Choose a role: admin, biller or viewer.", "")
			return
		}
		if name == me.name && role != RoleAdmin {
			h.renderUsers(w, r, http.StatusConflict, "You cannot take the admin role from yourself; another admin can.", "")
			return
		}
		c.Role, words = string(role), fmt.Sprintf("set the role of %s to %s (was %s)", name, role, u.Role)
	case "disable", "enable":
		if name == me.name {
			h.renderUsers(w, r, http.StatusConflict, "You cannot disable yourself; another admin can.", "")
			return
		}
		off := what == "disable"
		c.Disabled, words = &off, what+"d user "+name
	case "password":
		hash, err := webusers.HashPassword(r.PostFormValue("password"))
		if err != nil {
			h.renderUsers(w, r, http.StatusBadRequest, "Password: "+err.Error()+".", "")
			return
		}
		c.Hash, words = hash, "set a new password for "+name
	default:
		http.NotFound(w, r)
		return
	}
	err = a.ChangeWebUser(r.Context(), name, u.UpdatedAt, c, h.auditEntry(r, me.name, words))
	if errors.Is(err, store.ErrNotFound) {
		h.renderUsers(w, r, http.StatusConflict, "Another admin changed "+name+" meanwhile: look again and retry.", "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.d.Log.Info().Str("user", me.name).Str("target", name).Str("change", what).Msg("web: user changed")
	http.Redirect(w, r, "/admin/users?done="+url.QueryEscape(strings.ToUpper(words[:1])+words[1:]+"."), http.StatusSeeOther)
}

func (h *handler) auditEntry(r *http.Request, who, action string) store.AuditEntry {
	return store.AuditEntry{At: stampNow(h), Who: who, Action: action, Target: r.URL.Path, Remote: remoteHost(r), Outcome: "done", Source: "web"}
}

type auditPage struct {
	pageBase
	Connected bool
	Who       string
	Rows      []store.AuditEntry
	Pager     pager
}

func (h *handler) auditTrail(w http.ResponseWriter, r *http.Request) {
	p := auditPage{pageBase: h.base(r, "Audit trail", "audit"), Who: r.URL.Query().Get("who")}
	if a, ok := h.admin(); ok {
		p.Connected = true
		pg := pageOf(r)
		rows, total, err := a.AuditPage(r.Context(), p.Who, pg)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Rows, p.Pager = rows, newPager(r, pg, len(rows), total)
	}
	h.render(w, "audit", &p)
}

type settingsPage struct {
	pageBase
	Practices      []config.Practice
	Payers         []config.Payer
	Clearinghouses []clearinghouseView
}

// clearinghouseView is a clearinghouse without its credentials.
type clearinghouseView struct {
	ID, Name, Host, User string
	Port                 int
	Simulator            bool
	Auth                 string // how it signs in, in words (never the secret)
}

// settings shows the configuration that decides what edigate sends (read-only: the YAML
// file is the one place to change it). Secrets are never shown.
func (h *handler) settings(w http.ResponseWriter, r *http.Request) {
	p := settingsPage{pageBase: h.base(r, "Settings", "settings"), Practices: h.d.Config.Practices, Payers: h.d.Config.Payers}
	for _, c := range h.d.Config.Clearinghouses {
		v := clearinghouseView{ID: c.ID, Name: c.Name, Host: c.SFTP.Host, User: c.SFTP.User, Port: c.SFTP.Port, Simulator: c.Simulator}
		switch {
		case c.SFTP.KeyFile != "":
			v.Auth = "key file"
		case c.SFTP.PasswordEnv != "" || c.SFTP.Password != "":
			v.Auth = "password (kept outside the configuration)"
		default:
			v.Auth = "none configured"
		}
		p.Clearinghouses = append(p.Clearinghouses, v)
	}
	h.render(w, "settings", &p)
}
