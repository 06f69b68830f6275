package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/edigate/edigate/claims"
	"github.com/edigate/edigate/internal/config"
	"github.com/edigate/edigate/internal/sim"
	"github.com/edigate/edigate/internal/store"
	"github.com/edigate/edigate/x12"
)

func testSession(id, member string) *claims.Session {
	return &claims.Session{Type: "session", ID: id, Practice: "demo-practice", Status: claims.StatusCompleted,
		Client:   claims.Person{ID: "C-" + member, FirstName: "Pat", LastName: "Q", DOB: "1990-01-01", Gender: "F"},
		Coverage: claims.Coverage{Payer: "demo-commercial", MemberID: member, Relationship: "self", Priority: "primary"},
		Date:     time.Now().UTC().Format("2006-01-02"), Minutes: 55, Service: claims.Service{Code: "90791", Units: 1, PlaceOfService: "11"},
		Diagnoses: []string{"F41.1"}, RenderingProvider: "1245319599", Charge: x12.MustAmount("150")}
}

// TestEligibilityCycleThroughSimulator runs the daemon's steps against the built-in
// simulator over real SFTP: 270 out, 271 back, holds applied; and serves /jobs and /live.
func TestEligibilityCycleThroughSimulator(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = "127.0.0.1:0"
	rules := sim.DefaultRules()
	rules.Members["W2"] = []sim.Scenario{sim.NotFound}
	d, err := New(ctx, Options{Config: cfg, Log: zerolog.Nop(), SimRules: &rules})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if cfg.Clearinghouses[0].SFTP.HostKey != "" {
		t.Fatal("the caller's configuration must not be rewritten")
	}
	authRules, _ := claims.NewAuthRules(cfg.ClaimsPayers())
	if err := d.DB.Batch(ctx, authRules, func(b *store.Batch) error {
		for _, s := range []*claims.Session{testSession("S1", "W1"), testSession("S2", "W2")} {
			if _, err := b.PutSession(s, "t.json"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute) // generous: the loop ends when done
	var s2 store.SessionRecord
	for time.Now().Before(deadline) {
		if err := d.RunOnce(ctx); err != nil {
			t.Logf("run: %v", err)
		}
		s2, _ = d.DB.Session(ctx, "S2")
		if s2.State == store.StateHeld {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if s2.State != store.StateHeld || s2.HoldReason != "eligibility_subscriber_not_found" {
		t.Fatalf("S2: %s %q", s2.State, s2.HoldReason)
	}
	if s1, _ := d.DB.Session(ctx, "S1"); s1.State != store.StateReady {
		t.Fatalf("S1: %s", s1.State)
	}
	ev, _ := d.DB.Events(ctx, "session", "S1")
	if len(ev) < 3 {
		t.Fatalf("S1 history: %+v", ev)
	}
	st := d.Status()
	if len(st.Jobs) == 0 {
		t.Fatal("no job status")
	}
	adm, err := d.startAdmin()
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Shutdown()
	// No wait: admin.New has bound the listener, so connections queue until Serve runs.
	for _, path := range []string{"/live", "/ready", "/jobs"} {
		resp, err := http.Get("http://" + adm.BindAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		if path == "/jobs" {
			var s Status
			if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || len(s.Jobs) == 0 {
				t.Errorf("/jobs: %v %+v", err, s)
			}
			// `run --once` writes the outbox after every other step: all of it is in files.
			if o := s.Outbox; o == nil || o.Last < 4 || o.Written != o.Last || o.HTTP != nil {
				t.Errorf("/jobs outbox: %+v", o)
			}
			if files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "outbox", "outbox-*.ndjson")); len(files) == 0 {
				t.Error("no outbox file after run --once")
			}
		}
		resp.Body.Close()
	}
	_ = filepath.Join
}

// /jobs shows each scheduled job's spec and next run, the daemon's steps all scheduled.
func TestAdminJobsNextRun(t *testing.T) {
	cfg := config.Default()
	cfg.Admin.Listen = "127.0.0.1:0"
	d := newTestDaemon(t, cfg, nil)
	if err := d.register(true); err != nil {
		t.Fatal(err)
	}
	adm, err := d.startAdmin()
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Shutdown()
	code, body := getAdmin(t, adm.BindAddr(), "/jobs")
	var s struct {
		Jobs []struct {
			Name    string    `json:"name"`
			Spec    string    `json:"spec"`
			NextRun time.Time `json:"next_run"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &s); code != 200 || err != nil {
		t.Fatalf("/jobs: %d %v %s", code, err, body)
	}
	if len(s.Jobs) != len(d.Steps()) {
		t.Fatalf("/jobs lists %d jobs, the daemon has %d steps", len(s.Jobs), len(d.Steps()))
	}
	for _, j := range s.Jobs {
		if j.Spec == "" || j.NextRun.IsZero() || j.NextRun.Before(time.Now().Add(-time.Minute)) {
			t.Errorf("job %s: spec %q next run %v", j.Name, j.Spec, j.NextRun)
		}
	}
}
