package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Users maps a login name to its bcrypt password hash.
type Users map[string][]byte

// Environment variables UsersFromEnv reads.
const (
	// EnvUsers lists "name:bcrypt-hash" pairs separated by commas or newlines
	// (hashes from `htpasswd -nbB name password` or any bcrypt tool).
	EnvUsers = "EDIGATE_WEB_USERS"
	// EnvPassword is a single password for the user "admin", hashed at start; for a
	// one-person practice or the demo.
	EnvPassword = "EDIGATE_WEB_PASSWORD"
)

// UsersFromEnv builds the user list from EDIGATE_WEB_USERS and EDIGATE_WEB_PASSWORD.
// Passwords live in the environment (or a secrets file feeding it), never in the YAML config.
func UsersFromEnv(lookup func(string) (string, bool)) (Users, error) {
	u := Users{}
	if v, ok := lookup(EnvUsers); ok {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
			name, hash, ok := strings.Cut(strings.TrimSpace(f), ":")
			if !ok || name == "" {
				return nil, fmt.Errorf("%s: entry without name:hash", EnvUsers)
			}
			if _, err := bcrypt.Cost([]byte(hash)); err != nil {
				return nil, fmt.Errorf("%s: user %s: %w", EnvUsers, name, err)
			}
			u[name] = []byte(hash)
		}
	}
	if v, ok := lookup(EnvPassword); ok && v != "" {
		if err := u.Add("admin", v); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvPassword, err)
		}
	}
	return u, nil
}

// Add hashes password for name.
func (u Users) Add(name, password string) error {
	if len(password) < 8 {
		return errors.New("password shorter than 8 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	u[name] = h
	return nil
}

const (
	sessionCookie = "edigate_session"
	loginCookie   = "edigate_login_csrf"
)

// authenticator keeps logins in memory: a daemon restart logs everyone out, which is
// acceptable for a handful of billers and means no session table holding credentials.
type authenticator struct {
	users Users
	now   func() time.Time
	ttl   time.Duration
	key   []byte // per process: CSRF tokens die with the process, like the logins
	// dummy is compared against when the user is unknown, so a wrong name costs the same
	// bcrypt time as a wrong password and names cannot be probed by timing.
	dummy []byte

	mu       sync.Mutex
	sessions map[string]*login
}

type login struct {
	user    string
	expires time.Time
}

func newAuthenticator(u Users, now func() time.Time, ttl time.Duration) *authenticator {
	key := make([]byte, 32)
	rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	dummy, _ := bcrypt.GenerateFromPassword([]byte(randomToken()[:32]), bcrypt.DefaultCost)
	return &authenticator{users: u, now: now, ttl: ttl, key: key, dummy: dummy, sessions: map[string]*login{}}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// check verifies a password in constant time whether or not the user exists.
func (a *authenticator) check(user, password string) bool {
	hash, ok := a.users[user]
	if !ok {
		hash = a.dummy
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return ok && err == nil
}

func (a *authenticator) start(user string) string {
	id := randomToken()
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for k, l := range a.sessions { // sweep here rather than in a goroutine that would need stopping
		if now.After(l.expires) {
			delete(a.sessions, k)
		}
	}
	a.sessions[id] = &login{user: user, expires: now.Add(a.ttl)}
	return id
}

// user returns the user of a live session and slides its expiry.
func (a *authenticator) user(id string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.sessions[id]
	if !ok {
		return "", false
	}
	now := a.now()
	if now.After(l.expires) {
		delete(a.sessions, id)
		return "", false
	}
	l.expires = now.Add(a.ttl)
	return l.user, true
}

func (a *authenticator) end(id string) {
	a.mu.Lock()
	delete(a.sessions, id)
	a.mu.Unlock()
}

// csrf is the token a logged-in page's forms carry: an HMAC of the session id under the
// per-process key, so it needs no storage and is useless with another session.
func (a *authenticator) csrf(sessionID string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type userKey struct{}

type reqUser struct {
	name, session, csrf string
}

func currentUser(ctx context.Context) reqUser {
	u, _ := ctx.Value(userKey{}).(reqUser)
	return u
}

// requireUser sends anonymous requests to the login page and checks the CSRF token of
// every POST before next runs.
func (h *handler) requireUser(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var name string
		ok := err == nil
		if ok {
			name, ok = h.auth.user(c.Value)
		}
		if !ok {
			if r.Method != http.MethodGet {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		u := reqUser{name: name, session: c.Value, csrf: h.auth.csrf(c.Value)}
		if r.Method == http.MethodPost {
			if !h.sameOrigin(r) || !equalToken(r.PostFormValue("csrf"), u.csrf) {
				http.Error(w, "invalid or missing CSRF token: reload the page and try again", http.StatusForbidden)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

// safeNext keeps the post-login redirect on this site ("/x", never "//evil" or "http:").
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	return s
}

func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

type loginPage struct {
	pageBase
	Next, Error string
	NoUsers     bool
}

// loginForm sets a double-submit cookie: the login POST has no session to bind a token
// to, and login CSRF (logging a victim into the attacker's account) is still a risk.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, http.StatusOK, "")
}

func (h *handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := randomToken()
	h.setCookie(w, r, loginCookie, tok, 3600)
	p := loginPage{pageBase: pageBase{Title: "Sign in", CSRF: tok}, Next: safeNext(r.FormValue("next")), Error: msg,
		NoUsers: len(h.d.Users) == 0}
	h.renderStatus(w, status, "login", &p)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !h.sameOrigin(r) || !equalToken(r.PostFormValue("csrf"), c.Value) {
		http.Error(w, "invalid or missing CSRF token: reload the sign-in page", http.StatusForbidden)
		return
	}
	user := r.PostFormValue("user")
	if !h.auth.check(user, r.PostFormValue("password")) {
		// The name is not PHI, but an attacker's guesses may be; log the fact only.
		h.d.Log.Warn().Str("remote", r.RemoteAddr).Msg("web: failed sign-in")
		h.renderLogin(w, r, http.StatusUnauthorized, "Wrong user name or password.")
		return
	}
	h.setCookie(w, r, loginCookie, "", -1)
	h.setCookie(w, r, sessionCookie, h.auth.start(user), 0)
	h.d.Log.Info().Str("user", user).Msg("web: signed in")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	h.auth.end(currentUser(r.Context()).session)
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
