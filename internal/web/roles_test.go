package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/edigate/edigate/internal/store"
)

// postPage posts a form with the page's token and returns the response and its body.
func (f *fixture) postForm(t *testing.T, c *http.Client, from, path string, v url.Values) (*http.Response, string) {
	t.Helper()
	v.Set("csrf", csrfOf(t, f.page(t, c, from)))
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestRolesAndAudit: an admin adds a biller and a viewer through the users page; the
// viewer reads every page but every change is refused (403, in words), as are the admin
// pages; the biller works a queue but cannot manage users; a disabled user is signed out
// at the next request and cannot sign in; an admin cannot demote themselves; the audit
// trail lists each of these with who, what, when and from where.
func TestRolesAndAudit(t *testing.T) {
	f := newFixture(t, nil)
	admin := f.login(t, testUser, testPassword) // an environment user: admin
	for _, u := range [][3]string{{"kim", "biller", "kims password 1"}, {"vic", "viewer", "vics password 1"}} {
		resp, body := f.postForm(t, admin, "/admin/users", "/admin/users", url.Values{"name": {u[0]}, "role": {u[1]}, "password": {u[2]}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s: %d %s", u[0], resp.StatusCode, body)
		}
	}
	if resp, body := f.postForm(t, admin, "/admin/users", "/admin/users", url.Values{"name": {"kim"}, "role": {"viewer"}, "password": {"another one 1"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "exists already") {
		t.Errorf("duplicate user: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.postForm(t, admin, "/admin/users", "/admin/users", url.Values{"name": {"lee"}, "role": {"biller"}, "password": {"short"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "shorter than 8") {
		t.Errorf("short password: %d %s", resp.StatusCode, body)
	}
	kimHash, err := f.db.WebUser(context.Background(), "kim")
	if err != nil || !strings.HasPrefix(string(kimHash.Hash), "$2") || kimHash.Role != "biller" {
		t.Fatalf("kim stored as %+v %v", kimHash, err)
	}

	vic := f.login(t, "vic", "vics password 1")
	for _, p := range []string{"/", "/sessions", "/claims", "/queues/holds", "/reports", "/authorizations"} {
		f.page(t, vic, p)
	}
	home := f.page(t, vic, "/")
	if strings.Contains(home, `href="/admin/users"`) || !strings.Contains(home, "(viewer)") {
		t.Errorf("viewer's menu: admin links shown or role missing")
	}
	resp, body := f.postForm(t, vic, "/queues/holds", "/queues/holds/session-S-3/assign", url.Values{"assignee": {"vic"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "your role (viewer) reads every page, changes nothing") {
		t.Errorf("viewer assign: %d %s", resp.StatusCode, body)
	}
	if kinds := f.eventKinds(t, "session", "S-3"); len(kinds) != 2 { // stored and held only
		t.Errorf("the refused assignment changed the session: %v", kinds)
	}
	for _, p := range []string{"/admin/users", "/audit", "/admin/settings"} {
		if resp, body := f.get(t, vic, p); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "for administrators") {
			t.Errorf("viewer GET %s: %d", p, resp.StatusCode)
		}
	}
	// Signing out is not a change: a viewer may.
	if resp, _ := f.postForm(t, vic, "/", "/logout", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("viewer sign-out: %d", resp.StatusCode)
	}

	kim := f.login(t, "kim", "kims password 1")
	if resp, body := f.postForm(t, kim, "/queues/holds", "/queues/holds/session-S-3/assign", url.Values{"assignee": {"kim"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("biller assign: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.get(t, kim, "/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("biller on the users page: %d", resp.StatusCode)
	}

	// An admin cannot demote themselves (testUser is from the environment; make a stored admin).
	f.postForm(t, admin, "/admin/users", "/admin/users", url.Values{"name": {"ada"}, "role": {"admin"}, "password": {"adas password 1"}})
	ada := f.login(t, "ada", "adas password 1")
	if resp, body := f.postForm(t, ada, "/admin/users", "/admin/users/ada/role", url.Values{"role": {"viewer"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "cannot take the admin role from yourself") {
		t.Errorf("self-demotion: %d %s", resp.StatusCode, body)
	}
	// Disable kim: kim's session ends at the next request, and kim cannot sign in again.
	if resp, body := f.postForm(t, ada, "/admin/users", "/admin/users/kim/disable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable kim: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.get(t, kim, "/queues"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("disabled kim's session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := f.client(t)
	_, lp := f.get(t, c, "/login")
	if resp := f.post(t, c, "/login", url.Values{"csrf": {csrfOf(t, lp)}, "user": {"kim"}, "password": {"kims password 1"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled kim signed in: %d", resp.StatusCode)
	}
	// Role change takes effect at once: vic becomes a biller.
	if resp, body := f.postForm(t, ada, "/admin/users", "/admin/users/vic/role", url.Values{"role": {"biller"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("vic to biller: %d %s", resp.StatusCode, body)
	}

	entries, _, err := f.db.AuditPage(context.Background(), "", store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range entries {
		if e.Remote == "" || e.At == "" {
			t.Errorf("audit entry without where or when: %+v", e)
		}
		trail = append(trail, e.Who+": "+e.Action+" ["+e.Outcome+"]")
	}
	all := strings.Join(trail, "\n")
	for _, want := range []string{
		testUser + ": added user kim as biller [done]",
		"vic: signed in [done]",
		"vic: refused: your role (viewer) reads every page, changes nothing: ask an administrator for the biller role to act [refused]",
		"vic: signed out [done]",
		"kim: holds queue: assign item session-S-3 to kim [done]",
		"ada: refused: ",
		"ada: disabled user kim [done]",
		"kim: failed sign-in [refused]",
		"ada: set the role of vic to biller (was viewer) [done]",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, all)
		}
	}
	page := f.page(t, ada, "/audit?who=kim")
	if !strings.Contains(page, "holds queue: assign item session-S-3 to kim") || strings.Contains(page, "added user kim") {
		t.Errorf("audit page for kim:\n%s", page)
	}
	settings := f.page(t, ada, "/admin/settings")
	if !strings.Contains(settings, "Demo Commercial Health") || strings.Contains(strings.ToLower(settings), "password_env") {
		t.Errorf("settings page:\n%s", settings)
	}
}
