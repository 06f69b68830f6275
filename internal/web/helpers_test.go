package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/pipeline"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/scheduler"
	"github.com/edigate/edigate/x12"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"
)

// today is the fixed clock of the fixture store and handler.
var today = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const (
	testUser     = "biller"
	testPassword = "correct horse battery"
)

// fixture is a handler over a real SQLite store seeded through the store's own API.
type fixture struct {
	dir string // the data directory: DIR/edigate.db is db
	db  *store.DB
	h   *handler
	srv *httptest.Server
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testSession(id, client, date, code string) *claims.Session {
	return &claims.Session{
		Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client: claims.Person{ID: client, FirstName: "Jane", LastName: "Doe-" + client, DOB: "1990-04-02", Gender: "F",
			Address: claims.Address{Line1: "12 Oak Ave", City: "Springfield", State: "IL", Zip: "62702"}},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: "W9" + client, Relationship: "self", Priority: "primary"},
		Date:     date, Start: "14:00", End: "14:55",
		Service:           claims.Service{Code: code, Units: 1, PlaceOfService: "11"},
		Diagnoses:         []string{"F41.1"},
		RenderingProvider: "1245319599",
		Charge:            x12.MustAmount("150.00"),
	}
}

// seed stores one 2-visit authorization of client C-77, two sessions that use it up, a
// third that is held for exhausted units, one of client C-88 held for a missing
// authorization and an evaluation (90791, exempt) that is ready without one.
func seed(t testing.TB, db *store.DB) {
	t.Helper()
	rules, err := claims.NewAuthRules(config.Default().ClaimsPayers())
	if err != nil {
		t.Fatal(err)
	}
	err = db.Batch(context.Background(), rules, func(b *store.Batch) error {
		if _, err := b.PutAuthorization(&claims.Authorization{Type: "authorization", Number: "AUTH1", Payer: "demo-commercial",
			ClientID: "C-77", MemberID: "W9C-77", Codes: []string{"90834", "90837"}, Units: 2, UnitKind: claims.UnitVisit,
			Start: "2026-10-01", End: "2027-03-31"}, "auths.json"); err != nil {
			return err
		}
		for _, s := range []*claims.Session{
			testSession("S-1", "C-77", "2026-11-02", "90837"),
			testSession("S-2", "C-77", "2026-11-09", "90837"),
			testSession("S-3", "C-77", "2026-11-16", "90837"),
			testSession("S-4", "C-88", "2026-06-01", "90834"),
			testSession("S-5", "C-88", "2026-11-03", "90791"),
		} {
			if _, err := b.PutSession(s, "batch1.json"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testUsers(t testing.TB) Users {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := bcrypt.GenerateFromPassword([]byte(testPassword+"2"), bcrypt.MinCost)
	return Users{testUser: h, "other": h2}
}

func newFixture(t testing.TB, mod func(*Deps)) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "edigate.db"),
		store.Options{Now: func() time.Time { return today }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	seed(t, db)
	logs := &syncBuffer{}
	cfg := config.Default()
	cfg.Claims.WaitForEligibility = 0 // claims are built at once: these tests are about the UI
	// The queue service the daemon and the CLI use, over the fixture store; only the holds
	// queue is connected unless a test connects more.
	svc := pipeline.Queues{Pipeline: &pipeline.Pipeline{Cfg: cfg, DB: db, Now: func() time.Time { return today }}}
	d := Deps{
		Store: db, Config: cfg, Users: testUsers(t),
		Queues: ServiceQueues(svc, queue.Holds),
		Jobs: func() []scheduler.JobStatus {
			return []scheduler.JobStatus{
				{Name: "intake", Spec: "@every 30s", Runs: 12, LastEnd: today},
				{Name: "upload", Spec: "0 18 * * 1-5", Runs: 3, ConsecutiveFailures: 3, LastError: "dial sftp.example: connection refused"},
			}
		},
		Health: func() []scheduler.Health {
			return []scheduler.Health{{Clearinghouse: "sim", ConsecutiveFailures: 3, Alert: true, LastError: "ssh: handshake failed"}}
		},
		Log: zerolog.New(logs).Level(zerolog.DebugLevel),
		Now: func() time.Time { return today },
	}
	if mod != nil {
		mod(&d)
	}
	h, err := newHandler(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{dir: dir, db: db, h: h, srv: srv, log: logs}
}

// client returns an HTTP client with a cookie jar that does not follow redirects, so
// tests see the 303s themselves.
func (f *fixture) client(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the first CSRF token in a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token in page:\n%s", page)
	}
	return m[1]
}

// login signs in through the real form and returns the client.
func (f *fixture) login(t *testing.T, user, password string) *http.Client {
	t.Helper()
	c := f.client(t)
	_, page := f.get(t, c, "/login")
	resp := f.post(t, c, "/login", url.Values{"csrf": {csrfOf(t, page)}, "user": {user}, "password": {password}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", resp.StatusCode)
	}
	return c
}

func (f *fixture) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// page GETs a page that must render (200) and returns its body.
func (f *fixture) page(t *testing.T, c *http.Client, path string) string {
	t.Helper()
	resp, body := f.get(t, c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", path, resp.StatusCode, body)
	}
	return body
}

func (f *fixture) post(t *testing.T, c *http.Client, path string, v url.Values) *http.Response {
	t.Helper()
	return f.postWith(t, c, path, v, nil)
}

func (f *fixture) postWith(t *testing.T, c *http.Client, path string, v url.Values, hdr http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// events returns the kinds of an entity's events.
func (f *fixture) eventKinds(t *testing.T, kind, id string) []string {
	t.Helper()
	evs, err := f.db.Events(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind))
	}
	return out
}

// fakeLetters serves a letter for claim CLM-1 only.
type fakeLetters struct{}

func (fakeLetters) AppealLetterHTML(_ context.Context, id string) ([]byte, error) {
	if id != "CLM-1" {
		return nil, store.ErrNotFound
	}
	return []byte("<!doctype html><title>Appeal</title><p>Re: claim CLM-1, denial CO-197</p>"), nil
}

var errBoom = errors.New("boom")

// brokenQueue fails to list, to prove one broken queue does not take the dashboard down.
type brokenQueue struct{}

func (brokenQueue) Items(context.Context) ([]queue.Item, error)     { return nil, errBoom }
func (brokenQueue) Act(context.Context, string, queue.Action) error { return errBoom }
