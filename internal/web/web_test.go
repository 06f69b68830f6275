package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
)

// squash collapses whitespace so assertions do not depend on template indentation.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestAuthRequired(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(t)
	for _, p := range []string{"/", "/sessions", "/sessions/S-1", "/authorizations", "/queues", "/queues/holds", "/appeals/CLM-1/letter"} {
		resp, body := f.get(t, c, p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s anonymous: status %d location %q, want 303 to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "Doe") {
			t.Errorf("GET %s anonymous leaked PHI", p)
		}
	}
	// An anonymous POST is refused outright, CSRF token or not.
	resp := f.post(t, c, "/queues/holds/session-S-4/note", url.Values{"text": {"x"}, "csrf": {"x"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous POST: status %d, want 401", resp.StatusCode)
	}
	// The stylesheet is public: the login page needs it.
	if resp, _ := f.get(t, c, "/static/style.css"); resp.StatusCode != http.StatusOK {
		t.Errorf("stylesheet: status %d", resp.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name, user, password, next string
		tokenFromPage              bool
		want                       int
		wantLocation               string
	}{
		{"good", testUser, testPassword, "/sessions?state=held", true, http.StatusSeeOther, "/sessions?state=held"},
		{"wrong password", testUser, "nope nope nope", "/", true, http.StatusUnauthorized, ""},
		{"unknown user", "mallory", testPassword, "/", true, http.StatusUnauthorized, ""},
		{"no login csrf", testUser, testPassword, "/", false, http.StatusForbidden, ""},
		{"open redirect", testUser, testPassword, "//evil.example/x", true, http.StatusSeeOther, "/"},
		{"scheme redirect", testUser, testPassword, "https://evil.example/", true, http.StatusSeeOther, "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(t)
			_, page := f.get(t, c, "/login")
			tok := "forged"
			if tc.tokenFromPage {
				tok = csrfOf(t, page)
			}
			resp := f.post(t, c, "/login", url.Values{"csrf": {tok}, "user": {tc.user}, "password": {tc.password}, "next": {tc.next}})
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			var sess *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == sessionCookie && ck.Value != "" {
					sess = ck
				}
			}
			if tc.want != http.StatusSeeOther {
				if sess != nil {
					t.Fatal("failed login set a session cookie")
				}
				return
			}
			if loc := resp.Header.Get("Location"); loc != tc.wantLocation {
				t.Errorf("location %q, want %q", loc, tc.wantLocation)
			}
			if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", sess)
			}
			if body := f.page(t, c, "/"); !strings.Contains(body, "Sessions by state") {
				t.Error("dashboard not shown after login")
			}
		})
	}
}

func TestLogoutEndsSession(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	tok := csrfOf(t, f.page(t, c, "/"))
	if resp := f.post(t, c, "/logout", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: status %d, want redirect to login", resp.StatusCode)
	}
}

func TestSessionExpires(t *testing.T) {
	now := today
	f := newFixture(t, func(d *Deps) { d.Now = func() time.Time { return now } })
	c := f.login(t, testUser, testPassword)
	f.page(t, c, "/")
	now = now.Add(13 * time.Hour) // past the 12 h idle limit
	if resp, _ := f.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle session: status %d, want redirect to login", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	resp, _ := f.get(t, c, "/")
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "same-origin",
	}
	for k, v := range want {
		if !strings.Contains(resp.Header.Get(k), v) {
			t.Errorf("%s = %q, want it to contain %q", k, resp.Header.Get(k), v)
		}
	}
}

