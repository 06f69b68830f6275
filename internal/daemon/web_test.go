package daemon

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/web"
)

// TestServeWeb: the daemon builds the web UI itself (the CLI does not import it). With no
// accounts in the environment a one-time admin password goes to the console only; with
// one configured nothing is printed; a bad account list is an error.
func TestServeWeb(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		wantLogin bool // the one-time password line is printed
		wantErr   bool
	}{
		{"no accounts", nil, true, false},
		{"password from the environment", map[string]string{web.EnvPassword: "a long enough password"}, false, false},
		{"malformed account list", map[string]string{web.EnvUsers: "no-hash-here"}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			var out bytes.Buffer
			d, err := New(context.Background(), Options{Config: cfg, Log: zerolog.Nop(), Out: &out})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			err = d.ServeWeb(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if (err != nil) != c.wantErr {
				t.Fatalf("ServeWeb: %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if got := strings.Contains(out.String(), "web UI login (this run only"); got != c.wantLogin {
				t.Errorf("console %q: password line %v, want %v", out.String(), got, c.wantLogin)
			}
			rec := httptest.NewRecorder()
			d.Web.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET /login: %d", rec.Code)
			}
		})
	}
}
