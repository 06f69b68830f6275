package web

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/testenv"
)

// TestChromium renders the dashboard and a session page in headless Chromium against the
// handler on a real loopback listener, and checks the DOM the browser built (so the CSP,
// the stylesheet and the cookie flags are what a browser accepts) plus a screenshot.
//
// Chromium's command line cannot fill a form, so the test server adds one route,
// /_test/login, that signs in through the real login form server-side and hands the
// resulting session cookie to the browser with a redirect. Everything after that is the
// browser talking to the production handler.
func TestChromium(t *testing.T) {
	bin := testenv.Chromium(t)
	f := newFixture(t, nil)

	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("GET /_test/login", func(w http.ResponseWriter, r *http.Request) {
		c := f.client(t)
		_, page := f.get(t, c, "/login")
		resp := f.post(t, c, "/login", url.Values{"csrf": {csrfOf(t, page)}, "user": {testUser}, "password": {testPassword}})
		for _, ck := range resp.Cookies() {
			if ck.Name == sessionCookie && ck.Value != "" {
				http.SetCookie(w, ck)
			}
		}
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	})
	mux.Handle("/", f.h)
	srv := httptest.NewServer(mux) // 127.0.0.1:0
	defer srv.Close()
	base = srv.URL

	dir := t.TempDir()
	run := func(t *testing.T, path string, extra ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
			"--user-data-dir=" + t.TempDir(), "--window-size=1280,1000"}, extra...)
		args = append(args, base+"/_test/login?next="+url.QueryEscape(path))
		cmd := exec.CommandContext(ctx, bin, args...)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %s: %v\n%s", path, err, stderr.String())
		}
		return squash(out.String())
	}

	t.Run("dashboard", func(t *testing.T) {
		dom := run(t, "/", "--dump-dom")
		for _, want := range []string{
			"<title>Dashboard · edigate</title>",
			`<a href="/sessions?state=held">held</a></th><td class="num">2</td>`,
			"auth_missing",
			"Only 0 unit(s) left: request more units",
			`<span class="tag bad">failing ×3</span>`,
			"<span>biller</span>",
		} {
			if !strings.Contains(dom, want) {
				t.Errorf("dashboard DOM lacks %q\n%s", want, dom)
			}
		}
	})
	t.Run("session", func(t *testing.T) {
		dom := run(t, "/sessions/S-1", "--dump-dom")
		for _, want := range []string{
			"<h1>Session S-1</h1>",
			"Jane Doe-C-77",
			"Received from the practice system",
			"Authorization units used",
			"authorization AUTH1",
		} {
			if !strings.Contains(dom, want) {
				t.Errorf("session DOM lacks %q\n%s", want, dom)
			}
		}
	})
	// Screenshots of both pages; EDIGATE_WEB_SCREENSHOT=DIR keeps copies to look at.
	for name, path := range map[string]string{"dashboard": "/", "session": "/sessions/S-1", "queue": "/queues/holds"} {
		t.Run("screenshot "+name, func(t *testing.T) {
			shot := filepath.Join(dir, name+".png")
			run(t, path, "--screenshot="+shot, "--hide-scrollbars")
			fh, err := os.Open(shot)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			img, err := png.Decode(fh)
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			// The header bar is the stylesheet's dark blue: an unstyled page (CSS blocked
			// by the CSP or not served) would be white there.
			r, g, b, _ := img.At(10, 10).RGBA()
			if r>>8 > 0x40 || g>>8 > 0x60 || b>>8 < 0x40 {
				t.Errorf("pixel (10,10) = %02x%02x%02x, want the dark blue header (stylesheet applied)", r>>8, g>>8, b>>8)
			}
			if d := os.Getenv("EDIGATE_WEB_SCREENSHOT"); d != "" {
				data, _ := os.ReadFile(shot)
				os.WriteFile(filepath.Join(d, "edigate-"+name+".png"), data, 0o600)
			}
		})
	}
}
