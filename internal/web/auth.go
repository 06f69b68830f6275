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
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/lifecycle"
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
	brake    *brake
}

type login struct {
	user    string
	expires time.Time
}

func newAuthenticator(u Users, now func() time.Time, ttl time.Duration) *authenticator {
	key := make([]byte, 32)
	rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	// The dummy costs what the real hashes cost, or an unknown name would answer at
	// another speed (htpasswd -B hashes at cost 5, bcrypt.DefaultCost is 10).
	cost := 0
	for _, h := range u {
		if c, err := bcrypt.Cost(h); err == nil {
			cost = max(cost, c)
		}
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte(randomToken()[:32]), cost)
	return &authenticator{users: u, now: now, ttl: ttl, key: key, dummy: dummy, sessions: map[string]*login{},
		brake: &brake{now: now, keys: map[string]*tries{}}}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// check verifies a password in constant time whether or not the user exists.
func (a *authenticator) check(user, password string) bool {
	hash, ok := a.users[user]
	return a.compare(hash, ok, password)
}

// compare checks password against hash, or against the dummy when there is no active user
// (ok false), so both answers take one bcrypt comparison.
func (a *authenticator) compare(hash []byte, ok bool, password string) bool {
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
	role                Role
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
		role, ok := h.roleOf(r.Context(), name)
		if !ok {
			// Disabled or removed since signing in: the session ends now.
			h.auth.end(c.Value)
			h.setCookie(w, r, sessionCookie, "", -1)
			if r.Method != http.MethodGet {
				http.Error(w, "your account is disabled: ask an administrator", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		u := reqUser{name: name, role: role, session: c.Value, csrf: h.auth.csrf(c.Value)}
		if r.Method == http.MethodPost {
			if !h.sameOrigin(r) || !equalToken(r.PostFormValue("csrf"), u.csrf) {
				http.Error(w, "invalid or missing CSRF token: reload the page and try again", http.StatusForbidden)
				return
			}
			if !role.CanChange() && r.URL.Path != "/logout" {
				h.refuse(w, r, u, fmt.Sprintf("your role (%s) %s: ask an administrator for the biller role to act", role, role.Words()))
				return
			}
		}
		ctx := context.WithValue(r.Context(), userKey{}, u)
		// Every change and every spreadsheet of PHI taken away goes in the audit trail;
		// user administration records its own entries with the change itself.
		csv := r.URL.Query().Get("format") == "csv" || strings.HasSuffix(r.URL.Path, ".csv")
		if (r.Method != http.MethodPost && !csv) || strings.HasPrefix(r.URL.Path, "/admin/users") {
			next(w, r.WithContext(ctx))
			return
		}
		aw := &auditedWriter{ResponseWriter: w, status: http.StatusOK}
		action := "downloaded " + r.URL.Path + " as CSV"
		if r.Method == http.MethodPost {
			action = actionWords(r)
		}
		next(aw, r.WithContext(ctx))
		if r.URL.Path == "/logout" {
			action = "signed out"
		}
		h.audit(r, name, action, outcomeOf(aw.status))
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
	keys := []brakeKey{{"account:" + user, brakeAccountFree, brakeAccountLock}, {"address:" + remoteHost(r), brakeAddressFree, brakeAddressLock}}
	// The brake answers before the password is checked, the same for known and unknown
	// names, so a locked account cannot be told from a wrong guess by name.
	if wait, locked := h.auth.brake.wait(keys); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		msg := fmt.Sprintf("Too many failed sign-ins: wait %d seconds and try again.", secs)
		if locked {
			msg = fmt.Sprintf("Sign-in is locked after repeated failures: try again in %d minutes.", (secs+59)/60)
		}
		h.d.Log.Warn().Str("remote", r.RemoteAddr).Bool("locked", locked).Msg("web: sign-in refused by the brake")
		h.renderLogin(w, r, http.StatusTooManyRequests, msg)
		return
	}
	hash, active := h.hashOf(r.Context(), user)
	if !h.auth.compare(hash, active, r.PostFormValue("password")) {
		// The name is not PHI, but an attacker's guesses may be; log the fact only.
		h.d.Log.Warn().Str("remote", r.RemoteAddr).Msg("web: failed sign-in")
		who := "(an unknown name)"
		if _, known := h.roleOf(r.Context(), user); known || hash != nil {
			who = user
		}
		h.audit(r, who, "failed sign-in", "refused")
		for _, l := range h.auth.brake.failed(keys) {
			h.lockedOut(r.Context(), l, user, r.RemoteAddr)
		}
		h.renderLogin(w, r, http.StatusUnauthorized, "Wrong user name or password.")
		return
	}
	h.auth.brake.succeeded(keys[0].key)
	h.setCookie(w, r, loginCookie, "", -1)
	h.setCookie(w, r, sessionCookie, h.auth.start(user), 0)
	h.d.Log.Info().Str("user", user).Msg("web: signed in")
	h.audit(r, user, "signed in", "done")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	h.auth.end(currentUser(r.Context()).session)
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// Sign-in brake: growing delays after a few failures, then a temporary lockout, per
// account and per address (an address spraying many accounts). In memory, like the logins.
const (
	brakeAccountFree = 3 // failures of one account answered at once
	brakeAccountLock = 10
	// An address is allowed more: billers behind one NAT share it.
	brakeAddressFree = 10
	brakeAddressLock = 30
	brakeMaxDelay    = 30 * time.Second
	brakeLockFor     = 15 * time.Minute
	brakeForget      = 15 * time.Minute // a key this long without a failure starts over
	brakeSweepAt     = 1024             // keys kept before old ones are swept
)

type brakeKey struct {
	key   string
	free  int // failures answered without a delay
	limit int // failures before a lockout
}

type tries struct {
	failures    int
	last        time.Time
	lockedUntil time.Time
}

type brake struct {
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]*tries
}

// lockout is a key that has just been locked.
type lockout struct {
	key      string
	failures int
	until    time.Time
}

// delay is how long after its nth failure a key waits: nothing for the first free ones,
// then 1 s doubling up to brakeMaxDelay.
func delay(n, free int) time.Duration {
	if n <= free {
		return 0
	}
	return min(time.Second<<min(n-free-1, 10), brakeMaxDelay)
}

// wait is how long the longest-waiting key must still wait, and whether that is a lockout.
func (b *brake) wait(keys []brakeKey) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var longest time.Duration
	locked := false
	for _, k := range keys {
		t, ok := b.keys[k.key]
		if !ok {
			continue
		}
		if d := t.lockedUntil.Sub(now); d > 0 {
			longest, locked = max(longest, d), true
			continue
		}
		if d := t.last.Add(delay(t.failures, k.free)).Sub(now); d > longest {
			longest = d
		}
	}
	return longest, locked
}

// failed counts a failure against every key and returns the keys it locks.
func (b *brake) failed(keys []brakeKey) []lockout {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if len(b.keys) >= brakeSweepAt {
		for k, t := range b.keys {
			if now.Sub(t.last) > brakeForget && now.After(t.lockedUntil) {
				delete(b.keys, k)
			}
		}
	}
	var out []lockout
	for _, k := range keys {
		t, ok := b.keys[k.key]
		if !ok || (now.Sub(t.last) > brakeForget && now.After(t.lockedUntil)) {
			t = &tries{}
			b.keys[k.key] = t
		}
		t.failures++
		t.last = now
		if t.failures >= k.limit {
			t.lockedUntil = now.Add(brakeLockFor)
			out = append(out, lockout{key: k.key, failures: t.failures, until: t.lockedUntil})
			t.failures = 0 // after the lockout the count starts again
		}
	}
	return out
}

// succeeded clears the account of a correct sign-in. Not the address: one valid account
// must not reset the count of an address guessing others.
func (b *brake) succeeded(account string) {
	b.mu.Lock()
	delete(b.keys, account)
	b.mu.Unlock()
}

// remoteHost is the address part of the client's address (one brake for all its ports).
func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// lockoutRecorder is implemented by the store (*store.DB): the lockout goes into the
// event history (the audit log) and on the admin /alerts.
type lockoutRecorder interface {
	Batch(ctx context.Context, rules *claims.AuthRules, fn func(b *store.Batch) error) error
	RaiseAlert(ctx context.Context, entityKind, entityID, kind string, detail map[string]any) (bool, error)
}

// lockedOut records a lockout as an audit event and an alert. An account is named only
// when it exists: a name an attacker typed may be anything, a patient's name included.
func (h *handler) lockedOut(ctx context.Context, l lockout, user, remote string) {
	entity := l.key
	if strings.HasPrefix(l.key, "account:") {
		if _, known := h.d.Users[user]; !known {
			sum := sha256.Sum256([]byte(user))
			entity = "account:unknown-" + base64.RawURLEncoding.EncodeToString(sum[:6])
		}
	}
	until := l.until.UTC().Format(time.RFC3339)
	h.d.Log.Warn().Str("key", entity).Str("remote", remote).Str("until", until).Msg("web: sign-in locked after repeated failures")
	rec, ok := h.d.Store.(lockoutRecorder)
	if !ok {
		return
	}
	detail := map[string]any{"failures": l.failures, "until": until, "remote": remote}
	if err := rec.Batch(ctx, nil, func(b *store.Batch) error {
		return b.Event(lifecycle.EntitySignIn, entity, lifecycle.SignInLockout, "web", detail)
	}); err != nil {
		h.d.Log.Error().Err(err).Msg("web: could not record the sign-in lockout")
	}
	// One alert per lockout: the entity carries its end.
	if _, err := rec.RaiseAlert(ctx, "signin", entity+"@"+until, "signin_lockout", detail); err != nil {
		h.d.Log.Error().Err(err).Msg("web: could not raise the sign-in lockout alert")
	}
}