func TestDashboard(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.Queues[queue.Denials] = brokenQueue{} })
	c := f.login(t, testUser, testPassword)
	body := squash(f.page(t, c, "/"))
	for _, want := range []string{
		// S-1, S-2 and S-5 ready; S-3 (units used up) and S-4 (no authorization) held.
		`<a href="/sessions?state=ready">ready</a></th><td class="num">3</td>`,
		`<a href="/sessions?state=held">held</a></th><td class="num">2</td>`,
		`<span class="tag hold">auth_exhausted</span> The authorization has fewer units left than the session needs</th><td class="num">1</td>`,
		`<span class="tag hold">auth_missing</span> No authorization on file for this payer, client and service</th><td class="num">1</td>`,
		// AUTH1 is used up: the low-units alert is open.
		`<td>AUTH1</td><td>demo-commercial</td><td class="warn">Only 0 unit(s) left: request more units</td>`,
		// Holds: S-4's timely filing (2026-06-01 + 180 days) is 8 days away.
		`<a href="/queues/holds">Holds</a></th> <td class="num">2</td> <td>next due <span class="warn">2026-11-28</span></td>`,
		`<a href="/queues/denials">Denials</a></th> <td colspan="2" class="bad">unavailable</td>`,
		`<a href="/queues/appeals">Appeals</a></th> <td colspan="2" class="muted">not connected</td>`,
		`Clearinghouse <b>sim</b>: 3 failed run(s) in a row — ssh: handshake failed`,
		`<span class="tag bad">failing ×3</span>`,
		`dial sftp.example: connection refused`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func TestDashboardWithoutScheduler(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.Jobs, d.Health = nil, nil })
	body := f.page(t, f.login(t, testUser, testPassword), "/")
	if !strings.Contains(body, "The scheduler is not connected.") {
		t.Error("missing scheduler not shown")
	}
}

var sessionLinkRE = regexp.MustCompile(`<a href="/sessions/(S-\d+)">`)

func TestSessionsFilter(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"S-4", "S-1", "S-5", "S-2", "S-3"}}, // by date of service
		{"?state=held", []string{"S-4", "S-3"}},
		{"?state=ready&payer=demo-commercial", []string{"S-1", "S-5", "S-2"}},
		{"?payer=demo-medicaid", nil},
		{"?state=billed", nil},
	}
	for _, tc := range tests {
		body := f.page(t, c, "/sessions"+tc.query)
		var got []string
		for _, m := range sessionLinkRE.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("/sessions%s = %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestSessionPageTrace(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	body := squash(f.page(t, c, "/sessions/S-3"))
	for _, want := range []string{
		"Session S-3",
		`<span class="tag held">held</span> <b>auth_exhausted</b>`,
		"Jane Doe-C-77",
		"W9C-77",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("session page lacks %q", want)
		}
	}
	// The history, in order: received, held; the authorization's own events are not
	// linked to S-3 because it never consumed from it.
	order := []string{"Received from the practice system", "Put on hold"}
	last := -1
	for _, w := range order {
		i := strings.Index(body, w)
		if i < 0 || i < last {
			t.Fatalf("trace order: %q at %d (after %d)\n%s", w, i, last, body)
		}
		last = i
	}
	// S-1 used the authorization: its trace merges the authorization's history.
	body = squash(f.page(t, c, "/sessions/S-1"))
	for _, want := range []string{"Authorization units used", `authorization AUTH1</span> <b>Alert: few units left</b>`, "from batch1.json"} {
		if !strings.Contains(body, want) {
			t.Errorf("S-1 trace lacks %q", want)
		}
	}
	if resp, _ := f.get(t, c, "/sessions/NOPE"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: status %d", resp.StatusCode)
	}
}

func TestAuthorizationsPage(t *testing.T) {
	f := newFixture(t, nil)
	body := squash(f.page(t, f.login(t, testUser, testPassword), "/authorizations"))
	for _, want := range []string{
		`<td>AUTH1</td><td>demo-commercial</td><td>C-77</td><td>90834, 90837</td> <td class="num">2 / 2 visit</td> <td class="num bad">0</td>`,
		`<meter min="0" max="2" value="2"`,
		`<span class="tag warnt">low_units</span>`,
		"<b>AUTH1</b> (demo-commercial): <span class=\"warn\">Only 0 unit(s) left",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("authorizations page lacks %q\n%s", want, body)
		}
	}
}

