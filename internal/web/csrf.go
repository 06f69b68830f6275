package web

import (
	"net/http"
)

// Cross-site request forgery defence, in two layers that must both pass on every POST:
//
//  1. Fetch metadata (net/http.CrossOriginProtection): a browser marks every request with
//     Sec-Fetch-Site, and a form posted from another site says "cross-site". Browsers too
//     old to send it send Origin, which must then name this host. A request with neither
//     (curl, scripts on the machine) is not a browser and cannot carry a victim's cookie.
//  2. The form token (the session's HMAC, or the login page's double-submit cookie), so a
//     same-site page that is not edigate still cannot post.
//
// The referrer policy keeps Origin meaningful: under "no-referrer" Chromium sends
// "Origin: null" on same-origin form posts, which an Origin check cannot tell from an
// attack. "same-origin" sends the full referrer to edigate only and nothing elsewhere, so
// no URL leaves the site either way.
const referrerPolicy = "same-origin"

// newOriginCheck returns the Fetch-metadata check. It trusts no other origin: the UI is
// served from one place and is never the target of a cross-site form.
func newOriginCheck() *http.CrossOriginProtection {
	return http.NewCrossOriginProtection()
}

// sameOrigin reports whether a state-changing request comes from this site's own pages.
func (h *handler) sameOrigin(r *http.Request) bool {
	return h.origin.Check(r) == nil
}

// rejectCrossOrigin answers a POST from another site before any handler (including the
// login form) sees it, with the reason in words for whoever inspects the response.
func (h *handler) rejectCrossOrigin(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return false
	}
	if h.sameOrigin(r) {
		return false
	}
	h.d.Log.Warn().Str("path", r.URL.Path).Str("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")).Msg("web: cross-origin request refused")
	http.Error(w, "cross-origin request refused: use the form on this site", http.StatusForbidden)
	return true
}
