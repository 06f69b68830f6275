package web

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserEveryPage visits every page in headless Chromium at 1280 px as an admin:
// each renders styled (screenshot checked, not stored), fits the width without sideways
// scrolling, and the first Tab reaches the skip link; the reports draw their SVG charts.
func TestBrowserEveryPage(t *testing.T) {
	ctx := browserTab(t)
	f := walkFixture(t)
	do(t, ctx, "open", chromedp.Navigate(f.srv.URL+"/"))
	if st := signIn(t, ctx, testUser, testPassword); st != http.StatusOK {
		t.Fatalf("sign in: %d", st)
	}
	for _, path := range walkPages {
		do(t, ctx, path, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("footer")))
		checkScreenshot(t, ctx, path)
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
		if err != nil || !wide {
			t.Errorf("%s: wider than the 1280 px window (%v)", path, err)
		}
		do(t, ctx, path+" tab", chromedp.KeyEvent(kb.Tab))
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.className : ""`))
		if err != nil || first != "skip" {
			t.Errorf("%s: the first Tab lands on %q, want the skip link", path, first)
		}
	}
	do(t, ctx, "reports", chromedp.Navigate(f.srv.URL+"/reports"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('svg.chart rect.bar').length > 6`))
}

// TestBrowserViewer: an admin adds a viewer by typing into the users page; the viewer
// signs in, reads the holds queue, and clicking an action is refused with words, changing
// nothing.
func TestBrowserViewer(t *testing.T) {
	ctx := browserTab(t)
	f := walkFixture(t)
	do(t, ctx, "open", chromedp.Navigate(f.srv.URL+"/admin/users"))
	if st := signIn(t, ctx, testUser, testPassword); st != http.StatusOK {
		t.Fatalf("sign in: %d", st)
	}
	do(t, ctx, "add viewer", waitText("h1", "Users"),
		chromedp.SendKeys(chromedp.CSS(`#nu-name`), "vic"), chromedp.SetValue(chromedp.CSS(`#nu-role`), "viewer"),
		chromedp.SendKeys(chromedp.CSS(`#nu-pw`), "vics password 1"))
	if st := submit(t, ctx, "add", `form[action="/admin/users"] button`); st != http.StatusOK {
		t.Fatalf("add viewer: %d", st)
	}
	do(t, ctx, "added", waitText("#user-vic", "viewer"))
	if st := submit(t, ctx, "sign out", `form.who button`); st != http.StatusOK {
		t.Fatalf("sign out: %d", st)
	}
	do(t, ctx, "holds", chromedp.Navigate(f.srv.URL+"/queues/holds"))
	if st := signIn(t, ctx, "vic", "vics password 1"); st != http.StatusOK {
		t.Fatalf("viewer sign in: %d", st)
	}
	do(t, ctx, "holds as viewer", waitText("h1", "Holds"), waitText("header.top", "vic (viewer)"))
	before := len(f.eventKinds(t, "session", "S-4"))
	do(t, ctx, "type note", chromedp.SendKeys(chromedp.CSS(`form[action="/queues/holds/session-S-4/note"] input[name="text"]`), "viewer note"))
	if st := submit(t, ctx, "note", `form[action="/queues/holds/session-S-4/note"] button`); st != http.StatusForbidden {
		t.Fatalf("viewer note: status %d, want 403", st)
	}
	do(t, ctx, "refusal", waitText("body", "your role (viewer) reads every page, changes nothing"))
	if after := len(f.eventKinds(t, "session", "S-4")); after != before {
		t.Fatalf("the viewer's note was recorded")
	}
	do(t, ctx, "users page", chromedp.Navigate(f.srv.URL+"/admin/users"), waitText("body", "this page is for administrators"))
}