func TestQueueActions(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	page := f.page(t, c, "/queues/holds")
	tok := csrfOf(t, page)
	if i, j := strings.Index(page, `id="session-S-4"`), strings.Index(page, `id="session-S-3"`); i < 0 || j < 0 || i > j {
		t.Fatalf("holds queue: S-4 (due first) must precede S-3: %d %d", i, j)
	}
	other := f.login(t, "other", testPassword+"2")
	otherTok := csrfOf(t, f.page(t, other, "/queues/holds"))

	tests := []struct {
		name   string
		path   string
		form   url.Values
		origin string
		want   int
		event  string // event kind appended to session S-4, "" for none
	}{
		{"no csrf", "/queues/holds/session-S-4/assign", url.Values{"assignee": {"kim"}}, "", http.StatusForbidden, ""},
		{"another user's csrf", "/queues/holds/session-S-4/assign", url.Values{"assignee": {"kim"}, "csrf": {otherTok}}, "", http.StatusForbidden, ""},
		{"cross-site origin", "/queues/holds/session-S-4/assign", url.Values{"assignee": {"kim"}, "csrf": {tok}}, "https://evil.example", http.StatusForbidden, ""},
		{"empty note", "/queues/holds/session-S-4/note", url.Values{"text": {"  "}, "csrf": {tok}}, "", http.StatusBadRequest, ""},
		{"resolve not offered", "/queues/holds/session-S-4/resolve", url.Values{"outcome": {"written_off"}, "csrf": {tok}}, "", http.StatusBadRequest, ""},
		{"unknown item", "/queues/holds/session-S-1/assign", url.Values{"assignee": {"kim"}, "csrf": {tok}}, "", http.StatusNotFound, ""},
		{"unconnected queue", "/queues/denials/x/assign", url.Values{"assignee": {"kim"}, "csrf": {tok}}, "", http.StatusNotFound, ""},
		{"assign", "/queues/holds/session-S-4/assign", url.Values{"assignee": {"kim"}, "csrf": {tok}}, "", http.StatusSeeOther, "queue_assign"},
		{"note", "/queues/holds/session-S-4/note", url.Values{"text": {"called payer, ref 8812"}, "csrf": {tok}}, "", http.StatusSeeOther, "queue_note"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.eventKinds(t, "session", "S-4")
			hdr := http.Header{}
			if tc.origin != "" {
				hdr.Set("Origin", tc.origin)
			}
			resp := f.postWith(t, c, tc.path, tc.form, hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			after := f.eventKinds(t, "session", "S-4")
			var added []string
			if len(after) > len(before) {
				added = after[len(before):]
			}
			if tc.event == "" && len(added) > 0 {
				t.Fatalf("refused action appended events %v", added)
			}
			if tc.event != "" && !slices.Equal(added, []string{tc.event}) {
				t.Fatalf("events added %v, want [%s]", added, tc.event)
			}
		})
	}
	// The audit events name the signed-in user and show on the queue and the session.
	evs, _ := f.db.Events(t.Context(), "session", "S-4")
	last := evs[len(evs)-1]
	if !strings.Contains(string(last.Detail), `"who":"biller"`) || last.SourceFile != "web" {
		t.Errorf("audit event %s source %q, want who=biller from web", last.Detail, last.SourceFile)
	}
	q := squash(f.page(t, c, "/queues/holds"))
	if !strings.Contains(q, "Assigned to: <b>kim</b>") || !strings.Contains(q, "biller:</span> called payer, ref 8812") {
		t.Errorf("queue page does not show the assignment and note:\n%s", q)
	}
	s := squash(f.page(t, c, "/sessions/S-4"))
	if !strings.Contains(s, "<b>Assigned</b>") || !strings.Contains(s, "who: biller") {
		t.Errorf("session trace lacks the audit events:\n%s", s)
	}
}

func TestAppealLetter(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.Appeals = fakeLetters{} })
	c := f.login(t, testUser, testPassword)
	resp, body := f.get(t, c, "/appeals/CLM-1/letter")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "denial CO-197") {
		t.Fatalf("letter: status %d body %q", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Errorf("letter CSP %q: want no script sources", csp)
	}
	if resp, _ := f.get(t, c, "/appeals/CLM-2/letter"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("claim without appeal: status %d", resp.StatusCode)
	}
	g := newFixture(t, nil)
	if resp, _ := g.get(t, g.login(t, testUser, testPassword), "/appeals/CLM-1/letter"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("letters not connected: status %d", resp.StatusCode)
	}
}

