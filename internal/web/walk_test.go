package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// walkPages are every page of the UI over the walk fixture (walkFixture), as a signed-in
// admin sees them; the browser test visits the same list.
var walkPages = []string{
	"/", "/sessions", "/sessions?state=held", "/sessions/S-3", "/sessions/S-4", "/claims", "/claims/R-02", "/authorizations",
	"/queues", "/queues/holds", "/queues/denials", "/queues/rejections", "/queues/appeals", "/queues/follow-up", "/queues/review",
	"/reports", "/reports?show=claims", "/reports?show=payments", "/admin/users", "/admin/settings", "/audit",
}

// walkFixture is a store with something on every page: held sessions, open denials and
// rejections, posted remittances for the reports.
func walkFixture(t *testing.T) *fixture {
	f := newFixture(t, func(d *Deps) { allQueues(d); d.Appeals = fakeLetters{} })
	openItems(t, f.db,
		`(7, 'denials', 'R-02', 0, 'demo-commercial', 'CO-197', 'authorization', 'appeal', 'Precertification/authorization absent. N54', '2025-05-30', 15000, 'open', 't')`,
		`(9, 'rejections', 'PCN5001', 0, '', 'A7:21', '', '', '', '', 0, 'open', 't')`)
	seedRemits(t, f.db)
	return f
}

var (
	fieldRE  = regexp.MustCompile(`(?s)<(input|select|textarea)\b([^>]*)>`)
	attrRE   = regexp.MustCompile(`(?s)\b([a-z-]+)="([^"]*)"`)
	labelRE  = regexp.MustCompile(`(?s)<label\b[^>]*>.*?</label>`)
	forRE    = regexp.MustCompile(`<label\b[^>]*\bfor="([^"]+)"`)
	urlRE    = regexp.MustCompile(`\b(?:href|action|src)="([^"]*)"`)
	h1RE     = regexp.MustCompile(`<h1\b`)
	phiWords = []string{"Doe-C", "W9C-", "1990-04-02", "Jane", "12 Oak Ave"}
)

// unlabelled lists the form fields of page a person cannot name: neither inside a
// <label>, nor named by a <label for>, nor given an aria-label.
func unlabelled(page string) []string {
	inLabel := labelRE.FindAllStringIndex(page, -1)
	named := map[string]bool{}
	for _, m := range forRE.FindAllStringSubmatch(page, -1) {
		named[m[1]] = true
	}
	var out []string
	for _, m := range fieldRE.FindAllStringSubmatchIndex(page, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(page[m[4]:m[5]], -1) {
			attrs[a[1]] = a[2]
		}
		if t := attrs["type"]; t == "hidden" || t == "submit" || t == "button" {
			continue
		}
		ok := attrs["aria-label"] != "" || named[attrs["id"]] && attrs["id"] != ""
		for _, l := range inLabel {
			ok = ok || (m[0] > l[0] && m[1] < l[1])
		}
		if !ok {
			out = append(out, page[m[0]:m[1]])
		}
	}
	return out
}

// TestEveryPageUsable walks every page's HTML: each renders, carries the PHI notice, has one
// heading to start from and a skip link for keyboards, labels every field, runs no script
// and no inline style (the CSP allows neither), and no link or form address carries a
// client's name, member id, date of birth or address (ids only).
func TestEveryPageUsable(t *testing.T) {
	f := walkFixture(t)
	c := f.login(t, testUser, testPassword)
	anon := f.client(t)
	_, login := f.get(t, anon, "/login")
	pages := map[string]string{"/login": login}
	for _, p := range walkPages {
		pages[p] = f.page(t, c, p)
	}
	// The pages do show the client (the queue and session pages name the patient).
	if !strings.Contains(pages["/queues/holds"], "Doe-C") {
		t.Fatal("the walk fixture shows no patient: the PHI-in-URL check would prove nothing")
	}
	for path, page := range pages {
		if !strings.Contains(page, "Contains protected health information") {
			t.Errorf("%s: no PHI notice", path)
		}
		if n := len(h1RE.FindAllString(page, -1)); n != 1 {
			t.Errorf("%s: %d <h1> headings, want 1", path, n)
		}
		if !strings.Contains(page, `<a class="skip" href="#main">`) || !strings.Contains(page, `<main id="main"`) {
			t.Errorf("%s: no skip link to the content", path)
		}
		for _, bad := range []string{"<script", " style=", "onclick=", `tabindex="-1"`} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: has %q", path, bad)
			}
		}
		for _, field := range unlabelled(page) {
			t.Errorf("%s: field without a label: %s", path, field)
		}
		for _, m := range urlRE.FindAllStringSubmatch(page, -1) {
			for _, w := range phiWords {
				if strings.Contains(m[1], w) {
					t.Errorf("%s: address %q carries PHI (%q)", path, m[1], w)
				}
			}
		}
	}
}

// TestUnlabelled: the label check itself finds what it should.
func TestUnlabelled(t *testing.T) {
	for _, tc := range []struct {
		page string
		n    int
	}{
		{`<label>Name <input name="a"></label>`, 0},
		{`<label for="x">Name</label><input id="x" name="a">`, 0},
		{`<input name="a" aria-label="name">`, 0},
		{`<input type="hidden" name="csrf"><button type="submit">Go</button>`, 0},
		{`<input name="a">`, 1},
		{`<label for="y">Name</label><input id="x" name="a"><select name="s"></select>`, 2},
		{`<label>Name</label> <input name="a">`, 1},
	} {
		if got := unlabelled(tc.page); len(got) != tc.n {
			t.Errorf("%s: %d unlabelled %v, want %d", tc.page, len(got), got, tc.n)
		}
	}
	_ = http.StatusOK
}

// TestAuthorizationsPaged: the authorizations list shows a page with the count.
func TestAuthorizationsPaged(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	if p := f.page(t, c, "/authorizations"); !strings.Contains(p, "Rows 1–1 of 1") || !strings.Contains(p, "AUTH1") {
		t.Errorf("first page:\n%s", p)
	}
	if p := f.page(t, c, "/authorizations?page=2"); !strings.Contains(p, "No rows on this page (1 in all)") || strings.Contains(p, "<td>AUTH1</td>") {
		t.Errorf("second page:\n%s", p)
	}
}
