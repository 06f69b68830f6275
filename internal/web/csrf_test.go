package web

import (
	"net/http"
	"net/url"
	"testing"
)

// TestCrossOriginPOST posts a valid form (session and token) with the headers each kind
// of client sends: a real browser on the page (Sec-Fetch-Site same-origin, and under the
// old no-referrer policy Origin: null), a page on another site, an old browser with Origin
// only, and curl with neither.
func TestCrossOriginPOST(t *testing.T) {
	f := newFixture(t, nil)
	c := f.login(t, testUser, testPassword)
	tok := csrfOf(t, f.page(t, c, "/queues/holds"))
	host := f.srv.URL
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"browser same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": host}, http.StatusSeeOther},
		{"browser same-origin, Origin null", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}, http.StatusSeeOther},
		{"user typed it (none)", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusSeeOther},
		{"another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"a sibling subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://x.example"}, http.StatusForbidden},
		{"old browser, other Origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"old browser, own Origin", map[string]string{"Origin": host}, http.StatusSeeOther},
		{"curl", nil, http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			for k, v := range tc.hdr {
				hdr.Set(k, v)
			}
			resp := f.postWith(t, c, "/queues/holds/session-S-4/note", url.Values{"text": {"checked"}, "csrf": {tok}}, hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	// The login form is guarded the same way: a cross-site sign-in never reaches the
	// password check.
	_, page := f.get(t, c, "/login")
	resp := f.postWith(t, f.client(t), "/login", url.Values{"csrf": {csrfOf(t, page)}, "user": {testUser}, "password": {testPassword}},
		http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site login: status %d, want 403", resp.StatusCode)
	}
}