// TestNoPHIInLogs drives every page and action with debug logging and checks that no
// client name, member id, date of birth or diagnosis reaches the log.
func TestNoPHIInLogs(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	for _, p := range []string{"/", "/sessions?state=held", "/sessions/S-1", "/authorizations", "/queues", "/queues/holds"} {
		f.page(t, c, p)
	}
	tok := csrfOf(t, f.page(t, c, "/queues/holds"))
	f.post(t, c, "/queues/holds/session-S-4/note", url.Values{"text": {"client Jane Doe-C-88 called"}, "csrf": {tok}})
	logs := f.log.String()
	if !strings.Contains(logs, `"path":"/sessions/S-1"`) {
		t.Fatalf("expected access log lines, got:\n%s", logs)
	}
	for _, phi := range []string{"Doe", "W9C-", "1990-04-02", "F41.1", "state=held"} {
		if strings.Contains(logs, phi) {
			t.Errorf("log contains %q:\n%s", phi, logs)
		}
	}
}

func TestUsersFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	hash := string(testUsers(t)[testUser])
	tests := []struct {
		name    string
		env     map[string]string
		users   []string
		wantErr bool
	}{
		{"none", nil, nil, false},
		{"password", map[string]string{EnvPassword: "long enough pw"}, []string{"admin"}, false},
		{"short password", map[string]string{EnvPassword: "short"}, nil, true},
		{"list", map[string]string{EnvUsers: "ann:" + hash + ",\nbob:" + hash}, []string{"ann", "bob"}, false},
		{"not bcrypt", map[string]string{EnvUsers: "ann:plaintext"}, nil, true},
		{"no name", map[string]string{EnvUsers: ":" + hash}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := UsersFromEnv(env(tc.env))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			var got []string
			for n := range u {
				got = append(got, n)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.users) {
				t.Fatalf("users %v, want %v", got, tc.users)
			}
		})
	}
	u, _ := UsersFromEnv(env(map[string]string{EnvPassword: "long enough pw"}))
	a := newAuthenticator(u, time.Now, time.Hour)
	if !a.check("admin", "long enough pw") || a.check("admin", "long enough px") {
		t.Fatal("EDIGATE_WEB_PASSWORD does not authenticate admin exactly")
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/sessions?state=held", "//evil", "/\\evil", "https://x", "", "javascript:alert(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := safeNext(s)
		u, err := url.Parse(n)
		if err != nil {
			// A broken path is harmless only if it stays local; it must still start "/".
			if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") {
				t.Fatalf("safeNext(%q) = %q", s, n)
			}
			return
		}
		if u.Host != "" || u.Scheme != "" || !strings.HasPrefix(n, "/") {
			t.Fatalf("safeNext(%q) = %q leaves the site", s, n)
		}
	})
}

// A ready session whose claim the scrubber held says so on the sessions list and its page:
// its state stays ready (the claim is rebuilt when the session is corrected), but it is not
// billed and the biller must see why.
func TestSessionShowsClaimHold(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	s, err := f.db.Session(ctx, "S-1")
	if err != nil {
		t.Fatal(err)
	}
	c := (&claims.Builder{Setup: config.Default().ClaimsSetup()}).Claims([]claims.Session{s.Session})[0]
	if err := f.db.Batch(ctx, nil, func(b *store.Batch) error {
		_, err := b.PutClaim(c, claims.Result{ClaimID: c.ID, Held: true, Findings: []claims.Finding{
			{Rule: "npi.luhn", Severity: claims.SeverityError, Message: "m", Reference: "r", ClaimID: c.ID}}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cl := f.login(t, testUser, testPassword)
	if body := squash(f.page(t, cl, "/sessions/S-1")); !strings.Contains(body, "<b>claim "+c.ID+" held</b> by the scrubber (npi.luhn)") {
		t.Errorf("session page does not show the claim hold:\n%s", body)
	}
	if body := f.page(t, cl, "/sessions?state=ready"); !strings.Contains(body, "claim held: npi.luhn") {
		t.Errorf("sessions list does not show the claim hold")
	}
	if body := squash(f.page(t, cl, "/sessions/S-2")); strings.Contains(body, "held by the scrubber") {
		t.Errorf("S-2 shows a claim hold it does not have")
	}
}
