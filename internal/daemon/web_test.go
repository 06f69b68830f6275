package daemon

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/web"
)

// quietDaemon is a daemon over the built-in configuration in a fresh data directory, not
// logging, closed when the test ends.
func quietDaemon(t *testing.T) *Daemon {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	d, err := New(context.Background(), Options{Config: cfg, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestWireWeb: no web.listen, no UI; with one and no biller accounts in the environment, a
// one-time admin password on the console, and every queue connected through the queue
// service (none shows "not connected").
func TestWireWeb(t *testing.T) {
	d := quietDaemon(t)
	none := func(string) (string, bool) { return "", false }
	d.cfg.Web.Listen = "" // the daemon's own copy of the configuration
	var console bytes.Buffer
	if err := d.WireWeb(none, &console); err != nil || d.Web != nil || console.Len() != 0 {
		t.Fatalf("without web.listen: %v %v %q", err, d.Web, console.String())
	}
	d.cfg.Web.Listen = "127.0.0.1:0"
	bad := func(k string) (string, bool) { return "kim", k == web.EnvUsers }
	if err := d.WireWeb(bad, &console); err == nil {
		t.Fatal("malformed biller accounts accepted")
	}
	if err := d.WireWeb(none, &console); err != nil || d.Web == nil {
		t.Fatalf("with web.listen: %v", err)
	}
	m := regexp.MustCompile(`admin / (\S+)`).FindStringSubmatch(console.String())
	if m == nil {
		t.Fatalf("console = %q", console.String())
	}
	srv := httptest.NewServer(d.Web)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) string {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(get("/login"))
	if tok == nil {
		t.Fatal("no login form")
	}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"csrf": {tok[1]}, "user": {"admin"}, "password": {m[1]}, "next": {"/queues"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if page := get("/queues"); !strings.Contains(page, "/queues/denials") || strings.Contains(page, "not connected") {
		t.Errorf("queues page:\n%s", page)
	}
}
