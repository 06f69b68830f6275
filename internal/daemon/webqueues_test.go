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
)

// quietDaemon is a daemon over the built-in configuration in a fresh data directory, not
// logging, its console written to out, closed when the test ends.
func quietDaemon(t *testing.T, out io.Writer) *Daemon {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	d, err := New(context.Background(), Options{Config: cfg, Log: zerolog.Nop(), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestServeWebQueues: the web UI the daemon serves has every queue connected through the
// queue service (none shows "not connected").
func TestServeWebQueues(t *testing.T) {
	var console bytes.Buffer
	d := quietDaemon(t, &console)
	if err := d.ServeWeb(func(string) (string, bool) { return "", false }); err != nil || d.Web == nil {
		t.Fatalf("ServeWeb: %v", err)
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
